"""Run-time settings: set from the command line, changeable through POST /settings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

CHOICES = {
    "refresh_policy": ("sliding", "always", "never"),
    "error_401_shape": ("result", "error"),
    "socket_reply": ("ack", "event"),
    # "mixed" = the first-named forms of the digest: initsync reply wrapped (it can carry
    # "warning"), sync events as a bare list. "list" and "wrapped" force one form for both.
    "socket_payload": ("mixed", "list", "wrapped"),
    "authorization_payload": ("object", "string"),
    "restore_cursor": ("rewind", "advance"),
}


class SettingsError(ValueError):
    pass


@dataclass
class Settings:
    page_size: int = 100
    jwt_ttl: float = 900.0
    refresh_policy: str = "sliding"
    error_401_shape: str = "result"
    socket_reply: str = "ack"
    socket_payload: str = "mixed"
    authorization_payload: str = "object"
    restore_cursor: str = "rewind"
    sync_retention: int | None = None
    job_step_seconds: float = 0.2
    activity: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def update(self, changes: dict[str, Any]) -> None:
        """Validates every change first, so a bad request changes nothing."""
        if not isinstance(changes, dict):
            raise SettingsError("settings must be a JSON object")
        known = {f.name for f in fields(self)}
        checked = {}
        for name, value in changes.items():
            if name not in known:
                raise SettingsError(f"unknown setting {name!r}")
            checked[name] = _check(name, value)
        for name, value in checked.items():
            setattr(self, name, value)


def _check(name: str, value: Any) -> Any:
    if name in CHOICES:
        if value not in CHOICES[name]:
            raise SettingsError(f"{name} must be one of {', '.join(CHOICES[name])}")
        return value
    if name == "sync_retention":
        if value is None:
            return None
        return _number(name, value, int, minimum=1)
    if name == "page_size":
        return _number(name, value, int, minimum=1)
    if name == "jwt_ttl":
        return _number(name, value, float, minimum=0.1)
    return _number(name, value, float, minimum=0.0)


def _number(name: str, value: Any, kind: type, minimum: float) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SettingsError(f"{name} must be a number")
    if kind is int and value != int(value):
        raise SettingsError(f"{name} must be an integer")
    if value < minimum:
        raise SettingsError(f"{name} must be >= {minimum}")
    return kind(value)
