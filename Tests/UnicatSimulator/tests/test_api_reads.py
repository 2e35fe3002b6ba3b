"""Get endpoints: parameter matching, 400/401/403/422, language filtering, paging."""

from __future__ import annotations

import jwt
import pytest

from conftest import envelope_error, envelope_ok

GETTERS = [("definitions/get", "definition", "definitions", "definitions"),
           ("classes/get", "class", "classes", "classes"),
           ("fields/get", "field", "fields", "fields"),
           ("layouts/get", "layout", "layouts", "layouts"),
           ("queries/get", "query", "queries", "queries")]


async def some_records(api, count=3) -> list[str]:
    root = envelope_ok(await api.call("records/root"))[0]["root"]
    brands = envelope_ok(await api.call("records/children", {"record": root}))[0]["children"]
    return brands[:count]


async def test_records_get_singular_plural(api):
    gids = await some_records(api)
    result, data = envelope_ok(await api.call("records/get", {"record": gids[0]}))
    assert result == {"record": gids[0]} and set(data) == {"records"} and set(data["records"]) == {gids[0]}
    result, data = envelope_ok(await api.call("records/get", {"records": gids}))
    assert result == {"records": gids} and set(data["records"]) == set(gids)
    # Both given: the first documented form (singular) wins, the rest is ignored.
    result, _ = envelope_ok(await api.call("records/get", {"records": gids, "record": gids[1]}))
    assert result == {"record": gids[1]}
    record = data["records"][gids[0]]
    assert {"gid", "parent", "canonical", "backlinks", "is_link", "treelevel", "path", "childcount",
            "definition", "title", "status", "channels", "orderings", "fields", "created_on",
            "updated_on"} == set(record)
    assert record["path"][0] == gids[0] and record["treelevel"] == len(record["path"])


async def test_records_get_errors(api):
    envelope_error(await api.call("records/get", {}), 400, message="Bad request",
                   info={"Missing parameter": "record"})
    envelope_error(await api.call("records/get", {"record": 5}), 400, info={"Invalid parameter": "record"})
    envelope_error(await api.call("records/get", {"records": "x"}), 400, info={"Invalid parameter": "records"})
    envelope_error(await api.call("records/get", {"record": "00000000-0000-4000-8000-000000000000"}), 422,
                   message="record not found")
    good = (await some_records(api, 1))[0]
    envelope_error(await api.call("records/get", {"records": [good, "nope"]}), 422, message="record not found",
                   info={"record": "nope"})


@pytest.mark.parametrize("endpoint,singular,plural,data_type", GETTERS)
async def test_schema_getters(api, endpoint, singular, plural, data_type):
    schema = envelope_ok(await api.call("init"))[1][data_type]
    keys = list(schema)[:2]
    result, data = envelope_ok(await api.call(endpoint, {singular: keys[0]}))
    assert result == {singular: keys[0]} and data == {data_type: {keys[0]: schema[keys[0]]}}
    result, data = envelope_ok(await api.call(endpoint, {plural: keys}))
    assert result == {plural: keys} and set(data[data_type]) == set(keys)
    envelope_error(await api.call(endpoint, {}), 400, info={"Missing parameter": singular})
    envelope_error(await api.call(endpoint, {singular: "unknown"}), 422)


async def test_query_not_found_message(api):
    envelope_error(await api.call("queries/get", {"query": "nope"}), 422, message="query doesn't exist")
    envelope_error(await api.call("layouts/get", {"layout": "nope"}), 422, message="layout not found")


async def test_assets_get_forms(api):
    root = envelope_ok(await api.call("assets/root"))[0]["root"]
    result, data = envelope_ok(await api.call("assets/children", {"asset": root}))
    folders = result["children"]
    assert result["children.size"] == 3
    asset = data["assets"][folders[0]]
    assert {"gid", "pathname", "path", "name", "is_file", "type", "childcount", "status", "info",
            "transforms", "title", "description", "metadata", "created_on", "updated_on",
            "version"} == set(asset)
    result, data = envelope_ok(await api.call("assets/get", {"pathname": asset["pathname"]}))
    assert result == {"asset": asset["gid"]}
    result, data = envelope_ok(await api.call("assets/get", {"pathnames": ["/", asset["pathname"]]}))
    assert result == {"assets": [root, asset["gid"]]}
    result, _ = envelope_ok(await api.call("assets/get", {"assets": [root], "pathname": "/"}))
    assert result == {"assets": [root]}  # "assets" comes before "pathname"
    envelope_error(await api.call("assets/get", {}), 400, info={"Missing parameter": "asset"})
    envelope_error(await api.call("assets/get", {"pathname": "/nope"}), 422, message="asset not found")
    total = sum(1 for _ in (await api.call("assets/children", {"asset": folders[1]})).body["result"]["children"])
    assert total > 0


async def test_modules(api):
    result, data = envelope_ok(await api.call("modules/all"))
    names = result["module_names"]
    assert names == ["erp-connector", "webshop-export"] and set(data["modules"]) == set(names)
    result, data = envelope_ok(await api.call("modules/get", {"module": names[0]}))
    assert result == {"module": names[0]} and data["modules"][names[0]]["name"] == names[0]
    result, data = envelope_ok(await api.call("modules/get", {"modules": names}))
    assert set(data["modules"]) == set(names)
    envelope_error(await api.call("modules/get", {"module": "nope"}), 422, message="module not found")


