"""Project settings (languages, channels, orderings, fieldlists), backup versions,
queries and modules (digest §9, §10).

Settings live in the project's cc entry, so a change is one cc `cc.projects` UPDATE.
Records keep the keys of channels and orderings deleted later [INF].
"""

from __future__ import annotations

import copy

from .domain_base import DomainError, DomainPart, new_gid, now
from .synclog import LogEntry

MODULE_LOG_LIMIT = 50  # "the server keeps at most 50 log entries" [DOC modules/logs/add]
LOG_KEYS = ("action", "configuration", "command", "started_at", "ended_at", "status", "output")
# options key → (ordered list key, singular name used in parameters and messages)
KEYED_OPTIONS = {"channels": ("orderedchannels", "channel"), "orderings": ("orderedorderings", "ordering"),
                 "fieldlists": ("orderedfieldlists", "fieldlist")}


class ProjectMutations(DomainPart):
    def _change_project(self, project: str, change) -> list[LogEntry]:
        entry = copy.deepcopy(self.store.projects[project])
        change(entry)
        self.store.put_cc("cc.projects", project, entry)
        return [self.log.append_cc("UPDATE", "cc.projects", project, scope_project=project)]

    # -- settings -----------------------------------------------------------------------

    def add_language(self, project: str, language: str) -> list[LogEntry]:
        if language not in self.store.meta["languages"]:
            raise DomainError("language not found", {"language": language})
        if language in self.project_options(project)["languages"]:
            return []
        return self._change_project(project, lambda e: e["options"]["languages"].append(language))

    def remove_language(self, project: str, language: str) -> list[LogEntry]:
        languages = self.project_options(project)["languages"]
        if language not in languages:
            raise DomainError("language not found", {"language": language})
        if len(languages) == 1:
            raise DomainError("cannot remove the last language", {"language": language})
        return self._change_project(project, lambda e: e["options"]["languages"].remove(language))

    def create_keyed(self, project: str, option: str, name: str) -> tuple[str, list[LogEntry]]:
        """A new channel, ordering or fieldlist; returns its key (a gid)."""
        key, ordered = new_gid(), KEYED_OPTIONS[option][0]

        def change(entry: dict) -> None:
            entry["options"][option][key] = name
            entry["options"][ordered].append(key)
        return key, self._change_project(project, change)

    def delete_keyed(self, project: str, option: str, key: str) -> list[LogEntry]:
        ordered, singular = KEYED_OPTIONS[option]
        options = self.project_options(project)
        if key not in options[option]:
            raise DomainError(f"{singular} not found", {singular: key})
        if key == "__all__" or option != "channels" and len(options[ordered]) == 1:
            raise DomainError(f"cannot delete this {singular}", {singular: key})

        def change(entry: dict) -> None:
            del entry["options"][option][key]
            entry["options"][ordered].remove(key)
        return self._change_project(project, change)

    # -- backups ------------------------------------------------------------------------

    def _backup_versions(self, project: str, versions: list[int]) -> None:
        known = {v["version"] for v in self.store.projects[project]["backups"]["versions"]}
        for version in versions:
            if version not in known:
                raise DomainError("backup not found", {"version": version})

    def rename_backup(self, project: str, version: int, name: str) -> list[LogEntry]:
        self._backup_versions(project, [version])

        def change(entry: dict) -> None:
            for v in entry["backups"]["versions"]:
                if v["version"] == version:
                    v["name"] = name
        return self._change_project(project, change)

    def delete_backups(self, project: str, versions: list[int]) -> list[LogEntry]:
        self._backup_versions(project, versions)
        for version in versions:
            self.store.remove_backup(project, version)

        def change(entry: dict) -> None:
            entry["backups"]["versions"] = [v for v in entry["backups"]["versions"] if v["version"] not in versions]
        return self._change_project(project, change)

    # -- queries ------------------------------------------------------------------------

    def query(self, project: str, gid: str) -> dict:
        query = self.store.get(project, "queries", gid)
        if query is None:
            raise DomainError("query doesn't exist", {"query": gid})
        return query

    def save_query(self, project: str, query: dict) -> list[LogEntry]:
        action = "UPDATE" if self.store.get(project, "queries", query["gid"]) else "INSERT"
        self.store.put(project, "queries", query["gid"], query)
        return [self.log.append_project(project, action, "queries", query["gid"])]

    def delete_query(self, project: str, gid: str) -> list[LogEntry]:
        self.query(project, gid)
        self.store.remove(project, "queries", gid)
        return [self.log.append_project(project, "DELETE", "queries", gid)]

    # -- modules (keyed by name) ----------------------------------------------------------

    def module(self, project: str, name: str) -> dict:
        module = self.store.get(project, "modules", name)
        if module is None:
            raise DomainError("module not found", {"module": name})
        return module

    def _save_module(self, project: str, module: dict, action: str = "UPDATE") -> list[LogEntry]:
        self.store.put(project, "modules", module["name"], module)
        return [self.log.append_project(project, action, "modules", module["name"])]

    def register_module(self, project: str, name: str, version: str) -> list[LogEntry]:
        """A new module, or a new version of a registered one (its keys, actions and
        logs stay)."""
        existing = self.store.get(project, "modules", name)
        if existing is None:
            return self._save_module(project, {"name": name, "version": version, "keys": {}, "actions": {},
                                               "logs": []}, "INSERT")
        if existing["version"] == version:
            return []
        return self._save_module(project, {**copy.deepcopy(existing), "version": version})

    def unregister_module(self, project: str, name: str) -> list[LogEntry]:
        self.module(project, name)
        self.store.remove(project, "modules", name)
        return [self.log.append_project(project, "DELETE", "modules", name)]

    def change_module(self, project: str, name: str, change) -> list[LogEntry]:
        module = copy.deepcopy(self.module(project, name))
        change(module)
        return self._save_module(project, module)

    def unpublish_action(self, project: str, name: str, action: str) -> list[LogEntry]:
        if action not in self.module(project, name)["actions"]:
            raise DomainError("action not found", {"action": action})
        return self.change_module(project, name, lambda m: m["actions"].pop(action))

    def add_module_log(self, project: str, name: str, version: str, values: dict) -> list[LogEntry]:
        """A log entry with every documented key (missing ones null); `duration` is
        `ended_at - started_at` when both are given. The oldest entries beyond 50 go."""
        entry = {"timestamp": now(), "version": version, **{k: values.get(k) for k in LOG_KEYS}}
        started, ended = entry["started_at"], entry["ended_at"]
        entry["duration"] = round(ended - started, 4) if started is not None and ended is not None else None

        def change(module: dict) -> None:
            module["logs"] = (module["logs"] + [entry])[-MODULE_LOG_LIMIT:]
        return self.change_module(project, name, change)
