"""Authentication and init: /api/p/<gid>/auth, logins, /api/init, /api/p/<gid>/init,
/api/projects/create (digest §4, §5; seed pages p-auth, p-init, init, projects-create)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from aiohttp import web

from . import views
from .context import Ctx, endpoint
from .envelope import ApiError, ok, unknown_user
from .params import optional_bool, optional_str, required_str

if TYPE_CHECKING:
    from .sim import Sim


def routes(sim: "Sim") -> list[web.RouteDef]:
    store, log, tokens = sim.store, sim.log, sim.tokens

    def project_login(ctx: Ctx, user: str | None) -> web.Response:
        """Shared tail of /auth and /login: only active members get a token."""
        project = ctx.project
        omit = optional_bool(ctx.body, "omit_extended_definitions")
        if user is None or project not in store.projects or not store.is_member(user, project) \
                or store.users[user]["status"] != "active":
            raise unknown_user()
        result, data = views.project_init(store, log, user, project, omit)
        return ok(result, data, headers={"Authorization": tokens.issue(user, project)})

    def check_password(body: dict) -> str | None:
        login = store.meta["logins"].get(required_str(body, "username"))
        password = required_str(body, "password")
        return login["user"] if login and login["password"] == password else None

    async def auth(ctx: Ctx) -> web.Response:
        owner = store.api_key_owner(required_str(ctx.body, "api_key"))
        # An API key belongs to one project and never works for another one.
        user = owner["user"] if owner and owner["project"] == ctx.project else None
        return project_login(ctx, user)

    async def login(ctx: Ctx) -> web.Response:
        return project_login(ctx, check_password(ctx.body))

    async def global_login(ctx: Ctx) -> web.Response:
        user = check_password(ctx.body)
        if user is None or store.users[user]["status"] != "active":
            raise unknown_user()
        result, data = views.global_init(store, log, user)
        return ok(result, data, headers={"Authorization": tokens.issue(user, None)})

    async def global_init(ctx: Ctx) -> web.Response:
        result, data = views.global_init(store, log, ctx.user)
        # "A fresh JWT is in the Authorization header" (unless refreshing is switched off).
        headers = {} if sim.settings.refresh_policy == "never" else \
            {"Authorization": tokens.issue(ctx.user, ctx.claims.project)}
        return ok(result, data, headers=headers)

    async def project_init(ctx: Ctx) -> web.Response:
        omit = optional_bool(ctx.body, "omit_extended_definitions")
        result, data = views.project_init(store, log, ctx.user, ctx.project, omit)
        return ok(result, data)

    async def create_project(ctx: Ctx) -> web.Response:
        name = optional_str(ctx.body, "name", "untitled project")
        timezone = optional_str(ctx.body, "timezone", "Europe/Amsterdam")
        if any(key["user"] == ctx.user for key in store.meta["api_keys"].values()):
            # "An api_key user cannot own projects" (p-auth page).
            raise ApiError(422)
        project = sim.domain.create_project(ctx.user, name, timezone)
        membership = store.membership(project, ctx.user)
        return ok({"project": project, "project_members": [ctx.user]},
                  {"cc.projects": {project: copy.deepcopy(store.projects[project])},
                   "cc.projects_members": [copy.deepcopy(membership)]})

    return [
        web.post("/api/p/{gid}/auth", endpoint(sim, auth, auth=False)),
        web.post("/api/p/{gid}/login", endpoint(sim, login, auth=False)),
        web.post("/api/login", endpoint(sim, global_login, auth=False)),
        web.get("/api/init", endpoint(sim, global_init)),
        web.post("/api/init", endpoint(sim, global_init)),
        web.get("/api/p/{gid}/init", endpoint(sim, project_init)),
        web.post("/api/p/{gid}/init", endpoint(sim, project_init)),
        web.post("/api/projects/create", endpoint(sim, create_project)),
    ]
