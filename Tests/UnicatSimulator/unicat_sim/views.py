"""The shapes the API returns: full vs. reduced cc entries, init bodies, language filtering."""

from __future__ import annotations

import copy
from typing import Callable

from .store import Store
from .synclog import LogEntry, SyncLog

USER_SHORT = ("gid", "username", "name", "avatar", "status")
USER_FULL = ("gid", "username", "email", "name", "avatar", "status", "options")
PROJECT_SHORT = ("gid", "name", "icon", "owner", "status")
SCHEMA_TYPES = ("definitions", "classes", "fields", "layouts", "queries")


def pick(obj: dict, keys: tuple[str, ...]) -> dict:
    return {k: copy.deepcopy(obj[k]) for k in keys if k in obj}


def user_view(store: Store, viewer: str, gid: str) -> dict:
    """A full entry for the viewer themself, reduced public metadata for anyone else."""
    return pick(store.users[gid], USER_FULL if gid == viewer else USER_SHORT)


def membership_view(membership: dict, viewer: str) -> dict:
    """`options` only on the viewer's own membership (the 'complete' entry)."""
    view = copy.deepcopy(membership)
    if membership["user_gid"] != viewer:
        view.pop("options", None)
    return view


def last_backed_up(project: dict) -> float | None:
    versions = project["backups"]["versions"]
    return max((v["timestamp"] for v in versions), default=None)


def project_init(store: Store, log: SyncLog, user: str, project: str, omit_extended: bool) -> tuple[dict, dict]:
    """Body of /api/p/<gid>/auth, /login and /init (digest §5.1)."""
    members = store.project_memberships(project)
    member_gids = [m["user_gid"] for m in members]
    entry = store.projects[project]
    owned_elsewhere = [p for p, roles in store.user_projects(user).items()
                       if p != project and "owner" in roles]
    result = {
        "user": user,
        "user_projects": store.user_projects(user),
        "project": project,
        "project_members": member_gids,
        "last_backed_up": last_backed_up(entry),
        "cc.version": store.meta["version"],
        "cc.cursor": log.cc_cursor,
        "cursor": log.cursor(project),
    }
    data = {
        "cc.users": {gid: user_view(store, user, gid) for gid in dict.fromkeys([user, *member_gids])},
        "cc.projects": {project: copy.deepcopy(entry),
                        **{p: pick(store.projects[p], PROJECT_SHORT) for p in owned_elsewhere}},
        "cc.projects_members": [membership_view(m, user) for m in members],
        "cc.languages": dict(store.meta["languages"]),
    }
    for data_type in SCHEMA_TYPES:
        objects = store.objects(project, data_type)
        data[data_type] = {k: copy.deepcopy(v) for k, v in objects.items()
                           if not (omit_extended and data_type == "definitions" and v.get("is_extended"))}
    return result, data


def global_init(store: Store, log: SyncLog, user: str) -> tuple[dict, dict]:
    """Body of /api/init and /api/login (digest §5.2)."""
    projects = store.user_projects(user)
    co_members = [m["user_gid"] for p in projects for m in store.project_memberships(p)]
    result = {"user": user, "user_projects": projects, "cc.version": store.meta["version"],
              "cc.cursor": log.cc_cursor}
    data = {
        "cc.users": {gid: user_view(store, user, gid) for gid in dict.fromkeys([user, *co_members])},
        "cc.projects": {p: pick(store.projects[p], PROJECT_SHORT) for p in projects},
        "cc.projects_members": [membership_view(m, user) for m in store.user_memberships(user)],
        "cc.languages": dict(store.meta["languages"]),
    }
    return result, data


LOCALIZED_KEYS = {"records": ("title", "fields"), "assets": ("title", "description")}


def localized(data_type: str, obj: dict, languages: list[str] | None) -> dict:
    """A copy of a record or asset restricted to `languages` (None = all)."""
    view = copy.deepcopy(obj)
    if languages is None:
        return view
    for key in LOCALIZED_KEYS.get(data_type, ()):
        if isinstance(view.get(key), dict):
            view[key] = {lang: value for lang, value in view[key].items() if lang in languages}
    return view


def visibility(store: Store, user: str) -> Callable[[LogEntry], bool]:
    """Which cc items a user sees: global ones, those about projects they belong to, and
    users they share a project with. Project items are scoped by the caller already."""
    def visible(entry: LogEntry) -> bool:
        if entry.project is not None:
            return True
        if entry.scope_user is not None:
            return store.shares_project(user, entry.scope_user)
        if entry.scope_project is not None:
            return store.is_member(user, entry.scope_project)
        return True
    return visible
