"""A minimal DAM (digest §11): info, publish, unpublish and transform by storage name,
and the public /media URLs they hand out. DAM calls never refresh the JWT; media URLs
need no auth."""

from __future__ import annotations

import mimetypes
import os
from typing import TYPE_CHECKING

from aiohttp import web

from .context import Ctx, endpoint
from .envelope import invalid, not_found, ok

if TYPE_CHECKING:
    from .sim import Sim

# Transform options (dam/transform page) [INF: the values are checked only this far].
TRANSFORM_OPTIONS = {"name", "key", "type", "force", "optimize", "width", "height", "fit", "fill", "hs",
                     "crop", "padding", "bg", "q", "dpr"}
TRANSFORM_TYPES = ("jpg", "png", "gif")


def routes(sim: "Sim") -> list[web.RouteDef]:
    store = sim.store

    def asset_for(ctx: Ctx) -> tuple[dict, str]:
        storage = ctx.request.match_info["storage"]
        gid, sep, rest = storage.partition("~")
        if not sep:
            raise invalid("storage name")
        asset = store.get(ctx.project, "assets", gid)
        if asset is None or not asset["is_file"]:
            raise not_found("asset not found", {"asset": gid})
        return asset, storage

    def base_url(ctx: Ctx) -> str:
        return f"{ctx.request.scheme}://{ctx.request.host}/media/p-{ctx.project}"

    async def info(ctx: Ctx) -> web.Response:
        asset, storage = asset_for(ctx)
        return ok({"storage_name": storage, "info": asset["info"]})

    async def publish(ctx: Ctx) -> web.Response:
        _, storage = asset_for(ctx)
        return ok({"public_url": f"{base_url(ctx)}/src/{storage}"})

    async def unpublish(ctx: Ctx) -> web.Response:
        asset_for(ctx)
        return ok({"public_url": None})

    async def transform(ctx: Ctx) -> web.Response:
        """`…/transform/<storage name>/<k=v>/<k=v>…`: no image is processed; the public
        URL serves the file as it is, named `<name or asset name>.<type or extension>`
        below the transform's `key` [INF]."""
        asset, storage = asset_for(ctx)
        options = {}
        for segment in filter(None, ctx.request.match_info.get("options", "").split("/")):
            key, sep, value = segment.partition("=")
            if not sep or key not in TRANSFORM_OPTIONS:
                raise invalid(segment)
            options[key] = value
        if options.get("type", TRANSFORM_TYPES[0]) not in TRANSFORM_TYPES:
            raise invalid("type")
        stem, extension = os.path.splitext(asset["name"])
        name = f"{options.get('name') or stem}{'.' + options['type'] if 'type' in options else extension}"
        return ok({"public_url": f"{base_url(ctx)}/tr/{storage}/{options.get('key', 'original')}/{name}",
                   "options": options})

    async def media(request: web.Request) -> web.Response:
        """A file's content: what was uploaded, or a placeholder text for seed data."""
        project = request.match_info["project"]
        gid = request.match_info["storage"].partition("~")[0]
        asset = store.get(project, "assets", gid)
        if asset is None or not asset["is_file"]:
            raise web.HTTPNotFound()
        content = store.media.get((project, gid)) or \
            f"unicat-sim placeholder for {asset['pathname']} (version {asset['version']})\n".encode()
        kind = mimetypes.guess_type(request.path)[0] or "application/octet-stream"
        return web.Response(body=content, content_type=kind)

    return [
        web.get("/dam/p/{gid}/info/{storage}", endpoint(sim, info)),
        web.get("/dam/p/{gid}/publish/{storage}", endpoint(sim, publish)),
        web.get("/dam/p/{gid}/unpublish/{storage}", endpoint(sim, unpublish)),
        web.get("/dam/p/{gid}/transform/{storage}", endpoint(sim, transform)),
        web.get("/dam/p/{gid}/transform/{storage}/{options:.+}", endpoint(sim, transform)),
        web.get("/media/p-{project}/src/{storage}", media),
        web.get("/media/p-{project}/tr/{storage}/{key}/{name}", media),
    ]