async def test_language_filter(api):
    gid = (await some_records(api, 1))[0]
    both = envelope_ok(await api.call("records/get", {"record": gid}))[1]["records"][gid]
    assert set(both["title"]) == {"en", "nl"} and set(both["fields"]) == {"en", "nl"}
    nl = envelope_ok(await api.call("records/get", {"record": gid, "language": "nl"}))[1]["records"][gid]
    assert set(nl["title"]) == {"nl"} and set(nl["fields"]) == {"nl"} and nl["title"]["nl"] == both["title"]["nl"]
    en = envelope_ok(await api.call("records/get", {"record": gid, "languages": ["en"]}))[1]["records"][gid]
    assert set(en["fields"]) == {"en"}
    envelope_error(await api.call("records/get", {"record": gid, "language": 3}), 400,
                   info={"Invalid parameter": "language"})


async def test_children_paging(api):
    root = envelope_ok(await api.call("records/root"))[0]["root"]
    result, data = envelope_ok(await api.call("records/children", {"record": root}))
    assert result["children.size"] == 12 and len(result["children"]) == 12
    page = envelope_ok(await api.call("records/children", {"record": root, "page.top": 10, "page.size": 5}))[0]
    assert page == {"children": result["children"][10:], "children.size": 12}
    # The article level: 16 per product line, default page size 100.
    line = envelope_ok(await api.call("records/children", {"record": result["children"][0]}))[0]["children"][0]
    articles = envelope_ok(await api.call("records/children", {"record": line, "page.size": 10}))[0]
    assert len(articles["children"]) == 10 and articles["children.size"] == 16
    envelope_error(await api.call("records/children", {}), 400, info={"Missing parameter": "record"})
    envelope_error(await api.call("records/children", {"record": root, "page.size": 0}), 400,
                   info={"Invalid parameter": "page.size"})
    envelope_error(await api.call("records/children", {"record": "nope"}), 422, message="record not found")


async def test_global_getters(api):
    init = envelope_ok(await api.call("init"))
    me = init[0]["user"]
    members = init[0]["project_members"]
    other_member = next(m for m in members if m != me)
    result, data = envelope_ok(await api.post("/api/users/get", {"user": me}, token=api.token))
    assert result == {"user": me} and "email" in data["cc.users"][me]
    result, data = envelope_ok(await api.post("/api/users/get", {"users": members}, token=api.token))
    assert set(data["cc.users"]) == set(members) and "email" not in data["cc.users"][other_member]
    envelope_error(await api.post("/api/users/get", {}, token=api.token), 400,
                   info={"Missing parameter": "user"})
    envelope_error(await api.post("/api/users/get", {"user": "nope"}, token=api.token), 422)

    result, data = envelope_ok(await api.post("/api/projects/get", {"project": api.project}, token=api.token))
    assert result == {"project": api.project} and data["cc.projects"][api.project]["options"]
    other = (await api.control("/credentials"))["other_project"]
    envelope_error(await api.post("/api/projects/get", {"project": other}, token=api.token), 403)
    envelope_error(await api.post("/api/projects/get", {"project": "nope"}, token=api.token), 422)

    result, data = envelope_ok(await api.post("/api/members/get", {"project": api.project, "member": me},
                                              token=api.token))
    assert result == {"project": api.project, "member": me}
    assert data["cc.projects_members"][0]["roles"] == ["api"]
    envelope_error(await api.post("/api/members/get", {"project": api.project}, token=api.token), 400,
                   info={"Missing parameter": "member"})
    envelope_error(await api.post("/api/members/get", {"project": api.project, "member": "x"},
                                  token=api.token), 422)


async def test_auth_failures(api):
    path = f"/api/p/{api.project}/records/root"
    expired = jwt.encode({"user": "x", "project": api.project, "iat": 1, "exp": 2, "gen": 0}, "k" * 32)
    for headers in [{}, {"Authorization": "Basic abc"}, {"Authorization": api.token},
                    {"Authorization": "Bearer not.a.jwt"}, {"Authorization": f"Bearer {expired}"},
                    {"Authorization": "Bearer " + api.token[:-3] + ("AAA" if not api.token.endswith("AAA") else "BBB")}]:
        r = await api.request("POST", path, {}, headers=headers)
        envelope_error(r, 401, message="Permission denied", info={})
        assert r.headers["WWW-Authenticate"] == 'Bearer realm="JWT access to Unicat."'
        assert "Authorization" not in r.headers


async def test_forbidden_for_other_project(api):
    other = (await api.control("/credentials"))["other_project"]
    for endpoint in ("records/root", "init", "definitions/get", "records/get"):
        r = await api.post(f"/api/p/{other}/{endpoint}", {"record": "x", "definition": "x"}, token=api.token)
        envelope_error(r, 403, message="Forbidden")


async def test_bad_bodies(api):
    for raw in (b"{not json", b"[1, 2]", b"\xff\xfe"):
        r = await api.call("records/get", raw=raw, headers={"Content-Type": "application/json"})
        err = envelope_error(r, 400, message="Bad request")
        assert list(err["info"]) == ["Invalid JSON"]
    r = await api.post(f"/api/p/{api.project}/auth", raw=b"{", headers={"Content-Type": "application/json"})
    envelope_error(r, 400)
    r = await api.call("no/such/endpoint", {})
    envelope_error(r, 404)
    r = await api.request("GET", f"/api/p/{api.project}/records/get", token=api.token)
    envelope_error(r, 405)
