"""JSON-RPC 2.0 conformance of the bridge protocol, on every transport."""
import pytest

from conftest import MAX_MESSAGE_BYTES
from websockettest import WEBSOCKET_TRANSPORTS


def test_parse_error_has_null_id(client):
    client.connection.send_raw(b'{"jsonrpc": "2.0", "method": ')
    message = client.next_message()
    assert message["id"] is None
    assert message["error"]["code"] == -32700


def test_invalid_requests(client):
    cases = [
        ({"jsonrpc": "1.0", "id": 1, "method": "initialize"}, 1),
        ({"jsonrpc": "2.0", "id": 2}, 2),
        ({"jsonrpc": "2.0", "id": 3, "method": 42}, 3),
        ({"jsonrpc": "2.0", "id": 4, "method": "initialize", "params": "x"}, 4),
        ({"jsonrpc": "2.0", "id": {"a": 1}, "method": "initialize"}, None),
        ("just a string", None),
    ]
    for message, expected_id in cases:
        client.connection.send_json(message)
        reply = client.next_message()
        assert reply["error"]["code"] == -32600, (message, reply)
        assert reply["id"] == expected_id


def test_unknown_method(client):
    reply = client.request("unicat.nonsense")
    assert reply["error"]["code"] == -32601
    assert "unicat.nonsense" in reply["error"]["message"]


def test_bad_params(client):
    for method, params in [("unicat.get", {"data_type": 7, "key": "x"}), ("unicat.get", {"data_type": "records"}),
                           ("sync.subscribe", {"types": "records"}), ("sync.subscribe", {"since": {"epoch": 1}}),
                           ("initialize", {"surprise": True}), ("unicat.get", ["positional"])]:
        reply = client.request(method, params)
        assert reply["error"]["code"] == -32602, (method, params, reply)


def test_notifications_get_no_response(client):
    client.notify("initialize")
    client.notify("no.such.method")
    reply = client.request("bridge.status")
    assert "result" in reply
    assert client.responses == {} and not [m for m in client.notifications if "id" in m]


def test_batch_mixed(client):
    client.connection.send_json([
        {"jsonrpc": "2.0", "id": "a", "method": "initialize"},
        {"jsonrpc": "2.0", "method": "initialize"},
        {"jsonrpc": "2.0", "id": "b", "method": "nope"},
        {"foo": "bar"},
        {"jsonrpc": "2.0", "id": "c", "method": "unicat.get", "params": {"data_type": "definitions", "keys": []}},
    ])
    replies = client.next_message()
    assert isinstance(replies, list)
    by_id = {reply["id"]: reply for reply in replies}
    assert len(replies) == 4
    assert "result" in by_id["a"]
    assert by_id["b"]["error"]["code"] == -32601
    assert by_id[None]["error"]["code"] == -32600
    assert "result" in by_id["c"]


def test_empty_batch_and_batch_of_notifications(client):
    client.connection.send_json([])
    assert client.next_message()["error"]["code"] == -32600
    client.connection.send_json([{"jsonrpc": "2.0", "method": "initialize"}])
    # Nothing comes back for a batch of notifications: the next answer is this request's.
    assert client.request("initialize")["id"] == client.next_id


def test_large_payload_within_the_limit_is_answered(client):
    keys = ["k%06d" % i for i in range(1000)]
    padding = "x" * (MAX_MESSAGE_BYTES // 2)
    reply = client.request("unicat.get", {"data_type": "definitions", "keys": keys[:999] + [padding]})
    assert reply["result"]["missing"]


def test_payload_over_the_limit_is_refused_and_the_connection_survives(client, transport):
    if transport in WEBSOCKET_TRANSPORTS:
        pytest.skip("a WebSocket closes with 1009 instead (RFC 6455): test_websocket_frames.py")
    client.connection.send_raw(b'{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"x": "'
                               + b"y" * (MAX_MESSAGE_BYTES + 10) + b'"}}')
    reply = client.next_message()
    assert reply["error"]["code"] == -32600
    assert "exceeds" in reply["error"]["message"]
    assert "result" in client.request("initialize")


def test_deep_nesting_is_a_parse_error(client):
    client.connection.send_raw(b"[" * 5000 + b"]" * 5000)
    error = client.next_message()["error"]
    assert error["code"] == -32700
    assert "nested deeper than 64 levels" in error["message"]
    client.connection.send_raw(b'{"jsonrpc": "2.0", "id": 9, "method": "initialize", "params": {"client": '
                               + b'{"a":' * 100 + b"1" + b"}" * 100 + b"}}")
    assert client.next_message()["error"]["code"] == -32700
    client.connection.send_raw(b"[" * 64 + b"]" * 64)  # at the limit: a batch of one invalid request
    assert client.next_message()[0]["error"]["code"] == -32600
    assert "result" in client.request("initialize")


def test_invalid_utf8_is_a_parse_error(client):
    client.connection.send_raw(b'{"jsonrpc": "2.0", "id": 1, "method": "initialize\xff\xfe"}')
    assert client.next_message()["error"]["code"] == -32700
    assert "result" in client.request("initialize")
