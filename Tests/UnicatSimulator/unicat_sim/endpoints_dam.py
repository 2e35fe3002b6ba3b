"""A minimal DAM (digest §11): info/publish/unpublish by storage name. It exists mainly
because DAM calls are the ones that never refresh the JWT."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from .context import Ctx, endpoint
from .envelope import invalid, not_found, ok

if TYPE_CHECKING:
    from .sim import Sim


def routes(sim: "Sim") -> list[web.RouteDef]:
    def asset_for(ctx: Ctx) -> tuple[dict, str]:
        storage = ctx.request.match_info["storage"]
        gid, sep, rest = storage.partition("~")
        if not sep:
            raise invalid("storage name")
        asset = sim.store.get(ctx.project, "assets", gid)
        if asset is None or not asset["is_file"]:
            raise not_found("asset not found", {"asset": gid})
        return asset, storage

    async def info(ctx: Ctx) -> web.Response:
        asset, storage = asset_for(ctx)
        return ok({"storage_name": storage, "info": asset["info"]})

    async def publish(ctx: Ctx) -> web.Response:
        _, storage = asset_for(ctx)
        base = f"{ctx.request.scheme}://{ctx.request.host}"
        return ok({"public_url": f"{base}/media/p-{ctx.project}/src/{storage}"})

    async def unpublish(ctx: Ctx) -> web.Response:
        asset_for(ctx)
        return ok({"public_url": None})

    return [
        web.get("/dam/p/{gid}/info/{storage}", endpoint(sim, info)),
        web.get("/dam/p/{gid}/publish/{storage}", endpoint(sim, publish)),
        web.get("/dam/p/{gid}/unpublish/{storage}", endpoint(sim, unpublish)),
    ]
