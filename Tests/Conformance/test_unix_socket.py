"""What only the Unix-socket transport has: large messages, peer credentials, the socket
file's permissions and life cycle, and systemd socket activation."""
import json
import os
import socket
import stat
import subprocess

import pytest

from bridgetest import products_dir
from unixtest import nobody_exchange, open_to_others, ready_client, socket_path, unix_bridge

TEN_MB = 10 * 1024 * 1024


@pytest.fixture
def started():
    """Bridges a test starts, stopped at its end."""
    bridges = []
    yield bridges
    for bridge in bridges:
        bridge.stop()


def test_ten_megabyte_request_within_the_default_limit_is_answered(simulator, state_dir, started):
    bridge, path = unix_bridge(simulator, state_dir)
    started.append(bridge)
    client = ready_client(path)
    # The client description may be anything: a 10 MB one is read whole and answered.
    reply = client.request("initialize", {"client": {"name": "big", "notes": "x" * TEN_MB}})
    assert reply["result"]["protocol_version"] == 1, str(reply)[:500]
    assert "result" in client.request("initialize")


def test_request_over_the_limit_is_refused_and_the_connection_stays_usable(simulator, state_dir, started):
    bridge, path = unix_bridge(simulator, state_dir, max_message_bytes=TEN_MB)
    started.append(bridge)
    client = ready_client(path)
    client.connection.send_raw(b'{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"x": "'
                               + b"y" * (TEN_MB + 1) + b'"}}')
    error = client.next_message()
    assert error["id"] is None and error["error"]["code"] == -32600
    assert error["error"]["message"] == f"Invalid Request: message exceeds {TEN_MB} bytes"
    # The rest of that line was skipped; the next one is served.
    assert client.request("initialize")["result"]["protocol_version"] == 1
    assert "over max_message_bytes" in bridge.log


def test_peer_outside_the_allow_list_gets_an_error_line_and_is_closed(simulator, state_dir, started):
    open_to_others(state_dir)
    bridge, path = unix_bridge(simulator, state_dir, mode="0666")
    started.append(bridge)
    ready_client(path)
    line, ended = nobody_exchange(path)
    assert line == {"jsonrpc": "2.0", "id": None,
                    "error": {"code": -32001, "message": "Not permitted: uid 65534 is not allowed"}}
    assert ended
    assert "refused a connection from uid 65534" in bridge.log


def test_peer_admitted_by_group(simulator, state_dir, started):
    open_to_others(state_dir)
    bridge, path = unix_bridge(simulator, state_dir, group="nogroup", allowed_gids=["nogroup"])
    started.append(bridge)
    ready_client(path)
    info = os.stat(path)
    assert stat.S_IMODE(info.st_mode) == 0o660 and info.st_gid == 65534
    # nobody's group is allowed: it is served.
    reply, _ = nobody_exchange(path, {"jsonrpc": "2.0", "id": 1, "method": "initialize"})
    assert reply["result"]["protocol_version"] == 1, reply


def test_socket_is_private_by_default_and_removed_on_clean_shutdown(simulator, state_dir):
    bridge, path = unix_bridge(simulator, state_dir)
    try:
        ready_client(path).connection.close()
        info = os.lstat(path)
        assert stat.S_ISSOCK(info.st_mode)
        assert stat.S_IMODE(info.st_mode) == 0o600
        assert info.st_uid == os.geteuid()
        assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700, "the directory it created"
    finally:
        assert bridge.stop() == 0
    assert not os.path.exists(path)


def test_stale_socket_file_is_replaced(simulator, state_dir, started):
    path = socket_path(state_dir)
    os.makedirs(os.path.dirname(path), mode=0o700)
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(path)
    dead.close()  # the file stays, nobody listens: what a crashed bridge leaves
    bridge, _ = unix_bridge(simulator, state_dir)
    started.append(bridge)
    assert ready_client(path).result("initialize")
    assert f"replaced the stale socket {path}" in bridge.log


def test_second_bridge_on_the_same_path_refuses_to_start(simulator, state_dir, started):
    bridge, path = unix_bridge(simulator, state_dir)
    started.append(bridge)
    ready_client(path)
    second, _ = unix_bridge(simulator, state_dir + "-second", path=path)
    assert second.proc.wait(60) != 0
    second.stop()
    assert f"another unicat-bridge (pid {bridge.proc.pid}) is already serving {path}" in second.log
    # The first one still serves.
    assert ready_client(path).result("initialize")


def test_a_live_socket_of_another_process_is_never_taken_over(simulator, state_dir):
    path = socket_path(state_dir)
    os.makedirs(os.path.dirname(path), mode=0o700)
    other = socket.socket(socket.AF_UNIX)
    other.bind(path)
    other.listen()
    try:
        bridge, _ = unix_bridge(simulator, state_dir)
        assert bridge.proc.wait(60) != 0
        bridge.stop()
        assert f"another process is listening on {path}" in bridge.log
        assert os.path.exists(path)
    finally:
        other.close()


