"""Schema, query and module mutations (digest §10): definitions, classes and fields
(create, modify, commit, save_as_new, delete, their lists, layouts and metadata),
queries, and modules (register, keys, actions, logs). Editing rules: domain_schema.py."""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Callable

from aiohttp import web

from .context import Ctx, endpoint
from .domain_base import DomainError, new_gid
from .domain_schema import FIELD_TYPES, metadata_entry
from .envelope import invalid, missing, ok
from .params import optional_dict, optional_str, required_str, str_list

if TYPE_CHECKING:
    from .sim import Sim

SINGULAR = {"definitions": "definition", "classes": "class", "fields": "field"}
# The lists a definition or class has, with the singular parameter of their add/remove
# calls and the data type of their entries.
LISTS = {
    "definitions": {"classes": ("class", "classes"), "fields": ("field", "fields"),
                    "childdefinitions": ("childdefinition", "definitions")},
    "classes": {"fields": ("field", "fields")},
}
VERSION = re.compile(r"^\d+(\.\d+)*$")


def localized_text(body: dict, name: str) -> dict | None:
    value = optional_dict(body, name)
    if value is not None and not all(isinstance(v, str) for v in value.values()):
        raise invalid(name)
    return value


def metadata_param(body: dict) -> dict | None:
    value = optional_dict(body, "metadata")
    for entry in (value or {}).values():
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str) \
                or not isinstance(entry.get("is_localized"), bool):
            raise invalid("metadata")
    return value


def schema_props(body: dict, data_type: str) -> dict:
    """The properties a create or modify call sets, checked (400); others are ignored."""
    props = {"name": optional_str(body, "name"), "label": localized_text(body, "label"),
             "metadata": metadata_param(body)}
    if data_type in LISTS:
        props.update({key: str_list(body, key, required=False) for key in LISTS[data_type]})
    if data_type == "definitions":
        props["titlefield"] = optional_str(body, "titlefield")
    if data_type == "fields":
        kind = optional_str(body, "type")
        if kind is not None and kind not in FIELD_TYPES:
            raise invalid("type")
        for flag in ("is_localized", "is_required"):
            if body.get(flag) is not None and not isinstance(body[flag], bool):
                raise invalid(flag)
        props.update({"type": kind, "is_localized": body.get("is_localized"),
                      "is_required": body.get("is_required"), "unit": optional_str(body, "unit"),
                      "initial": optional_dict(body, "initial"), "options": optional_dict(body, "options")})
    return {k: v for k, v in props.items() if v is not None}


