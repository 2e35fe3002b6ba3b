"""Strict JSON on every transport: what RFC 8259 does not allow is a parse error, never a
request; and what it allows (integers of any size as ids) comes back exactly."""
import json

import pytest

REQUEST = '{"jsonrpc": "2.0", "id": 1, "method": "initialize"}'


def assert_parse_error_then_usable(client, payload):
    client.connection.send_raw(payload)
    reply = client.next_message()
    assert reply.get("id", "absent") is None and reply.get("error", {}).get("code") == -32700, (payload[:80], reply)
    assert "result" in client.request("initialize")
    assert client.responses == {}, "nothing else was answered"


@pytest.mark.parametrize("payload", [
    b'{"jsonrpc":"2.0","id":1,"method":"nope",}',
    b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"client":{"tags":["a",]}}}',
    b'[{"jsonrpc":"2.0","id":1,"method":"initialize"},]',
], ids=["object", "array", "batch"])
def test_a_trailing_comma_is_a_parse_error(client, payload):
    client.ready_status()
    assert_parse_error_then_usable(client, payload)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_text_that_is_not_utf8_is_a_parse_error(client, encoding):
    """A byte-order mark, or UTF-16/32 (NUL-interleaved) text, is not a request: RFC 8259
    §8.1 says JSON exchanged between systems is UTF-8 without a BOM."""
    client.ready_status()
    assert_parse_error_then_usable(client, REQUEST.encode(encoding))


@pytest.mark.parametrize("literal", ["12345678901234567890", "-98765432109876543210", "340282366920938463463374607431768211457"])
def test_integer_ids_of_any_size_come_back_exactly(client, literal):
    client.ready_status()
    client.connection.keep_raw()
    client.connection.send_raw(f'{{"jsonrpc":"2.0","id":{literal},"method":"initialize"}}'.encode())
    reply = client.next_message()
    assert reply["id"] == int(literal) and "result" in reply
    assert f'"id":{literal},'.encode() in client.connection.raw[-1] or f'"id":{literal}}}'.encode() in client.connection.raw[-1]
    # In an error and in a batch too.
    client.connection.send_raw(f'[{{"jsonrpc":"2.0","id":{literal},"method":"nope"}}]'.encode())
    replies = client.next_message()
    assert [r["id"] for r in replies] == [int(literal)] and replies[0]["error"]["code"] == -32601
    assert f'"id":{literal}'.encode() in client.connection.raw[-1]
    assert json.loads(client.connection.raw[-1])[0]["id"] == int(literal)
