"""The simulator's data: platform (cc) objects, project data, backups and jobs.

All writes go through put/put_cc/remove so they are mirrored to the persistence layer.
Business rules (what a mutation changes and which sync items it appends) live in
domain.py; this module only keeps and looks up state.
"""

from __future__ import annotations

import copy
import marshal
import secrets
import zlib

from . import seed as seeding
from .persistence import NoPersistence

CC_TYPES = ("cc.users", "cc.projects", "cc.projects_members")
PROJECT_TYPES = ("fields", "classes", "layouts", "definitions", "queries", "modules", "assets", "records")
CC_PROJECT = ""  # persistence key for cc objects


class Store:
    def __init__(self, persistence):
        self._p = persistence
        self.cc: dict[str, dict[str, dict]] = {t: {} for t in CC_TYPES}
        self.data: dict[str, dict[str, dict[str, dict]]] = {}
        self.backups: dict[str, dict[int, dict]] = {}
        self.media: dict[tuple[str, str], bytes] = {}
        self.meta: dict = {}

    # -- setup --------------------------------------------------------------------------

    def load(self, state: dict) -> None:
        self.meta = state["meta"]
        for project, types in state["objects"].items():
            if project == CC_PROJECT:
                self.cc.update(types)
            else:
                self.data[project] = {t: dict(types.get(t, {})) for t in PROJECT_TYPES}
        self.backups = state["backups"]
        self.media = state["media"]

    def seed(self, seed: int, size: dict | None = None) -> dict:
        """Fills an empty store from the seed; returns the seed for the history items."""
        seeded = seeding.build(seed, size)
        self.set_meta("seed", seed)
        for name in ("main_project", "other_project", "api_key", "owner", "api_keys", "logins",
                     "languages", "version", "seeded_at"):
            self.set_meta(name, seeded[name])
        self.set_meta("jwt_secret", secrets.token_hex(32))
        self.set_meta("jwt_generation", 0)
        self.set_meta("jobs", {})
        self.set_meta("deleted_status", {})
        for gid, user in seeded["users"].items():
            self.put_cc("cc.users", gid, user)
        for gid, project in seeded["projects"].items():
            self.put_cc("cc.projects", gid, project)
        for key, membership in seeded["memberships"].items():
            self.put_cc("cc.projects_members", key, membership)
        for project, data in seeded["data"].items():
            self.replace_project(project, data)
        return seeded

    def set_meta(self, key: str, value) -> None:
        self.meta[key] = value
        self._p.put_meta(key, value)

    # -- platform objects ---------------------------------------------------------------

    @property
    def users(self) -> dict[str, dict]:
        return self.cc["cc.users"]

    @property
    def projects(self) -> dict[str, dict]:
        return self.cc["cc.projects"]

    @property
    def memberships(self) -> dict[str, dict]:
        return self.cc["cc.projects_members"]

    @property
    def main_project(self) -> str:
        return self.meta["main_project"]

    def put_cc(self, data_type: str, key: str, value: dict) -> None:
        self.cc[data_type][key] = value
        self._p.put_object(CC_PROJECT, data_type, key, value)

    def membership(self, project: str, user: str) -> dict | None:
        return self.memberships.get(f"{project}/{user}")

    def is_member(self, user: str, project: str) -> bool:
        m = self.membership(project, user)
        return m is not None and m["status"] == "active"

    def project_memberships(self, project: str) -> list[dict]:
        return [m for m in self.memberships.values() if m["project_gid"] == project]

    def user_memberships(self, user: str) -> list[dict]:
        return [m for m in self.memberships.values() if m["user_gid"] == user]

    def user_projects(self, user: str) -> dict[str, list[str]]:
        return {m["project_gid"]: list(m["roles"]) for m in self.user_memberships(user)
                if m["status"] == "active"}

    def shares_project(self, user: str, other: str) -> bool:
        mine = set(self.user_projects(user))
        return user == other or any(p in mine for p in self.user_projects(other))

    def api_key_owner(self, api_key: str) -> dict | None:
        return self.meta["api_keys"].get(api_key)

    # -- project data -------------------------------------------------------------------

    def objects(self, project: str, data_type: str) -> dict[str, dict]:
        return self.data.setdefault(project, {t: {} for t in PROJECT_TYPES})[data_type]

    def get(self, project: str, data_type: str, key: str) -> dict | None:
        return self.data.get(project, {}).get(data_type, {}).get(key)

    def put(self, project: str, data_type: str, key: str, value: dict) -> None:
        self.objects(project, data_type)[key] = value
        self._p.put_object(project, data_type, key, value)

    def remove(self, project: str, data_type: str, key: str) -> None:
        self.objects(project, data_type).pop(key, None)
        self._p.put_object(project, data_type, key, None)

    def restore_cc(self, saved: dict[str, dict[str, dict]]) -> None:
        """Puts the cc objects back to a deep copy taken earlier (a /batch rolled back)."""
        for data_type, objects in saved.items():
            for key in set(self.cc[data_type]) - set(objects):
                del self.cc[data_type][key]
                self._p.put_object(CC_PROJECT, data_type, key, None)
            for key, value in objects.items():
                if self.cc[data_type].get(key) != value:
                    self.put_cc(data_type, key, value)

    def restore_backups(self, project: str, saved: dict[int, dict]) -> None:
        for version in set(self.backups.get(project, {})) - set(saved):
            self.remove_backup(project, version)
        for version, backup in saved.items():
            if self.backups.get(project, {}).get(version) is not backup:
                self.put_backup(project, version, backup)

    def snapshot(self, project: str) -> bytes:
        """The project data, packed (marshal + zlib): a copy that costs a fraction of the
        live data's memory, which matters for a large project (--project-size large)."""
        return zlib.compress(marshal.dumps(self.data[project]), 1)

    @staticmethod
    def unpack(snapshot: bytes) -> dict:
        return marshal.loads(zlib.decompress(snapshot))

    def replace_project(self, project: str, data: dict) -> None:
        self.data[project] = {t: dict(data.get(t, {})) for t in PROJECT_TYPES}
        self._p.replace_project(project, self.data[project])

    def root_record(self, project: str) -> dict | None:
        return next((r for r in self.objects(project, "records").values() if r["parent"] is None), None)

    def root_asset(self, project: str) -> dict | None:
        return next((a for a in self.objects(project, "assets").values() if len(a["path"]) == 1), None)

    # -- backups ------------------------------------------------------------------------

    def put_backup(self, project: str, version: int, backup: dict) -> None:
        """`backup["data"]` is a snapshot(): kept packed in memory, unpacked for persistence."""
        self.backups.setdefault(project, {})[version] = backup
        if not isinstance(self._p, NoPersistence):
            self._p.put_backup(project, version, self._unpacked(backup))

    def backup(self, project: str, version: int) -> dict | None:
        backup = self.backups.get(project, {}).get(version)
        return None if backup is None else self._unpacked(backup)

    @staticmethod
    def _unpacked(backup: dict) -> dict:
        data = backup["data"]
        if isinstance(data, bytes):
            data = Store.unpack(data)
        return {**backup, "data": data}

    def remove_backup(self, project: str, version: int) -> None:
        self.backups.get(project, {}).pop(version, None)
        self._p.put_backup(project, version, None)

    # -- media (uploaded file content) --------------------------------------------------

    def put_media(self, project: str, gid: str, content: bytes | None) -> None:
        if content is None:
            self.media.pop((project, gid), None)
        else:
            self.media[(project, gid)] = content
        self._p.put_media(project, gid, content)

    # -- jobs ---------------------------------------------------------------------------

    def put_job(self, token: str, job: dict) -> None:
        self.meta["jobs"][token] = job
        self._p.put_meta("jobs", self.meta["jobs"])
