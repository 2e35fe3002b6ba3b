"""socket.io at /sync/io: connect auth, initsync (ack/event, list/wrapped), sync pushes,
authorization refreshes, drops and expire-all."""

from __future__ import annotations

import asyncio
from collections import defaultdict

import aiohttp
import pytest
import socketio

from conftest import Api


class Socket:
    """A python-socketio client that records every server event."""

    def __init__(self, **client_options):
        self.client = socketio.AsyncClient(reconnection=False, **client_options)
        self.events: dict[str, asyncio.Queue] = defaultdict(asyncio.Queue)
        self.client.on("*", self._record)
        self.client.on("connect_error", self._connect_error)
        self.connect_errors = []

    async def _record(self, event, data=None):
        await self.events[event].put(data)

    async def _connect_error(self, data=None):
        self.connect_errors.append(data)

    async def connect(self, url: str, token, transports=("websocket",)) -> None:
        await self.client.connect(url, socketio_path="/sync/io", auth={"JWT": token},
                                  transports=list(transports), wait_timeout=5)

    async def next(self, event: str, timeout: float = 3.0):
        return await asyncio.wait_for(self.events[event].get(), timeout)

    async def nothing(self, event: str, wait: float = 0.3) -> bool:
        await asyncio.sleep(wait)
        return self.events[event].empty()

    async def close(self):
        await self.client.disconnect()


@pytest.fixture
async def sockets():
    made: list[Socket] = []

    def make(**options) -> Socket:
        made.append(Socket(**options))
        return made[-1]

    yield make
    for s in made:
        await s.close()


async def initsync_body(api: Api, back: int = 0) -> dict:
    cursors = await api.control("/cursors")
    return {"cc_cursor": cursors["cc.cursor"], "project": api.project, "cursor": cursors["cursor"] - back}


async def test_connect_refused_for_bad_tokens(api, sockets):
    before = (await api.control("/stats"))["socketio"]
    for token in ["garbage", None, api.token[:-4] + "abcd"]:
        s = sockets()
        with pytest.raises(socketio.exceptions.ConnectionError):
            await s.connect(api.sim.url, token)
        assert s.connect_errors == [{"message": "Permission denied"}]
    after = (await api.control("/stats"))["socketio"]
    assert after["refused_total"] - before["refused_total"] == 3
    assert after["connects_total"] == before["connects_total"]


async def test_initsync_ack_and_sync_push(api, sockets):
    s = sockets()
    await s.connect(api.sim.url, api.token)
    body = await initsync_body(api, back=3)
    reply = await s.client.call("initsync", body, timeout=5)
    assert list(reply) == ["sync"] and [i["cursor"] for i in reply["sync"]] == \
        [body["cursor"] + 1, body["cursor"] + 2, body["cursor"] + 3]
    made = (await api.control("/changes", {"count": 2}))["items"]
    assert [await s.next("sync"), await s.next("sync")] == [[made[0]], [made[1]]]
    stats = (await api.control("/stats"))["socketio"]
    assert stats["connected"] >= 1


async def test_initsync_warning_and_list_payload(api, sockets):
    await api.control("/settings", {"page_size": 2})
    s = sockets()
    await s.connect(api.sim.url, api.token)
    body = await initsync_body(api, back=3)
    reply = await s.client.call("initsync", body, timeout=5)
    assert reply["warning"] == "more sync data available" and len(reply["sync"]) == 2
    await api.control("/settings", {"socket_payload": "list"})
    reply = await s.client.call("initsync", body, timeout=5)
    assert isinstance(reply, list) and len(reply) == 2
    made = (await api.control("/changes", {"count": 1}))["items"]
    assert await s.next("sync") == made
    await api.control("/settings", {"socket_payload": "wrapped"})
    made = (await api.control("/changes", {"count": 1}))["items"]
    assert await s.next("sync") == {"sync": made}


async def test_initsync_as_event(api, sockets):
    await api.control("/settings", {"socket_reply": "event"})
    s = sockets()
    await s.connect(api.sim.url, api.token)
    body = await initsync_body(api, back=1)
    await s.client.emit("initsync", body)
    reply = await s.next("initsync")
    assert [i["cursor"] for i in reply["sync"]] == [body["cursor"] + 1]


