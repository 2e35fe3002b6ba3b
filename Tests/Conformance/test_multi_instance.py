"""Several bridge instances behind a real load balancer (HAProxy from Debian, configured by
deploy/multi-instance/haproxy-config): subscribers spread over the instances, an instance
killed mid-stream loses its subscribers to the others without a gap or a duplicate, and
upstream load follows the number of instances, not of subscribers."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import types

import pytest

from bridgetest import Client, Simulator, WebSocketConnection
import balancertest
from balancertest import HAProxy, Subscriber
import websockettest

ARTIFACTS = os.path.join(os.path.dirname(__file__), "artifacts")


@pytest.fixture
def cluster():
    """A simulator, two bridges following its project, HAProxy in front of them."""
    simulator = Simulator()
    directory = tempfile.mkdtemp(prefix="conformance-multi-")
    bridges, haproxy = [], None
    try:
        bridges = [balancertest.start_instance(simulator, directory, f"bridge{n}") for n in (1, 2)]
        for bridge in bridges:
            balancertest.wait_healthy(bridge)
        haproxy = HAProxy([balancertest.address(bridge) for bridge in bridges])
        haproxy.wait_for_status({"bridge1": "UP", "bridge2": "UP"})
        yield simulator, bridges, haproxy, directory
    finally:
        if haproxy:
            haproxy.stop()
        for bridge in bridges:
            bridge.stop()
        simulator.stop()
        shutil.rmtree(directory, ignore_errors=True)


def test_the_shipped_haproxy_cfg_is_the_generators_output_and_valid():
    binary = balancertest.haproxy_binary()
    expected = balancertest.haproxy_config(["127.0.0.1:8081", "127.0.0.1:8082", "127.0.0.1:8083"],
                                           "127.0.0.1:8080", "127.0.0.1:8404")
    with open(balancertest.SHIPPED_HAPROXY_CFG) as handle:
        assert handle.read() == expected, "regenerate deploy/multi-instance/haproxy.cfg with haproxy-config"
    check = subprocess.run([binary, "-c", "-f", balancertest.SHIPPED_HAPROXY_CFG], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def instance_of(subscriber, bridges):
    """Which bridge the subscriber's connection reached: the only one holding a WebSocket."""
    counts = {}
    deadline = time.time() + 10
    while time.time() < deadline:
        counts = {index: balancertest.websocket_connections(bridge) for index, bridge in enumerate(bridges)
                  if bridge.proc.poll() is None}
        holding = [index for index, count in counts.items() if count > 0]
        if len(holding) == 1 and counts[holding[0]] == 1:
            return holding[0]
        time.sleep(0.1)
    raise AssertionError(f"cannot tell which instance holds the subscriber: WebSocket connections {counts}")


def position_text(position):
    return f"{position['epoch']}:{position['cc_cursor']}:{position['cursor']}" if position else "none"


