"""The simulator's parts, wired together (one instance per process)."""

from __future__ import annotations

import logging
import random

from .activity import Activity
from .changes import ChangeMaker
from .domain import Domain
from .faults import FaultRegistry
from .jobs import JobRunner
from .jwt_tokens import TokenService
from .persistence import NoPersistence, SqlitePersistence
from .settings import Settings
from .stats import Stats
from .store import Store
from .synclog import SyncLog

log = logging.getLogger("unicat_sim")


class Sim:
    def __init__(self, settings: Settings, state_dir: str | None, seed: int, size: dict | None = None):
        self.settings = settings
        self.persistence = SqlitePersistence(state_dir) if state_dir else NoPersistence()
        self.store = Store(self.persistence)
        self.log = SyncLog(self.persistence)
        self.domain = Domain(self.store, self.log, settings)
        state = self.persistence.load()
        if state is not None:
            self.store.load(state)
            self.log.load(state["log"], state["meta"])
            if self.store.meta["seed"] != seed:
                log.warning("state dir holds data of seed %s; --seed %s ignored", self.store.meta["seed"], seed)
            if size:
                log.warning("state dir holds data already; the project size options are ignored")
            log.info("loaded state: cc.cursor %s, cursor %s", self.log.cc_cursor,
                     self.log.cursor(self.store.main_project))
        else:
            seeded = self.store.seed(seed, size)
            self.domain.record_seed_history(seeded)
            self.store.set_meta("seeded", True)
            self.persistence.commit()
        self.log.set_retention(settings.sync_retention)
        # Without --state-dir the secret is new on every run (it is generated with the
        # seed data); with it, tokens survive a restart like on a real server.
        self.tokens = TokenService(self.store.meta["jwt_secret"], settings,
                                   self.store.meta["jwt_generation"],
                                   on_expire_all=lambda gen: self.store.set_meta("jwt_generation", gen))
        self.jobs = JobRunner(self.domain, settings)
        self.faults = FaultRegistry()
        self.stats = Stats()
        self.changes = ChangeMaker(self, random.Random(seed + 1))
        self.activity = Activity(self.changes)

    def apply_settings(self, changes: dict) -> None:
        """POST /settings: validate and store, then apply side effects."""
        self.settings.update(changes)
        if "sync_retention" in changes:
            self.log.set_retention(self.settings.sync_retention)
        if "activity" in changes:
            self.activity.set_rate(self.settings.activity)

    async def close(self) -> None:
        await self.activity.close()
        await self.jobs.close()
        self.persistence.close()