async def test_initsync_errors(api, sockets):
    s = sockets()
    await s.connect(api.sim.url, api.token)
    reply = await s.client.call("initsync", {"cc_cursor": "x"}, timeout=5)
    assert reply == {"success": False, "result": {"code": 400, "message": "Bad request",
                                                  "info": {"Invalid parameter": "cc_cursor"}}}
    other = (await api.control("/credentials"))["other_project"]
    reply = await s.client.call("initsync", {"cc_cursor": 0, "project": other, "cursor": 0}, timeout=5)
    assert reply["result"]["code"] == 403


async def test_project_items_only_after_initsync_cc_items_always(api, sockets):
    quiet, subscribed = sockets(), sockets()
    await quiet.connect(api.sim.url, api.token)
    await subscribed.connect(api.sim.url, api.token)
    await subscribed.client.call("initsync", await initsync_body(api), timeout=5)
    made = (await api.control("/changes", {"count": 1}))["items"]
    assert await subscribed.next("sync") == made
    assert await quiet.nothing("sync")
    cc = (await api.control("/changes", {"count": 1, "data_type": "cc.users"}))["items"]
    assert cc[0]["type"] == "cc"
    assert await quiet.next("sync") == cc and await subscribed.next("sync") == cc


async def test_authorization_push(api, sockets):
    await api.control("/settings", {"jwt_ttl": 1.0})
    await api.auth()
    s = sockets()
    await s.connect(api.sim.url, api.token)
    pushed = await s.next("authorization", timeout=2)
    assert set(pushed) == {"JWT"} and pushed["JWT"] != api.token
    assert (await api.call("records/root", token=pushed["JWT"])).status == 200
    await api.control("/settings", {"authorization_payload": "string"})
    second = await s.next("authorization", timeout=2)
    assert isinstance(second, str) and second != pushed["JWT"]


async def test_expire_all_keeps_sockets_but_blocks_reconnects(api, sockets):
    s = sockets()
    await s.connect(api.sim.url, api.token)
    await s.client.call("initsync", await initsync_body(api), timeout=5)
    await api.control("/jwt/expire-all", {})
    made = (await api.control("/changes", {"count": 1}))["items"]
    assert await s.next("sync") == made  # still connected and fed
    again = sockets()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await again.connect(api.sim.url, api.token)


async def test_drop_disconnects_everyone(api, sockets):
    s1, s2 = sockets(), sockets()
    await s1.connect(api.sim.url, api.token)
    await s2.connect(api.sim.url, api.token, transports=("polling",))
    dropped = (await api.control("/socketio/drop", {}))["dropped"]
    assert dropped >= 2
    for _ in range(50):
        if not s1.client.connected and not s2.client.connected:
            break
        await asyncio.sleep(0.05)
    assert not s1.client.connected and not s2.client.connected
    assert (await api.control("/stats"))["socketio"]["connected"] == 0


async def test_cli_switches(start_sim, sockets):
    sim = start_sim("--socket-reply", "event", "--socket-payload", "wrapped", "--authorization-payload",
                    "string", "--refresh-policy", "always", "--error-401-shape", "error", "--jwt-ttl", "1")
    async with aiohttp.ClientSession() as session:
        api = Api(sim, session)
        await api.auth()
        settings = await api.control("/settings")
        assert (settings["socket_reply"], settings["socket_payload"], settings["authorization_payload"],
                settings["refresh_policy"], settings["error_401_shape"], settings["jwt_ttl"]) == \
            ("event", "wrapped", "string", "always", "error", 1.0)
        r = await api.call("records/root")
        assert "Authorization" in r.headers  # always
        r = await api.call("records/root", token="bad")
        assert r.status == 401 and r.body["error"]["code"] == 401 and r.body["data"] is None
        s = sockets()
        await s.connect(sim.url, api.token)
        await s.client.emit("initsync", await initsync_body(api, back=1))
        assert len((await s.next("initsync"))["sync"]) == 1
        made = (await api.control("/changes", {"count": 1}))["items"]
        assert await s.next("sync") == {"sync": made}
        assert isinstance(await s.next("authorization", timeout=2), str)
