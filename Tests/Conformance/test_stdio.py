"""What only the stdio transport has: framing detection and stdin EOF."""
import time

import pytest

from bridgetest import Client, StdioConnection
from conftest import MAX_MESSAGE_BYTES, start_bridge


@pytest.mark.parametrize("transport", ["stdio-lsp"])
def test_content_length_that_lies(simulator, state_dir, transport):
    bridge, client = start_bridge(simulator, state_dir, transport)
    try:
        body = b'{"jsonrpc": "2.0", "id": 1, "method": "initialize"}'
        # Too short: the body is cut, the bridge sees invalid JSON.
        client.connection.write_bytes(b"Content-Length: %d\r\n\r\n" % (len(body) - 5) + body)
        assert client.next_message()["error"]["code"] in (-32700, -32600)
        # Garbage headers are skipped until the next well-formed frame.
        assert "result" in client.request("initialize")
        # Too long: the frame swallows the start of the next one; the bridge answers the
        # garbage with an error and recovers at the following frame.
        client.connection.write_bytes(b"Content-Length: %d\r\n\r\n" % (len(body) + 40) + body)
        client.connection.send_raw(b'{"jsonrpc": "2.0", "id": 2, "method": "initialize"}')
        assert client.next_message()["error"]["code"] in (-32700, -32600)
        deadline = time.time() + 30
        while True:
            reply = client.request("initialize", timeout=5) if time.time() < deadline else None
            if reply is None or "result" in reply:
                break
        assert reply and "result" in reply
    finally:
        client.connection.close()
        bridge.stop()


@pytest.mark.parametrize("transport", ["stdio-lsp"])
def test_content_length_over_the_limit_is_refused_at_once_and_the_next_message_answered(simulator, state_dir, transport):
    """A length over max_message_bytes that lies: the error comes right after the header,
    and the valid request that follows is answered (not swallowed as the claimed body)."""
    bridge, client = start_bridge(simulator, state_dir, transport)
    try:
        client.ready_status()
        request = b'{"jsonrpc": "2.0", "id": 2, "method": "initialize"}'
        client.connection.write_bytes(b"Content-Length: %d\r\n\r\n" % (2 * MAX_MESSAGE_BYTES)
                                      + b"Content-Length: %d\r\n\r\n" % len(request) + request)
        error = client.next_message(timeout=5)
        assert error["id"] is None and error["error"]["code"] == -32600, error
        assert error["error"]["message"] == f"Invalid Request: message exceeds {MAX_MESSAGE_BYTES} bytes"
        answer = client.next_message(timeout=5)
        assert answer["id"] == 2 and "result" in answer, answer
    finally:
        client.connection.close()
        bridge.stop()


def test_answers_in_the_framing_it_was_spoken_to(simulator, state_dir):
    for framing, transport in [("lsp", "stdio-lsp"), ("ndjson", "stdio-ndjson")]:
        bridge, client = start_bridge(simulator, state_dir + framing, transport)
        try:
            assert client.result("initialize")["protocol_version"] == 1
        finally:
            client.connection.close()
            bridge.stop()


def test_stdin_eof_shuts_the_bridge_down_cleanly(simulator, state_dir):
    bridge, client = start_bridge(simulator, state_dir, "stdio-ndjson")
    assert client.result("initialize")
    client.connection.close()
    assert bridge.proc.wait(30) == 0
    assert "stdin closed" in bridge.log
    bridge.stop()


def test_stdout_carries_protocol_only(simulator, state_dir):
    bridge, client = start_bridge(simulator, state_dir, "stdio-ndjson")
    try:
        client.result("initialize")
        client.result("sync.subscribe", {})
        simulator.change(2)
        client.notification("sync.changes")
        client.result("bridge.status")
    finally:
        client.connection.close()
        bridge.stop()
    unparseable = [m for m in client.notifications if "unparseable" in m]
    assert unparseable == []


def test_one_shot_pipe_gets_its_answers(simulator, state_dir):
    """`printf '...' | unicat-bridge run --stdio`: stdin ends at once, the answers still come."""
    import json
    import os
    import subprocess
    from bridgetest import products_dir
    requests = b"".join(json.dumps(r).encode() + b"\n" for r in [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize"},
        {"jsonrpc": "2.0", "id": 2, "method": "unicat.get", "params": {"data_type": "cc.languages", "key": "nl"}},
    ])
    env = dict(os.environ, UNICAT_URL=simulator.url, UNICAT_PROJECT=simulator.project,
               UNICAT_API_KEY=simulator.api_key, UNICAT_BRIDGE_STATE_DIR=state_dir)
    done = subprocess.run([os.path.join(products_dir(), "unicat-bridge"), "run", "--stdio"], input=requests,
                          capture_output=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a["id"] for a in answers] == [1, 2]
    assert answers[1]["result"]["objects"] == {"nl": "Dutch"}
