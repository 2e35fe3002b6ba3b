"""Every change to the data, with the sync items it appends.

The API endpoints, the job runner, the activity generator and the control API's
/changes all mutate through here, so a change always looks the same on the wire: the
object changes (new content, bumped updated_on) and the matching item is appended.
"""

from __future__ import annotations

import copy
import random
import re
import time
import uuid

from .seed import Seeder
from .settings import Settings
from .store import PROJECT_TYPES, Store
from .synclog import LogEntry, SyncLog

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


class Domain:
    def __init__(self, store: Store, log: SyncLog, settings: Settings):
        self.store = store
        self.log = log
        self.settings = settings

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

    # -- records ------------------------------------------------------------------------

    def record(self, project: str, gid: str) -> dict:
        record = self.store.get(project, "records", gid)
        if record is None:
            raise DomainError("record not found", {"record": gid})
        return record

    def _save_record(self, project: str, record: dict, action: str = "UPDATE") -> LogEntry:
        self.store.put(project, "records", record["gid"], record)
        return self.log.append_project(project, action, "records", record["gid"])

    def create_record(self, project: str, parent_gid: str, fields: dict | None = None,
                      status: str = "draft") -> tuple[dict, list[LogEntry]]:
        parent = self.record(project, parent_gid)
        languages = self.store.projects[project]["options"]["languages"]
        parent_def = self.store.get(project, "definitions", parent["definition"] or "")
        definition = (parent_def["childdefinitions"][0]
                      if parent_def and parent_def["childdefinitions"] else parent["definition"])
        siblings = [r for r in self.store.objects(project, "records").values() if r["parent"] == parent_gid]
        orderings = {key: 1 + max((s["orderings"].get(key, 0) for s in siblings), default=0)
                     for key in self.store.projects[project]["options"]["orderedorderings"]}
        gid, t = new_gid(), now()
        fields = fields or {lang: {} for lang in languages}
        record = {
            "gid": gid, "parent": parent_gid, "canonical": gid, "backlinks": [], "is_link": False,
            "treelevel": parent["treelevel"] + 1, "path": [gid, *parent["path"]], "childcount": 0,
            "definition": definition,
            "title": {lang: fields.get(lang, {}).get("name", "") for lang in languages},
            "status": status, "channels": list(parent["channels"]), "orderings": orderings,
            "fields": fields, "created_on": t, "updated_on": t}
        parent = copy.deepcopy(parent)
        parent["childcount"] += 1
        parent["updated_on"] = t
        entries = [self._save_record(project, record, "INSERT"), self._save_record(project, parent)]
        return record, entries

    def field_by_name(self, project: str, name_or_gid: str) -> dict | None:
        fields = self.store.objects(project, "fields")
        if name_or_gid in fields:
            return fields[name_or_gid]
        return next((f for f in fields.values() if f["name"] == name_or_gid), None)

    def definition_fields(self, project: str, definition_gid: str | None) -> list[str]:
        definition = self.store.get(project, "definitions", definition_gid or "")
        if definition is None:
            return []
        gids = [f for c in definition["classes"]
                for f in (self.store.get(project, "classes", c) or {"fields": []})["fields"]]
        return gids + definition["fields"]

    def update_record(self, project: str, gid: str, changes: dict) -> tuple[dict, list[dict], list[LogEntry]]:
        """Applies what validates and reports the rest, as Unicat does (digest §10)."""
        record = copy.deepcopy(self.record(project, gid))
        languages = self.store.projects[project]["options"]["languages"]
        allowed = set(self.definition_fields(project, record["definition"]))
        definition = self.store.get(project, "definitions", record["definition"] or "")
        titlefield = definition["titlefield"] if definition else "name"
        report, changed = [], False
        for lang, values in changes.items():
            if lang not in languages:
                report.append({"language": lang, "field": None, "message": "unknown language"})
                continue
            for name, value in values.items():
                base = name[:-4] if name.endswith("/key") else name
                field = self.field_by_name(project, base)
                if field is None or field["gid"] not in allowed:
                    report.append({"language": lang, "field": name, "message": "unknown field"})
                    continue
                problem = self._invalid_value(field, value, name.endswith("/key"))
                if problem:
                    report.append({"language": lang, "field": name, "message": problem})
                    continue
                targets = [lang] if field["is_localized"] else languages
                for target in targets:
                    self._set_field(record, field, target, value, name.endswith("/key"))
                if field["name"] == titlefield:
                    for target in targets:
                        record["title"][target] = record["fields"][target].get(titlefield, "")
                changed = True
        entries = []
        if changed:
            record["updated_on"] = now()
            entries.append(self._save_record(project, record))
        return record, report, entries

    @staticmethod
    def _invalid_value(field: dict, value, is_key: bool) -> str | None:
        if value is None:
            return "required" if field["is_required"] else None
        values = field["options"].get("values")
        if values is not None:
            if is_key and value not in [v["key"] for v in values]:
                return "unknown key"
            return None if isinstance(value, str) else "text expected"
        if field["type"] == "number":
            return None if isinstance(value, (int, float)) and not isinstance(value, bool) else "number expected"
        return None if isinstance(value, str) else "text expected"

    @staticmethod
    def _set_field(record: dict, field: dict, lang: str, value, is_key: bool) -> None:
        target = record["fields"].setdefault(lang, {})
        name = field["name"]
        values = field["options"].get("values")
        if values is None:
            target[name] = value
            return
        match = next((v for v in values if (v["key"] == value if is_key else value in v["label"].values())), None)
        target[name] = match["label"].get(lang, match["key"]) if match else value
        target[f"{name}/key"] = match["key"] if match else None

    def set_deleted(self, project: str, gid: str, deleted: bool) -> tuple[dict, list[LogEntry]]:
        """Soft delete / undelete: a status change, announced as UPDATE."""
        record = copy.deepcopy(self.record(project, gid))
        if record["parent"] is None:
            raise DomainError("cannot delete the root record", {"record": gid})
        remembered = self.store.meta["deleted_status"]
        if deleted == (record["status"] == "deleted"):
            return record, []
        if deleted:
            remembered[gid] = record["status"]
            record["status"] = "deleted"
        else:
            record["status"] = remembered.pop(gid, "draft")
        self.store.set_meta("deleted_status", remembered)
        record["updated_on"] = now()
        return record, [self._save_record(project, record)]

    def permanent_delete(self, project: str, gid: str) -> tuple[dict, list[LogEntry]]:
        """Removes the record and its subtree (DELETE items, deepest first) and updates
        the parent's childcount."""
        record = self.record(project, gid)
        if record["parent"] is None:
            raise DomainError("cannot delete the root record", {"record": gid})
        records = self.store.objects(project, "records")
        doomed = sorted((r for r in records.values() if gid in r["path"]),
                        key=lambda r: -r["treelevel"])
        entries = []
        for r in doomed:
            self.store.remove(project, "records", r["gid"])
            entries.append(self.log.append_project(project, "DELETE", "records", r["gid"]))
        parent = copy.deepcopy(self.record(project, record["parent"]))
        parent["childcount"] -= 1
        parent["updated_on"] = now()
        entries.append(self._save_record(project, parent))
        return parent, entries

    def touch_record(self, project: str, gid: str, rng: random.Random) -> list[LogEntry]:
        """A realistic edit: stock or price for articles, otherwise the description text."""
        record = copy.deepcopy(self.record(project, gid))
        fields = record["fields"]
        sample = next(iter(fields.values()), {})
        if "stock" in sample:
            name, value = ("stock", rng.randrange(0, 250)) if rng.random() < 0.7 else \
                ("price", round(rng.uniform(9, 899), 2))
            for lang_fields in fields.values():
                lang_fields[name] = value
        else:
            name = "description" if "description" in sample else "intro"
            for lang_fields in fields.values():
                lang_fields[name] = bump_text(lang_fields.get(name, ""))
        record["updated_on"] = now()
        return [self._save_record(project, record)]

    # -- assets -------------------------------------------------------------------------

    def _save_asset(self, project: str, asset: dict, action: str = "UPDATE") -> LogEntry:
        self.store.put(project, "assets", asset["gid"], asset)
        return self.log.append_project(project, action, "assets", asset["gid"])

    def touch_asset(self, project: str, gid: str, rng: random.Random) -> list[LogEntry]:
        """A re-upload: new version, new file size, new update time."""
        asset = copy.deepcopy(self.store.get(project, "assets", gid))
        asset["version"] += 1
        if asset["is_file"]:
            asset["info"]["filesize"] = rng.randrange(20_000, 900_000)
        asset["updated_on"] = now()
        return [self._save_asset(project, asset)]

    def create_asset(self, project: str, folder_gid: str, rng: random.Random) -> list[LogEntry]:
        folder = copy.deepcopy(self.store.get(project, "assets", folder_gid))
        gid, t = new_gid(), now()
        name = f"upload-{gid[:8]}.jpg"
        asset = {
            "gid": gid, "pathname": folder["pathname"].rstrip("/") + "/" + name,
            "path": [gid, *folder["path"]], "name": name, "is_file": True, "type": "jpg",
            "childcount": 0, "status": "published",
            "info": {"width": 1600, "height": 1200, "format": "jpeg",
                     "filesize": rng.randrange(20_000, 900_000)},
            "transforms": {}, "title": {"en": name, "nl": name}, "description": {"en": "", "nl": ""},
            "metadata": {}, "created_on": t, "updated_on": t, "version": 1}
        folder["childcount"] += 1
        folder["info"]["filecount"] += 1
        folder["updated_on"] = t
        return [self._save_asset(project, asset, "INSERT"), self._save_asset(project, folder)]

    def delete_asset(self, project: str, gid: str) -> list[LogEntry]:
        asset = self.store.get(project, "assets", gid)
        folder = copy.deepcopy(self.store.get(project, "assets", asset["path"][1]))
        self.store.remove(project, "assets", gid)
        folder["childcount"] -= 1
        folder["info"]["filecount"] -= 1
        folder["updated_on"] = now()
        return [self.log.append_project(project, "DELETE", "assets", gid), self._save_asset(project, folder)]

    # -- schema, queries, modules -------------------------------------------------------

    def touch_schema(self, project: str, data_type: str, key: str) -> list[LogEntry]:
        obj = copy.deepcopy(self.store.get(project, data_type, key))
        if data_type == "queries":
            obj["name"] = bump_text(obj["name"])
        elif data_type == "modules":
            major, minor, patch = (obj["version"].split(".") + ["0", "0"])[:3]
            obj["version"] = f"{major}.{minor}.{int(patch) + 1}"
            obj["keys"]["last_import"] = now()
        elif data_type == "layouts":
            obj["name"] = bump_text(obj["name"])
        else:
            obj["metadata"]["revision"] = obj["metadata"].get("revision", 0) + 1
            obj["label"] = {lang: bump_text(text) for lang, text in obj["label"].items()}
        self.store.put(project, data_type, key, obj)
        return [self.log.append_project(project, "UPDATE", data_type, key)]

    def create_schema(self, project: str, data_type: str) -> list[LogEntry]:
        """A new, unreferenced object (so it can be deleted again without side effects)."""
        key = new_gid()
        tag = key[:8]
        label = {"en": f"New {tag}", "nl": f"Nieuw {tag}"}
        base = {"gid": key, "original": None, "is_new": False, "is_working_copy": False}
        if data_type == "fields":
            obj = {**base, "name": f"field_{tag}", "label": label, "type": "textline", "options": {},
                   "is_localized": True, "is_required": False, "initial": {}, "unit": None, "metadata": {}}
        elif data_type == "classes":
            obj = {**base, "name": f"class_{tag}", "label": label, "fields": [], "layout": None,
                   "metadata": {}}
        elif data_type == "definitions":
            obj = {**base, "name": f"definition_{tag}", "label": label, "classes": [], "fields": [],
                   "titlefield": "name", "fieldlists": {}, "layout": None, "childdefinitions": [],
                   "metadata": {}, "is_base": True, "is_extended": False}
        elif data_type == "layouts":
            obj = {**base, "name": f"layout_{tag}", "root": "root",
                   "components": {"root": {"type": "vertical", "children": []}}}
        elif data_type == "queries":
            obj = {"gid": key, "type": "record", "name": f"Query {tag}", "q": tag, "filter": []}
        else:  # modules are keyed by name
            key = f"module-{tag}"
            obj = {"name": key, "version": "1.0.0", "keys": {}, "actions": {}, "logs": []}
        self.store.put(project, data_type, key, obj)
        return [self.log.append_project(project, "INSERT", data_type, key)]

    def deletable(self, project: str, data_type: str) -> list[str]:
        """Keys of objects nothing refers to."""
        objects = self.store.objects(project, data_type)
        if data_type in ("queries", "modules"):
            return list(objects)
        used: set[str] = set()
        for d in self.store.objects(project, "definitions").values():
            used.update(d["classes"], d["fields"], d["childdefinitions"], [d["layout"], d["original"]])
            used.update(f for fl in d["fieldlists"].values() for f in fl)
        for c in self.store.objects(project, "classes").values():
            used.update(c["fields"], [c["layout"]])
        for layout in self.store.objects(project, "layouts").values():
            used.update(comp.get("field") for comp in layout["components"].values())
        used.update(r["definition"] for r in self.store.objects(project, "records").values())
        return [key for key in objects if key not in used]

    def delete_schema(self, project: str, data_type: str, key: str) -> list[LogEntry]:
        self.store.remove(project, data_type, key)
        return [self.log.append_project(project, "DELETE", data_type, key)]

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

