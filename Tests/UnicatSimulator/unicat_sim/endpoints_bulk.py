"""The bulk endpoints: the gets behind the official client's query walkers
(records/bulk/get, assets/bulk/get, schema/bulk/get; digest §10, search.py) and the
records/bulk/* mutations, jobs over a selection (digest §9, the bulk pages)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from aiohttp import web

from . import views
from .context import Ctx, endpoint
from .domain_base import DomainError
from .envelope import ApiError, invalid, missing, ok
from .params import is_str_list, languages, option_key, optional_int, optional_str, required_str
from .search import SearchError, matches_filter, matches_q, texts

if TYPE_CHECKING:
    from .sim import Sim

SCHEMA_ITEM_TYPES = {"definitions": "definition", "classes": "class", "fields": "field"}


def selection(body: dict) -> list:
    """`selection` (bulk-operations page): a list of gids, `{"children": gid, channel?,
    ordering?, exclude?}` and `{"search": {language?, q?, filter?}, exclude?}` entries."""
    entries = body.get("selection")
    if entries is None:
        raise missing("selection")
    if not isinstance(entries, list) or not entries or not all(map(valid_entry, entries)):
        raise invalid("selection")
    return entries


def valid_entry(entry: Any) -> bool:
    if isinstance(entry, str):
        return True
    if not isinstance(entry, dict) or not is_str_list(entry.get("exclude") or []):
        return False
    if "children" in entry:
        return all(isinstance(entry.get(k) or "", str) for k in ("children", "channel", "ordering")) \
            and isinstance(entry["children"], str)
    search = entry.get("search")
    return isinstance(search, dict) and isinstance(search.get("language") or "", str) \
        and isinstance(search.get("q") or "", str) and isinstance(search.get("filter") or [], list)


def page_of(body: dict, keys: list[str]) -> tuple[list[str], str | None]:
    """`page.size` (1..1000, default 100) keys from the opaque `page.cursor` on, and the
    cursor of the next page (null at the end)."""
    size = optional_int(body, "page.size", 100, 1, 1000)
    cursor = body.get("page.cursor")
    if cursor is not None and not (isinstance(cursor, str) and cursor.isdigit()):
        raise invalid("page.cursor")
    start = int(cursor or 0)
    return keys[start:start + size], str(start + size) if start + size < len(keys) else None


def selected_keys(body: dict, candidates: list[tuple[str, dict]],
                  lookup: Callable[[dict, str | None], Callable[[str], Any]],
                  haystack: Callable[[dict, str | None], list[str]],
                  children: Callable[[dict], list[str]]) -> list[str]:
    """The keys a selection names, each once, in the order of its entries [INF]: gids as
    given (unknown ones are left out, as the docs' "invalid gids" note implies), children
    in their ordering, search results in the candidates' order; minus each entry's
    `exclude`."""
    known = dict(candidates)
    keys: dict[str, None] = {}
    for entry in selection(body):
        if isinstance(entry, str):
            found = [entry] if entry in known else []
        elif "children" in entry:
            found = children(entry)
        else:
            search = entry["search"]
            language = search.get("language")
            try:
                found = [key for key, obj in candidates if matches_q(search.get("q"), haystack(obj, language))
                         and matches_filter(search.get("filter"), lookup(obj, language))]
            except SearchError:
                raise invalid("selection")
        excluded = set(entry.get("exclude") or []) if isinstance(entry, dict) else set()
        keys.update((key, None) for key in found if key not in excluded)
    return list(keys)


def routes(sim: "Sim") -> list[web.RouteDef]:
    store, domain = sim.store, sim.domain

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

    def record_keys(ctx: Ctx) -> list[str]:
        """The records a selection names; search results in creation order."""
        records = store.objects(ctx.project, "records")
        options = store.projects[ctx.project]["options"]

        def children(entry: dict) -> list[str]:
            channel, ordering = entry.get("channel"), entry.get("ordering")
            if channel is not None and channel not in options["channels"] or \
                    ordering is not None and ordering not in options["orderings"]:
                raise invalid("selection")
            return [r["gid"] for r in domain.ordered_children(ctx.project, entry["children"], channel, ordering)]
        candidates = sorted(records.items(), key=lambda kv: (kv[1]["created_on"], kv[0]))
        return selected_keys(ctx.body, candidates, record_lookup(ctx),
                             lambda r, lang: localized_texts(r, ("title", "fields"), lang), children)

    async def records_bulk(ctx: Ctx) -> web.Response:
        records = store.objects(ctx.project, "records")
        keys = record_keys(ctx)
        page, cursor = page_of(ctx.body, keys)
        return ok({"records": page, "records.size": len(keys), "page.cursor": cursor},
                  {"records": {k: views.localized("records", records[k], languages(ctx.body)) for k in page}})

    async def assets_bulk(ctx: Ctx) -> web.Response:
        assets = store.objects(ctx.project, "assets")
        candidates = sorted(assets.items(), key=lambda kv: kv[1]["pathname"])
        keys = selected_keys(ctx.body, candidates, lambda a, lang: a.get,
                             lambda a, lang: [a["pathname"]] + localized_texts(a, ("title", "description"), lang),
                             lambda entry: [a["gid"] for a in domain.asset_children(ctx.project, entry["children"])])
        page, cursor = page_of(ctx.body, keys)
        return ok({"assets": page, "assets.size": len(keys), "page.cursor": cursor},
                  {"assets": {k: views.localized("assets", assets[k], None) for k in page}})

    async def schema_bulk(ctx: Ctx) -> web.Response:
        """Definitions, classes and fields (not working copies), as `schema_items`."""
        types = {gid: data_type for data_type in SCHEMA_ITEM_TYPES
                 for gid, obj in store.objects(ctx.project, data_type).items() if not obj["is_working_copy"]}
        candidates = [(gid, store.get(ctx.project, data_type, gid)) for gid, data_type in types.items()]

        def no_children(entry: dict) -> list[str]:
            raise invalid("selection")  # the schema is no tree
        keys = selected_keys(ctx.body, candidates, lambda o, lang: o.get,
                             lambda o, lang: [o["name"]] + [t for l, t in o["label"].items() if lang in (None, l)],
                             no_children)
        page, cursor = page_of(ctx.body, keys)
        items, data = [], {}
        for gid in page:
            items.append({"type": SCHEMA_ITEM_TYPES[types[gid]], "item": gid})
            data.setdefault(types[gid], {})[gid] = store.get(ctx.project, types[gid], gid)
        return ok({"schema_items": items, "schema_items.size": len(keys), "page.cursor": cursor}, data)

    # -- records/bulk/* mutations: jobs over the selection --------------------------------

    def bulk_job(job: str, step_for: Callable[[Ctx], Callable[[str], object]]):
        """`step_for(ctx)` checks the call's other parameters (errors answer at once) and
        gives the work for one selected record; the job runs it for each."""
        async def handler(ctx: Ctx) -> web.Response:
            keys = record_keys(ctx)
            step, project = step_for(ctx), ctx.project
            token = sim.jobs.start(project, job, lambda: domain.for_each_record(project, keys, step), total=len(keys))
            return ok({"job.token": token})
        return handler

    def ordering_of(ctx: Ctx) -> str:
        options = store.projects[ctx.project]["options"]
        return option_key(ctx.body, "ordering", options["orderings"], (options["orderedorderings"] or [None])[0])

    def delete(ctx: Ctx):
        return lambda gid: domain.set_deleted(ctx.project, gid, True)

    def undelete(ctx: Ctx):
        def step(gid: str) -> None:
            # "If the selection contains non-deleted (regular) records too, the undelete
            # operation on only those records will fail."
            if domain.record(ctx.project, gid)["status"] != "deleted":
                raise DomainError("record is not deleted", {"record": gid})
            domain.set_deleted(ctx.project, gid, False)
        return step

    def permanent_delete(ctx: Ctx):
        return lambda gid: domain.permanent_delete(ctx.project, gid)

    def duplicate(ctx: Ctx):
        """A shallow copy under the same parent, just after the original."""
        project, ordering = ctx.project, ordering_of(ctx)

        def step(gid: str) -> None:
            parent = domain.record(project, gid)["parent"]
            if parent is None:
                raise DomainError("cannot copy the root record", {"record": gid})
            record, _ = domain.copy_record(project, gid, parent)
            domain.place_record(project, record["gid"], ordering, after=gid)
        return step

    def into_parent(make: Callable[[str, str, str], tuple[dict, list]]):
        """shallow_copy and link: under `parent`, before `before_record` or last."""
        def step_for(ctx: Ctx):
            project = ctx.project
            parent = domain.record(project, required_str(ctx.body, "parent"))["gid"]
            before = optional_str(ctx.body, "before_record")
            if before is not None and domain.record(project, before)["parent"] != parent:
                raise ApiError(422, "before_record is not a child of parent", {"before_record": before})
            ordering = ordering_of(ctx)

            def step(gid: str) -> None:
                record, _ = make(project, gid, parent)
                domain.place_record(project, record["gid"], ordering, before=before)
            return step
        return step_for

    p = "/api/p/{gid}"
    return [
        web.post(f"{p}/records/bulk/get", endpoint(sim, records_bulk)),
        web.post(f"{p}/assets/bulk/get", endpoint(sim, assets_bulk)),
        web.post(f"{p}/schema/bulk/get", endpoint(sim, schema_bulk)),
        web.post(f"{p}/records/bulk/delete", endpoint(sim, bulk_job("bulk_delete_records", delete))),
        web.post(f"{p}/records/bulk/undelete", endpoint(sim, bulk_job("bulk_undelete_records", undelete))),
        web.post(f"{p}/records/bulk/permanent_delete",
                 endpoint(sim, bulk_job("bulk_permanent_delete_records", permanent_delete))),
        web.post(f"{p}/records/bulk/duplicate", endpoint(sim, bulk_job("bulk_duplicate_records", duplicate))),
        web.post(f"{p}/records/bulk/shallow_copy", endpoint(sim, bulk_job("bulk_shallow_copy_records", into_parent(
            lambda project, gid, parent: domain.copy_record(project, gid, parent))))),
        web.post(f"{p}/records/bulk/link", endpoint(sim, bulk_job("bulk_link_records", into_parent(
            lambda project, gid, parent: domain.link_record(project, parent, gid))))),
    ]
