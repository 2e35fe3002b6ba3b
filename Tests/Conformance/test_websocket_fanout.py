"""Fan-out at scale: 1,000 concurrent WebSocket subscribers each receive every change of a
burst, in order, exactly once."""
import asyncio
import json
import resource
import time

import pytest
from websockets.asyncio.client import connect

from websockettest import listening_url, start_websocket_bridge

SUBSCRIBERS = 1000
BURSTS, PER_BURST = 5, 20


@pytest.fixture
def many_files():
    """Room for 1,000 sockets on each side (the bridge inherits the raised limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, 8192))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    if wanted < 2 * SUBSCRIBERS + 200:
        pytest.skip(f"the open-file limit ({hard}) is too low for {SUBSCRIBERS} subscribers")
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


async def subscriber(url, ready, handshakes):
    async with handshakes:
        ws = await connect(url, open_timeout=60, ping_interval=None, compression=None, max_size=None)
        await ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "sync.subscribe",
                                  "params": {"types": ["records"]}}))
        while True:
            reply = json.loads(await ws.recv())
            if reply.get("id") == 1:
                break
    ready()
    return ws, reply["result"]["subscription"]


async def collect(ws, subscription, expected):
    cursors = []
    while len(cursors) < expected:
        message = json.loads(await ws.recv())
        if message.get("method") == "sync.changes" and message["params"]["subscription"] == subscription:
            cursors += [item["cursor"] for item in message["params"]["items"]]
    await ws.close()
    return cursors


def test_thousand_subscribers_each_get_every_change_once_in_order(simulator, tmp_path, many_files):
    bridge = start_websocket_bridge(simulator, str(tmp_path / "state"), max_connections=SUBSCRIBERS + 100,
                                    max_connections_per_ip=SUBSCRIBERS + 100, max_handshakes_per_ip=100)
    try:
        url = listening_url(bridge) + "/"

        async def run():
            handshakes = asyncio.Semaphore(100)
            connected = []
            clients = await asyncio.wait_for(asyncio.gather(
                *[subscriber(url, lambda: connected.append(1), handshakes) for _ in range(SUBSCRIBERS)]), 120)
            started = time.time()
            expected = []
            for _ in range(BURSTS):
                burst = await asyncio.to_thread(simulator.change, PER_BURST)
                expected += [item["cursor"] for item in burst["items"]]
            results = await asyncio.wait_for(asyncio.gather(
                *[collect(ws, subscription, len(expected)) for ws, subscription in clients]), 120)
            return expected, results, time.time() - started

        expected, results, elapsed = asyncio.run(run())
        assert len(results) == SUBSCRIBERS
        assert all(cursors == expected for cursors in results), "every subscriber: every change, in order, once"
        assert elapsed < 120
        assert bridge.proc.poll() is None
    finally:
        bridge.stop()
