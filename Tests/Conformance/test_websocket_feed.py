"""Feed mode (`/feed?...` subscribes on connect) and the plain HTTP endpoints that share the
WebSocket listener: the dashboard page, /healthz, /metrics, and 404 for anything else."""
import json
import urllib.parse

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from bridgetest import Client, WebSocketConnection
from websockettest import http_get, listening_url, metrics_text, start_websocket_bridge, wait_until


@pytest.fixture(scope="module")
def bridge(simulator, tmp_path_factory):
    bridge = start_websocket_bridge(simulator, str(tmp_path_factory.mktemp("feed") / "state"), permessage_deflate=True)
    yield bridge
    bridge.stop()


def feed(bridge, query):
    return Client(WebSocketConnection(listening_url(bridge) + "/feed?" + query))


def test_feed_subscribes_on_connect(bridge, simulator):
    client = feed(bridge, "types=records,assets&include_objects=1")
    answer = client.response("feed")
    assert sorted(answer["result"]["filter"]["types"]) == ["assets", "records"]
    assert answer["result"]["filter"]["include_objects"] is True
    subscription = answer["result"]["subscription"]
    changed = simulator.change(2)["items"] + simulator.change(1, data_type="assets")["items"]
    items = client.changes(subscription, lambda got: len(got) >= 3)
    assert [i["cursor"] for i in items] == [i["cursor"] for i in changed]
    assert all(item["object"]["gid"] == item["data_key"] for item in items)
    # A feed is a full connection: requests work on it too.
    assert client.result("initialize")["protocol_version"] == 1
    client.connection.close()


def test_feed_resumes_from_since_in_both_forms(bridge, simulator):
    watcher = feed(bridge, "types=records")
    answer = watcher.response("feed")["result"]
    position = answer["position"]
    missed = [i["cursor"] for i in simulator.change(4)["items"]]
    watcher.changes(answer["subscription"], lambda got: len(got) >= 4)  # the bridge has them now
    watcher.connection.close()
    short = f"{position['epoch']}:{position['cc_cursor']}:{position['cursor']}"
    for since in [short, json.dumps(position)]:
        client = feed(bridge, "types=records&since=" + urllib.parse.quote(since))
        answer = client.response("feed")["result"]
        assert answer["recovered"] is True
        items = client.changes(answer["subscription"], lambda got: len(got) >= 4)
        assert [i["cursor"] for i in items] == missed
        client.connection.close()


def test_feed_with_keys_sees_only_those_keys(bridge, simulator):
    everything = feed(bridge, "types=records")
    all_subscription = everything.response("feed")["result"]["subscription"]
    key = simulator.change(1)["items"][0]["data_key"]
    everything.changes(all_subscription, lambda got: len(got) >= 1)
    client = feed(bridge, "keys=" + urllib.parse.quote(key))
    subscription = client.response("feed")["result"]["subscription"]
    assert client.result("bridge.status")
    changed = simulator.change(30)["items"]
    everything.changes(all_subscription, lambda got: len(got) >= 30)
    assert client.result("bridge.status")  # everything for the feed has been sent by now
    keys = {item["data_key"] for params in [n["params"] for n in client.notifications if n.get("method") == "sync.changes"
                                            and n["params"]["subscription"] == subscription] for item in params["items"]}
    assert keys <= {key} and (key in keys) == any(item["data_key"] == key for item in changed)
    client.connection.close()
    everything.connection.close()


def test_bad_feed_queries_are_400(bridge):
    for query in ["since=not-a-position", "include_objects=maybe", "surprise=1"]:
        with pytest.raises(InvalidStatus) as refused:
            with connect(listening_url(bridge) + "/feed?" + query, open_timeout=10):
                pass
        assert refused.value.response.status_code == 400, query


def test_feed_position_ahead_is_answered_with_an_error(bridge):
    first = feed(bridge, "")
    position = first.response("feed")["result"]["position"]
    first.connection.close()
    client = feed(bridge, "since=" + urllib.parse.quote(f"{position['epoch']}:{position['cc_cursor']}:{position['cursor'] + 1000}"))
    assert client.response("feed")["error"]["code"] == -32003
    client.connection.close()


def test_http_endpoints(bridge):
    base = listening_url(bridge).replace("ws://", "http://")
    status, headers, body = http_get(base + "/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b"<canvas" in body and b"new WebSocket" in body and b"https://" not in body.replace(b'"https:"', b"")
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer"

    assert wait_until(lambda: http_get(base + "/healthz")[0] == 200, timeout=30)
    health = json.loads(http_get(base + "/healthz")[2])
    assert health == {"ok": True, "state": "connected"}

    text = metrics_text(base)
    for name in ["unicat_bridge_upstream_state", "unicat_bridge_journal_entries", "unicat_bridge_websocket_connections",
                 "unicat_bridge_websocket_queued_bytes", "unicat_bridge_websocket_messages_out_total"]:
        assert name in text, name
    assert http_get(base + "/nothing-here")[0] == 404
    assert http_get(base + "/feed")[0] == 426
    assert http_get(base + "/../../etc/passwd")[0] == 404
    with pytest.raises(InvalidStatus) as refused:
        with connect(listening_url(bridge) + "/elsewhere", open_timeout=10):
            pass
    assert refused.value.response.status_code == 404


def test_permessage_deflate_when_enabled(bridge):
    with connect(listening_url(bridge) + "/", open_timeout=10) as ws:  # the client offers it by default
        assert "permessage-deflate" in ws.response.headers.get("Sec-WebSocket-Extensions", "")
        ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "unicat.init"}))
        reply = json.loads(ws.recv(timeout=30))
        assert reply["result"]["data"]["definitions"]
