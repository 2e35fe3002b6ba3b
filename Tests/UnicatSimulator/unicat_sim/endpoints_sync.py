"""HTTP sync: /sync/get and /sync/cursors (digest §6, §7.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from . import views
from .context import Ctx, endpoint
from .envelope import ApiError, forbidden, ok
from .params import cursor_param, optional_str
from .synclog import CursorTooOld

if TYPE_CHECKING:
    from .sim import Sim

MORE = "more sync data available"


def sync_page(sim: "Sim", user: str, body: dict) -> tuple[str | None, list[dict], bool]:
    """Checks a /sync/get (or socket initsync) body and returns (project, items, more).
    Raises ApiError for bad parameters, a foreign project or a pruned cursor."""
    cc_cursor = cursor_param(body, "cc_cursor", required=True)
    project = optional_str(body, "project")
    cursor = cursor_param(body, "cursor", required=project is not None)
    if project is not None and not sim.store.is_member(user, project):
        raise forbidden()
    try:
        entries, more = sim.log.after(cc_cursor, project, cursor, views.visibility(sim.store, user),
                                      sim.settings.page_size)
    except CursorTooOld as err:
        raise ApiError(422, "Unprocessable Entity",
                       {"Cursor too old": err.parameter, "oldest_cursor": err.oldest})
    return project, [e.item for e in entries], more


def routes(sim: "Sim") -> list[web.RouteDef]:
    async def sync_get(ctx: Ctx) -> web.Response:
        _, items, more = sync_page(sim, ctx.user, ctx.body)
        result = {"sync": items}
        if more:
            result["warning"] = MORE
        return ok(result)

    async def sync_cursors(ctx: Ctx) -> web.Response:
        project = optional_str(ctx.body, "project", ctx.claims.project)
        if project is not None and not sim.store.is_member(ctx.user, project):
            raise forbidden()
        return ok({"cc.cursor": sim.log.cc_cursor,
                   "cursor": sim.log.cursor(project) if project is not None else None})

    return [
        web.post("/sync/get", endpoint(sim, sync_get)),
        web.post("/sync/cursors", endpoint(sim, sync_cursors)),
    ]
