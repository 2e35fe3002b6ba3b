"""Objects reach subscribers as Unicat sent them (issue 10): number literals byte for byte,
checked in the raw bytes a client receives, not after a JSON parser has had its say."""
import json
import urllib.request

import pytest

from conftest import start_bridge

# Written by the test client, stored by the simulator (Python keeps a float a float and an
# int of any size an int), and expected back verbatim. The old bridge served 469 and
# 1.2345678901234567e+19.
PRICE, STOCK = b"469.0", b"12345678901234567890"


@pytest.fixture(params=["unix", "stdio-ndjson"])
def exact(simulator, state_dir, request):
    name = "unix" if request.param == "unix" else "stdio"
    allowlist = ["records/root", "records/children", "records/update"]
    bridge, client = start_bridge(simulator, state_dir, request.param,
                                  extra_config={"transports": {name: {"call_allowlist": allowlist}}})
    client.ready_status()
    client.connection.keep_raw()
    yield client
    client.connection.close()
    bridge.stop()


def an_article(client):
    """A leaf record (root → brand → product line → article): articles have a price."""
    gid = client.result("unicat.call", {"endpoint": "records/root"})["result"]["root"]
    for _ in range(3):
        gid = client.result("unicat.call", {"endpoint": "records/children", "params": {"record": gid}})["result"]["children"][0]
    return gid


def raw_request(client, request_id, method, params_json):
    """Sends a request whose params are given as JSON text, so the literals are exactly ours;
    returns the raw bytes of its response."""
    client.connection.send_raw(b'{"jsonrpc":"2.0","id":"%s","method":"%s","params":%s}'
                               % (request_id.encode(), method.encode(), params_json))
    client.response(request_id)
    return next(raw for raw in reversed(client.connection.raw) if b'"id":"%s"' % request_id.encode() in raw)


def literals(raw):
    """A JSON document with every number as its literal text."""
    return json.loads(raw, parse_float=str, parse_int=str)


def test_numbers_reach_subscribers_as_unicat_wrote_them(exact, simulator):
    client = exact
    gid = an_article(client)
    client.result("unicat.get", {"data_type": "records", "key": gid})  # held: updates refetch it
    subscription = client.result("sync.subscribe", {"keys": [gid], "include_objects": True})["subscription"]
    in_subscription = b'"subscription":' + json.dumps(subscription).encode()

    # The update goes through the bridge too: Unicat must receive the literals unchanged.
    update = raw_request(client, "update", "unicat.call", b'{"endpoint":"records/update","params":{"record":"%s",'
                         b'"fields":{"en":{"price":%s,"stock":%s}}}}' % (gid.encode(), PRICE, STOCK))
    assert b'"price":' + PRICE in update and b'"stock":' + STOCK in update, update
    with urllib.request.urlopen(f"{simulator.control_url}/object/records/{gid}", timeout=30) as response:
        stored = literals(response.read())["fields"]["en"]
    assert (stored["price"], stored["stock"]) == (PRICE.decode(), STOCK.decode()), "the simulator itself keeps them"

    items = client.changes(subscription, lambda got: any("object" in item for item in got))
    assert items[-1]["object"]["gid"] == gid
    notification = next(raw for raw in reversed(client.connection.raw)
                        if b'"sync.changes"' in raw and in_subscription in raw)
    assert b'"price":' + PRICE in notification and b'"stock":' + STOCK in notification, notification

    fetched = raw_request(client, "get", "unicat.get", b'{"data_type":"records","key":"%s"}' % gid.encode())
    assert b'"price":' + PRICE in fetched and b'"stock":' + STOCK in fetched, fetched
    # Every language holds the unlocalized field: each copy is exact.
    assert fetched.count(b'"price":' + PRICE) == len(json.loads(fetched)["result"]["objects"][gid]["fields"])
