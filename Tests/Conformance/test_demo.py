"""`deploy/demo` as a new user meets it: every transport started, and each command it
prints under "Try next" works as printed, the CLI finding the Unix socket without flags."""
import json
import os
import re
import shlex
import signal
import subprocess
import time

import pytest

from bridgetest import REPO, products_dir


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo running, its work folder and runtime directory private to the test, and
    the environment of the terminal its commands are typed in."""
    directory = tmp_path_factory.mktemp("demo")
    runtime = directory / "runtime"
    runtime.mkdir(mode=0o700)
    terminal = dict(os.environ, XDG_RUNTIME_DIR=str(runtime), BRIDGE_PRODUCTS_DIR=products_dir())
    terminal.pop("UNICAT_BRIDGE_SOCKET", None)
    log = open(directory / "demo.log", "w+")
    process = subprocess.Popen([os.path.join(REPO, "deploy", "demo"), "--port", "0", "--activity", "5",
                                "--work-dir", str(directory / "work")],
                               stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=terminal,
                               start_new_session=True)
    deadline = time.time() + 300
    text = ""
    while time.time() < deadline and not re.search(r"Try next.*\n(\s+\S.*\n){4}", text):
        assert process.poll() is None, text[-3000:]
        time.sleep(0.2)
        log.seek(0)
        text = log.read()
    commands = re.search(r"Try next[^\n]*\n((?:    \S.*\n){4})", text).group(1).splitlines()
    yield text, [line.strip() for line in commands], terminal, runtime
    os.killpg(process.pid, signal.SIGINT)
    process.wait(30)
    log.close()


def test_every_transport_is_started(demo):
    text, _, _, runtime = demo
    assert re.search(r"Live dashboard:\s+http://127\.0\.0\.1:\d+/", text)
    assert f"Unix socket:       {runtime}/unicat-bridge/bridge.sock" in text
    assert "transport unix started" in text and "transport websocket started" in text


def test_the_cli_commands_work_as_printed(demo):
    _, commands, terminal, _ = demo
    status, tail = commands[0], commands[1]
    assert "--socket" not in status, "the CLI finds the demo's socket by itself"
    deadline = time.time() + 60
    while True:
        result = subprocess.run(shlex.split(status), capture_output=True, text=True, env=terminal, timeout=60)
        if result.returncode == 0 and "connected" in result.stdout or time.time() > deadline:
            break
        time.sleep(0.5)
    assert result.returncode == 0, result.stderr
    assert "connected" in result.stdout
    follower = subprocess.Popen(shlex.split(tail), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=terminal)
    try:
        line = follower.stdout.readline()  # the simulator makes 5 changes a second
        assert re.search(r"\d+\s+(INSERT|UPDATE|DELETE)\s+records\s", line), line
    finally:
        follower.send_signal(signal.SIGINT)
        follower.wait(10)


def test_the_feed_command_works_as_printed(demo):
    _, commands, terminal, _ = demo
    feed = commands[2]
    assert "-m websockets" in feed
    # The interactive client prints each message with "< "; stdin open for a few seconds.
    follower = subprocess.Popen(shlex.split(feed), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, env=terminal)
    def received():
        """The next message the client prints ("< {...}", among its terminal controls)."""
        for line in follower.stdout:
            if "< {" in line:
                return json.loads(line.split("< ", 1)[1])
        raise AssertionError("the feed client ended")

    try:
        answer = received()
        assert answer["id"] == "feed" and "subscription" in answer["result"]
        assert received()["method"] == "sync.changes"
    finally:
        follower.kill()
        follower.wait(10)


def test_the_stdio_command_works_as_printed(demo):
    _, commands, terminal, _ = demo
    result = subprocess.run(commands[3], shell=True, capture_output=True, text=True, env=terminal, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout.splitlines()[0])
    assert answer["id"] == 1 and answer["result"]["server"]["name"] == "unicat-bridge"
    # The key goes by file; the command line carries no secret.
    assert "UNICAT_API_KEY=" not in commands[3]
