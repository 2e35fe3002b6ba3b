"""The real-time sync feed: python-socketio at /sync/io, default namespace (digest §7.3).

- connect: auth {"JWT": <token>}; a bad, expired or revoked token is refused
  (ConnectionRefusedError → the client's connect_error).
- authorization: a refreshed JWT pushed once half of the socket's token lifetime has
  passed (per refresh_policy; "always" behaves like "sliding" here).
- initsync: {cc_cursor, project, cursor} → the items after those cursors (ack or event,
  per socket_reply); it also subscribes the socket to that project's items.
- sync: every appended item, to every socket allowed to see it (cc items to all that
  may see them, project items to sockets whose initsync named the project).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import socketio

from . import views
from .endpoints_sync import MORE, sync_page
from .envelope import ApiError
from .jwt_tokens import Claims
from .synclog import LogEntry

if TYPE_CHECKING:
    from .sim import Sim

log = logging.getLogger("unicat_sim.socketio")

POLL = 0.5  # how often a socket's refresher re-checks (settings may change meanwhile)


@dataclass
class SocketSession:
    sid: str
    token: str
    claims: Claims
    project: str | None = None
    # Items up to this append sequence were answered by initsync; pushes skip them.
    synced_seq: int = 0
    refresher: asyncio.Task | None = None


class SocketFeed:
    def __init__(self, sim: "Sim"):
        self._sim = sim
        self.sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*",
                                        logger=False, engineio_logger=False)
        self.sessions: dict[str, SocketSession] = {}
        self._queue: asyncio.Queue[LogEntry] = asyncio.Queue()
        self._pusher: asyncio.Task | None = None
        sim.log.listeners.append(self._queue.put_nowait)
        self.sio.on("connect", self._connect)
        self.sio.on("disconnect", self._disconnect)
        self.sio.on("initsync", self._initsync)

    def attach(self, app) -> None:
        self.sio.attach(app, socketio_path="sync/io")

    @property
    def connected(self) -> int:
        return len(self.sessions)

    def start(self) -> None:
        self._pusher = asyncio.get_running_loop().create_task(self._push_loop())

    async def close(self) -> None:
        await self.drop_all()  # clients see a clean disconnect, as on a server restart
        tasks = [s.refresher for s in self.sessions.values() if s.refresher] + \
            ([self._pusher] if self._pusher else [])
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.sio.shutdown()

    async def drop_all(self) -> int:
        sids = list(self.sessions)
        for sid in sids:
            await self.sio.disconnect(sid)
        return len(sids)

    # -- handlers -----------------------------------------------------------------------

    async def _connect(self, sid: str, environ: dict, auth=None) -> None:
        token = auth.get("JWT") if isinstance(auth, dict) else None
        claims = self._sim.tokens.verify(token) if isinstance(token, str) else None
        if claims is None or claims.user not in self._sim.store.users:
            self._sim.stats.refused_total += 1
            raise socketio.exceptions.ConnectionRefusedError("Permission denied")
        session = SocketSession(sid, token, claims)
        self.sessions[sid] = session
        self._sim.stats.connects_total += 1
        session.refresher = asyncio.get_running_loop().create_task(self._refresh_loop(session))

    async def _disconnect(self, sid: str, *reason) -> None:
        session = self.sessions.pop(sid, None)
        if session and session.refresher:
            session.refresher.cancel()

    async def _initsync(self, sid: str, data=None):
        session = self.sessions.get(sid)
        if session is None:
            return None
        settings = self._sim.settings
        try:
            project, items, more = sync_page(self._sim, session.claims.user,
                                             data if isinstance(data, dict) else {})
        except ApiError as err:
            payload = {"success": False, "result": {"code": err.code, "message": err.message,
                                                    "info": err.info}}
        else:
            # Subscribing and answering happen without an await in between, so no item
            # can fall between the answer and the first push.
            session.project = project
            session.synced_seq = self._sim.log.last_seq
            if settings.socket_payload == "list":
                payload = items
            else:
                payload = {"sync": items, **({"warning": MORE} if more else {})}
        if settings.socket_reply == "event":
            await self.sio.emit("initsync", payload, to=sid)
            return None
        return payload

    # -- pushing ------------------------------------------------------------------------

    async def _push_loop(self) -> None:
        while True:
            entry = await self._queue.get()
            for session in list(self.sessions.values()):
                if entry.seq <= session.synced_seq:
                    continue
                if entry.project is not None and entry.project != session.project:
                    continue
                if entry.project is None and not views.visibility(self._sim.store, session.claims.user)(entry):
                    continue
                payload = {"sync": [entry.item]} if self._sim.settings.socket_payload == "wrapped" \
                    else [entry.item]
                try:
                    await self.sio.emit("sync", payload, to=session.sid)
                except Exception:
                    log.exception("push to %s failed", session.sid)

    async def _refresh_loop(self, session: SocketSession) -> None:
        tokens, settings = self._sim.tokens, self._sim.settings
        while True:
            claims = session.claims
            wait = claims.iat + claims.lifetime / 2 - time.time()
            # Only a still-valid token is refreshed: after "expire all" the socket lives
            # on, but gets no new token.
            if settings.refresh_policy == "never" or wait > 0 or tokens.verify(session.token) is None:
                await asyncio.sleep(min(max(wait, 0.01), POLL) if wait > 0 else POLL)
                continue
            session.token = tokens.issue(claims.user, claims.project)
            session.claims = tokens.verify(session.token)
            payload = {"JWT": session.token} if settings.authorization_payload == "object" else session.token
            await self.sio.emit("authorization", payload, to=session.sid)
