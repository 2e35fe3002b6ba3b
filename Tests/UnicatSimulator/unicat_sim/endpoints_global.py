"""Global API reads: /api/users/get, /api/projects/get, /api/members/get (the official
client's `//` endpoints, digest §1, §8)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from aiohttp import web

from . import views
from .context import Ctx, endpoint
from .envelope import forbidden, not_found, ok
from .params import match_form, required_str

if TYPE_CHECKING:
    from .sim import Sim


def routes(sim: "Sim") -> list[web.RouteDef]:
    store = sim.store

    async def users_get(ctx: Ctx) -> web.Response:
        key, value, plural = match_form(ctx.body, [("user", False), ("users", True)])
        gids = value if plural else [value]
        for gid in gids:
            # Only users that share a project with the caller are visible.
            if gid not in store.users or not store.shares_project(ctx.user, gid):
                raise not_found("user not found", {"user": gid})
        return ok({key: value}, {"cc.users": {g: views.user_view(store, ctx.user, g) for g in gids}})

    async def projects_get(ctx: Ctx) -> web.Response:
        key, value, plural = match_form(ctx.body, [("project", False), ("projects", True)])
        gids = value if plural else [value]
        for gid in gids:
            if gid not in store.projects:
                raise not_found("project not found", {"project": gid})
            if not store.is_member(ctx.user, gid):
                raise forbidden()
        return ok({key: value}, {"cc.projects": {g: copy.deepcopy(store.projects[g]) for g in gids}})

    async def members_get(ctx: Ctx) -> web.Response:
        project = required_str(ctx.body, "project")
        member = required_str(ctx.body, "member")
        if not store.is_member(ctx.user, project):
            raise forbidden()
        membership = store.membership(project, member)
        if membership is None:
            raise not_found("member not found", {"project": project, "member": member})
        return ok({"project": project, "member": member},
                  {"cc.projects_members": [views.membership_view(membership, ctx.user)]})

    return [
        web.post("/api/users/get", endpoint(sim, users_get)),
        web.post("/api/projects/get", endpoint(sim, projects_get)),
        web.post("/api/members/get", endpoint(sim, members_get)),
    ]
