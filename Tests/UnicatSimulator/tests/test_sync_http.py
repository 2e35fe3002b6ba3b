"""HTTP sync: /sync/get paging, strictness, visibility, errors; /sync/cursors; retention."""

from __future__ import annotations

import aiohttp

from conftest import Api, envelope_error, envelope_ok


async def sync_all(api: Api, cc: int, cursor: int | None, project: bool = True) -> tuple[list, int]:
    """Loops /sync/get while `warning` is present, like the official client."""
    items, pages = [], 0
    while True:
        body = {"cc_cursor": cc, **({"project": api.project, "cursor": cursor} if project else {})}
        result, _ = envelope_ok(await api.post("/sync/get", body, token=api.token))
        pages += 1
        assert set(result) <= {"sync", "warning"}
        items += result["sync"]
        for item in result["sync"]:
            if item["type"] == "cc":
                cc = item["cursor"]
            else:
                cursor = item["cursor"]
        if "warning" not in result:
            return items, pages
        assert result["warning"] == "more sync data available"


def visible_to_api_user(item: dict, project: str, members: list[str]) -> bool:
    """The cc items the API user may see: about its project, its co-members, or global."""
    key = item["data_key"]
    return {"project": True,
            "cc.users": key in members,
            "cc.projects": key == project,
            "cc.projects_members": key.startswith(project + "/"),
            "jobs": item.get("data", {}).get("project_gid") == project,
            }.get(item["type"] if item["type"] == "project" else item["data_type"], True)


async def test_full_replay_pages_and_matches_the_log(api):
    await api.control("/settings", {"page_size": 50})
    truth = await api.control("/log?cc_cursor=0&cursor=0")
    items, pages = await sync_all(api, 0, 0)
    members = envelope_ok(await api.call("init"))[0]["project_members"]
    visible = [e["item"] for e in truth["entries"] if visible_to_api_user(e["item"], api.project, members)]
    assert items == visible
    assert pages == len(items) // 50 + 1
    for item in items:
        assert set(item) <= {"type", "cursor", "action", "data_type", "data_key", "data"}
        assert item["type"] in ("cc", "project") and item["action"] in ("INSERT", "UPDATE", "DELETE")
        assert ("data" in item) == (item["data_type"] == "jobs")
    for stream in ("cc", "project"):
        cursors = [i["cursor"] for i in items if i["type"] == stream]
        assert cursors == sorted(cursors) and len(set(cursors)) == len(cursors)
    # Items about the project the API user is no member of stay invisible.
    other = (await api.control("/credentials"))["other_project"]
    assert any(other in str(e["item"]["data_key"]) for e in truth["entries"])
    assert not any(other in str(i["data_key"]) for i in items)


async def test_strictly_after_and_warning_only_when_more(api):
    cursors = await api.control("/cursors")
    made = (await api.control("/changes", {"count": 4}))["items"]
    assert [i["cursor"] for i in made] == list(range(cursors["cursor"] + 1, cursors["cursor"] + 5))
    body = {"cc_cursor": cursors["cc.cursor"], "project": api.project, "cursor": cursors["cursor"]}
    result, _ = envelope_ok(await api.post("/sync/get", body, token=api.token))
    assert result == {"sync": made}
    await api.control("/settings", {"page_size": 4})
    assert envelope_ok(await api.post("/sync/get", body, token=api.token))[0] == {"sync": made}
    await api.control("/settings", {"page_size": 3})
    assert envelope_ok(await api.post("/sync/get", body, token=api.token))[0] == \
        {"sync": made[:3], "warning": "more sync data available"}
    body["cursor"] = made[2]["cursor"]
    assert envelope_ok(await api.post("/sync/get", body, token=api.token))[0] == {"sync": made[3:]}
    body["cursor"] = made[3]["cursor"]
    assert envelope_ok(await api.post("/sync/get", body, token=api.token))[0] == {"sync": []}
    # Without `project` only cc items come back.
    only_cc = envelope_ok(await api.post("/sync/get", {"cc_cursor": 0}, token=api.token))[0]["sync"]
    assert only_cc and all(i["type"] == "cc" for i in only_cc)


async def test_sync_get_errors(api):
    token = api.token
    envelope_error(await api.post("/sync/get", {}, token=token), 400, info={"Missing parameter": "cc_cursor"})
    for bad in ("5", -1, 1.5, True, [1]):
        envelope_error(await api.post("/sync/get", {"cc_cursor": bad}, token=token), 400,
                       info={"Invalid parameter": "cc_cursor"})
    envelope_error(await api.post("/sync/get", {"cc_cursor": 0, "project": api.project}, token=token), 400,
                   info={"Missing parameter": "cursor"})
    envelope_error(await api.post("/sync/get", {"cc_cursor": 0, "project": api.project, "cursor": "x"},
                                  token=token), 400, info={"Invalid parameter": "cursor"})
    other = (await api.control("/credentials"))["other_project"]
    envelope_error(await api.post("/sync/get", {"cc_cursor": 0, "project": other, "cursor": 0}, token=token), 403)
    envelope_error(await api.post("/sync/get", {"cc_cursor": 0}), 401)


async def test_sync_cursors(api):
    truth = await api.control("/cursors")
    assert envelope_ok(await api.post("/sync/cursors", {}, token=api.token))[0] == truth
    assert envelope_ok(await api.post("/sync/cursors", {"project": api.project}, token=api.token))[0] == truth
    other = (await api.control("/credentials"))["other_project"]
    envelope_error(await api.post("/sync/cursors", {"project": other}, token=api.token), 403)
    envelope_error(await api.post("/sync/cursors", {}), 401)


async def test_retention_prunes_and_old_cursors_get_422(start_sim):
    sim = start_sim("--sync-retention", "10")
    async with aiohttp.ClientSession() as session:
        api = Api(sim, session)
        await api.auth()
        cursors = await api.control("/cursors")
        r = await api.post("/sync/get", {"cc_cursor": 0, "project": api.project, "cursor": 0}, token=api.token)
        envelope_error(r, 422, message="Unprocessable Entity",
                       info={"Cursor too old": "cc_cursor", "oldest_cursor": cursors["cc.cursor"] - 10})
        r = await api.post("/sync/get", {"cc_cursor": cursors["cc.cursor"], "project": api.project, "cursor": 0},
                           token=api.token)
        envelope_error(r, 422, info={"Cursor too old": "cursor", "oldest_cursor": cursors["cursor"] - 10})
        # The newest 10 items are still there.
        body = {"cc_cursor": cursors["cc.cursor"], "project": api.project, "cursor": cursors["cursor"] - 10}
        assert len(envelope_ok(await api.post("/sync/get", body, token=api.token))[0]["sync"]) == 10
        await api.control("/changes", {"count": 5})
        body["cursor"] = cursors["cursor"] - 10
        envelope_error(await api.post("/sync/get", body, token=api.token), 422)
        await api.control("/settings", {"sync_retention": None})
        body["cursor"] = cursors["cursor"]
        assert len(envelope_ok(await api.post("/sync/get", body, token=api.token))[0]["sync"]) == 5
