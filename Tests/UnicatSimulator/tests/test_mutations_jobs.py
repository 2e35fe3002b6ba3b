"""Record mutations, jobs (backups, restores, permanent deletes) and cursor rewinding."""

from __future__ import annotations

import asyncio
import time

import aiohttp

from conftest import Api, envelope_error, envelope_ok, track_job


async def a_line(api: Api) -> str:
    root = envelope_ok(await api.call("records/root"))[0]["root"]
    brand = envelope_ok(await api.call("records/children", {"record": root}))[0]["children"][3]
    return envelope_ok(await api.call("records/children", {"record": brand}))[0]["children"][0]


async def project_items_since(api: Api, cursor: int) -> list[dict]:
    body = {"cc_cursor": 10**9, "project": api.project, "cursor": cursor}
    return envelope_ok(await api.post("/sync/get", body, token=api.token))[0]["sync"]


async def test_create_update_delete_undelete(api):
    line = await a_line(api)
    before = envelope_ok(await api.call("records/get", {"record": line}))[1]["records"][line]
    cursor = (await api.control("/cursors"))["cursor"]
    result, data = envelope_ok(await api.call("records/create", {"parent": line}))
    gid = result["record"]
    assert data["records"][gid]["parent"] == line and data["records"][line]["childcount"] == before["childcount"] + 1
    assert [(i["action"], i["data_key"]) for i in await project_items_since(api, cursor)] == \
        [("INSERT", gid), ("UPDATE", line)]

    cursor = (await api.control("/cursors"))["cursor"]
    r = await api.call("records/update", {"record": gid, "fields": {
        "en": {"name": "Test article", "price": 12.5, "colour/key": "white", "nonsense": 1},
        "nl": {"name": "Testartikel", "stock": "many"}, "fr": {"name": "x"}}})
    result, data = envelope_ok(r)
    record = data["records"][gid]
    assert result["record"] == gid
    assert sorted((v["language"], v["field"]) for v in result["report.validation"]) == \
        [("en", "nonsense"), ("fr", None), ("nl", "stock")]
    assert record["title"] == {"en": "Test article", "nl": "Testartikel"}
    assert record["fields"]["en"]["price"] == 12.5 and record["fields"]["nl"]["price"] == 12.5  # not localized
    assert (record["fields"]["nl"]["colour"], record["fields"]["nl"]["colour/key"]) == ("Wit", "white")
    assert record["updated_on"] > record["created_on"]
    assert [(i["action"], i["data_key"]) for i in await project_items_since(api, cursor)] == [("UPDATE", gid)]

    result, data = envelope_ok(await api.call("records/delete", {"record": gid}))
    assert data["records"][gid]["status"] == "deleted"
    result, data = envelope_ok(await api.call("records/undelete", {"record": gid}))
    assert data["records"][gid]["status"] == "draft"
    items = await project_items_since(api, cursor)
    assert [(i["action"], i["data_key"]) for i in items] == [("UPDATE", gid)] * 3

    envelope_error(await api.call("records/update", {"record": gid}), 400, info={"Missing parameter": "fields"})
    envelope_error(await api.call("records/update", {"record": gid, "fields": {"en": 1}}), 400)
    envelope_error(await api.call("records/create", {"parent": "nope"}), 422, message="record not found")
    envelope_error(await api.call("records/create", {"parent": line, "ordering": "nope"}), 400)


async def test_permanent_delete_job(api):
    line = await a_line(api)
    gid = envelope_ok(await api.call("records/create", {"parent": line}))[0]["record"]
    child = envelope_ok(await api.call("records/create", {"parent": gid}))[0]["record"]
    baseline = envelope_ok(await api.post("/sync/cursors", {}, token=api.token))[0]
    result, data = envelope_ok(await api.call("records/permanent_delete", {"record": gid}))
    assert result["parent"] == line and set(data["records"]) == {line}
    states = await track_job(api, baseline["cc.cursor"], result["job.token"])
    assert [s["status"] for s in states] == ["queued", "processing", "done"]
    assert all(s["job"] == "permanent_delete_record" and s["project_gid"] == api.project for s in states)
    assert set(states[0]) == {"project_gid", "job", "status", "info", "created_on", "updated_on"}
    items = await project_items_since(api, baseline["cursor"])
    assert [(i["action"], i["data_key"]) for i in items] == [("DELETE", child), ("DELETE", gid), ("UPDATE", line)]
    envelope_error(await api.call("records/get", {"record": gid}), 422)
    root = envelope_ok(await api.call("records/root"))[0]["root"]
    envelope_error(await api.call("records/permanent_delete", {"record": root}), 422)


