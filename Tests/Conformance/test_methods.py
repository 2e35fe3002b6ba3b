"""Every bridge protocol method, on every transport."""
import json


def test_initialize(client, simulator):
    result = client.result("initialize", {"client": {"name": "conformance", "version": "1"}, "protocol_version": 1})
    assert result["server"]["name"] == "unicat-bridge"
    assert result["protocol_version"] == 1
    assert result["project"] == simulator.project
    assert "sync.subscribe" in result["capabilities"]["methods"]
    reply = client.request("initialize", {"protocol_version": 99})
    assert reply["error"]["code"] == -32602


def test_unicat_init_is_the_init_data_without_secrets(client, simulator):
    result = client.result("unicat.init")
    data = result["data"]
    for key in ["definitions", "classes", "fields", "layouts", "queries", "cc.users", "cc.projects", "cc.languages"]:
        assert data[key], key
    assert isinstance(data["cc.projects_members"], list)
    assert result["result"]["project"] == simulator.project
    assert result["position"]["epoch"]
    text = json.dumps(result)
    assert simulator.api_key not in text
    assert "eyJ" not in text  # no JWT


def test_unicat_get(client, simulator):
    definitions = client.result("unicat.init")["data"]["definitions"]
    some = sorted(definitions)[:3]
    result = client.result("unicat.get", {"data_type": "definitions", "keys": some + ["no-such-gid"]})
    assert set(result["objects"]) == set(some)
    assert result["missing"] == ["no-such-gid"]
    # Records are not in the init: fetched from Unicat on demand.
    root = client.result("unicat.call", {"endpoint": "records/root"})["result"]["root"]
    single = client.result("unicat.get", {"data_type": "records", "key": root})
    assert single["objects"][root]["gid"] == root
    assert client.request("unicat.get", {"data_type": "secrets", "key": "x"})["error"]["code"] == -32602


def test_unicat_call_read_allowed_mutation_refused(client, simulator):
    root = client.result("unicat.call", {"endpoint": "records/root"})["result"]["root"]
    before = simulator.requests("/records/update")
    reply = client.request("unicat.call", {"endpoint": "records/update", "params": {"record": root, "fields": {}}})
    assert reply["error"]["code"] == -32001
    assert simulator.requests("/records/update") == before, "the simulator saw no request"
    for endpoint in ["auth", "apikeys/get", "../../sync/get"]:
        reply = client.request("unicat.call", {"endpoint": endpoint})
        assert reply["error"]["code"] in (-32001, -32602), (endpoint, reply)
    error = client.request("unicat.call", {"endpoint": "records/get", "params": {"record": "no-such-gid"}})
    assert error["error"]["code"] == -32005
    assert error["error"]["data"]["http_status"] == 422


def test_subscribe_filters_and_objects(client, simulator):
    everything = client.result("sync.subscribe", {})
    records = client.result("sync.subscribe", {"types": ["records"], "include_objects": True})
    assert everything["subscription"] != records["subscription"]
    assert records["recovered"] is False
    changed = simulator.change(3, data_type="records")
    keys = {item["data_key"] for item in changed["items"]}
    items = client.changes(records["subscription"], lambda got: {i["data_key"] for i in got} >= keys)
    assert all(item["data_type"] == "records" for item in items)
    assert all(item["object"]["gid"] == item["data_key"] for item in items)
    simulator.change(1, data_type="assets")
    other = client.changes(everything["subscription"], lambda got: any(i["data_type"] == "assets" for i in got))
    assert all("object" not in item for item in other)
    # Only records reach the records subscription.
    client.result("bridge.status")
    assert not [n for n in client.notifications
                if n["params"].get("subscription") == records["subscription"]
                and any(i["data_type"] != "records" for i in n["params"]["items"])]

    key = sorted(keys)[0]
    by_key = client.result("sync.subscribe", {"keys": [key]})
    simulator.control("/changes", {"count": 5})
    assert client.result("sync.unsubscribe", {"subscription": by_key["subscription"]}) == {"unsubscribed": True}
    reply = client.request("sync.unsubscribe", {"subscription": by_key["subscription"]})
    assert reply["error"]["code"] == -32002


def test_bridge_status(client):
    status = client.ready_status()
    assert status["upstream"]["state"] in ("connected", "reconnecting", "starting")
    assert status["position"]["epoch"]
    assert status["journal"]["capacity"] >= 100
    assert status["subscribers"]["clients"] >= 1
    assert "api_key" not in json.dumps(status)
