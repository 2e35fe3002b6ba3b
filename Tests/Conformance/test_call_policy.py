"""`unicat.call`'s read-only default policy, decided on the endpoint's canonical form, on
every transport: spellings that libcurl or Unicat would rewrite into a refused endpoint (or
into another project's API) are refused before anything is sent."""
import pytest

OTHER_PROJECT = "0b6a3f1e-5c2d-4e8f-9a71-3d4c5b6a7e80"


def api_requests(simulator):
    """Requests the simulator saw outside the sync API (which the bridge polls by itself)."""
    counts = simulator.control("/stats")["requests"]
    return {key: n for key, n in counts.items() if not key.split(" ", 1)[1].startswith("/sync")}


def hostile_endpoints(project):
    return ["./apikeys/get", "//./apikeys/get", ".//apikeys/get", f"//p/{project}/apikeys/get",
            f"//p/{OTHER_PROJECT}/records/get", f"//p/{OTHER_PROJECT}/init", f"//p/{project}/records/get",
            "records/../apikeys/get", "records/%2e%2e/apikeys/get", "records//get", "records\\get",
            "records/get?record=x", "apikeys/get", "//auth"]


def test_spellings_that_escape_the_default_policy_never_reach_unicat(client, simulator):
    client.ready_status()
    before = api_requests(simulator)
    for endpoint in hostile_endpoints(simulator.project):
        reply = client.request("unicat.call", {"endpoint": endpoint, "params": {"record": "x"}})
        assert reply.get("error", {}).get("code") == -32001, (endpoint, reply)
        assert "Not permitted" in reply["error"]["message"]
    assert api_requests(simulator) == before, "nothing was sent to Unicat"
    # A read in canonical form still goes through, exactly as written.
    root = client.result("unicat.call", {"endpoint": "/records/root"})["result"]["root"]
    assert root
    assert api_requests(simulator).get("POST /api/p/{gid}/records/root", 0) == before.get("POST /api/p/{gid}/records/root", 0) + 1


@pytest.mark.parametrize("transport", ["unix"])
def test_a_wildcard_allow_list_does_not_reach_another_project(simulator, state_dir, transport):
    from conftest import start_bridge
    bridge, client = start_bridge(simulator, state_dir, transport,
                                  extra_config={"transports": {"unix": {"call_allowlist": ["*"]}}})
    try:
        client.ready_status()
        before = api_requests(simulator)
        for endpoint in [f"//p/{OTHER_PROJECT}/records/get", f"//p/{simulator.project}/apikeys/get", "./records/get"]:
            reply = client.request("unicat.call", {"endpoint": endpoint})
            assert reply.get("error", {}).get("code") == -32001, (endpoint, reply)
        assert api_requests(simulator) == before
    finally:
        client.connection.close()
        bridge.stop()


def test_an_allow_list_entry_that_is_not_canonical_stops_the_start(simulator, state_dir):
    from bridgetest import Bridge
    bridge = Bridge(simulator, state_dir, stdio=False,
                    config={"transports": {"unix": {"path": state_dir + ".sock", "call_allowlist": ["records/./get"]}}})
    try:
        assert bridge.proc.wait(30) == 4
        assert 'call_allowlist: "records/./get" is not a Unicat endpoint in canonical form' in bridge.log
    finally:
        bridge.stop()