def test_a_subscriber_moves_to_the_other_instance_without_gap_or_duplicate(cluster):
    simulator, bridges, haproxy, directory = cluster
    simulator.control("/settings", {"activity": 20})
    subscriber = Subscriber(haproxy.url)
    on = instance_of(subscriber, bridges)
    subscriber.subscribe()
    subscriber.receive(lambda s: len(s.items) >= 30)
    before_kill = len(subscriber.items)

    # Mid-stream: the instance holding the subscriber dies at once.
    victim, survivor = bridges[on], bridges[1 - on]
    victim_name, survivor_name = f"bridge{on + 1}", f"bridge{2 - on}"
    balancertest.kill(victim)
    # Until its health checks fail, HAProxy still picks the dead instance for some new
    # connections (leastconn: it holds none); refused there, they are redispatched.
    probes = [WebSocketConnection(haproxy.url + "/") for _ in range(2)]
    victim_row = haproxy.servers()[victim_name]
    assert int(victim_row["wredis"]) >= 1 or not victim_row["status"].startswith("UP"), victim_row
    for probe in probes:
        probe.close()
    subscriber.receive_until_closed(timeout=15)
    position_at_drop = subscriber.position

    # It reconnects through the balancer at once, and lands on the survivor.
    subscriber.connect()
    assert instance_of(subscriber, bridges) == 1 - on, "the balancer sent the reconnect to the live instance"
    # The health checks (GET /healthz) take the dead instance out of the rotation.
    haproxy.wait_for_status({victim_name: "DOWN", survivor_name: "UP"}, timeout=15)

    resumed = subscriber.subscribe(since=position_at_drop)
    subscriber.receive(lambda s: len(s.items) >= before_kill + 30 or s.resets, timeout=30)

    # The dead instance comes back (same state directory, same port): once its /healthz
    # passes twice, HAProxy puts it back in the rotation.
    bridges[on] = balancertest.start_instance(simulator, directory, victim_name, listen=balancertest.address(victim))
    haproxy.wait_for_status({victim_name: "UP", survivor_name: "UP"}, timeout=30)

    # Activity stops at a known point (the simulator makes its changes whole, between
    # requests); the subscriber catches up to the simulator's last cursors.
    simulator.control("/settings", {"activity": 0})
    final = simulator.control("/cursors")
    subscriber.receive(lambda s: s.reached(final), timeout=30)

    if subscriber.resets:
        reset = subscriber.resets[0]
        why = ""
        if reset["reason"] == "epoch_changed" and reset["position"]["epoch"] != position_at_drop["epoch"]:
            why = (f": the instances do not share an epoch ({position_at_drop['epoch']} on {victim_name}, "
                   f"{reset['position']['epoch']} on {survivor_name}), so a position from one is not accepted "
                   f"by the other. Positions must carry over between instances following the same project (issue 10)")
        raise AssertionError(
            f"resuming on the other instance gave sync.reset {reset['reason']!r} instead of a replay "
            f"(sync.subscribe since={position_text(position_at_drop)} answered position "
            f"{position_text(resumed['position'])}, recovered={resumed['recovered']}){why}")
    assert resumed["recovered"] is True, resumed

    start = subscriber.start
    log = simulator.control(f"/log?cc_cursor={start['cc_cursor']}&cursor={start['cursor']}")
    expected = [(entry["item"]["type"], entry["item"]["cursor"]) for entry in log["entries"]]
    received = [(item["type"], item["cursor"]) for item in subscriber.items]
    duplicates = sorted({key for key in received if received.count(key) > 1})
    missing = sorted(set(expected) - set(received))
    extra = sorted(set(received) - set(expected))
    assert not duplicates, f"received twice: {duplicates}"
    assert not missing, f"gap: never received {missing} (position at the drop {position_text(position_at_drop)})"
    assert not extra, f"received items not in the simulator's log: {extra}"
    for stream in ("cc", "project"):
        assert [k for k in received if k[0] == stream] == [k for k in expected if k[0] == stream], \
            f"{stream} items out of order"
    assert len(expected) >= 60, f"only {len(expected)} changes: the test did not exercise much"


def upstream_figures(simulator, status_clients):
    stats = simulator.control("/stats")
    return {"simulator": stats["requests_total"], "endpoints": stats["requests"],
            "instances": [client.result("bridge.status")["upstream"]["requests"] for client in status_clients],
            "cursor": simulator.control("/cursors")["cursor"]}