def routes(sim: "Sim") -> list[web.RouteDef]:
    store, domain = sim.store, sim.domain

    def schema_data(ctx: Ctx, data_type: str, gid: str) -> dict:
        obj = copy.deepcopy(store.get(ctx.project, data_type, gid))
        data = {data_type: {gid: obj}}
        if "layout" in obj:
            data["layouts"] = {obj["layout"]: copy.deepcopy(store.get(ctx.project, "layouts", obj["layout"]))}
        return data

    def answer(ctx: Ctx, data_type: str, gid: str) -> web.Response:
        return ok({SINGULAR[data_type]: gid}, schema_data(ctx, data_type, gid))

    def create(data_type: str):
        async def handler(ctx: Ctx) -> web.Response:
            obj, _ = domain.create_schema_object(ctx.project, data_type, schema_props(ctx.body, data_type))
            return answer(ctx, data_type, obj["gid"])
        return handler

    def changing(data_type: str, make_change: Callable[[Ctx], Callable[[dict], None]]):
        """A handler that applies `make_change(ctx)` to the (working copy of the) object."""
        async def handler(ctx: Ctx) -> web.Response:
            gid = required_str(ctx.body, SINGULAR[data_type])
            change = make_change(ctx)
            obj, _ = domain.modify(ctx.project, data_type, gid, change)
            return answer(ctx, data_type, obj["gid"])
        return handler

    def modify(data_type: str):
        def make_change(ctx: Ctx):
            props = schema_props(ctx.body, data_type)
            return lambda obj: domain.apply_props(ctx.project, data_type, obj, props)
        return changing(data_type, make_change)

    def list_change(data_type: str, key: str, add: bool):
        param, refs = LISTS[data_type][key]

        def make_change(ctx: Ctx):
            value = required_str(ctx.body, param)
            domain.schema_object(ctx.project, refs, value)

            def change(obj: dict) -> None:
                if add and value not in obj[key]:
                    obj[key].append(value)
                elif not add:
                    if value not in obj[key]:
                        raise DomainError(f"{param} not in {SINGULAR[data_type]}", {param: value})
                    obj[key].remove(value)
            return change
        return changing(data_type, make_change)

    def fieldlist_change(add: bool):
        def make_change(ctx: Ctx):
            key, field = required_str(ctx.body, "fieldlist_key"), required_str(ctx.body, "field")

            def change(definition: dict) -> None:
                listed = [f for f in definition["fieldlists"].get(key, []) if f != field]
                domain.set_fieldlists(ctx.project, definition, {key: listed + [field] if add else listed})
            return change
        return changing("definitions", make_change)

    def metadata_set(data_type: str):
        def make_change(ctx: Ctx):
            name = required_str(ctx.body, "name")
            kind = optional_str(ctx.body, "type")
            localized = ctx.body.get("is_localized")
            if localized is not None and not isinstance(localized, bool):
                raise invalid("is_localized")

            def change(obj: dict) -> None:
                entry = obj["metadata"].get(name) or metadata_entry("textline", False, None)  # [INF] defaults
                obj["metadata"][name] = metadata_entry(kind or entry["type"],
                                                       entry["is_localized"] if localized is None else localized,
                                                       ctx.body.get("value", entry["value"]))
            return change
        return changing(data_type, make_change)

    def metadata_clear(data_type: str):
        def make_change(ctx: Ctx):
            name = required_str(ctx.body, "name")
            return lambda obj: obj["metadata"].pop(name, None)
        return changing(data_type, make_change)

    def layouts_modify(data_type: str):
        async def handler(ctx: Ctx) -> web.Response:
            gid = required_str(ctx.body, SINGULAR[data_type])
            props = {"name": optional_str(ctx.body, "name"), "root": optional_str(ctx.body, "root"),
                     "components": optional_dict(ctx.body, "components")}
            obj, _ = domain.modify_layout(ctx.project, data_type, gid, {k: v for k, v in props.items() if v is not None})
            return answer(ctx, data_type, obj["gid"])
        return handler

    def commit(data_type: str, save_as_new: bool):
        async def handler(ctx: Ctx) -> web.Response:
            gid = required_str(ctx.body, SINGULAR[data_type])
            result, _ = (domain.save_as_new if save_as_new else domain.commit)(ctx.project, data_type, gid)
            return answer(ctx, data_type, result)
        return handler

    def delete(data_type: str):
        async def handler(ctx: Ctx) -> web.Response:
            gid = required_str(ctx.body, SINGULAR[data_type])
            domain.delete_schema_object(ctx.project, data_type, gid)
            return ok({SINGULAR[data_type]: gid})
        return handler

    # -- queries --------------------------------------------------------------------------

    def query_props(body: dict) -> dict:
        props = {"name": optional_str(body, "name"), "q": optional_str(body, "q"), "filter": body.get("filter")}
        if props["filter"] is not None and not isinstance(props["filter"], list):
            raise invalid("filter")
        return {k: v for k, v in props.items() if v is not None}

    def query_answer(ctx: Ctx, gid: str) -> web.Response:
        return ok({"query": gid}, {"queries": {gid: copy.deepcopy(store.get(ctx.project, "queries", gid))}})

    async def query_create(ctx: Ctx) -> web.Response:
        kind = required_str(ctx.body, "type")
        if kind not in ("record", "asset", "schema"):
            raise invalid("type")
        props = query_props(ctx.body)
        if "name" not in props:
            raise missing("name")
        query = {"gid": new_gid(), "type": kind, "name": props["name"], "q": "", "filter": [], **props}
        domain.save_query(ctx.project, query)
        return query_answer(ctx, query["gid"])

    async def query_update(ctx: Ctx) -> web.Response:
        gid = required_str(ctx.body, "query")
        query = {**copy.deepcopy(domain.query(ctx.project, gid)), **query_props(ctx.body)}
        domain.save_query(ctx.project, query)
        return query_answer(ctx, gid)

    async def query_delete(ctx: Ctx) -> web.Response:
        gid = required_str(ctx.body, "query")
        domain.delete_query(ctx.project, gid)
        return ok({"query": gid})

    # -- modules --------------------------------------------------------------------------

    def module_answer(ctx: Ctx, name: str) -> web.Response:
        return ok({"module": name}, {"modules": {name: copy.deepcopy(store.get(ctx.project, "modules", name))}})

    def version_param(body: dict) -> str:
        version = required_str(body, "version")
        if not VERSION.match(version):
            raise invalid("version")
        return version

    async def module_register(ctx: Ctx) -> web.Response:
        name = required_str(ctx.body, "module")
        domain.register_module(ctx.project, name, version_param(ctx.body))
        return module_answer(ctx, name)

    async def module_unregister(ctx: Ctx) -> web.Response:
        name = required_str(ctx.body, "module")
        domain.unregister_module(ctx.project, name)
        return ok({"module": name})

    async def keys_set(ctx: Ctx) -> web.Response:
        """`{key, value}` or `{keys: {key: value, …}}`."""
        name = required_str(ctx.body, "module")
        values = optional_dict(ctx.body, "keys")
        if values is None:
            values = {required_str(ctx.body, "key"): ctx.body.get("value")}
        domain.change_module(ctx.project, name, lambda m: m["keys"].update(copy.deepcopy(values)))
        return module_answer(ctx, name)

    async def keys_clear(ctx: Ctx) -> web.Response:
        """`{key}` or `{keys: [key, …]}`; unknown keys are ignored [INF]."""
        name = required_str(ctx.body, "module")
        keys = str_list(ctx.body, "keys", required=False) or [required_str(ctx.body, "key")]

        def change(module: dict) -> None:
            for key in keys:
                module["keys"].pop(key, None)
        domain.change_module(ctx.project, name, change)
        return module_answer(ctx, name)

    async def action_publish(ctx: Ctx) -> web.Response:
        name, action = required_str(ctx.body, "module"), required_str(ctx.body, "action")
        configuration = optional_dict(ctx.body, "configuration") or {}
        domain.change_module(ctx.project, name, lambda m: m["actions"].update(
            {action: {"name": action, "configuration": copy.deepcopy(configuration)}}))
        return module_answer(ctx, name)

    async def action_unpublish(ctx: Ctx) -> web.Response:
        name, action = required_str(ctx.body, "module"), required_str(ctx.body, "action")
        domain.unpublish_action(ctx.project, name, action)
        return module_answer(ctx, name)

    async def log_add(ctx: Ctx) -> web.Response:
        name = required_str(ctx.body, "module")
        version = version_param(ctx.body)
        for stamp in ("started_at", "ended_at"):
            value = ctx.body.get(stamp)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                raise invalid(stamp)
        domain.add_module_log(ctx.project, name, version, ctx.body)
        return module_answer(ctx, name)

    p = "/api/p/{gid}"
    route_list = []
    for data_type in SINGULAR:
        base = f"{p}/{data_type}"
        route_list += [
            web.post(f"{base}/create", endpoint(sim, create(data_type))),
            web.post(f"{base}/modify", endpoint(sim, modify(data_type))),
            web.post(f"{base}/commit", endpoint(sim, commit(data_type, False))),
            web.post(f"{base}/save_as_new", endpoint(sim, commit(data_type, True))),
            web.post(f"{base}/delete", endpoint(sim, delete(data_type))),
            web.post(f"{base}/metadata/set", endpoint(sim, metadata_set(data_type))),
            web.post(f"{base}/metadata/clear", endpoint(sim, metadata_clear(data_type))),
        ]
        if data_type in LISTS:
            route_list.append(web.post(f"{base}/layouts/modify", endpoint(sim, layouts_modify(data_type))))
            for key in LISTS[data_type]:
                route_list += [web.post(f"{base}/{key}/add", endpoint(sim, list_change(data_type, key, True))),
                               web.post(f"{base}/{key}/remove", endpoint(sim, list_change(data_type, key, False)))]
    return route_list + [
        web.post(f"{p}/definitions/fieldlists/fields/add", endpoint(sim, fieldlist_change(True))),
        web.post(f"{p}/definitions/fieldlists/fields/remove", endpoint(sim, fieldlist_change(False))),
        web.post(f"{p}/queries/create", endpoint(sim, query_create)),
        web.post(f"{p}/queries/update", endpoint(sim, query_update)),
        web.post(f"{p}/queries/delete", endpoint(sim, query_delete)),
        web.post(f"{p}/modules/register", endpoint(sim, module_register)),
        web.post(f"{p}/modules/unregister", endpoint(sim, module_unregister)),
        web.post(f"{p}/modules/keys/set", endpoint(sim, keys_set)),
        web.post(f"{p}/modules/keys/clear", endpoint(sim, keys_clear)),
        web.post(f"{p}/modules/actions/publish", endpoint(sim, action_publish)),
        web.post(f"{p}/modules/actions/unpublish", endpoint(sim, action_unpublish)),
        web.post(f"{p}/modules/logs/add", endpoint(sim, log_add)),
    ]
