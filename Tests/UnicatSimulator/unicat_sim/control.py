"""The control API: a separate loopback-only listener for tests, benchmarks and the demo.
Plain JSON in and out (no Unicat envelope); errors are {"error": "..."}."""

from __future__ import annotations

import itertools
import json
from typing import TYPE_CHECKING

from aiohttp import web

from .changes import ChangeError
from .domain import DomainError
from .faults import FaultError
from .settings import SettingsError
from .store import CC_TYPES, PROJECT_TYPES

if TYPE_CHECKING:
    from .sim import Sim
    from .socketio_feed import SocketFeed


def error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def body_of(request: web.Request) -> dict:
    raw = await request.read()
    if not raw.strip():
        return {}
    value = json.loads(raw)
    if not isinstance(value, dict):
        raise ValueError("the body must be a JSON object")
    return value


def int_query(request: web.Request, name: str) -> int:
    return int(request.query.get(name) or 0)


def create_app(sim: "Sim", feed: "SocketFeed", credentials: dict) -> web.Application:
    store, log = sim.store, sim.log

    @web.middleware
    async def errors(request: web.Request, handler):
        try:
            return await handler(request)
        except (ValueError, SettingsError, FaultError, ChangeError) as err:
            return error(400, str(err))
        except DomainError as err:
            return error(422, err.message)

    async def health(request):
        return web.json_response({"ok": True})

    async def stats(request):
        return web.json_response(sim.stats.as_dict(feed.connected))

    async def stats_reset(request):
        sim.stats.reset()
        return web.json_response(sim.stats.as_dict(feed.connected))

    async def faults_list(request):
        return web.json_response({"faults": sim.faults.as_list()})

    async def faults_add(request):
        sim.faults.add(await body_of(request))
        return web.json_response({"faults": sim.faults.as_list()})

    async def faults_clear(request):
        sim.faults.clear()
        return web.json_response({"faults": []})

    async def settings_get(request):
        return web.json_response(sim.settings.as_dict())

    async def settings_set(request):
        sim.apply_settings(await body_of(request))
        return web.json_response(sim.settings.as_dict())

    async def expire_all(request):
        sim.tokens.expire_all()
        return web.json_response({"generation": sim.tokens.generation})

    async def socketio_drop(request):
        return web.json_response({"dropped": await feed.drop_all()})

    def cursors_body() -> dict:
        return {"cc.cursor": log.cc_cursor, "cursor": log.cursor(store.main_project)}

    async def changes(request):
        body = await body_of(request)
        count = body.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError("count must be a positive integer")
        entries = sim.changes.make(count, body.get("data_type", "records"), body.get("action", "UPDATE"))
        return web.json_response({**cursors_body(), "items": [e.item for e in entries]})

    async def restore(request):
        body = await body_of(request)
        project = store.main_project
        result = {}
        version = body.get("version")
        versions = store.projects[project]["backups"]["versions"]
        if body.get("backup_first") or (version is None and not versions):
            version = sim.domain.make_backup(project, "unicat-sim", "Control API backup")
            result["backup_job.token"] = sim.jobs.start(
                project, "backup_project", lambda: sim.domain.announce_project(project))
        elif version is None:
            version = versions[-1]["version"]
        elif store.backup(project, version) is None:
            raise DomainError(f"no backup version {version}")
        result["job.token"] = sim.jobs.start(project, "restore_project",
                                             lambda: sim.domain.restore_backup(project, version))
        result["version"] = version
        return web.json_response(result)

    async def sync_log(request):
        project = request.query.get("project", store.main_project)
        entries = log.all_after(int_query(request, "cc_cursor"), project, int_query(request, "cursor"))
        return web.json_response({
            "cc.cursor": log.cc_cursor, "cursor": log.cursor(project),
            "entries": [{"seq": e.seq, "appended_at": e.appended_at, "item": e.item} for e in entries]})

    async def cursors(request):
        return web.json_response(cursors_body())

    async def get_object(request):
        data_type, key = request.match_info["data_type"], request.match_info["key"]
        if data_type in CC_TYPES:
            obj = store.cc[data_type].get(key)
        elif data_type == "jobs":
            obj = store.meta["jobs"].get(key)
        else:
            obj = store.get(request.query.get("project", store.main_project), data_type, key)
        if obj is None:
            return error(404, f"no {data_type} {key}")
        return web.json_response(obj)

    async def get_credentials(request):
        return web.json_response(credentials)

    async def counts(request):
        project = request.query.get("project", store.main_project)
        return web.json_response({t: len(store.objects(project, t)) for t in PROJECT_TYPES})

    async def keys(request):
        project = request.query.get("project", store.main_project)
        data_type = request.match_info["data_type"]
        if data_type not in PROJECT_TYPES:
            return error(404, f"no data type {data_type}")
        try:
            offset, limit = int(request.query.get("offset", 0)), int(request.query.get("limit", 1000))
        except ValueError:
            return error(400, "offset and limit are integers")
        objects = store.objects(project, data_type)
        return web.json_response({"total": len(objects),
                                  "keys": list(itertools.islice(objects, max(0, offset), max(0, offset + limit)))})

    app = web.Application(middlewares=[errors])
    app.add_routes([
        web.get("/health", health),
        web.get("/stats", stats),
        web.post("/stats/reset", stats_reset),
        web.get("/faults", faults_list),
        web.post("/faults", faults_add),
        web.post("/faults/clear", faults_clear),
        web.get("/settings", settings_get),
        web.post("/settings", settings_set),
        web.post("/jwt/expire-all", expire_all),
        web.post("/socketio/drop", socketio_drop),
        web.post("/changes", changes),
        web.post("/restore", restore),
        web.get("/log", sync_log),
        web.get("/cursors", cursors),
        web.get("/object/{data_type}/{key:.+}", get_object),
        web.get("/credentials", get_credentials),
        web.get("/counts", counts),
        web.get("/keys/{data_type}", keys),
    ])
    return app
