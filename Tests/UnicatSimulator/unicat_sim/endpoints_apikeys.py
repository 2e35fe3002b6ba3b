"""API keys: apikeys/create and apikeys/get (digest §4.1, §3.3; the apikeys pages).
Only the project's owner may call them, so an API user (the bridge, the official
client connected with its key) gets 403."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from . import views
from .context import Ctx, endpoint
from .envelope import forbidden, not_found, ok
from .params import required_str

if TYPE_CHECKING:
    from .sim import Sim


def routes(sim: "Sim") -> list[web.RouteDef]:
    store = sim.store

    def owner_only(ctx: Ctx) -> None:
        if "owner" not in store.membership(ctx.project, ctx.user)["roles"]:
            raise forbidden()  # "403 Forbidden - not the owner of this project"

    async def create(ctx: Ctx) -> web.Response:
        owner_only(ctx)
        name = required_str(ctx.body, "name")
        gid, _ = sim.domain.create_api_user(ctx.project, name)
        # The page's example: the new user's public entry and its complete membership.
        public = views.pick(store.users[gid], ("gid", "name", "avatar", "username"))
        return ok({"user": gid}, {"cc.users": {gid: public},
                                  "cc.projects_members": [dict(store.membership(ctx.project, gid))]})

    async def get(ctx: Ctx) -> web.Response:
        owner_only(ctx)
        user = required_str(ctx.body, "user")
        key = next((k for k, v in store.meta["api_keys"].items()
                    if v["user"] == user and v["project"] == ctx.project), None)
        if key is None:
            raise not_found("not an API user", {"user": user})  # "422 … - not an API user"
        return ok({"apikey": key})

    return [
        web.post("/api/p/{gid}/apikeys/create", endpoint(sim, create)),
        web.post("/api/p/{gid}/apikeys/get", endpoint(sim, get)),
    ]
