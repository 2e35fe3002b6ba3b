"""The command-line client (`unicat-bridge status|init|get|call|tail`) against a bridge
serving a Unix socket, with the simulator's known data."""
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import pytest

from bridgetest import products_dir
from unixtest import cli, open_to_others, ready_client, socket_path, unix_bridge

# The simulator's seed data (Tests/UnicatSimulator/README.md).
PROJECT_NAME = "Brightline product catalogue"
INIT_COUNTS = {"cc.languages": 26, "cc.projects": 1, "cc.projects_members": 3, "cc.users": 3, "classes": 6,
               "definitions": 14, "fields": 16, "layouts": 20, "queries": 5}


@pytest.fixture(scope="module")
def served(simulator):
    """One bridge for the read-only commands: (bridge, socket path)."""
    directory = tempfile.mkdtemp(prefix="unix-cli-")
    bridge, path = unix_bridge(simulator, os.path.join(directory, "state"))
    client = ready_client(path)
    deadline = time.time() + 30
    while client.result("bridge.status")["upstream"]["state"] != "connected" and time.time() < deadline:
        time.sleep(0.05)
    client.connection.close()
    yield bridge, path
    bridge.stop()
    shutil.rmtree(directory, ignore_errors=True)


def value_column(lines):
    """Where the values of a two-column table start, asserting every line agrees."""
    columns = {re.match(r"^(\S+(?: \S+)*\s{2,})", line).end() for line in lines}
    assert len(columns) == 1, lines
    return columns.pop()


def test_status(served, simulator):
    _, path = served
    human = cli("status", "--socket", path)
    assert human.returncode == 0, human.stderr
    lines = human.stdout.splitlines()
    start = value_column(lines)
    table = {line[:start].strip(): line[start:] for line in lines}
    assert table["Project"] == simulator.project
    assert table["Upstream"].startswith("connected")
    assert re.fullmatch(r"[a-z0-9-]+:14:\d+", table["Position"])
    assert "\x1b[" not in human.stdout, "no colour when stdout is not a terminal"

    machine = cli("status", "--json", "--socket", path)
    assert machine.returncode == 0 and machine.stdout.count("\n") == 1
    status = json.loads(machine.stdout)
    assert status["project"] == simulator.project and status["upstream"]["state"] == "connected"
    assert f"{status['position']['epoch']}:{status['position']['cc_cursor']}:{status['position']['cursor']}" == table["Position"]


def test_init_summary_and_full_json(served, simulator):
    _, path = served
    human = cli("init", "--socket", path)
    assert human.returncode == 0, human.stderr
    header, counts = human.stdout.split("\n\n")
    assert header.splitlines()[0].split(None, 1)[1] == f"{PROJECT_NAME} ({simulator.project})"
    rows = counts.splitlines()
    assert rows[0].split() == ["DATA", "TYPE", "COUNT"]
    assert {row.split()[0]: int(row.split()[1]) for row in rows[1:]} == INIT_COUNTS
    assert len({len(row) for row in rows}) == 1, "counts are right-aligned"

    full = json.loads(cli("init", "--json", "--socket", path).stdout)
    assert full["result"]["project"] == simulator.project
    assert {key: len(value) for key, value in full["data"].items()} == INIT_COUNTS


def test_get(served):
    _, path = served
    definitions = json.loads(cli("init", "--json", "--socket", path).stdout)["data"]["definitions"]
    keys = sorted(definitions)[:2]
    human = cli("get", "definitions", *keys, "--socket", path)
    assert human.returncode == 0, human.stderr
    blocks = human.stdout.split("\n\n")
    assert [block.splitlines()[0] for block in blocks] == [f"definitions {key}" for key in keys]
    for key, block in zip(keys, blocks):
        fields = block.splitlines()[1:]
        value_column(fields)
        assert f"gid  {key}" in re.sub(r"\s{2,}", "  ", "\n".join(fields))

    machine = json.loads(cli("get", "definitions", *keys, "--json", "--socket", path).stdout)
    assert machine["missing"] == [] and machine["objects"] == {key: definitions[key] for key in keys}

    missing = cli("get", "definitions", keys[0], "no-such-gid", "--socket", path)
    assert missing.returncode == 1
    assert "unicat-bridge: error: not found: definitions no-such-gid" in missing.stderr
    assert cli("get", "definitions", "--socket", path).returncode == 64, "usage: a key is required"


def test_call(served, simulator):
    _, path = served
    machine = json.loads(cli("call", "records/root", "--json", "--socket", path).stdout)
    root = machine["result"]["root"]
    assert machine["data"]["records"][root]["gid"] == root
    human = cli("call", "records/get", json.dumps({"record": root}), "--socket", path)
    assert human.returncode == 0 and human.stdout.startswith("result\n{")
    assert f'"gid": "{root}"' in human.stdout

    refused = cli("call", "records/update", json.dumps({"record": root, "fields": {}}), "--socket", path)
    assert refused.returncode == 77
    assert "Not permitted: records/update is not allowed on this transport (code -32001)" in refused.stderr
    failed = cli("call", "records/get", '{"record": "no-such-gid"}', "--socket", path)
    assert failed.returncode == 1
    assert "(code -32005)" in failed.stderr and "Unicat said: HTTP 422" in failed.stderr
    assert cli("call", "records/get", "[1, 2]", "--socket", path).returncode == 64


def test_socket_found_through_the_config_file_or_the_environment(served, tmp_path):
    _, path = served
    config = tmp_path / "config.yaml"
    config.write_text(json.dumps({"transports": {"unix": {"path": path}}}))
    assert cli("status", "--json", "--config", str(config)).returncode == 0
    assert cli("status", "--json", env={"UNICAT_BRIDGE_SOCKET": path}).returncode == 0


