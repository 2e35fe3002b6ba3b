"""Resuming, refilling, resets and slow consumers, with the real bridge and simulator."""
import time

from conftest import start_bridge


def positions_in_order(items):
    return [(i["position"]["cc_cursor"], i["position"]["cursor"]) for i in items]


def test_resume_inside_the_journal_is_recovered_once_each(simulator, state_dir, transport):
    bridge, client = start_bridge(simulator, state_dir, transport)
    subscription = client.result("sync.subscribe", {"types": ["records"]})
    first = simulator.change(2)
    seen = client.changes(subscription["subscription"], lambda got: len(got) >= 2)
    position = seen[-1]["position"]
    client.connection.close()
    assert bridge.stop() == 0, "a clean shutdown, whatever the transport"

    missed = simulator.change(7)
    bridge, client = start_bridge(simulator, state_dir, transport)
    try:
        # Once the restarted bridge has fetched what it missed (a client may connect earlier).
        deadline = time.time() + 60
        while client.ready_status()["position"]["cursor"] < missed["items"][-1]["cursor"] and time.time() < deadline:
            time.sleep(0.05)
        resumed = client.result("sync.subscribe", {"types": ["records"], "since": position})
        assert resumed["recovered"] is True
        items = client.changes(resumed["subscription"], lambda got: len(got) >= 7)
        expected = [(i["cursor"], i["data_key"]) for i in missed["items"]]
        assert [(i["cursor"], i["data_key"]) for i in items] == expected
        simulator.change(1)
        live = client.changes(resumed["subscription"], lambda got: len(got) >= 1)
        assert live[0]["cursor"] == expected[-1][0] + 1, "live continues right after the replay"
    finally:
        client.connection.close()
        bridge.stop()


def test_the_safety_poll_keeps_its_interval_once_the_feed_is_up(simulator, state_dir):
    """The poll checks more often (every 5 s) only while the feed is down: a bridge that
    started before its feed connected does not keep that pace once it is up."""
    bridge, client = start_bridge(simulator, state_dir, "unix", extra_config={"sync": {"safety_poll_seconds": 3600}})
    try:
        deadline = time.time() + 60
        while not client.ready_status()["upstream"]["feed_connected"] and time.time() < deadline:
            time.sleep(0.1)
        before = simulator.requests("/sync/cursors")
        time.sleep(7)
        assert simulator.requests("/sync/cursors") == before, "no poll within the hour's interval"
    finally:
        client.connection.close()
        bridge.stop()


def test_since_older_than_the_journal_is_refilled_from_unicat_once(simulator, state_dir):
    # No safety poll in the window: only the refill's requests are counted.
    bridge, client = start_bridge(simulator, state_dir, "stdio-ndjson",
                                  extra_config={"journal_size": 100, "sync": {"safety_poll_seconds": 3600}})
    try:
        start = client.result("sync.subscribe", {})["position"]
        simulator.control("/settings", {"page_size": 1000})
        simulator.change(250)
        deadline = time.time() + 60
        while client.result("bridge.status")["position"]["cursor"] < start["cursor"] + 250 and time.time() < deadline:
            time.sleep(0.2)
        # The engine's last catch-up after the feed's events may still be under way: wait
        # until its requests stop.
        before = simulator.requests("/sync/get")
        while True:
            time.sleep(1)
            settled, before = before, simulator.requests("/sync/get")
            if settled == before:
                break
        # Three subscriptions resume from the same old position in one batch.
        client.connection.send_json([
            {"jsonrpc": "2.0", "id": n, "method": "sync.subscribe", "params": {"since": start, "types": types}}
            for n, types in [(1, ["records"]), (2, ["records", "assets"]), (3, ["records", "definitions"])]])
        replies = client.next_message()
        assert all(r["result"]["recovered"] for r in replies)
        for reply in replies:
            items = client.changes(reply["result"]["subscription"], lambda got: len(got) >= 250)
            assert len({i["cursor"] for i in items}) == len(items) == 250
        assert simulator.requests("/sync/get") - before == 1, "one upstream fetch for the gap, shared"
    finally:
        client.connection.close()
        bridge.stop()


def test_restore_resets_subscribers(simulator, state_dir, transport):
    bridge, client = start_bridge(simulator, state_dir, transport)
    try:
        subscription = client.result("sync.subscribe", {})
        before = subscription["position"]["epoch"]
        simulator.control("/restore", {})
        reset = client.notification("sync.reset", lambda p: p["subscription"] == subscription["subscription"])
        assert reset["reason"] == "epoch_changed"
        assert reset["position"]["epoch"] != before
        # A subscriber resuming with the old epoch is told to reload too.
        stale = client.result("sync.subscribe", {"types": ["records"], "since": subscription["position"]})
        assert client.notification("sync.reset", lambda p: p["subscription"] == stale["subscription"])["reason"] == "epoch_changed"
    finally:
        client.connection.close()
        bridge.stop()


def test_position_ahead_of_the_bridge_is_out_of_range(client):
    position = client.ready_status()["position"]
    position["cursor"] += 1000
    assert client.request("sync.subscribe", {"since": position})["error"]["code"] == -32003


def test_resumed_changes_carry_their_objects(simulator, state_dir, transport):
    """Objects the mirror never held (changed while nobody asked) are fetched for the replay."""
    bridge, client = start_bridge(simulator, state_dir, transport)
    position = client.result("sync.subscribe", {"types": ["records"]})["position"]
    client.connection.close()
    assert bridge.stop() == 0

    missed = simulator.change(4)
    bridge, client = start_bridge(simulator, state_dir, transport)
    try:
        resumed = client.result("sync.subscribe", {"types": ["records"], "include_objects": True, "since": position})
        items = client.changes(resumed["subscription"], lambda got: len(got) >= 4)
        assert [i["data_key"] for i in items] == [i["data_key"] for i in missed["items"]]
        assert all(i["object"] and i["object"]["gid"] == i["data_key"] for i in items)
    finally:
        client.connection.close()
        bridge.stop()
