"""Asset mutations (digest §10, §11): folders, uploads (multipart/form-data), updates,
deletes and metadata."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from aiohttp import web

from . import views
from .context import Ctx, endpoint
from .domain_base import DomainError
from .domain_schema import metadata_entry
from .endpoints_schema import localized_text, metadata_param
from .envelope import invalid, ok
from .params import optional_str, required_str, upload_param

if TYPE_CHECKING:
    from .sim import Sim


def routes(sim: "Sim") -> list[web.RouteDef]:
    store, domain = sim.store, sim.domain

    def assets_data(ctx: Ctx, *gids: str) -> dict:
        return {"assets": {g: views.localized("assets", domain.asset(ctx.project, g), None) for g in gids}}

    def answer(ctx: Ctx, gid: str) -> web.Response:
        return ok({"asset": gid}, assets_data(ctx, gid))

    def added(ctx: Ctx, entries: list) -> web.Response:
        """The answer to a call that added an asset: its gid and its folder's."""
        gid, parent = entries[0].item["data_key"], entries[1].item["data_key"]
        return ok({"parent": parent, "asset": gid}, assets_data(ctx, gid, parent))

    async def create(ctx: Ctx) -> web.Response:
        """A new folder [INF: files come in through upload]."""
        parent = required_str(ctx.body, "parent")
        return added(ctx, domain.create_folder(ctx.project, parent, required_str(ctx.body, "name")))

    async def upload(ctx: Ctx) -> web.Response:
        """Form field `parent` (folder gid) or `pathname` (folder path), file `upload_file`."""
        if ctx.body.get("parent") is None and ctx.body.get("pathname") is not None:
            pathname = required_str(ctx.body, "pathname")
            folder = next((a for a in store.objects(ctx.project, "assets").values()
                           if a["pathname"] == pathname), None)
            if folder is None:
                raise DomainError("asset not found", {"pathname": pathname})
            parent = folder["gid"]
        else:
            parent = required_str(ctx.body, "parent")
        file = upload_param(ctx.body, "upload_file")
        return added(ctx, domain.upload(ctx.project, parent, file.filename, file.content))

    async def upload_update(ctx: Ctx) -> web.Response:
        gid = required_str(ctx.body, "asset")
        domain.upload_update(ctx.project, gid, upload_param(ctx.body, "upload_file").content)
        return answer(ctx, gid)

    async def update(ctx: Ctx) -> web.Response:
        gid = required_str(ctx.body, "asset")
        props = {"name": optional_str(ctx.body, "name"), "title": localized_text(ctx.body, "title"),
                 "description": localized_text(ctx.body, "description"), "metadata": metadata_param(ctx.body)}
        domain.update_asset(ctx.project, gid, {k: v for k, v in props.items() if v is not None})
        return answer(ctx, gid)

    def set_deleted(deleted: bool):
        async def handler(ctx: Ctx) -> web.Response:
            gid = required_str(ctx.body, "asset")
            domain.set_asset_deleted(ctx.project, gid, deleted)
            return answer(ctx, gid)
        return handler

    async def permanent_delete(ctx: Ctx) -> web.Response:
        gid = required_str(ctx.body, "asset")
        entries = domain.permanent_delete_asset(ctx.project, gid)
        parent = entries[-1].item["data_key"]
        return ok({"asset": gid, "parent": parent}, assets_data(ctx, parent))

    async def metadata_set(ctx: Ctx) -> web.Response:
        gid, name = required_str(ctx.body, "asset"), required_str(ctx.body, "name")
        localized = ctx.body.get("is_localized")
        if localized is not None and not isinstance(localized, bool):
            raise invalid("is_localized")
        entry = copy.deepcopy(domain.asset(ctx.project, gid)["metadata"].get(name)) or \
            metadata_entry("textline", False, None)  # [INF] defaults
        domain.set_asset_metadata(ctx.project, gid, name, metadata_entry(
            optional_str(ctx.body, "type") or entry["type"],
            entry["is_localized"] if localized is None else localized, ctx.body.get("value", entry["value"])))
        return answer(ctx, gid)

    async def metadata_clear(ctx: Ctx) -> web.Response:
        gid, name = required_str(ctx.body, "asset"), required_str(ctx.body, "name")
        domain.set_asset_metadata(ctx.project, gid, name, None)
        return answer(ctx, gid)

    p = "/api/p/{gid}/assets"
    return [
        web.post(f"{p}/create", endpoint(sim, create)),
        web.post(f"{p}/upload", endpoint(sim, upload, form=True)),
        web.post(f"{p}/upload_update", endpoint(sim, upload_update, form=True)),
        web.post(f"{p}/update", endpoint(sim, update)),
        web.post(f"{p}/delete", endpoint(sim, set_deleted(True))),
        web.post(f"{p}/undelete", endpoint(sim, set_deleted(False))),
        web.post(f"{p}/permanent_delete", endpoint(sim, permanent_delete)),
        web.post(f"{p}/metadata/set", endpoint(sim, metadata_set)),
        web.post(f"{p}/metadata/clear", endpoint(sim, metadata_clear)),
    ]