async def test_backup_and_restore_rewind_the_cursor(start_sim):
    sim = start_sim()
    async with aiohttp.ClientSession() as session:
        api = Api(sim, session)
        init = (await api.auth()).body["result"]
        assert init["last_backed_up"] is not None
        baseline = envelope_ok(await api.post("/sync/cursors", {}, token=api.token))[0]
        result, data = envelope_ok(await api.call("backups/create", {"created_by": "tests", "name": "before"}))
        assert set(result) == {"project", "version", "last_backed_up", "job.token"} and result["version"] == 2
        versions = data["cc.projects"][api.project]["backups"]["versions"]
        assert versions[-1]["name"] == "before" and versions[-1]["created_by"] == "tests"
        states = await track_job(api, baseline["cc.cursor"], result["job.token"])
        assert [s["status"] for s in states] == ["queued", "processing", "done"]
        backup_cursor = (await api.control("/cursors"))["cursor"]

        changed = (await api.control("/changes", {"count": 5}))["items"]
        gid = changed[0]["data_key"]
        changed_record = await api.control(f"/object/records/{gid}")
        ahead = (await api.control("/cursors"))["cursor"]
        assert ahead == backup_cursor + 5

        cc = (await api.control("/cursors"))["cc.cursor"]
        result, _ = envelope_ok(await api.call("backups/restore", {"version": 2}))
        assert set(result) == {"project", "version", "last_restored", "job.token"}
        states = await track_job(api, cc, result["job.token"])
        assert [s["job"] for s in states] == ["restore_project"] * 3
        # The cursor went backwards and the data is the backup's again.
        assert (await api.control("/cursors"))["cursor"] == backup_cursor
        assert envelope_ok(await api.post("/sync/cursors", {}, token=api.token))[0]["cursor"] == backup_cursor
        restored = envelope_ok(await api.call("records/get", {"record": gid}))[1]["records"][gid]
        assert restored["updated_on"] < changed_record["updated_on"]
        # New items reuse the rewound cursor numbers.
        again = (await api.control("/changes", {"count": 1}))["items"]
        assert again[0]["cursor"] == backup_cursor + 1
        assert await project_items_since(api, ahead) == []  # a client still at `ahead` sees nothing

        envelope_error(await api.call("backups/restore", {"version": 0}), 422, code=1003,
                       message="Process error", info={"process": "restore"})
        envelope_error(await api.call("backups/restore", {"version": 99}), 422, code=1003)
        envelope_error(await api.call("backups/restore", {}), 400, info={"Missing parameter": "version"})
        envelope_error(await api.call("backups/create", {}), 400, info={"Missing parameter": "created_by"})


async def test_restore_advance_and_control_restore(start_sim):
    sim = start_sim("--restore-cursor", "advance")
    async with aiohttp.ClientSession() as session:
        api = Api(sim, session)
        await api.auth()
        seeded = await api.control("/cursors")
        await api.control("/changes", {"count": 3})
        r = await api.control("/restore", {})
        assert r["version"] == 1 and "job.token" in r
        await track_job(api, seeded["cc.cursor"], r["job.token"])
        assert (await api.control("/cursors"))["cursor"] == seeded["cursor"] + 3  # not rewound
        job = await api.control(f"/object/jobs/{r['job.token']}")
        assert job["status"] == "done" and job["job"] == "restore_project"
        await api.control("/settings", {"restore_cursor": "rewind"})
        r = await api.control("/restore", {"backup_first": True})
        assert r["version"] == 2 and "backup_job.token" in r
        await track_job(api, seeded["cc.cursor"], r["job.token"])
        assert (await api.control("/cursors"))["cursor"] == seeded["cursor"] + 3
        r = await api.control("/restore", {"version": 1})
        await track_job(api, seeded["cc.cursor"], r["job.token"])
        assert (await api.control("/cursors"))["cursor"] == seeded["cursor"]
        bad = await api.request("POST", "/restore", {"version": 42}, base=sim.control)
        assert bad.status == 422
