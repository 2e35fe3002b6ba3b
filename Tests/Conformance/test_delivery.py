"""The delivery core end to end (issue 10): every path a subscriber takes ends in every change
once and in order, or in an explicit sync.reset; answers come before notifications."""
import os
import time

from conftest import start_bridge


def wait_until(condition, what, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def wait_for_cursor(client, cursor):
    wait_until(lambda: (client.ready_status()["position"] or {}).get("cursor", -1) >= cursor, f"the bridge at cursor {cursor}")


def test_the_answer_comes_before_the_reset_for_another_epoch(client):
    position = client.ready_status()["position"]
    client.connection.send_json({"jsonrpc": "2.0", "id": "s", "method": "sync.subscribe",
                                 "params": {"since": {**position, "epoch": "other-epoch"}}})
    first = client.next_message()
    assert first.get("id") == "s", f"the response comes first, got {first}"
    assert first["result"]["recovered"] is False
    second = client.next_message()
    assert second.get("method") == "sync.reset" and second["params"]["reason"] == "epoch_changed", second
    assert second["params"]["subscription"] == first["result"]["subscription"]
    assert second["params"]["position"] == first["result"]["position"]


def test_positions_carry_over_to_another_instance(simulator, tmp_path):
    """Two bridges following one project agree on positions: a subscriber moving from one to
    the other resumes (no reset) and gets exactly what it missed."""
    a, client_a = start_bridge(simulator, str(tmp_path / "a" / "state"), "unix")
    b, client_b = start_bridge(simulator, str(tmp_path / "b" / "state"), "stdio-ndjson")
    try:
        subscription = client_a.result("sync.subscribe", {"types": ["records"]})["subscription"]
        simulator.change(3)
        seen = client_a.changes(subscription, lambda got: len(got) >= 3)
        client_a.connection.close()
        missed = simulator.change(5)
        wait_for_cursor(client_b, missed["items"][-1]["cursor"])
        resumed = client_b.result("sync.subscribe", {"types": ["records"], "since": seen[-1]["position"]})
        assert resumed["recovered"] is True
        items = client_b.changes(resumed["subscription"], lambda got: len(got) >= 5)
        assert [(i["cursor"], i["data_key"]) for i in items] == [(i["cursor"], i["data_key"]) for i in missed["items"]]
        assert not any(n.get("method") == "sync.reset" for n in client_b.notifications)
    finally:
        for bridge, client in ((a, client_a), (b, client_b)):
            client.connection.close()
            bridge.stop()


def test_objects_that_exist_are_never_null(simulator, state_dir):
    """A subscriber with include_objects arriving while a batch is being applied (its fetch
    decided before anyone wanted records) still gets each record's object."""
    config = {"sync": {"socket_feed": False, "safety_poll_seconds": 1}}
    bridge, client = start_bridge(simulator, state_dir, "unix", extra_config=config)
    try:
        client.ready_status()
        simulator.control("/faults/clear", {})
        # Definitions are in the mirror: the step that carries one fetches it (slowly).
        simulator.control("/faults", {"match": "/api/p/*/definitions/get", "delay": 3, "count": 1})
        before = simulator.requests("/definitions/get")
        records = simulator.change(10)
        simulator.change(1, data_type="definitions")
        wait_until(lambda: simulator.requests("/definitions/get") > before, "the slow definitions fetch")
        subscription = client.result("sync.subscribe", {"types": ["records"], "include_objects": True})["subscription"]
        items = client.changes(subscription, lambda got: len(got) >= 10)
        assert [i["data_key"] for i in items] == [i["data_key"] for i in records["items"]]
        nulls = [i["data_key"] for i in items if "object" in i and i["object"] is None]
        assert not nulls, f"records that exist delivered as deleted: {nulls}"
        assert all(i["object"]["gid"] == i["data_key"] for i in items)
    finally:
        client.connection.close()
        bridge.stop()


def test_a_resume_outrun_by_journal_pruning_misses_nothing(simulator, state_dir):
    """A subscriber older than the journal is refilled from Unicat; while that refill is slow,
    the journal moves on past where the refill ends. Every change arrives once, in order."""
    bridge, client = start_bridge(simulator, state_dir, "unix", extra_config={"journal_size": 100})
    try:
        start = client.result("sync.subscribe", {"types": ["records"]})["position"]
        made = [i["cursor"] for i in simulator.change(250)["items"]]
        wait_for_cursor(client, made[-1])
        client.result("sync.unsubscribe", {"subscription": client.result("sync.subscribe", {"types": ["records"]})["subscription"]})
        client.notifications.clear()
        simulator.control("/faults/clear", {})
        simulator.control("/faults", {"match": "/sync/get", "delay": 2, "count": 1})
        resumed = client.result("sync.subscribe", {"types": ["records"], "since": start})
        # While Unicat answers slowly, 250 more changes prune the journal twice over.
        made += [i["cursor"] for i in simulator.change(250)["items"]]
        items = client.changes(resumed["subscription"], lambda got: got and got[-1]["cursor"] >= made[-1], timeout=90)
        got = [i["cursor"] for i in items]
        assert got == made, f"gaps {sorted(set(made) - set(got))[:10]}, repeats {len(got) - len(set(got))}"
        resets = [n for n in client.notifications if n.get("method") == "sync.reset"]
        assert not resets, resets
    finally:
        client.connection.close()
        bridge.stop()
