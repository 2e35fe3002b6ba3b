"""Project API mutations used by tests and the demo: records and backups (digest §9, §10)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from aiohttp import web

from . import views
from .context import Ctx, endpoint
from .domain import DomainError
from .envelope import ApiError, invalid, missing, ok
from .params import optional_str, required_str

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

    async def create(ctx: Ctx) -> web.Response:
        parent = existing_record(ctx, "parent")
        ordering = optional_str(ctx.body, "ordering")
        if ordering is not None and ordering not in store.projects[ctx.project]["options"]["orderings"]:
            raise invalid("ordering")
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
        web.post(f"{p}/backups/create", endpoint(sim, backup_create)),
        web.post(f"{p}/backups/restore", endpoint(sim, backup_restore)),
    ]
