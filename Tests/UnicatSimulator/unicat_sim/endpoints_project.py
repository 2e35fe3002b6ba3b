"""Project API reads: records, assets (also the assets/tree and assets/worksheet pages), schema,
queries and modules (digest §2, §10)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from . import views
from .context import Ctx, endpoint
from .envelope import not_found, ok
from .params import languages, match_form, option_key, page_params, required_str

if TYPE_CHECKING:
    from .sim import Sim

# data_type: (singular, plural, 422 message), in the documented parameter order.
GETTERS = {
    "records": ("record", "records", "record not found"),
    "definitions": ("definition", "definitions", "definition not found"),
    "classes": ("class", "classes", "class not found"),
    "fields": ("field", "fields", "field not found"),
    "layouts": ("layout", "layouts", "layout not found"),
    "queries": ("query", "queries", "query doesn't exist"),
    "modules": ("module", "modules", "module not found"),
}



def children_page(data_type: str, children: list[dict], top: int, size: int, langs: list[str] | None) -> web.Response:
    """A page of a record's or an asset's children: their gids and the total, the objects as data."""
    page = children[top:top + size]
    return ok({"children": [c["gid"] for c in page], "children.size": len(children)},
              {data_type: {c["gid"]: views.localized(data_type, c, langs) for c in page}})

def routes(sim: "Sim") -> list[web.RouteDef]:
    store = sim.store

    def getter(data_type: str):
        singular, plural, message = GETTERS[data_type]

        async def handler(ctx: Ctx) -> web.Response:
            key, value, is_plural = match_form(ctx.body, [(singular, False), (plural, True)])
            langs = languages(ctx.body)
            keys = value if is_plural else [value]
            objects = store.objects(ctx.project, data_type)
            for k in keys:
                if k not in objects:
                    raise not_found(message, {singular: k})
            return ok({key: value},
                      {data_type: {k: views.localized(data_type, objects[k], langs) for k in keys}})
        return handler

    async def assets_get(ctx: Ctx) -> web.Response:
        key, value, is_plural = match_form(ctx.body, [("asset", False), ("assets", True),
                                                      ("pathname", False), ("pathnames", True)])
        langs = languages(ctx.body)
        assets = store.objects(ctx.project, "assets")
        if key.startswith("pathname"):
            by_path = {a["pathname"]: g for g, a in assets.items()}
            wanted = value if is_plural else [value]
            for pathname in wanted:
                if pathname not in by_path:
                    raise not_found("asset not found", {"pathname": pathname})
            gids = [by_path[p] for p in wanted]
        else:
            gids = value if is_plural else [value]
            for gid in gids:
                if gid not in assets:
                    raise not_found("asset not found", {"asset": gid})
        result = {"assets": gids} if is_plural else {"asset": gids[0]}
        return ok(result, {"assets": {g: views.localized("assets", assets[g], langs) for g in gids}})

    def root(data_type: str):
        async def handler(ctx: Ctx) -> web.Response:
            langs = languages(ctx.body)
            obj = store.root_record(ctx.project) if data_type == "records" else store.root_asset(ctx.project)
            return ok({"root": obj["gid"]}, {data_type: {obj["gid"]: views.localized(data_type, obj, langs)}})
        return handler

    async def records_children(ctx: Ctx) -> web.Response:
        parent = required_str(ctx.body, "record")
        top, size, langs = page_params(ctx.body)
        options = store.projects[ctx.project]["options"]
        channel = option_key(ctx.body, "channel", options["channels"])
        ordering = option_key(ctx.body, "ordering", options["orderings"])
        if parent not in store.objects(ctx.project, "records"):
            raise not_found("record not found", {"record": parent})
        return children_page("records", sim.domain.ordered_children(ctx.project, parent, channel, ordering), top, size, langs)

    async def assets_children(ctx: Ctx) -> web.Response:
        parent = required_str(ctx.body, "asset")
        top, size, langs = page_params(ctx.body)
        assets = store.objects(ctx.project, "assets")
        if parent not in assets:
            raise not_found("asset not found", {"asset": parent})
        return children_page("assets", sim.domain.asset_children(ctx.project, parent), top, size, langs)

    async def assets_tree(ctx: Ctx) -> web.Response:
        """The flat, paged tree of the assets/tree page: the root, then depth first the
        contents (folders first, by name) of each expanded folder whose ancestors are all
        expanded. Unknown expanded gids or pathnames are ignored [INF]."""
        key, value, _ = match_form(ctx.body, [("expanded_assets", True), ("expanded_paths", True)])
        top, size, langs = page_params(ctx.body)
        root = store.root_asset(ctx.project)
        expanded = set(value) if key == "expanded_assets" else \
            {a["gid"] for a in store.objects(ctx.project, "assets").values() if a["pathname"] in value}
        tree: list[dict] = []

        def visit(asset: dict) -> None:
            tree.append(asset)
            if asset["gid"] in expanded:
                for child in sim.domain.asset_children(ctx.project, asset["gid"]):
                    visit(child)
        visit(root)
        # "if the tree size is 100, the page size is 10, and the page top is 95, you'll
        # actually get the last 10 assets"
        top = max(0, min(top, len(tree) - size))
        page = tree[top:top + size]
        return ok({"tree": [a["gid"] for a in page], "tree.size": len(tree)},
                  {"assets": {a["gid"]: views.localized("assets", a, langs) for a in page}})

    async def assets_worksheet(ctx: Ctx) -> web.Response:
        """The asset, its path from the root (inclusive) and a page of its children."""
        gid = required_str(ctx.body, "asset")
        top, size, langs = page_params(ctx.body, default_size=20)
        asset = sim.domain.asset(ctx.project, gid)
        path = list(reversed(asset["path"]))
        children = sim.domain.asset_children(ctx.project, gid)
        page = children[top:top + size]
        shown = [sim.domain.asset(ctx.project, g) for g in path] + page
        return ok({"asset": gid, "path": path, "children": [a["gid"] for a in page], "children.size": len(children)},
                  {"assets": {a["gid"]: views.localized("assets", a, langs) for a in shown}})

    async def modules_all(ctx: Ctx) -> web.Response:
        modules = store.objects(ctx.project, "modules")
        return ok({"module_names": list(modules)}, {"modules": {k: dict(v) for k, v in modules.items()}})

    route_list = [web.post(f"/api/p/{{gid}}/{t}/get", endpoint(sim, getter(t))) for t in GETTERS]
    return route_list + [
        web.post("/api/p/{gid}/assets/get", endpoint(sim, assets_get)),
        web.post("/api/p/{gid}/records/root", endpoint(sim, root("records"))),
        web.get("/api/p/{gid}/records/root", endpoint(sim, root("records"))),
        web.post("/api/p/{gid}/records/children", endpoint(sim, records_children)),
        web.post("/api/p/{gid}/assets/root", endpoint(sim, root("assets"))),
        web.get("/api/p/{gid}/assets/root", endpoint(sim, root("assets"))),
        web.post("/api/p/{gid}/assets/children", endpoint(sim, assets_children)),
        web.post("/api/p/{gid}/assets/tree", endpoint(sim, assets_tree)),
        web.post("/api/p/{gid}/assets/worksheet", endpoint(sim, assets_worksheet)),
        web.post("/api/p/{gid}/modules/all", endpoint(sim, modules_all)),
        web.get("/api/p/{gid}/modules/all", endpoint(sim, modules_all)),
    ]
