"""What one client can cost everyone else: large messages are handled off the path that
serves subscribers, the bytes of requests waiting per client are bounded, answers are
bounded in size, and `unicat.get` is bounded in the upstream requests it makes."""
import json
import os
import socket
import threading
import time

import pytest

from bridgetest import Bridge, Client, UnixLineConnection
from websockettest import connect, listening_url, websocket_section

MIB = 1 << 20


def bridge_with(simulator, state_dir, unix=None, websocket=None, extra=None):
    """A bridge serving a Unix socket (and a WebSocket listener with `websocket`)."""
    path = os.path.join(os.path.dirname(state_dir), "bridge.sock")
    transports = {"unix": {"path": path, **(unix or {})}}
    if websocket is not None:
        transports["websocket"] = websocket_section("ws", **websocket)
    bridge = Bridge(simulator, state_dir, config={"transports": transports, **(extra or {})}, stdio=False)
    if websocket is not None:
        listening_url(bridge)
    return bridge, path


def unix_client(path):
    client = Client(UnixLineConnection(path))
    client.ready_status()
    return client


def delivery_latency(simulator, subscriber, subscription):
    """Seconds from a change at Unicat to its `sync.changes` at the subscriber."""
    started = time.monotonic()
    cursor = simulator.change(1)["items"][0]["cursor"]
    subscriber.changes(subscription, lambda items: any(i["cursor"] == cursor for i in items), timeout=60)
    return time.monotonic() - started


