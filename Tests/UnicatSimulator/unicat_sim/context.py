"""What every API handler gets: the simulator, the caller and the parsed body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Awaitable, Callable

from aiohttp import web

from .envelope import Unauthorized, forbidden
from .jwt_tokens import Claims
from .params import form_body, json_body

if TYPE_CHECKING:
    from .sim import Sim


@dataclass
class Ctx:
    sim: "Sim"
    request: web.Request
    claims: Claims | None
    project: str | None
    body: dict

    @property
    def user(self) -> str:
        return self.claims.user


Handler = Callable[[Ctx], Awaitable[web.StreamResponse]]


def authenticate(sim: "Sim", request: web.Request) -> Claims:
    """401 unless the request carries a valid `Authorization: Bearer <jwt>`. The claims
    are kept on the request so the middleware can decide on a refreshed token."""
    claims = sim.tokens.from_header(request.headers.get("Authorization"))
    if claims is None or claims.user not in sim.store.users:
        raise Unauthorized()
    request["claims"] = claims
    return claims


def endpoint(sim: "Sim", handler: Handler, auth: bool = True,
             form: bool = False) -> Callable[[web.Request], Awaitable]:
    """Wraps a handler: JWT check (if `auth`), membership of the URL's project (403),
    then the JSON body, or with `form` the multipart/form-data fields (400 when
    malformed)."""
    async def wrapped(request: web.Request) -> web.StreamResponse:
        claims = authenticate(sim, request) if auth else None
        project = request.match_info.get("gid")
        if claims is not None and project is not None and not sim.store.is_member(claims.user, project):
            raise forbidden()
        body = await (form_body if form else json_body)(request)
        return await handler(Ctx(sim, request, claims, project, body))
    # /batch runs project handlers itself (JSON bodies, the caller already checked).
    wrapped.handler, wrapped.auth, wrapped.form = handler, auth, form
    return wrapped
