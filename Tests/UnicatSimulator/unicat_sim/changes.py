"""Generated changes: the control API's POST /changes and the --activity mode.

Each change is real: the object gets new content and a bumped updated_on, and the
sync items are appended (and so pushed on socket.io) exactly as for an API call.
"""

from __future__ import annotations

import copy
import random
from typing import TYPE_CHECKING

from .domain import DomainError, new_gid
from .synclog import LogEntry

if TYPE_CHECKING:
    from .sim import Sim

SCHEMA_TYPES = ("definitions", "classes", "fields", "layouts", "queries", "modules")
DATA_TYPES = ("records", "assets", *SCHEMA_TYPES, "cc.users", "cc.projects")
ACTIONS = ("UPDATE", "INSERT", "DELETE")


class ChangeError(ValueError):
    pass


class ChangeMaker:
    def __init__(self, sim: "Sim", rng: random.Random):
        self._sim = sim
        self._rng = rng

    @property
    def _project(self) -> str:
        return self._sim.store.main_project

    def _pick(self, candidates: list, count: int, what: str) -> list:
        if len(candidates) < count:
            raise ChangeError(f"only {len(candidates)} {what} available")
        return self._rng.sample(candidates, count)

    def _records(self, predicate) -> list[str]:
        return [g for g, r in self._sim.store.objects(self._project, "records").items()
                if r["status"] != "deleted" and r["parent"] is not None and predicate(r)]

    def make(self, count: int, data_type: str = "records", action: str = "UPDATE") -> list[LogEntry]:
        if data_type not in DATA_TYPES:
            raise ChangeError(f"data_type must be one of {', '.join(DATA_TYPES)}")
        if action not in ACTIONS:
            raise ChangeError(f"action must be one of {', '.join(ACTIONS)}")
        if data_type.startswith("cc.") and action != "UPDATE":
            raise ChangeError(f"{data_type} supports only UPDATE")
        if data_type == "records":
            return self._record_changes(count, action)
        if data_type == "assets":
            return self._asset_changes(count, action)
        if data_type == "cc.users":
            return self._user_changes(count)
        if data_type == "cc.projects":
            return self._project_changes(count)
        return self._schema_changes(count, action, data_type)

    # -- per data type -----------------------------------------------------------------

    def _record_changes(self, count: int, action: str) -> list[LogEntry]:
        domain, project, entries = self._sim.domain, self._project, []
        if action == "UPDATE":
            for gid in self._pick(self._records(lambda r: True), count, "records"):
                entries += domain.touch_record(project, gid, self._rng)
        elif action == "INSERT":
            for _ in range(count):
                entries += self.new_article()
        else:
            for gid in self._pick(self._records(lambda r: r["childcount"] == 0), count, "leaf records"):
                entries += domain.permanent_delete(project, gid)[1]
        return entries

    def new_article(self) -> list[LogEntry]:
        """A new draft article, filled in from a sibling so it looks like real content."""
        store, project = self._sim.store, self._project
        records = store.objects(project, "records")
        lines = self._records(lambda r: r["childcount"] > 0 and r["treelevel"] == 3)
        parent = self._rng.choice(lines)
        template = next((r for r in records.values() if r["parent"] == parent and "sku" in
                         next(iter(r["fields"].values()), {})), None)
        fields = copy.deepcopy(template["fields"]) if template else None
        if fields:
            sku, stock = f"NEW-{new_gid()[:8].upper()}", self._rng.randrange(0, 250)
            for lang_fields in fields.values():
                lang_fields["name"] = f"{lang_fields['name']} II"
                lang_fields.update({"sku": sku, "stock": stock})
        _, entries = self._sim.domain.create_record(project, parent, fields)
        return entries

    def soft_delete(self) -> list[LogEntry]:
        gid = self._rng.choice(self._records(lambda r: r["childcount"] == 0))
        return self._sim.domain.set_deleted(self._project, gid, True)[1]

    def _asset_changes(self, count: int, action: str) -> list[LogEntry]:
        domain, project, entries = self._sim.domain, self._project, []
        assets = self._sim.store.objects(project, "assets")
        files = [g for g, a in assets.items() if a["is_file"]]
        if action == "UPDATE":
            for gid in self._pick(files, count, "file assets"):
                entries += domain.touch_asset(project, gid, self._rng)
        elif action == "INSERT":
            folders = [g for g, a in assets.items() if not a["is_file"] and len(a["path"]) > 1]
            for _ in range(count):
                entries += domain.create_asset(project, self._rng.choice(folders), self._rng)
        else:
            for gid in self._pick(files, count, "file assets"):
                entries += domain.permanent_delete_asset(project, gid)
        return entries

    def _schema_changes(self, count: int, action: str, data_type: str) -> list[LogEntry]:
        domain, project, entries = self._sim.domain, self._project, []
        if action == "UPDATE":
            for key in self._pick(list(self._sim.store.objects(project, data_type)), count, data_type):
                entries += domain.touch_schema(project, data_type, key)
        elif action == "INSERT":
            for _ in range(count):
                entries += domain.create_unreferenced(project, data_type)
        else:
            for key in self._pick(domain.deletable(project, data_type), count, f"unreferenced {data_type}"):
                entries += domain.delete_schema(project, data_type, key)
        return entries

    def _user_changes(self, count: int) -> list[LogEntry]:
        store = self._sim.store
        api_users = {k["user"] for k in store.meta["api_keys"].values()}
        members = [m["user_gid"] for m in store.project_memberships(self._project)
                   if m["user_gid"] not in api_users]
        entries = []
        for _ in range(count):
            entries += self._sim.domain.touch_user(self._rng.choice(members))
        return entries

    def _project_changes(self, count: int) -> list[LogEntry]:
        entries = []
        for _ in range(count):
            entries += self._sim.domain.touch_project(self._project)
        return entries

    # -- activity mix --------------------------------------------------------------------

    def random_change(self) -> list[LogEntry]:
        """Mostly record edits; some creates and soft deletes; now and then an asset."""
        roll = self._rng.random()
        try:
            if roll < 0.85:
                return self._record_changes(1, "UPDATE")
            if roll < 0.92:
                return self.new_article()
            if roll < 0.97:
                return self.soft_delete()
            return self._asset_changes(1, "UPDATE")
        except (ChangeError, DomainError, IndexError):
            return []