def many_tiny_values(count):
    """An `initialize` whose client description is `count` empty objects: the costliest
    kind of message to parse for its size."""
    return (b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"client":{"a":['
            + b"{}," * (count - 1) + b'{}]}}}')


def send_over_unix(path, message, times):
    """Sends `message` `times` times on one connection; how many were answered."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(path)
        for _ in range(times):
            connection.sendall(message + b"\n")
        received = b""
        while received.count(b"\n") < times:
            chunk = connection.recv(65536)
            if not chunk:
                break
            received += chunk
        return received.count(b'"protocol_version":1')


def send_over_websocket(bridge, message, times):
    client = Client(connect(bridge, "ws"))
    try:
        for _ in range(times):
            client.connection.send_raw(message)
        return sum("result" in client.next_message(timeout=300) for _ in range(times))
    finally:
        client.connection.close()


@pytest.mark.parametrize("hostile_transport", ["unix", "ws"])
def test_large_messages_do_not_stall_another_subscriber(simulator, state_dir, hostile_transport):
    """Four clients each sending large messages of tiny values (three of 3 MB over the Unix
    socket, twelve of 1 MB over WebSocket, whose limit is 1 MiB) while a WebSocket subscriber is
    served: its delivery latency stays small (it took seconds when they were parsed on the
    threads delivery needs)."""
    bridge, path = bridge_with(simulator, state_dir, websocket={})
    try:
        subscriber = Client(connect(bridge, "ws"))
        subscription = subscriber.result("sync.subscribe", {"types": ["records"]})["subscription"]
        quiet = max(delivery_latency(simulator, subscriber, subscription) for _ in range(5))

        if hostile_transport == "unix":
            message, times = many_tiny_values(1_000_000), 3
            send = lambda: send_over_unix(path, message, times)  # noqa: E731
        else:
            message, times = many_tiny_values(340_000), 12
            assert len(message) < MIB
            send = lambda: send_over_websocket(bridge, message, times)  # noqa: E731
        answered = []
        threads = [threading.Thread(target=lambda: answered.append(send()), daemon=True) for _ in range(4)]
        for thread in threads:
            thread.start()
        latencies = []
        deadline = time.monotonic() + 300
        while any(thread.is_alive() for thread in threads) and time.monotonic() < deadline:
            latencies.append(delivery_latency(simulator, subscriber, subscription))
            time.sleep(0.1)
        for thread in threads:
            thread.join(30)
        assert answered == [times] * 4, "every hostile message was still answered"
        assert latencies, "changes were delivered while the large messages were handled"
        assert max(latencies) < max(1.5, 10 * quiet), (quiet, latencies)
    finally:
        bridge.stop()


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def test_the_connections_of_one_peer_share_a_budget(simulator, state_dir):
    """Five Unix connections of one uid, each with a call held upstream and 30 MiB behind it
    (within one connection's 32 MiB): together past the peer's 128 MiB, one is cut off, so
    opening more connections does not multiply what a client can make the bridge hold."""
    bridge, path = bridge_with(simulator, state_dir, unix={"max_message_bytes": 2 * MIB})
    simulator.control("/faults", {"match": "/api/p/{gid}/records/children", "status": None, "delay": 20, "count": 5})
    clients = [unix_client(path) for _ in range(5)]
    try:
        root = clients[0].result("unicat.call", {"endpoint": "records/root"})["result"]["root"]
        padding = "x" * (MIB - 1024)
        before = rss_bytes(bridge.proc.pid)
        refused = []

        def flood(client):
            try:
                client.connection.send_json({"jsonrpc": "2.0", "id": "held", "method": "unicat.call",
                                             "params": {"endpoint": "records/children", "params": {"record": root}}})
                for index in range(30):
                    client.connection.send_json({"jsonrpc": "2.0", "id": index, "method": "initialize",
                                                 "params": {"client": {"pad": padding}}})
                message = client.next_message(timeout=15)
                if message.get("error", {}).get("code") == -32004:
                    refused.append(message["error"]["message"])
            except Exception:  # noqa: BLE001 - cut off part way, or nothing came back yet
                pass

        senders = [threading.Thread(target=flood, args=(client,), daemon=True) for client in clients]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(60)
        # The refused client may be cut off before it reads its error: the log tells.
        assert f"waiting for answers from uid {os.getuid()} over all its connections: disconnecting" in bridge.log, bridge.log[-3000:]
        assert all(m.endswith(f"from uid {os.getuid()} over all its connections") for m in refused), refused
        growth = rss_bytes(bridge.proc.pid) - before
        assert growth < 160 * MIB, f"the bridge grew by {growth // MIB} MiB"
        # Another client of the same uid is served once the others' requests are answered or gone.
        assert unix_client(path).result("bridge.status")["position"]
    finally:
        simulator.control("/faults/clear", {})
        for client in clients:
            client.connection.close()
        bridge.stop()


@pytest.mark.parametrize("transport", ["unix", "ws"])
def test_bytes_waiting_behind_a_slow_request_are_bounded(simulator, state_dir, transport):
    """One call held upstream, then 80 requests of about 1 MiB on the same connection: past
    the bytes a client may have waiting (32 MiB by default) it gets -32004 and is
    disconnected, and the bridge never holds much more than that."""
    bridge, path = bridge_with(simulator, state_dir, unix={"max_message_bytes": 2 * MIB}, websocket={})
    simulator.control("/faults", {"match": "/api/p/{gid}/records/children", "status": None, "delay": 20, "count": 1})
    try:
        client = unix_client(path) if transport == "unix" else Client(connect(bridge, "ws"))
        root = client.result("unicat.call", {"endpoint": "records/root"})["result"]["root"]
        client.connection.send_json({"jsonrpc": "2.0", "id": "held", "method": "unicat.call",
                                     "params": {"endpoint": "records/children", "params": {"record": root}}})
        before = rss_bytes(bridge.proc.pid)
        padding = "x" * (MIB - 1024)  # within the WebSocket's 1 MiB

        def flood():
            try:
                for index in range(80):
                    client.connection.send_json({"jsonrpc": "2.0", "id": index, "method": "initialize",
                                                 "params": {"client": {"pad": padding}}})
            except Exception:  # noqa: BLE001 - disconnected part way: what the test expects
                pass

        sender = threading.Thread(target=flood, daemon=True)
        sender.start()
        expected = {"jsonrpc": "2.0", "id": None, "error": {
            "code": -32004, "message": "Rate limited: more than 33554432 bytes of requests waiting for answers"}}
        try:
            assert client.next_message(timeout=60) == expected
            with pytest.raises(ConnectionError):
                client.next_message(timeout=30)
        except ConnectionError:
            # A WebSocket closed while its client still sends may be reset before the error
            # message is read (TCP drops it): what is left is the close frame's code, or, when
            # the reset took the close frame too, an abnormal closure (1006). Either way the
            # bridge cut the client off.
            assert transport == "ws" and client.connection.close_code in (1008, 1006)
        growth = rss_bytes(bridge.proc.pid) - before
        sender.join(30)
        assert growth < 48 * MIB, f"the bridge grew by {growth // MIB} MiB"
        assert "bytes of requests waiting for answers: disconnecting" in bridge.log
        # Others are served meanwhile.
        assert unix_client(path).result("initialize")["protocol_version"] == 1
    finally:
        simulator.control("/faults/clear", {})
        bridge.stop()


def test_the_answer_to_one_message_is_bounded(simulator, state_dir):
    """A batch of 15 `unicat.get`s of 1,000 records each would answer about 20 MiB: the
    answer stops at 16 MiB (max_answer_bytes), and the requests past it are not run."""
    bridge, path = bridge_with(simulator, state_dir)
    try:
        client = unix_client(path)
        items = simulator.change(1000, action="INSERT")["items"]
        keys = sorted({i["data_key"] for i in items if i["data_type"] == "records" and i["action"] == "INSERT"})[:1000]
        assert len(keys) == 1000
        client.connection.keep_raw()
        batch = [{"jsonrpc": "2.0", "id": index, "method": "unicat.get", "params": {"data_type": "records", "keys": keys}}
                 for index in range(15)]
        client.connection.send_json(batch)
        replies = client.next_message(timeout=300)
        size = len(client.connection.raw[-1])
        assert size <= 16 * MIB, f"the answer is {size} bytes"
        results = [r for r in replies if "result" in r]
        errors = [r["error"] for r in replies if "error" in r]
        assert len(results) + len(errors) == 15 and results and errors
        assert all(len(r["result"]["objects"]) == 1000 for r in results)
        assert all(e["code"] == -32007 and e["message"].startswith("Answer too large: ") for e in errors), errors
        assert "not run: the answer to this message reached its limit of 16777216 bytes" in errors[-1]["message"]
        # A smaller request on the same connection is answered in full.
        assert len(client.result("unicat.get", {"data_type": "records", "keys": keys[:100]})["objects"]) == 100
    finally:
        bridge.stop()


def test_keys_unicat_said_are_missing_are_not_asked_again(simulator, state_dir):
    """Asking again for keys Unicat just said do not exist cost one upstream request per
    batch of keys every time: now the bridge remembers the answer (until a change names
    the key, a new epoch, or 30 s), and the repeats cost Unicat and the client's budget
    nothing."""
    bridge, path = bridge_with(simulator, state_dir)
    try:
        client = unix_client(path)
        unknown = [f"00000000-0000-4000-9000-{n:012d}" for n in range(15)]

        before = simulator.requests("/records/get")
        first = client.result("unicat.get", {"data_type": "records", "keys": unknown})
        assert sorted(first["missing"]) == sorted(unknown) and not first["errors"]
        asked = simulator.requests("/records/get") - before
        assert 0 < asked <= 20
        for _ in range(30):  # together past the client's burst of 200 requests, were each asked
            again = client.result("unicat.get", {"data_type": "records", "keys": unknown})
            assert sorted(again["missing"]) == sorted(unknown) and not again["errors"]
        assert simulator.requests("/records/get") - before == asked
        held = client.result("unicat.get", {"data_type": "records", "keys": unknown[:1] + simulator.control("/keys/records?limit=1")["keys"]})
        assert held["missing"] == unknown[:1] and len(held["objects"]) == 1
    finally:
        bridge.stop()


def test_the_client_upstream_budget_is_the_transports_to_set(simulator, state_dir):
    """The per-client budget of upstream requests was fixed at 200 at once, then 20 per
    second: a transport section sets it (`upstream_requests_burst`,
    `upstream_requests_per_second`), and a bad value is refused at start with its key."""
    bridge, path = bridge_with(simulator, state_dir, unix={"upstream_requests_burst": 3, "upstream_requests_per_second": 0.01})
    try:
        client = unix_client(path)
        unknown = [f"00000000-0000-4000-a000-{n:012d}" for n in range(1000)]
        before = simulator.requests("/records/get")
        result = client.result("unicat.get", {"data_type": "records", "keys": unknown})
        assert simulator.requests("/records/get") - before == 3
        assert {e["code"] for e in result["errors"].values()} == {-32004}
        assert "more than 3 upstream requests at once or 0.01 per second" in next(iter(result["errors"].values()))["message"]
    finally:
        bridge.stop()
    for key, value in (("upstream_requests_burst", 0), ("upstream_requests_per_second", "fast")):
        bad = Bridge(simulator, state_dir, config={"transports": {"unix": {"path": path, key: value}}}, stdio=False)
        assert bad.proc.wait(30) == 4
        assert f"transports.unix.{key}" in bad.log
        bad.stop()


def test_unicat_get_of_unknown_keys_makes_few_upstream_requests(simulator, state_dir):
    """1,000 keys Unicat does not know made about 1,010 upstream requests, and a batch of ten
    such calls ten times that: now at most 20 per `unicat.get`, and at most the client's
    burst of 200 for the batch; the keys left unasked are named under `errors`."""
    bridge, path = bridge_with(simulator, state_dir)
    try:
        client = unix_client(path)
        unknown = [f"00000000-0000-4000-8000-{n:012d}" for n in range(11_000)]

        before = simulator.requests("/records/get")
        result = client.result("unicat.get", {"data_type": "records", "keys": unknown[:1000]})
        assert simulator.requests("/records/get") - before <= 20
        assert len(result["missing"]) + len(result["errors"]) == 1000 and result["missing"]
        assert {e["code"] for e in result["errors"].values()} == {-32004}
        assert "this unicat.get reached its limit of 20 upstream requests" in next(iter(result["errors"].values()))["message"]

        before = simulator.requests("/records/get")
        started = time.monotonic()
        client.connection.send_json([{"jsonrpc": "2.0", "id": n, "method": "unicat.get",
                                      "params": {"data_type": "records", "keys": unknown[1000 * (n + 1):1000 * (n + 2)]}}
                                     for n in range(10)])
        replies = client.next_message(timeout=120)
        elapsed = time.monotonic() - started
        assert len(replies) == 10 and all("result" in r for r in replies)
        assert simulator.requests("/records/get") - before <= 200 + 20 * (elapsed + 1)
        assert "this client asked for more than 200 upstream requests at once" in json.dumps(replies[-1])
    finally:
        bridge.stop()