class Tail:
    """`unicat-bridge tail ARGS` running, its stdout lines collected as they come."""

    def __init__(self, *args):
        self.process = subprocess.Popen([os.path.join(products_dir(), "unicat-bridge"), "tail", *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        self.notes = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_notes, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def _read_notes(self):
        for line in self.process.stderr:
            self.notes.append(line)

    def wait_for_note(self, text, timeout=30):
        deadline = time.time() + timeout
        while not any(text in note for note in self.notes) and time.time() < deadline:
            time.sleep(0.05)
        return "".join(self.notes)

    def take(self, count, timeout=60):
        deadline = time.time() + timeout
        taken = []
        while len(taken) < count:
            try:
                taken.append(self.lines.get(timeout=max(0.1, deadline - time.time())))
            except queue.Empty:
                raise AssertionError(f"tail printed {taken} then nothing; stderr: {self.stop()}")
        return taken

    def stop(self):
        """Ends it; returns its stderr."""
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        time.sleep(0.1)  # the reader threads reach the end of the pipes
        return "".join(self.notes)


def wait_for_subscription(path, tail):
    client = ready_client(path)
    deadline = time.time() + 30
    while client.result("bridge.status")["subscribers"]["subscriptions"] < 1:
        assert tail.process.poll() is None and time.time() < deadline, f"tail did not subscribe: {tail.stop()}"
        time.sleep(0.05)
    client.connection.close()


def test_tail_resumes_across_a_bridge_restart_with_no_gap(simulator, state_dir):
    bridge, path = unix_bridge(simulator, state_dir)
    try:
        ready_client(path).connection.close()
    except BaseException:
        bridge.stop()
        raise
    tail = Tail("--json", "--types", "records", "--socket", path)
    try:
        wait_for_subscription(path, tail)
        expected = [item["cursor"] for item in simulator.change(3)["items"]]
        printed = [json.loads(line) for line in tail.take(3)]
        assert bridge.stop() == 0
        expected += [item["cursor"] for item in simulator.change(4)["items"]]  # while the bridge is down
        bridge, _ = unix_bridge(simulator, state_dir)
        ready_client(path).connection.close()
        expected += [item["cursor"] for item in simulator.change(2)["items"]]
        printed += [json.loads(line) for line in tail.take(6)]
        assert [item["cursor"] for item in printed] == expected, "every change once, in order"
        assert all(item["data_type"] == "records" and item["position"]["epoch"] for item in printed)
        time.sleep(0.5)
        assert tail.lines.empty(), "nothing printed twice"
    finally:
        stderr = tail.stop()
        bridge.stop()
    assert "reconnecting" in stderr


def test_tail_human_lines_and_progress_while_catching_up(simulator, state_dir):
    bridge, path = unix_bridge(simulator, state_dir)
    try:
        client = ready_client(path)
        start = client.result("bridge.status")["position"]
        changed = simulator.change(550)["items"] + simulator.change(550)["items"]
        while client.result("bridge.status")["position"]["cursor"] < changed[-1]["cursor"]:
            time.sleep(0.05)
        since = f"{start['epoch']}:{start['cc_cursor']}:{start['cursor']}"
        tail = Tail("--since", since, "--progress-every", "400", "--socket", path)
        lines = tail.take(1100)
        tail.wait_for_note("caught up")
        stderr = tail.stop()
    finally:
        bridge.stop()
    for line, item in zip(lines, changed):
        assert re.fullmatch(rf"\s*{item['cursor']}  UPDATE  records\s+{item['data_key']}", line), line
    # The bridge replays in pages of 500: a progress line after the first page passed 400.
    assert f"catching up 1100 cursors of changes since {since}" in stderr
    assert "catching up: 500 changes so far (500 of 1100 cursors)" in stderr
    assert "caught up: 1100 changes replayed" in stderr


def test_clear_errors_when_the_bridge_is_not_running(state_dir):
    missing = os.path.join(os.path.dirname(state_dir), "nothing-here.sock")
    for command in (["status"], ["init"], ["get", "records", "x"], ["call", "records/root"], ["tail"]):
        result = cli(*command, "--socket", missing)
        assert result.returncode == 69, (command, result.stderr)
        assert f"unicat-bridge: error: the bridge is not running: no socket at {missing}" in result.stderr
    stale = os.path.join(os.path.dirname(state_dir), "stale.sock")
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(stale)
    dead.close()
    result = cli("status", "--socket", stale)
    assert result.returncode == 69
    assert f"the bridge is not running: nothing is listening on {stale}" in result.stderr
    # A regular file is named as one, not as a socket a bridge left behind.
    regular = os.path.join(os.path.dirname(state_dir), "regular.sock")
    with open(regular, "w"):
        pass
    result = cli("status", "--socket", regular)
    assert result.returncode == 69
    assert f"the bridge is not running: {regular} is a regular file, not a socket" in result.stderr
    assert "left by a bridge" not in result.stderr


def test_access_denied(simulator, state_dir):
    open_to_others(state_dir)
    bridge, path = unix_bridge(simulator, state_dir, mode="0666")
    try:
        ready_client(path).connection.close()
        refused = cli("status", "--socket", path, as_nobody=True)
        assert refused.returncode == 77, refused.stderr
        assert "access denied: the bridge refused this connection: Not permitted: uid 65534 is not allowed" in refused.stderr
        os.chmod(path, 0o600)
        blocked = cli("status", "--socket", path, as_nobody=True)
        assert blocked.returncode == 77, blocked.stderr
        assert f"access denied: cannot connect to {path}: Permission denied (owned by uid 0, group 0, mode 0600)" in blocked.stderr
    finally:
        bridge.stop()
