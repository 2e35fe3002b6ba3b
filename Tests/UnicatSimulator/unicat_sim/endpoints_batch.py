"""/batch: "execute a set of sub-requests as a transaction" (API reference home). The
body is not documented [INF]; the simulator takes the project endpoints as the
official client names them in `api.call`:

    {"requests": [{"endpoint": "/records/update", "data": {...}}, ...]}

and answers `result {"results": [<each sub-request's result>]}` with the `data` of all
of them merged. The first sub-request that fails rolls everything back (data, cursors,
sync items, jobs it started) and its error is the answer, with `info["batch.request"]`
its index. Only JSON project endpoints with a JWT can be batched (not /auth, /login,
uploads or /batch itself)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from aiohttp import web

from .context import Ctx, endpoint
from .domain_base import DomainError
from .envelope import ApiError, bad_request, invalid, missing, ok

if TYPE_CHECKING:
    from .sim import Sim

PROJECT_API = "/api/p/{gid}"


def sub_requests(body: dict) -> list[tuple[str, dict]]:
    requests = body.get("requests")
    if requests is None:
        raise missing("requests")
    if not isinstance(requests, list) or not requests:
        raise invalid("requests")
    parsed = []
    for index, request in enumerate(requests):
        if not isinstance(request, dict) or not isinstance(request.get("endpoint"), str) \
                or not isinstance(request.get("data", {}), dict):
            raise bad_request({"Invalid parameter": "requests", "batch.request": index})
        parsed.append((request["endpoint"], request.get("data", {})))
    return parsed


def merge(data: dict, more: dict) -> None:
    for key, value in more.items():
        if isinstance(value, list):  # cc.projects_members
            data.setdefault(key, []).extend(value)
        else:
            data.setdefault(key, {}).update(value)


def routes(sim: "Sim") -> list[web.RouteDef]:
    handlers: dict[str, object] = {}

    def handler_for(app: web.Application, path: str, index: int):
        """The project handler behind POST /api/p/<gid><path>."""
        if not handlers:
            for route in app.router.routes():
                wrapped, canonical = route.handler, route.resource.canonical if route.resource else ""
                if route.method == "POST" and canonical.startswith(PROJECT_API + "/") and \
                        getattr(wrapped, "auth", False) and not wrapped.form and canonical != f"{PROJECT_API}/batch":
                    handlers[canonical[len(PROJECT_API):]] = wrapped.handler
        if path not in handlers:
            raise bad_request({"Invalid parameter": "endpoint", "batch.request": index, "endpoint": path})
        return handlers[path]

    async def batch(ctx: Ctx) -> web.Response:
        planned = [(handler_for(ctx.request.app, path, i), data)
                   for i, (path, data) in enumerate(sub_requests(ctx.body))]
        results, data, jobs_before = [], {}, sim.jobs.tasks
        index = 0
        try:
            with sim.domain.transaction(ctx.project):
                for index, (handler, body) in enumerate(planned):
                    response = await handler(Ctx(sim, ctx.request, ctx.claims, ctx.project, body))
                    answer = json.loads(response.text)
                    results.append(answer["result"])
                    merge(data, answer["data"])
        except Exception as err:
            sim.jobs.cancel(sim.jobs.tasks - jobs_before)
            if not isinstance(err, (ApiError, DomainError)):
                raise
            error = err if isinstance(err, ApiError) else ApiError(422, err.message, err.info)
            raise ApiError(error.status, error.message, {**error.info, "batch.request": index}, error.code)
        return ok({"results": results}, data)

    return [web.post(f"{PROJECT_API}/batch", endpoint(sim, batch))]
