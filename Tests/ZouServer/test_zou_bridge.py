"""The real bridge binary against a real Zou 1.0.97: login and token renewal, the
production's snapshot, Zou's events relayed as changes with their objects, in order,
across event-stream and Redis restarts, and the failures a user meets first."""
import os
import re
import time

from bridgeprocess import Bridge
from conftest import REFRESH_TOKEN_SECONDS, assert_no_secrets


def subscribed(bridge):
    subscriber = bridge.connect()
    answer = subscriber.result("sync.subscribe", {"include_objects": True})
    return subscriber, answer["position"]


def has(key, event):
    return lambda items, resets: any(i["data_key"] == key and i["data"]["event"] == event for i in items) or resets


def contiguous(items, start):
    """Positions step by one from `start`: nothing skipped, nothing twice."""
    cursors = [item["position"]["cursor"] for item in items]
    assert cursors == list(range(start + 1, start + 1 + len(cursors))), cursors


def test_snapshot_holds_the_production(bridge, production):
    asset = production.new_asset()
    later = Bridge(os.path.join(bridge.dir, "second"), production.zou, production.id)
    try:
        init = later.connect().result("unicat.init")
    finally:
        later.stop()
    assert init["result"]["upstream"] == "zou" and init["result"]["project"] == production.id
    assert init["result"]["event_log"] is True
    data = init["data"]
    assert production.id in data["projects"]
    assert asset["id"] in data["assets"]
    assert production.modeling["id"] in data["task_types"]
    assert production.statuses["wip"]["id"] in data["task_status"]
    assert {"asset_types", "sequences", "shots", "tasks", "persons"} <= set(data)


def test_new_asset_status_change_and_comment_arrive_with_their_objects(bridge, production):
    subscriber, position = subscribed(bridge)
    asset = production.new_asset("chair")
    task = production.new_task(asset)
    comment = production.comment(task, "wip", "blocking done")
    items, resets = subscriber.notifications(has(task["id"], "task:status-changed"))
    items += subscriber.notifications(has(comment["id"], "comment:new"))[0] if not any(
        i["data_key"] == comment["id"] for i in items) else []
    assert not resets
    by_event = {(i["data"]["event"], i["data_key"]): i for i in items}

    created = by_event[("asset:new", asset["id"])]
    assert (created["data_type"], created["action"]) == ("assets", "INSERT")
    assert created["object"]["name"] == "chair"

    changed = by_event[("task:status-changed", task["id"])]
    assert (changed["data_type"], changed["action"]) == ("tasks", "UPDATE")
    assert changed["object"]["task_status_id"] == production.statuses["wip"]["id"]
    assert changed["data"]["payload"]["new_task_status_id"] == production.statuses["wip"]["id"]

    commented = by_event[("comment:new", comment["id"])]
    assert (commented["data_type"], commented["action"]) == ("comments", "INSERT")
    assert commented["object"]["text"] == "blocking done"
    contiguous(items, position["cursor"])


def test_an_update_and_a_delete(bridge, production):
    asset = production.new_asset("lamp")
    subscriber, position = subscribed(bridge)
    production.rename(asset, "desk lamp")
    # Objects are fetched after their change is seen: one deleted meanwhile is null.
    items, resets = subscriber.notifications(has(asset["id"], "asset:update"))
    production.delete_asset(asset)
    more, resets = subscriber.notifications(has(asset["id"], "asset:delete"))
    items += more
    assert not resets
    update = next(i for i in items if i["data"]["event"] == "asset:update")
    assert update["action"] == "UPDATE" and update["object"]["name"] == "desk lamp"
    delete = next(i for i in items if i["data"]["event"] == "asset:delete")
    assert delete["action"] == "DELETE" and delete["object"] is None
    contiguous(items, position["cursor"])
    # The mirror forgot it too.
    answer = subscriber.result("unicat.get", {"data_type": "assets", "key": asset["id"]})
    assert answer["missing"] == [asset["id"]]


def test_a_subscriber_resuming_inside_the_epoch_gets_what_it_missed_once(bridge, production):
    subscriber, position = subscribed(bridge)
    first = production.new_asset()
    items, _ = subscriber.notifications(has(first["id"], "asset:new"))
    last = items[-1]["position"]
    subscriber.close()
    missed = [production.new_asset()["id"] for _ in range(3)]
    again = bridge.connect()
    # Once the bridge has them, they are replayed from its journal.
    deadline = time.monotonic() + 30
    while again.result("bridge.status")["position"]["cursor"] < last["cursor"] + len(missed):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    answer = again.result("sync.subscribe", {"since": last, "include_objects": True})
    assert answer["recovered"] is True
    items, resets = again.notifications(lambda items, resets: {i["data_key"] for i in items} >= set(missed) or resets)
    assert not resets
    assert first["id"] not in [i["data_key"] for i in items]
    contiguous(items, last["cursor"])


def test_a_restarted_bridge_continues_its_epoch_from_the_event_log(zou, production, directory):
    bridge = Bridge(directory, zou, production.id)
    try:
        subscriber, position = subscribed(bridge)
        first = production.new_asset()
        items, _ = subscriber.notifications(has(first["id"], "asset:new"))
        last = items[-1]["position"]
    finally:
        bridge.stop()
    missed = [production.new_asset()["id"] for _ in range(3)]  # while the bridge is stopped
    restarted = Bridge(directory, zou, production.id)
    try:
        restarted.wait_for_log("continuing epoch " + last["epoch"])
        subscriber = restarted.connect()
        # The changes made meanwhile come replayed or live, depending on how far the
        # restarted bridge has read the log: either way once each, in the same epoch.
        subscriber.result("sync.subscribe", {"since": last, "include_objects": True})
        items, resets = subscriber.notifications(lambda items, resets: {i["data_key"] for i in items} >= set(missed) or resets)
        assert not resets
        assert all(i["position"]["epoch"] == last["epoch"] and i["object"] for i in items)
        assert first["id"] not in [i["data_key"] for i in items]
        contiguous(items, last["cursor"])
    finally:
        restarted.stop()
    assert_no_secrets(restarted, zou)


