"""The Unicat API's request pipeline: count → inject faults → handle, then translate
errors into the envelope and hand out a refreshed JWT when due."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from aiohttp import web

from .domain import DomainError
from .envelope import ApiError, Unauthorized, error_response, unauthorized_response
from .faults import fault_response

if TYPE_CHECKING:
    from .sim import Sim

log = logging.getLogger("unicat_sim.api")


def middlewares(sim: "Sim") -> list:
    @web.middleware
    async def count(request: web.Request, handler):
        # Counted first, so failed and fault-injected requests show up too.
        sim.stats.count_request(request.method, request.path)
        return await handler(request)

    @web.middleware
    async def faults(request: web.Request, handler):
        fault = sim.faults.take(request.method, request.path)
        if fault is None:
            return await handler(request)
        log.info("fault for %s %s: %s", request.method, request.path, fault)
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.body == "close":
            # Drop the connection without any response (a reset, as seen by the client).
            request.transport.abort()
            raise asyncio.CancelledError()
        if fault.status is None:
            return await handler(request)
        return fault_response(fault, sim.settings.error_401_shape)

    @web.middleware
    async def envelope(request: web.Request, handler):
        try:
            response = await handler(request)
        except ApiError as err:
            return error_response(err)
        except Unauthorized:
            return unauthorized_response(sim.settings.error_401_shape)
        except DomainError as err:
            return error_response(ApiError(422, err.message, err.info))
        except web.HTTPException as err:
            if err.status in (404, 405, 413):
                return error_response(ApiError(err.status))
            raise
        except Exception:
            log.exception("handler failed: %s %s", request.method, request.path)
            return error_response(ApiError(500))
        claims = request.get("claims")
        if claims is not None and response.status < 300 and not request.path.startswith("/dam/") \
                and "Authorization" not in response.headers and sim.tokens.refresh_due(claims):
            response.headers["Authorization"] = sim.tokens.issue(claims.user, claims.project)
        return response

    return [count, faults, envelope]
