"""What every part of the domain shares: the error, clocks and gids, and the base class
that gives each part the store, the sync log and the settings."""

from __future__ import annotations

import re
import time
import uuid

from .settings import Settings
from .store import Store
from .synclog import SyncLog

REV = re.compile(r" \[rev (\d+)\]$")


def now() -> float:
    return round(time.time(), 4)


def new_gid() -> str:
    return str(uuid.uuid4())


def bump_text(text: str) -> str:
    """Appends or increments a ' [rev N]' marker, so every bump is a visible change."""
    match = REV.search(text or "")
    if match:
        return text[:match.start()] + f" [rev {int(match.group(1)) + 1}]"
    return f"{text or ''} [rev 1]"


class DomainError(Exception):
    """A mutation that cannot be done (the API answers 422)."""

    def __init__(self, message: str, info: dict | None = None):
        super().__init__(message)
        self.message = message
        self.info = info or {}


class DomainPart:
    def __init__(self, store: Store, log: SyncLog, settings: Settings):
        self.store = store
        self.log = log
        self.settings = settings

    def project_options(self, project: str) -> dict:
        return self.store.projects[project]["options"]