def test_upstream_load_grows_with_instances_not_subscribers(cluster):
    """Upstream requests over a fixed window with 1, 2 (one per instance) and 50 subscribers,
    all asking for objects (include_objects), through the balancer."""
    simulator, bridges, haproxy, _ = cluster
    window, rate = 6.0, 10
    # bridge.status of each instance, asked directly (not through the balancer).
    status_clients = [Client(websockettest.connect(bridge, "ws")) for bridge in bridges]
    subscribers = []
    simulator.control("/settings", {"activity": rate})
    try:
        results = {}
        for count in (1, 2, 50):
            while len(subscribers) < count:
                subscriber = Subscriber(haproxy.url, include_objects=True)
                subscriber.subscribe()
                subscribers.append(subscriber)
            time.sleep(1)  # let connecting settle before the window opens
            before = upstream_figures(simulator, status_clients)
            time.sleep(window)
            after = upstream_figures(simulator, status_clients)
            results[count] = {
                "subscribers": count, "window_seconds": window, "changes": after["cursor"] - before["cursor"],
                "simulator_requests": after["simulator"] - before["simulator"],
                "instance_requests": [a - b for a, b in zip(after["instances"], before["instances"])],
                "simulator_requests_by_endpoint": {
                    key: n - before["endpoints"].get(key, 0) for key, n in sorted(after["endpoints"].items())
                    if n > before["endpoints"].get(key, 0)},
                "subscribers_per_instance": [balancertest.websocket_connections(bridge) - 1 for bridge in bridges],
            }
            # Every subscriber is live: it has been sent the changes up to the window's end.
            mark = {"cc.cursor": 0, "cursor": after["cursor"]}
            for subscriber in subscribers:
                subscriber.receive(lambda s: s.reached(mark), timeout=30)
                assert not subscriber.resets, subscriber.resets
    finally:
        simulator.control("/settings", {"activity": 0})
        for subscriber in subscribers:
            subscriber.close()
        for client in status_clients:
            client.connection.close()

    os.makedirs(ARTIFACTS, exist_ok=True)
    with open(os.path.join(ARTIFACTS, "multi-instance-upstream-load.json"), "w") as handle:
        json.dump(list(results.values()), handle, indent=2)
    print(f"\nupstream load, 2 instances behind HAProxy, activity {rate} changes/s, include_objects:")
    for figures in results.values():
        print("  {subscribers:>2} subscribers ({subscribers_per_instance} per instance): {changes} changes in "
              "{window_seconds:.0f} s, {simulator_requests} upstream requests (per instance {instance_requests}): "
              "{simulator_requests_by_endpoint}".format(**figures))

    two, fifty = results[2], results[50]
    assert two["subscribers_per_instance"] == [1, 1], f"leastconn spread 2 subscribers as {two['subscribers_per_instance']}"
    assert all(n >= 20 for n in fifty["subscribers_per_instance"]), \
        f"leastconn spread 50 subscribers as {fifty['subscribers_per_instance']}"
    assert min(figures["changes"] for figures in results.values()) >= rate * window / 2, "activity did not run"
    assert fifty["simulator_requests"] <= 1.5 * two["simulator_requests"] + 20, \
        f"upstream requests grew with subscribers: {two['simulator_requests']} with 2, {fifty['simulator_requests']} with 50"
    for instance, (with_one, with_many) in enumerate(zip(two["instance_requests"], fifty["instance_requests"]), 1):
        assert with_many <= 1.5 * with_one + 10, \
            f"bridge{instance}: {with_one} upstream requests with 1 subscriber, {with_many} with 25"


def test_the_balancer_limits_connections_per_client_address(cluster):
    """The bridges see every connection coming from HAProxy, so HAProxy applies the
    per-address limit (haproxy-config --max-connections-per-client)."""
    _, bridges, _, _ = cluster
    haproxy = HAProxy([balancertest.address(bridge) for bridge in bridges], max_connections_per_client=3)
    subscribers = []
    try:
        haproxy.wait_for_status({"bridge1": "UP", "bridge2": "UP"})
        subscribers = [Subscriber(haproxy.url) for _ in range(3)]
        for subscriber in subscribers:
            assert subscriber.client.result("bridge.status")["server"]["name"] == "unicat-bridge"
        with pytest.raises(Exception):
            WebSocketConnection(haproxy.url + "/")  # a 4th at once: refused
        subscribers.pop().close()
        assert websockettest.wait_until(lambda: _connects(haproxy.url), timeout=10), "a 4th once one closed"
    finally:
        for subscriber in subscribers:
            subscriber.close()
        haproxy.stop()


def _connects(url):
    try:
        connection = WebSocketConnection(url + "/")
    except Exception:
        return False
    connection.close()
    return True


def test_an_instance_without_unicat_gets_no_new_subscribers(cluster):
    """/healthz answers 503 while a bridge is not connected to Unicat: HAProxy's checks
    keep such an instance out of the rotation."""
    simulator, bridges, _, directory = cluster
    unreachable = types.SimpleNamespace(url=f"http://127.0.0.1:{balancertest.free_port()}", project=simulator.project,
                                        api_key=simulator.api_key)
    stranded = balancertest.start_instance(unreachable, directory, "bridge3")
    haproxy, subscribers = None, []
    try:
        assert websockettest.http_get(websockettest.http_url(stranded) + "/healthz")[0] == 503
        haproxy = HAProxy([balancertest.address(bridge) for bridge in (*bridges, stranded)])
        haproxy.wait_for_status({"bridge1": "UP", "bridge2": "UP", "bridge3": "DOWN"})
        row = haproxy.servers()["bridge3"]
        assert (row["check_status"], row["check_code"]) == ("L7STS", "503"), row
        subscribers = [Subscriber(haproxy.url) for _ in range(6)]
        for subscriber in subscribers:
            subscriber.client.result("bridge.status")
        assert balancertest.websocket_connections(stranded) == 0
        assert [balancertest.websocket_connections(bridge) for bridge in bridges] == [3, 3]
    finally:
        for subscriber in subscribers:
            subscriber.close()
        if haproxy:
            haproxy.stop()
        stranded.stop(signal.SIGKILL)  # it is not what this test is about, and SIGTERM waits out its retries
