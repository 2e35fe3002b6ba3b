"""The bulk get endpoints behind the official client's query walkers:
records/bulk/get, assets/bulk/get and schema/bulk/get (digest §10; search.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from aiohttp import web

from . import views
from .context import Ctx, endpoint
from .envelope import invalid, missing, ok
from .params import optional_int
from .search import SearchError, matches_filter, matches_q, texts

if TYPE_CHECKING:
    from .sim import Sim

SCHEMA_ITEM_TYPES = {"definitions": "definition", "classes": "class", "fields": "field"}


def searches(body: dict) -> list[dict]:
    """`selection`: a list of `{"search": {language?, q?, filter?}}`; the results of
    several are joined [INF]."""
    selection = body.get("selection")
    if selection is None:
        raise missing("selection")
    if not isinstance(selection, list) or not selection:
        raise invalid("selection")
    found = []
    for entry in selection:
        search = entry.get("search") if isinstance(entry, dict) else None
        if not isinstance(search, dict) or not isinstance(search.get("language") or "", str) \
                or not isinstance(search.get("q") or "", str) or not isinstance(search.get("filter") or [], list):
            raise invalid("selection")
        found.append(search)
    return found


def page_of(body: dict, keys: list[str]) -> tuple[list[str], str | None]:
    """`page.size` (1..1000, default 100) keys from the opaque `page.cursor` on, and the
    cursor of the next page (null at the end)."""
    size = optional_int(body, "page.size", 100, 1, 1000)
    cursor = body.get("page.cursor")
    if cursor is not None and not (isinstance(cursor, str) and cursor.isdigit()):
        raise invalid("page.cursor")
    start = int(cursor or 0)
    return keys[start:start + size], str(start + size) if start + size < len(keys) else None


def found_keys(body: dict, candidates: list[tuple[str, dict]],
               lookup: Callable[[dict, str | None], Callable[[str], Any]],
               haystack: Callable[[dict, str | None], list[str]]) -> list[str]:
    keys: dict[str, None] = {}
    for search in searches(body):
        language = search.get("language")
        try:
            for key, obj in candidates:
                if key not in keys and matches_q(search.get("q"), haystack(obj, language)) \
                        and matches_filter(search.get("filter"), lookup(obj, language)):
                    keys[key] = None
        except SearchError:
            raise invalid("selection")
    return list(keys)


def routes(sim: "Sim") -> list[web.RouteDef]:
    store = sim.store

    def record_lookup(ctx: Ctx):
        fields = store.objects(ctx.project, "fields")
        default = store.projects[ctx.project]["options"]["languages"][0]

        def for_record(record: dict, language: str | None) -> Callable[[str], Any]:
            values = record["fields"].get(language or default, {})

            def lookup(name: str) -> Any:
                if name in record and name not in ("fields", "title"):
                    return record[name]
                return values.get(fields[name]["name"] if name in fields else name)
            return lookup
        return for_record

    def localized_texts(obj: dict, keys: tuple[str, ...], language: str | None) -> list[str]:
        return [t for key in keys for lang, value in obj[key].items() if language in (None, lang)
                for t in texts(value)]

    async def records_bulk(ctx: Ctx) -> web.Response:
        records = store.objects(ctx.project, "records")
        candidates = sorted(records.items(), key=lambda kv: (kv[1]["created_on"], kv[0]))
        keys = found_keys(ctx.body, candidates, record_lookup(ctx),
                          lambda r, lang: localized_texts(r, ("title", "fields"), lang))
        page, cursor = page_of(ctx.body, keys)
        return ok({"records": page, "records.size": len(keys), "page.cursor": cursor},
                  {"records": {k: views.localized("records", records[k], None) for k in page}})

    async def assets_bulk(ctx: Ctx) -> web.Response:
        assets = store.objects(ctx.project, "assets")
        candidates = sorted(assets.items(), key=lambda kv: kv[1]["pathname"])
        keys = found_keys(ctx.body, candidates, lambda a, lang: a.get,
                          lambda a, lang: [a["pathname"]] + localized_texts(a, ("title", "description"), lang))
        page, cursor = page_of(ctx.body, keys)
        return ok({"assets": page, "assets.size": len(keys), "page.cursor": cursor},
                  {"assets": {k: views.localized("assets", assets[k], None) for k in page}})

    async def schema_bulk(ctx: Ctx) -> web.Response:
        """Definitions, classes and fields (not working copies), as `schema_items`."""
        candidates = [(f"{data_type}/{gid}", obj) for data_type in SCHEMA_ITEM_TYPES
                      for gid, obj in store.objects(ctx.project, data_type).items() if not obj["is_working_copy"]]
        keys = found_keys(ctx.body, candidates, lambda o, lang: o.get,
                          lambda o, lang: [o["name"]] + [t for l, t in o["label"].items() if lang in (None, l)])
        page, cursor = page_of(ctx.body, keys)
        items, data = [], {}
        for key in page:
            data_type, gid = key.split("/")
            items.append({"type": SCHEMA_ITEM_TYPES[data_type], "item": gid})
            data.setdefault(data_type, {})[gid] = store.get(ctx.project, data_type, gid)
        return ok({"schema_items": items, "schema_items.size": len(keys), "page.cursor": cursor}, data)

    p = "/api/p/{gid}"
    return [
        web.post(f"{p}/records/bulk/get", endpoint(sim, records_bulk)),
        web.post(f"{p}/assets/bulk/get", endpoint(sim, assets_bulk)),
        web.post(f"{p}/schema/bulk/get", endpoint(sim, schema_bulk)),
    ]
