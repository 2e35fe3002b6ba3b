"""Every change to the data, with the sync items it appends.

The API endpoints, the job runner, the activity generator and the control API's
/changes all mutate through here, so a change always looks the same on the wire: the
object changes (new content, bumped updated_on) and the matching item is appended.
Records, assets, the schema and the project settings each have their own part; this
module adds the seed history, jobs, platform objects and backups.
"""

from __future__ import annotations

import contextlib
import copy
import random
import secrets
import uuid
from typing import Iterator

from .domain_assets import AssetMutations
from .domain_base import DomainError, new_gid, now
from .domain_project import ProjectMutations
from .domain_records import RecordMutations
from .domain_schema import SchemaMutations
from .seed import Seeder
from .store import PROJECT_TYPES
from .synclog import LogEntry


class Domain(RecordMutations, AssetMutations, SchemaMutations, ProjectMutations):
    # -- seeding ------------------------------------------------------------------------

    def record_seed_history(self, seeded: dict) -> None:
        """The creation history of the seed data, so a replay from cursor 0 is complete
        and the initial cursors are realistic (not 0)."""
        for gid in seeded["users"]:
            self.log.append_cc("INSERT", "cc.users", gid, scope_user=gid)
        for gid in seeded["projects"]:
            self.log.append_cc("INSERT", "cc.projects", gid, scope_project=gid)
        for key, m in seeded["memberships"].items():
            self.log.append_cc("INSERT", "cc.projects_members", key, scope_project=m["project_gid"])
        for project, data in seeded["data"].items():
            for data_type in PROJECT_TYPES:
                for key in data[data_type]:
                    self.log.append_project(project, "INSERT", data_type, key)
        main = seeded["main_project"]
        version = self.make_backup(main, "anna", "Initial import", seeded["seeded_at"])
        token = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{main}/initial-backup"))  # deterministic
        for status, info in (("queued", {}), ("processing", {"total": 1, "remaining": 1}),
                             ("done", {"total": 1, "remaining": 0})):
            self.job_item(token, main, "backup_project", status, info, seeded["seeded_at"])
        self.announce_project(main)
        assert version == 1

    # -- jobs ---------------------------------------------------------------------------

    def job_item(self, token: str, project: str, job: str, status: str, info: dict,
                 at: float | None = None) -> LogEntry:
        previous = self.store.meta["jobs"].get(token)
        at = at or now()
        data = {"project_gid": project, "job": job, "status": status, "info": info,
                "created_on": previous["created_on"] if previous else at, "updated_on": at}
        self.store.put_job(token, data)
        return self.log.append_cc("UPDATE", "jobs", token, data=copy.deepcopy(data), scope_project=project)

    # -- platform (cc) objects ----------------------------------------------------------

    def touch_user(self, gid: str) -> list[LogEntry]:
        user = copy.deepcopy(self.store.users[gid])
        user["avatar"] = f"{new_gid()}.jpg"
        self.store.put_cc("cc.users", gid, user)
        return [self.log.append_cc("UPDATE", "cc.users", gid, scope_user=gid)]

    def touch_project(self, gid: str) -> list[LogEntry]:
        project = copy.deepcopy(self.store.projects[gid])
        project["build"] += 1
        self.store.put_cc("cc.projects", gid, project)
        return [self.log.append_cc("UPDATE", "cc.projects", gid, scope_project=gid)]

    def announce_project(self, gid: str) -> list[LogEntry]:
        return [self.log.append_cc("UPDATE", "cc.projects", gid, scope_project=gid)]

    def create_api_user(self, project: str, name: str) -> tuple[str, str]:
        """A new API key for the project (apikeys/create): its API user and that user's
        `api` membership, announced as cc INSERTs. Returns (user gid, key)."""
        gid, key = new_gid(), secrets.token_hex(20)
        options = self.project_options(project)
        user = {"gid": gid, "username": None, "email": None, "name": name, "avatar": None, "status": "active",
                "options": {"language": options["languages"][0], "timezone": options["timezone"]}}
        membership = {"project_gid": project, "user_gid": gid, "status": "active", "roles": ["api"],
                      "options": {"rate_limit_per_second": None}}
        self.store.put_cc("cc.users", gid, user)
        self.store.put_cc("cc.projects_members", f"{project}/{gid}", membership)
        self.store.set_meta("api_keys", {**self.store.meta["api_keys"], key: {"user": gid, "project": project}})
        self.log.append_cc("INSERT", "cc.users", gid, scope_user=gid)
        self.log.append_cc("INSERT", "cc.projects_members", f"{project}/{gid}", scope_project=project)
        return gid, key

    def create_project(self, owner: str, name: str, timezone: str) -> str:
        """A new, empty project (one root record) owned by `owner`."""
        seeder = Seeder(random.getrandbits(64))
        gid = new_gid()
        options = seeder.project_options(["Main channel"], ["Main ordering"], ["Main fieldlist"], timezone)
        project = {"gid": gid, "name": name, "icon": None, "owner": owner, "status": "active",
                   "options": options, "backups": {"versions": [], "next_version": 1}, "build": 1}
        user = self.store.users[owner]
        membership = {"project_gid": gid, "user_gid": owner, "status": "active", "roles": ["owner"],
                      "options": {"notifications": {"email": user["email"], "events": ["all"],
                                                    "frequency": "immediate"},
                                  "rate_limit_per_second": None}}
        self.store.put_cc("cc.projects", gid, project)
        self.store.put_cc("cc.projects_members", f"{gid}/{owner}", membership)
        self.store.replace_project(gid, Seeder.empty_data())
        gid_root, t = new_gid(), now()
        languages = options["languages"]
        root = {"gid": gid_root, "parent": None, "canonical": gid_root, "backlinks": [], "is_link": False,
                "treelevel": 1, "path": [gid_root], "childcount": 0, "definition": None,
                "title": {lang: "" for lang in languages}, "status": "published",
                "channels": ["__all__"], "orderings": {}, "fields": {lang: {} for lang in languages},
                "created_on": t, "updated_on": t}
        self.store.put(gid, "records", gid_root, root)
        self.log.append_cc("INSERT", "cc.projects", gid, scope_project=gid)
        self.log.append_cc("INSERT", "cc.projects_members", f"{gid}/{owner}", scope_project=gid)
        self.log.append_project(gid, "INSERT", "records", gid_root)
        return gid

    # -- transactions (/batch) ----------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self, project: str) -> Iterator[None]:
        """All or nothing: sync items appended inside are held back from the listeners
        (the socket.io feed) until the end; an exception puts the project data, the cc
        objects, the key and status bookkeeping, the backups and both cursor streams back
        as they were, and the held items are dropped."""
        data, cc = self.store.snapshot(project), copy.deepcopy(self.store.cc)
        meta = copy.deepcopy({k: self.store.meta[k] for k in ("api_keys", "deleted_status", "jobs")})
        backups = dict(self.store.backups.get(project, {}))
        cc_cursor, cursor = self.log.cc_cursor, self.log.cursor(project)
        listeners, held = self.log.listeners, []
        self.log.listeners = [held.append]
        try:
            yield
        except BaseException:
            self.log.listeners = listeners
            self.store.replace_project(project, self.store.unpack(data))
            self.store.restore_cc(cc)
            for key, value in meta.items():
                self.store.set_meta(key, value)
            self.store.restore_backups(project, backups)
            self.log.rewind(project, cursor)
            self.log.rewind_cc(cc_cursor)
            raise
        self.log.listeners = listeners
        for entry in held:
            for listener in listeners:
                listener(entry)

    # -- backups ------------------------------------------------------------------------

    def make_backup(self, project: str, created_by: str, name: str | None,
                    timestamp: float | None = None) -> int:
        """Snapshots the project data with its current cursor and lists the version."""
        entry = copy.deepcopy(self.store.projects[project])
        version = entry["backups"]["next_version"]
        timestamp = timestamp or now()
        self.store.put_backup(project, version, {"cursor": self.log.cursor(project),
                                                 "data": self.store.snapshot(project)})
        entry["backups"]["versions"].append({"version": version, "name": name or f"Backup {version}",
                                             "created_by": created_by, "timestamp": timestamp})
        entry["backups"]["next_version"] = version + 1
        self.store.put_cc("cc.projects", project, entry)
        return version

    def restore_backup(self, project: str, version: int) -> None:
        """Puts the snapshot back. By default the project cursor is rewound to the
        backup's cursor, so later items reuse cursor numbers (restore_cursor=rewind)."""
        backup = self.store.backup(project, version)
        if backup is None:
            raise DomainError("Process error", {"process": "restore"})
        self.store.replace_project(project, copy.deepcopy(backup["data"]))
        if self.settings.restore_cursor == "rewind":
            self.log.rewind(project, backup["cursor"])

