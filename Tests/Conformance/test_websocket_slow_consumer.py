"""A subscriber that stops reading: its queue stays bounded (and so does the bridge's
memory), it is sent `sync.reset {reason: slow_consumer}` and closed with 4008, and
healthy subscribers are served throughout."""
import json

from bridgetest import Client, WebSocketConnection
from websockettest import RawWebSocket, bound_port, listening_url, start_websocket_bridge

SLOW_CONSUMER_CLOSE_CODE = 4008


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_stalled_reader_is_reset_and_closed_and_memory_stays_bounded(simulator, tmp_path):
    # The message bound is the one a stalled reader reaches; the byte bound stays far above
    # the largest notification (a healthy client's queue must hold any single message).
    bridge = start_websocket_bridge(simulator, str(tmp_path / "state"), queue_max_messages=100,
                                    queue_max_bytes=8 << 20, close_timeout_seconds=30)
    try:
        url = listening_url(bridge)
        healthy = Client(WebSocketConnection(url + "/"))
        healthy_subscription = healthy.result("sync.subscribe", {"types": ["records"], "include_objects": True})["subscription"]
        stalled = RawWebSocket(bound_port(bridge), receive_buffer=4096)
        stalled.send_text(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "sync.subscribe",
                                      "params": {"types": ["records"], "include_objects": True}}))
        baseline = rss_kib(bridge.proc.pid)

        # The stalled client reads nothing from here on; changes keep coming.
        cursors = []
        for _ in range(400):
            cursors += [item["cursor"] for item in simulator.change(25)["items"]]
            if "slow consumer" in bridge.log:
                break
        bridge.wait_for_log("slow consumer")
        grown = rss_kib(bridge.proc.pid) - baseline
        assert grown < 96 * 1024, f"the bridge grew by {grown} KiB for one stalled reader"

        # Reading again within the close timeout, it finds what was queued, the reset, then 4008.
        messages, code = stalled.read_until_close(timeout=60)
        stalled.close()
        notifications = [json.loads(message) for message in messages]
        resets = [n for n in notifications if n.get("method") == "sync.reset"]
        assert resets and resets[-1]["params"]["reason"] == "slow_consumer"
        assert resets[-1]["params"]["position"]["epoch"]
        assert code == SLOW_CONSUMER_CLOSE_CODE

        cursors += [item["cursor"] for item in simulator.change(20)["items"]]
        got = healthy.changes(healthy_subscription, lambda items: len(items) >= len(cursors), timeout=120)
        assert [item["cursor"] for item in got] == cursors, "the healthy subscriber got every change, in order, once"
        assert healthy.result("bridge.status")["subscribers"]["slow_consumers_dropped"] >= 1
        healthy.connection.close()
    finally:
        bridge.stop()
