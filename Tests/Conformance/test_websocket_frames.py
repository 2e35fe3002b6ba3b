"""Frames that break the rules or the limits: each is handled on its own connection, and
every other client goes on being served."""
import json
import time

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from bridgetest import Client, WebSocketConnection
from websockettest import RawWebSocket, bound_port, listening_url, metrics_text, start_websocket_bridge, wait_until

LIMIT = 64 * 1024
INITIALIZE = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize"})


@pytest.fixture(scope="module")
def bridge(simulator, tmp_path_factory):
    bridge = start_websocket_bridge(simulator, str(tmp_path_factory.mktemp("frames") / "state"),
                                    max_message_bytes=LIMIT, ping_interval_seconds=1, idle_timeout_seconds=3)
    yield bridge
    bridge.stop()


@pytest.fixture
def bystander(bridge):
    """A well-behaved subscriber that must not notice anything."""
    client = Client(WebSocketConnection(listening_url(bridge) + "/"))
    subscription = client.result("sync.subscribe", {"types": ["records"]})["subscription"]
    yield client, subscription
    client.connection.close()


def served(bystander, simulator):
    client, subscription = bystander
    changed = [i["cursor"] for i in simulator.change(2)["items"]]
    got = client.changes(subscription, lambda items: len(items) >= 2)
    return [i["cursor"] for i in got] == changed and "result" in client.request("bridge.status")


def test_oversize_message_closes_with_1009(bridge, bystander, simulator):
    with connect(listening_url(bridge) + "/", max_size=None, open_timeout=10, close_timeout=5) as ws:
        ws.send('{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"x": "' + "y" * LIMIT + '"}}')
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=10)
        assert ws.close_code == 1009
    # A message of exactly the limit is still fine.
    client = Client(WebSocketConnection(listening_url(bridge) + "/"))
    padding = "z" * (LIMIT - 200)
    reply = client.request("unicat.get", {"data_type": "definitions", "keys": [padding]})
    assert reply["result"]["missing"] == [padding]
    client.connection.close()
    assert served(bystander, simulator)


def test_oversize_fragmented_message_closes_early(bridge, bystander, simulator):
    raw = RawWebSocket(bound_port(bridge))
    chunk = b"x" * (LIMIT // 4)
    raw.send_frame(0x1, b'{"padding": "' + chunk, fin=False)
    for _ in range(5):
        raw.send_frame(0x0, chunk, fin=False)
    _, code = raw.read_until_close(timeout=10)
    raw.close()
    assert code == 1009
    assert served(bystander, simulator)


def test_binary_frame_closes_with_1003(bridge, bystander, simulator):
    with connect(listening_url(bridge) + "/", open_timeout=10) as ws:
        ws.send(INITIALIZE.encode())  # bytes: a binary frame
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=10)
        assert ws.close_code == 1003
    assert served(bystander, simulator)


def test_unmasked_client_frame_closes_with_1002(bridge, bystander, simulator):
    """RFC 6455 §5.1: a server must close the connection on a frame that is not masked."""
    raw = RawWebSocket(bound_port(bridge))
    raw.send_text(INITIALIZE)
    assert "result" in json.loads(raw.read_frame()[1])
    raw.send_frame(0x1, INITIALIZE.encode(), masked=False)
    messages, code = raw.read_until_close(timeout=10)
    raw.close()
    assert messages == [] and code == 1002
    # A masked first fragment does not excuse an unmasked continuation.
    raw = RawWebSocket(bound_port(bridge))
    raw.send_frame(0x1, INITIALIZE.encode()[:10], fin=False)
    raw.send_frame(0x0, INITIALIZE.encode()[10:], masked=False)
    messages, code = raw.read_until_close(timeout=10)
    raw.close()
    assert messages == [] and code == 1002
    assert served(bystander, simulator)


def test_invalid_utf8_is_a_parse_error_and_the_connection_survives(bridge, bystander, simulator):
    raw = RawWebSocket(bound_port(bridge))
    raw.send_text(b'{"jsonrpc": "2.0", "id": 1, "method": "initialize\xff\xfe"}')
    opcode, payload = raw.read_frame()
    assert opcode == 0x1 and json.loads(payload)["error"]["code"] == -32700
    raw.send_text(INITIALIZE)
    assert "result" in json.loads(raw.read_frame()[1])
    raw.close()
    assert served(bystander, simulator)


def test_fragmented_messages_are_joined(bridge, bystander, simulator):
    raw = RawWebSocket(bound_port(bridge))
    text = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "unicat.get",
                       "params": {"data_type": "definitions", "keys": ["k" * 20_000]}}).encode()
    pieces = [text[i:i + 1000] for i in range(0, len(text), 1000)]
    raw.send_frame(0x1, pieces[0], fin=False)
    for index, piece in enumerate(pieces[1:], 1):
        if index == 3:
            raw.send_frame(0x9, b"ping in the middle")  # control frames may interleave
        raw.send_frame(0x0, piece, fin=index == len(pieces) - 1)
    replies = []
    while not replies:
        opcode, payload = raw.read_frame()
        if opcode == 0x1:
            replies.append(json.loads(payload))
    assert replies[0]["id"] == 7 and replies[0]["result"]["missing"] == ["k" * 20_000]
    raw.close()
    assert served(bystander, simulator)


def test_ping_flood_is_absorbed(bridge, bystander, simulator):
    raw = RawWebSocket(bound_port(bridge))
    started = time.time()
    try:
        for _ in range(20_000):
            raw.send_frame(0x9, b"flood")
    except OSError:
        pass  # the bridge may cut the flooder off: fine too
    assert served(bystander, simulator)
    assert time.time() - started < 60
    raw.close()
    assert bridge.proc.poll() is None


def test_half_open_connection_is_dropped_after_the_idle_timeout(bridge, bystander, simulator):
    """A client that vanishes without a FIN (the raw socket just stops answering pings)."""
    base = listening_url(bridge).replace("ws://", "http://")
    before = connections(base)
    raw = RawWebSocket(bound_port(bridge))
    raw.send_text(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "sync.subscribe", "params": {}}))
    assert wait_until(lambda: connections(base) == before + 1, timeout=10)
    # It neither reads nor answers from now on; ping 1 s, idle 3 s: gone within seconds.
    assert wait_until(lambda: connections(base) == before, timeout=20), "the silent client was never dropped"
    assert served(bystander, simulator)
    raw.close()


def connections(base):
    for line in metrics_text(base).splitlines():
        if line.startswith("unicat_bridge_websocket_connections "):
            return int(line.split()[1])
    raise AssertionError("no connections gauge")
