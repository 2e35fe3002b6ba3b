"""Project settings (digest §10): languages, channels, orderings and fieldlists. Each
call answers with the project's cc entry and appends one `cc.projects` UPDATE."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from .context import Ctx, endpoint
from .domain_project import KEYED_OPTIONS
from .envelope import ok
from .params import required_str

if TYPE_CHECKING:
    from .sim import Sim


def routes(sim: "Sim") -> list[web.RouteDef]:
    store, domain = sim.store, sim.domain

    def answer(ctx: Ctx, result: dict) -> web.Response:
        return ok({"project": ctx.project, **result}, {"cc.projects": {ctx.project: store.projects[ctx.project]}})

    def language(add: bool):
        async def handler(ctx: Ctx) -> web.Response:
            code = required_str(ctx.body, "language")
            (domain.add_language if add else domain.remove_language)(ctx.project, code)
            return answer(ctx, {"language": code})
        return handler

    def create(option: str):
        async def handler(ctx: Ctx) -> web.Response:
            key, _ = domain.create_keyed(ctx.project, option, required_str(ctx.body, "name"))
            return answer(ctx, {KEYED_OPTIONS[option][1]: key})
        return handler

    def delete(option: str):
        async def handler(ctx: Ctx) -> web.Response:
            singular = KEYED_OPTIONS[option][1]
            key = required_str(ctx.body, singular)
            domain.delete_keyed(ctx.project, option, key)
            return answer(ctx, {singular: key})
        return handler

    p = "/api/p/{gid}"
    return [
        web.post(f"{p}/languages/add", endpoint(sim, language(True))),
        web.post(f"{p}/languages/remove", endpoint(sim, language(False))),
        *(route for option in KEYED_OPTIONS for route in (
            web.post(f"{p}/{option}/create", endpoint(sim, create(option))),
            web.post(f"{p}/{option}/delete", endpoint(sim, delete(option))))),
    ]