def test_directory_writable_by_others_is_refused(simulator, state_dir):
    directory = os.path.join(os.path.dirname(state_dir), "open")
    os.makedirs(directory)
    os.chmod(directory, 0o777)
    bridge, _ = unix_bridge(simulator, state_dir, path=os.path.join(directory, "bridge.sock"))
    assert bridge.proc.wait(60) != 0
    bridge.stop()
    assert "is writable by other users and has no sticky bit" in bridge.log


def test_socket_activation_serves_on_the_inherited_socket(simulator, state_dir):
    """As systemd does it: the listening socket is fd 3, LISTEN_FDS=1, LISTEN_PID = the bridge."""
    path = socket_path(state_dir)
    os.makedirs(os.path.dirname(path), mode=0o700)
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path)
    listener.listen()
    config_path = os.path.join(os.path.dirname(state_dir), "activation.yaml")
    with open(config_path, "w") as handle:
        json.dump({"transports": {"unix": {"path": path}}}, handle)
    environment = dict(os.environ, UNICAT_URL=simulator.url, UNICAT_PROJECT=simulator.project,
                       UNICAT_API_KEY=simulator.api_key, UNICAT_BRIDGE_STATE_DIR=state_dir,
                       UNICAT_BRIDGE_LOG_LEVEL="debug")
    # The wrapper moves the socket to fd 3 and execs the bridge in its own pid.
    wrapper = 'exec 3<&"$0"; export LISTEN_PID=$$ LISTEN_FDS=1; exec "$@"'
    log_path = os.path.join(os.path.dirname(state_dir), "activation.log")
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            ["bash", "-c", wrapper, str(listener.fileno()), os.path.join(products_dir(), "unicat-bridge"),
             "run", "--config", config_path], pass_fds=(listener.fileno(),), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=log, env=environment)
    listener.close()
    try:
        client = ready_client(path)
        assert client.result("initialize")["project"] == simulator.project
        with open(log_path) as handle:
            assert "(socket activation, fd 3)" in handle.read()
    finally:
        process.terminate()
        assert process.wait(30) == 0
    assert os.path.exists(path), "the socket belongs to systemd: the bridge leaves it"


def test_slow_reader_gets_its_queue_then_a_reset_and_a_reader_that_never_reads_is_cut_off(simulator, state_dir, started):
    # Two messages (~70 kB each: 250 records with objects) fill the queue once the
    # socket's own buffer is full.
    bridge, path = unix_bridge(simulator, state_dir, queue_max_messages=2, close_timeout_seconds=5)
    started.append(bridge)
    healthy = ready_client(path)
    healthy_subscription = healthy.result("sync.subscribe", {"types": ["records"], "include_objects": True})["subscription"]
    slow, stuck = ready_client(path), ready_client(path)
    for client in (slow, stuck):
        client.result("sync.subscribe", {"types": ["records"], "include_objects": True})
        client.connection.pause()
    cursors, got = [], []
    while healthy.result("bridge.status")["subscribers"]["slow_consumers_dropped"] < 2 and len(cursors) < 5000:
        cursors += [item["cursor"] for item in simulator.change(250)["items"]]
        # Published to everyone once the healthy reader has it.
        got += healthy.changes(healthy_subscription, lambda items: len(got) + len(items) >= len(cursors))
    # The slow one reads again within close_timeout_seconds: what was queued, then the
    # reset, then the end.
    slow.connection.resume()
    messages = []
    while True:
        try:
            messages.append(slow.connection.recv(timeout=30))
        except ConnectionError:
            break
    assert messages and messages[-1]["method"] == "sync.reset" and messages[-1]["params"]["reason"] == "slow_consumer"
    # The stuck one is closed once close_timeout_seconds have passed.
    bridge.wait_for_log("did not read its last messages within close_timeout_seconds")
    assert [item["cursor"] for item in got] == cursors, "the healthy reader got everything, in order"


def test_a_paused_reader_gets_every_change_once_in_notifications_that_supersede(simulator, state_dir, started):
    # A reader that pauses while changes come a few at a time: once its socket buffer is full
    # the writer stops taking from its queue, and each notification not taken yet is replaced
    # by one carrying it and what followed (ABI 1.3 send_superseding). Reading again, it finds
    # every change once and in order, with no reset and no disconnect.
    bridge, path = unix_bridge(simulator, state_dir)
    started.append(bridge)
    observer, paused = ready_client(path), ready_client(path)
    subscription = paused.result("sync.subscribe", {"types": ["records"], "include_objects": True})["subscription"]
    paused.connection.pause()

    def superseded():
        return observer.result("bridge.status")["subscribers"]["messages_superseded"]

    cursors = []
    while len(cursors) < 3000 and (len(cursors) % 100 or superseded() == 0):
        cursors += [item["cursor"] for item in simulator.change(2)["items"]]
    assert superseded() > 0, f"no notification superseded after {len(cursors)} changes"
    cursors += [item["cursor"] for item in simulator.change(2)["items"]]

    paused.connection.resume()
    got = paused.changes(subscription, lambda items: len(items) >= len(cursors), timeout=60)
    assert [item["cursor"] for item in got] == cursors, "every change once, in order"
    assert all(item["object"] is not None for item in got), "each UPDATE with its object"
    status = observer.result("bridge.status")["subscribers"]
    assert status["slow_consumers_dropped"] == 0 and status["clients"] == 2
