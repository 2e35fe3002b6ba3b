"""Project API mutations of records (create, update, delete, definitions, channels,
orderings, links) and backups (digest §9, §10)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from aiohttp import web

from . import views
from .context import Ctx, endpoint
from .domain import DomainError
from .envelope import ApiError, invalid, missing, ok
from .params import option_key, optional_dict, optional_str, required_bool, required_int, required_str, str_list

if TYPE_CHECKING:
    from .sim import Sim


def routes(sim: "Sim") -> list[web.RouteDef]:
    store, domain = sim.store, sim.domain

    def existing_record(ctx: Ctx, name: str = "record") -> dict:
        gid = required_str(ctx.body, name)
        try:
            return domain.record(ctx.project, gid)
        except DomainError as err:
            raise ApiError(422, err.message, err.info)

    def records_data(*records: dict) -> dict:
        return {"records": {r["gid"]: views.localized("records", r, None) for r in records}}

    def with_definitions(ctx: Ctx, *gids: str) -> dict:
        """The records with their definitions and those definitions' layouts (an extended
        definition made by the call is new to the client)."""
        records = [domain.record(ctx.project, g) for g in gids]
        definitions = {r["definition"]: store.get(ctx.project, "definitions", r["definition"])
                       for r in records if r["definition"]}
        return {**records_data(*records), "definitions": definitions,
                "layouts": {d["layout"]: store.get(ctx.project, "layouts", d["layout"]) for d in definitions.values()}}

    async def create(ctx: Ctx) -> web.Response:
        parent = existing_record(ctx, "parent")
        option_key(ctx.body, "ordering", store.projects[ctx.project]["options"]["orderings"])
        record, _ = domain.create_record(ctx.project, parent["gid"])
        return ok({"record": record["gid"]},
                  records_data(record, domain.record(ctx.project, parent["gid"])))

    async def update(ctx: Ctx) -> web.Response:
        gid = existing_record(ctx)["gid"]
        fields = ctx.body.get("fields")
        if fields is None:
            raise missing("fields")
        if not isinstance(fields, dict) or not all(isinstance(v, dict) for v in fields.values()):
            raise invalid("fields")
        record, report, _ = domain.update_record(ctx.project, gid, fields)
        return ok({"record": gid, "report.validation": report}, records_data(record))

    def set_deleted(deleted: bool):
        async def handler(ctx: Ctx) -> web.Response:
            gid = existing_record(ctx)["gid"]
            try:
                record, _ = domain.set_deleted(ctx.project, gid, deleted)
            except DomainError as err:
                raise ApiError(422, err.message, err.info)
            return ok({"record": gid}, records_data(record))
        return handler

    async def permanent_delete(ctx: Ctx) -> web.Response:
        record = existing_record(ctx)
        if record["parent"] is None:
            raise ApiError(422, "cannot delete the root record", {"record": record["gid"]})
        project, gid = ctx.project, record["gid"]
        token = sim.jobs.start(project, "permanent_delete_record",
                               lambda: domain.permanent_delete(project, gid))
        parent = domain.record(project, record["parent"])
        return ok({"parent": parent["gid"], "job.token": token}, records_data(parent))

    # -- definitions ----------------------------------------------------------------------

    def definition_call(work):
        """records/definition/*: `work(ctx, record gid)` changes the record's definition."""
        async def handler(ctx: Ctx) -> web.Response:
            gid = existing_record(ctx)["gid"]
            work(ctx, gid)
            return ok({"record": gid}, with_definitions(ctx, gid))
        return handler

    def set_definition(ctx: Ctx, gid: str) -> None:
        domain.set_definition(ctx.project, gid, required_str(ctx.body, "definition"))

    def extend(key: str, param: str, refs: str, add: bool):
        """Adds or removes a class or field of the record's extended definition."""
        def work(ctx: Ctx, gid: str) -> None:
            value = required_str(ctx.body, param)
            domain.schema_object(ctx.project, refs, value)

            def change(definition: dict) -> None:
                if add and value not in definition[key]:
                    definition[key].append(value)
                elif not add:
                    if value not in definition[key]:
                        raise DomainError(f"{param} not in the extended definition", {param: value})
                    definition[key].remove(value)
            domain.extend_definition(ctx.project, gid, change)
        return work

    def extend_fieldlist(add: bool):
        def work(ctx: Ctx, gid: str) -> None:
            key, field = required_str(ctx.body, "fieldlist"), required_str(ctx.body, "field")

            def change(definition: dict) -> None:
                listed = [f for f in definition["fieldlists"].get(key, []) if f != field]
                domain.set_fieldlists(ctx.project, definition, {key: listed + [field] if add else listed})
            domain.extend_definition(ctx.project, gid, change)
        return work

    def structure(ctx: Ctx) -> dict:
        """The named-extended-definition properties of records/definition/clone|update."""
        props = {"name": optional_str(ctx.body, "name"), "base_definition": optional_str(ctx.body, "base_definition"),
                 "fields": str_list(ctx.body, "fields", required=False),
                 "classes": str_list(ctx.body, "classes", required=False),
                 "fieldlists": optional_dict(ctx.body, "fieldlists")}
        return {k: v for k, v in props.items() if v is not None}

    # -- channels, orderings, links ---------------------------------------------------------

    async def channels_set(ctx: Ctx) -> web.Response:
        gid = existing_record(ctx)["gid"]
        domain.set_channels(ctx.project, gid, str_list(ctx.body, "channels"), required_bool(ctx.body, "enabled"))
        return ok({"record": gid}, records_data(domain.record(ctx.project, gid)))

    def channels_copy(direction: str):
        async def handler(ctx: Ctx) -> web.Response:
            record = existing_record(ctx)
            project, gid = ctx.project, record["gid"]
            channels = str_list(ctx.body, "channels", required=False)
            if direction == "from_parent":
                if record["parent"] is None:
                    raise ApiError(422, "the root record has no parent", {"record": gid})
                domain.copy_channels(project, record["parent"], [gid], channels)
                return ok({"record": gid}, records_data(domain.record(project, gid)))
            if direction == "up":
                domain.copy_channels(project, gid, record["path"][1:], channels)
                return ok({"record": gid}, records_data(*(domain.record(project, g) for g in record["path"])))
            domain.check_channels(project, channels or [])
            token = sim.jobs.start(project, "copy_record_channels_down",
                                   lambda: domain.copy_channels(project, gid, domain.descendants(project, gid),
                                                                channels))
            return ok({"record": gid, "job.token": token}, records_data(record))
        return handler

    async def orderings_set(ctx: Ctx) -> web.Response:
        gid = existing_record(ctx)["gid"]
        orderings = optional_dict(ctx.body, "orderings")
        if orderings is None:
            raise missing("orderings")
        if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in orderings.values()):
            raise invalid("orderings")
        domain.set_orderings(ctx.project, gid, orderings)
        return ok({"record": gid}, records_data(domain.record(ctx.project, gid)))

    async def link(ctx: Ctx) -> web.Response:
        parent = existing_record(ctx, "parent")
        target = existing_record(ctx)
        option_key(ctx.body, "ordering", store.projects[ctx.project]["options"]["orderings"])
        record, _ = domain.link_record(ctx.project, parent["gid"], target["gid"])
        return ok({"record": record["gid"]},
                  records_data(record, domain.record(ctx.project, record["canonical"]),
                               domain.record(ctx.project, parent["gid"])))

    # -- backups ----------------------------------------------------------------------------

    def backups_answer(ctx: Ctx, result: dict) -> web.Response:
        return ok({"project": ctx.project, **result}, {"cc.projects": {ctx.project: store.projects[ctx.project]}})

    async def backup_update(ctx: Ctx) -> web.Response:
        version = required_int(ctx.body, "version")
        domain.rename_backup(ctx.project, version, required_str(ctx.body, "name"))
        return backups_answer(ctx, {"version": version})

    async def backup_delete(ctx: Ctx) -> web.Response:
        """`{version}` or `{versions: [...]}`, the first form winning."""
        if ctx.body.get("version") is not None or ctx.body.get("versions") is None:
            versions, result = [required_int(ctx.body, "version")], {"version": ctx.body["version"]}
        else:
            versions = ctx.body["versions"]
            if not isinstance(versions, list) or not all(isinstance(v, int) and not isinstance(v, bool)
                                                         for v in versions):
                raise invalid("versions")
            result = {"versions": versions}
        domain.delete_backups(ctx.project, versions)
        return backups_answer(ctx, result)

    async def backup_create(ctx: Ctx) -> web.Response:
        created_by = required_str(ctx.body, "created_by")
        name = optional_str(ctx.body, "name")
        project = ctx.project
        version = domain.make_backup(project, created_by, name)
        # The project's backups list changes; announced when the job is done.
        token = sim.jobs.start(project, "backup_project", lambda: domain.announce_project(project))
        entry = store.projects[project]
        return ok({"project": project, "version": version,
                   "last_backed_up": views.last_backed_up(entry), "job.token": token},
                  {"cc.projects": {project: entry}})

    async def backup_restore(ctx: Ctx) -> web.Response:
        version = ctx.body.get("version")
        if version is None:
            raise missing("version")
        if isinstance(version, bool) or not isinstance(version, int):
            raise invalid("version")
        project = ctx.project
        if version == 0 or store.backup(project, version) is None:
            raise ApiError(422, "Process error", {"process": "restore"}, code=1003)
        token = sim.jobs.start(project, "restore_project",
                               lambda: domain.restore_backup(project, version))
        return ok({"project": project, "version": version, "last_restored": round(time.time(), 4),
                   "job.token": token}, {"cc.projects": {project: store.projects[project]}})

    p = "/api/p/{gid}"
    return [
        web.post(f"{p}/records/create", endpoint(sim, create)),
        web.post(f"{p}/records/update", endpoint(sim, update)),
        web.post(f"{p}/records/delete", endpoint(sim, set_deleted(True))),
        web.post(f"{p}/records/undelete", endpoint(sim, set_deleted(False))),
        web.post(f"{p}/records/permanent_delete", endpoint(sim, permanent_delete)),
        web.post(f"{p}/records/definition/set", endpoint(sim, definition_call(set_definition))),
        *(web.post(f"{p}/records/definition/{key}/{verb}",
                   endpoint(sim, definition_call(extend(key, param, key, verb == "add"))))
          for key, param in (("classes", "class"), ("fields", "field")) for verb in ("add", "remove")),
        web.post(f"{p}/records/definition/fieldlists/fields/add", endpoint(sim, definition_call(extend_fieldlist(True)))),
        web.post(f"{p}/records/definition/fieldlists/fields/remove",
                 endpoint(sim, definition_call(extend_fieldlist(False)))),
        web.post(f"{p}/records/definition/revert",
                 endpoint(sim, definition_call(lambda ctx, gid: domain.revert_definition(ctx.project, gid)))),
        web.post(f"{p}/records/definition/copy_to_siblings",
                 endpoint(sim, definition_call(lambda ctx, gid: domain.copy_definition_to_siblings(ctx.project, gid)))),
        web.post(f"{p}/records/definition/clone", endpoint(sim, definition_call(
            lambda ctx, gid: domain.clone_definition(ctx.project, gid, structure(ctx))))),
        web.post(f"{p}/records/definition/update", endpoint(sim, definition_call(
            lambda ctx, gid: domain.update_extension(ctx.project, gid, structure(ctx))))),
        web.post(f"{p}/records/definition/transfer_to", endpoint(sim, definition_call(
            lambda ctx, gid: domain.transfer_to(ctx.project, gid, required_str(ctx.body, "target_definition"))))),
        web.post(f"{p}/records/definition/transfer_from", endpoint(sim, definition_call(
            lambda ctx, gid: domain.transfer_from(ctx.project, gid, required_str(ctx.body, "source_definition"))))),
        web.post(f"{p}/records/channels/set", endpoint(sim, channels_set)),
        web.post(f"{p}/records/channels/copy_from_parent", endpoint(sim, channels_copy("from_parent"))),
        web.post(f"{p}/records/channels/copy_down", endpoint(sim, channels_copy("down"))),
        web.post(f"{p}/records/channels/copy_up", endpoint(sim, channels_copy("up"))),
        web.post(f"{p}/records/orderings/set", endpoint(sim, orderings_set)),
        web.post(f"{p}/records/link", endpoint(sim, link)),
        web.post(f"{p}/backups/create", endpoint(sim, backup_create)),
        web.post(f"{p}/backups/update", endpoint(sim, backup_update)),
        web.post(f"{p}/backups/restore", endpoint(sim, backup_restore)),
        web.post(f"{p}/backups/delete", endpoint(sim, backup_delete)),
    ]
