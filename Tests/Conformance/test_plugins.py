"""The plugin ABI: a plugin written in C relays, incompatible plugins are refused, and a
client that stops reading is cut off without costing anyone else anything."""
import os
import socket
import subprocess

from bridgetest import Bridge, Client, UnixLineConnection
from conftest import start_bridge


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def c_plugin_config(state_dir):
    path = os.path.join(os.path.dirname(state_dir), "echo.sock")
    return path, {"transports": {"loopback": {"library": "libCEchoPlugin.so", "path": path}}}


def test_plugin_written_in_c_loads_and_relays(simulator, state_dir):
    path, config = c_plugin_config(state_dir)
    bridge, stdio = start_bridge(simulator, state_dir, "stdio-ndjson", extra_config=config)
    try:
        client = Client(UnixLineConnection(path))
        assert client.result("initialize")["server"]["name"] == "unicat-bridge"
        subscription = client.result("sync.subscribe", {"types": ["records"]})["subscription"]
        changed = simulator.change(3)
        items = client.changes(subscription, lambda got: len(got) >= 3)
        assert [i["cursor"] for i in items] == [i["cursor"] for i in changed["items"]]
        client.connection.close()
    finally:
        stdio.connection.close()
        bridge.stop()


def refused(simulator, state_dir, library):
    bridge = Bridge(simulator, state_dir, config={"transports": {"broken": {"library": library}}}, stdio=False)
    try:
        status = bridge.proc.wait(60)
    except subprocess.TimeoutExpired:
        bridge.stop()
        raise
    log = bridge.log
    bridge.stop()
    return status, log


def test_wrong_major_version_is_refused_naming_both_versions(simulator, state_dir):
    status, log = refused(simulator, state_dir, "libWrongMajorPlugin.so")
    assert status == 4
    assert "built for plugin ABI 99." in log and "this bridge speaks ABI 1.3" in log


def test_short_descriptor_is_refused(simulator, state_dir):
    status, log = refused(simulator, state_dir, "libShortStructPlugin.so")
    assert status == 4
    assert "declares a descriptor of" in log and "needs at least" in log


def test_missing_plugin_is_a_clear_start_up_error(simulator, state_dir):
    status, log = refused(simulator, state_dir, "libNoSuchPlugin.so")
    assert status == 4
    assert "libNoSuchPlugin.so does not exist" in log


def test_slow_consumer_is_reset_and_others_are_unaffected(simulator, state_dir):
    path, config = c_plugin_config(state_dir)
    bridge, healthy = start_bridge(simulator, state_dir, "stdio-ndjson", extra_config=config)
    try:
        slow = Client(UnixLineConnection(path))
        slow_subscription = slow.result("sync.subscribe", {"types": ["records"], "include_objects": True})["subscription"]
        healthy_subscription = healthy.result("sync.subscribe", {"types": ["records"], "include_objects": True})["subscription"]
        # The slow client stops reading; changes keep coming.
        slow.connection.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow.connection.pause()
        cursors = []
        for _ in range(12):
            cursors += [i["cursor"] for i in simulator.change(250)["items"]]
            if "slow consumer" in bridge.log:
                break
        bridge.wait_for_log("slow consumer")
        assert rss_kib(bridge.proc.pid) < 512 * 1024, "the bridge's memory stays bounded"
        # Reading again (within the transport's close timeout), the slow client finds what
        # was queued, then the reset, then the end of the connection.
        slow.connection.resume()
        messages = []
        while True:
            try:
                messages.append(slow.connection.recv(timeout=30))
            except ConnectionError:
                break
        resets = [m for m in messages if m.get("method") == "sync.reset"]
        assert resets and resets[-1]["params"]["reason"] == "slow_consumer"
        assert resets[-1]["params"]["position"]["epoch"]
        cursors += [i["cursor"] for i in simulator.change(50)["items"]]
        got = healthy.changes(healthy_subscription, lambda items: len(items) >= len(cursors), timeout=120)
        assert [i["cursor"] for i in got] == cursors, "the healthy subscriber got every change, in order, once"
        status = healthy.result("bridge.status")
        assert status["subscribers"]["slow_consumers_dropped"] >= 1
    finally:
        healthy.connection.close()
        bridge.stop()
