"""The control API: stats, faults, settings, changes, log, objects, credentials, activity."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from conftest import envelope_error, envelope_ok


async def test_health_credentials_and_loopback(api):
    assert api.sim.control.startswith("http://127.0.0.1:")
    assert await api.control("/health") == {"ok": True}
    creds = await api.control("/credentials")
    assert creds["api_key"] == api.sim.api_key and creds["project"] == api.project
    assert creds["other_project"] != api.project and set(creds["login"]) == {"username", "password"}


async def test_stats_count_every_request(api):
    await api.control("/stats/reset", {})
    await api.call("records/root")
    await api.call("records/root")
    await api.call("records/get", {})  # 400
    await api.post("/sync/get", {"cc_cursor": 0})  # 401
    await api.control("/faults", {"match": "/sync/cursors", "status": 503})
    await api.post("/sync/cursors", {}, token=api.token)  # fault-injected
    await api.request("GET", "/nowhere")
    stats = await api.control("/stats")
    assert stats["requests"] == {"POST /api/p/{gid}/records/root": 2, "POST /api/p/{gid}/records/get": 1,
                                 "POST /sync/get": 1, "POST /sync/cursors": 1, "GET /nowhere": 1}
    assert stats["requests_total"] == 6
    assert set(stats["socketio"]) == {"connected", "connects_total", "refused_total"}
    reset = await api.control("/stats/reset", {})
    assert reset["requests"] == {} and reset["requests_total"] == 0


async def test_fault_status_retry_after_and_count(api):
    faults = await api.control("/faults", {"match": "/api/p/{gid}/records/*", "status": 503, "count": 2,
                                           "retry_after": 2})
    assert faults["faults"][0]["count"] == 2
    for _ in range(2):
        r = await api.call("records/root")
        envelope_error(r, 503, message="Service unavailable")
        assert r.headers["Retry-After"] == "2"
    assert (await api.call("records/root")).status == 200
    assert (await api.control("/faults"))["faults"] == []


async def test_fault_literal_gid_method_and_clear(api):
    await api.control("/faults", {"match": f"/api/p/{api.project}/records/root", "status": 429,
                                  "method": "post", "count": 5})
    r = await api.call("records/root")
    envelope_error(r, 429)
    assert "Retry-After" not in r.headers
    assert (await api.call("records/get", {"record": "x"})).status == 422  # other paths unaffected
    await api.control("/faults/clear", {})
    assert (await api.call("records/root")).status == 200


async def test_fault_non_json_and_401(api):
    await api.control("/faults", {"match": "/sync/get", "status": 500, "body": "non_json"})
    r = await api.post("/sync/get", {"cc_cursor": 0}, token=api.token)
    assert r.status == 500 and r.body is None and r.headers["Content-Type"].startswith("text/html")
    await api.control("/faults", {"match": "*", "status": 401})
    r = await api.call("records/root")
    envelope_error(r, 401, message="Permission denied")
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="JWT access to Unicat."'


async def test_fault_delay_and_slow_error(api):
    await api.control("/faults", {"match": "/api/p/{gid}/records/root", "status": None, "delay": 0.4})
    started = time.monotonic()
    r = await api.call("records/root")
    assert r.status == 200 and time.monotonic() - started >= 0.4
    await api.control("/faults", {"match": "/api/p/{gid}/records/root", "status": 502, "delay": 0.2})
    started = time.monotonic()
    assert (await api.call("records/root")).status == 502 and time.monotonic() - started >= 0.2


async def test_fault_close_drops_the_connection(api):
    await api.control("/faults", {"match": "/api/p/{gid}/records/root", "body": "close"})
    with pytest.raises(aiohttp.ClientError):
        await api.call("records/root")
    assert (await api.call("records/root")).status == 200


async def test_fault_validation(api):
    for bad in [{}, {"match": "no-slash"}, {"match": "/x", "status": 99}, {"match": "/x", "count": 0},
                {"match": "/x", "body": "xml"}, {"match": "/x", "delay": -1}]:
        r = await api.request("POST", "/faults", bad, base=api.sim.control)
        assert r.status == 400 and "error" in r.body


async def test_settings(api):
    settings = await api.control("/settings")
    assert settings["page_size"] == 100 and settings["restore_cursor"] == "rewind"
    changed = await api.control("/settings", {"page_size": 7, "sync_retention": None})
    assert changed["page_size"] == 7
    for bad in [{"page_size": 0}, {"refresh_policy": "sometimes"}, {"nope": 1}, {"jwt_ttl": "x"},
                {"page_size": 5, "socket_reply": "maybe"}]:
        r = await api.request("POST", "/settings", bad, base=api.sim.control)
        assert r.status == 400
    assert (await api.control("/settings"))["page_size"] == 7  # a bad request changes nothing


@pytest.mark.parametrize("data_type", ["records", "assets", "definitions", "classes", "fields", "layouts",
                                       "queries", "modules"])
async def test_changes_update_insert_delete(api, data_type):
    getter = {"records": ("records/get", "record"), "assets": ("assets/get", "asset"),
              "definitions": ("definitions/get", "definition"), "classes": ("classes/get", "class"),
              "fields": ("fields/get", "field"), "layouts": ("layouts/get", "layout"),
              "queries": ("queries/get", "query"), "modules": ("modules/get", "module")}[data_type]
    before = await api.control("/cursors")
    made = await api.control("/changes", {"count": 2, "data_type": data_type})
    assert [i["action"] for i in made["items"]] == ["UPDATE", "UPDATE"]
    assert made["cursor"] == before["cursor"] + 2 and made["cc.cursor"] == before["cc.cursor"]
    for item in made["items"]:
        assert item["data_type"] == data_type and item["type"] == "project"
        obj = await api.control(f"/object/{data_type}/{item['data_key']}")
        fetched = envelope_ok(await api.call(getter[0], {getter[1]: item["data_key"]}))[1][data_type]
        assert fetched[item["data_key"]] == obj
    inserted = (await api.control("/changes", {"count": 1, "data_type": data_type, "action": "INSERT"}))["items"]
    if data_type in ("classes", "definitions"):
        # A class or definition comes with its own layout, announced first.
        assert [(i["action"], i["data_type"]) for i in inserted] == [("INSERT", "layouts"), ("INSERT", data_type)]
        layout = inserted.pop(0)["data_key"]
    assert inserted[0]["action"] == "INSERT"
    new_key = inserted[0]["data_key"]
    new = envelope_ok(await api.call(getter[0], {getter[1]: new_key}))[1][data_type][new_key]
    if data_type in ("classes", "definitions"):
        assert new["layout"] == layout
        assert envelope_ok(await api.call("layouts/get", {"layout": layout}))[1]["layouts"][layout]
    if data_type == "definitions":
        assert new["titlefield"] in new["fields"]  # a field gid, not a name
    if data_type in ("records", "assets"):
        assert inserted[1]["action"] == "UPDATE"  # the parent's childcount changed
    deleted = (await api.control("/changes", {"count": 1, "data_type": data_type, "action": "DELETE"}))["items"]
    assert deleted[0]["action"] == "DELETE"
    assert (await api.call(getter[0], {getter[1]: deleted[0]["data_key"]})).status == 422
    missing = await api.request("GET", f"/object/{data_type}/{deleted[0]['data_key']}", base=api.sim.control)
    assert missing.status == 404


async def test_changes_cc_and_validation(api):
    before = await api.control("/cursors")
    made = await api.control("/changes", {"count": 1, "data_type": "cc.users"})
    item = made["items"][0]
    assert item["type"] == "cc" and item["cursor"] == before["cc.cursor"] + 1
    user = await api.control(f"/object/cc.users/{item['data_key']}")
    result, data = envelope_ok(await api.post("/api/users/get", {"user": item["data_key"]}, token=api.token))
    assert data["cc.users"][item["data_key"]]["avatar"] == user["avatar"]
    made = await api.control("/changes", {"count": 1, "data_type": "cc.projects"})
    assert made["items"][0]["data_key"] == api.project
    for bad in [{"count": 0}, {"data_type": "widgets"}, {"action": "UPSERT"},
                {"data_type": "cc.users", "action": "DELETE"}, {"count": 10000, "data_type": "modules"}]:
        r = await api.request("POST", "/changes", bad, base=api.sim.control)
        assert r.status == 400, bad


async def test_log_has_append_times(api):
    before = await api.control("/cursors")
    t0 = time.time()
    await api.control("/changes", {"count": 3})
    log = await api.control(f"/log?cc_cursor={before['cc.cursor']}&cursor={before['cursor']}")
    assert log["cursor"] == before["cursor"] + 3
    entries = log["entries"]
    assert [e["item"]["cursor"] for e in entries] == [before["cursor"] + i for i in (1, 2, 3)]
    assert all(t0 - 0.1 <= e["appended_at"] <= time.time() for e in entries)
    assert [e["seq"] for e in entries] == sorted(e["seq"] for e in entries)
    assert (await api.request("GET", "/object/records/nope", base=api.sim.control)).status == 404


async def test_activity(api):
    before = await api.control("/cursors")
    await api.control("/settings", {"activity": 40})
    await asyncio.sleep(0.6)
    await api.control("/settings", {"activity": 0})
    after = await api.control("/cursors")
    made = after["cursor"] - before["cursor"]
    assert 10 <= made <= 40, made
    await asyncio.sleep(0.2)
    assert (await api.control("/cursors"))["cursor"] == after["cursor"]
    log = await api.control(f"/log?cc_cursor={after['cc.cursor']}&cursor={before['cursor']}")
    assert {e["item"]["data_type"] for e in log["entries"]} <= {"records", "assets"}