def test_tokens_are_renewed_and_the_login_redone_when_the_refresh_token_lapses(bridge, production):
    subscriber, position = subscribed(bridge)
    created = []
    # Past the refresh token's lifetime: access tokens renewed, then a second login.
    deadline = time.monotonic() + REFRESH_TOKEN_SECONDS + 6
    while time.monotonic() < deadline:
        created.append(production.new_asset()["id"])
        time.sleep(2)
    items, resets = subscriber.notifications(lambda items, resets: {i["data_key"] for i in items} >= set(created) or resets)
    assert not resets
    assert all("object" in i and i["object"] for i in items if i["data"]["event"] == "asset:new")
    contiguous(items, position["cursor"])
    upstream = subscriber.result("bridge.status")["upstream"]
    assert upstream["token_refreshes"] >= 2, upstream
    assert upstream["authentications"] >= 2, upstream
    assert upstream["state"] == "connected"


def test_events_lost_while_the_event_stream_restarts_are_recovered_from_the_event_log(bridge, production, zou):
    subscriber, position = subscribed(bridge)
    first = production.new_asset()
    subscriber.notifications(has(first["id"], "asset:new"))
    zou.stop_process("events")
    missed = production.new_asset()  # published while nobody listens: lost on the stream
    zou.start_events()
    bridge.wait_for_log("Zou event stream connected", timeout=60)
    after = production.new_asset()
    items, resets = subscriber.notifications(has(after["id"], "asset:new"), timeout=60)
    assert not resets
    keys = [i["data_key"] for i in items]
    assert keys.index(missed["id"]) < keys.index(after["id"])
    assert keys.count(missed["id"]) == 1


def test_events_lost_to_a_redis_restart_are_recovered_from_the_event_log(bridge, production, zou):
    subscriber, position = subscribed(bridge)
    zou.restart_redis()
    # Zou's event stream resubscribes to Redis with a backoff (1, 2, 4 s ...): events
    # published meanwhile never reach the socket, though the connection stays up.
    created = [production.new_asset()["id"] for _ in range(4)]
    items, resets = subscriber.notifications(lambda items, resets: {i["data_key"] for i in items} >= set(created) or resets,
                                             timeout=60)
    assert not resets
    for key in created:
        assert [i["data_key"] for i in items].count(key) == 1
    contiguous(items, position["cursor"])


def test_without_the_event_log_a_dropped_event_stream_is_a_reset_never_silence(zou, production, directory):
    email, password = production.artist()
    bridge = Bridge(directory, zou, production.id, password=password, email=email)
    try:
        subscriber = bridge.connect()
        assert subscriber.result("unicat.init")["result"]["event_log"] is False
        # Without the log every connect starts an epoch (the first snapshot predates it).
        deadline = time.monotonic() + 30
        while len(re.findall(r"epoch \S+ started \(", bridge.log())) < 2:
            assert time.monotonic() < deadline, bridge.log()[-3000:]
            time.sleep(0.1)
        subscriber.result("sync.subscribe", {"include_objects": True})
        seen = production.new_asset()
        items, resets = subscriber.notifications(
            lambda items, resets: any(i["data_key"] == seen["id"] for i in items))
        # The start-up epoch may reach the subscription just after it was made.
        assert all(reset["reason"] == "epoch_changed" for reset in resets)
        assert items[-1]["object"]["id"] == seen["id"]
        zou.stop_process("events")
        lost = production.new_asset()  # nobody can know of this one but the snapshot
        zou.start_events()
        items, resets = subscriber.notifications(lambda items, resets: resets, timeout=60)
        assert resets[0]["reason"] == "epoch_changed"
        init = subscriber.result("unicat.init")
        assert lost["id"] in init["data"]["assets"]
        after = production.new_asset()
        items, resets = subscriber.notifications(has(after["id"], "asset:new"))
        assert items[-1]["position"]["epoch"] == init["position"]["epoch"]
    finally:
        bridge.stop()
    assert_no_secrets(bridge, zou)
    assert password not in bridge.log()


def test_a_wrong_password_ends_the_bridge_naming_the_cause(zou, production, directory):
    wrong = "not-the-password-" + str(time.time_ns())
    bridge = Bridge(directory, zou, production.id, password=wrong)
    try:
        assert bridge.proc.wait(60) == 3
    finally:
        bridge.stop()
    log = bridge.log()
    assert "Zou refused the login of admin@example.com: Wrong email or password." in log
    assert wrong not in log


def test_zou_down_at_start_is_waited_out_and_reported(zou, production, directory):
    closed = f"http://127.0.0.1:{_closed_port()}"
    bridge = Bridge(directory, zou, production.id, api_url=closed)
    try:
        subscriber = bridge.connect()
        bridge.wait_for_log("cannot reach Zou for /auth/login", timeout=60)
        status = subscriber.result("bridge.status")
        assert status["upstream"]["state"] in ("starting", "reconnecting", "offline")
        assert bridge.proc.poll() is None
    finally:
        bridge.stop()
    assert_no_secrets(bridge, zou)


def _closed_port():
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
