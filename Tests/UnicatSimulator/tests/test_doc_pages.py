"""The four seed doc pages (p-auth, p-init, init, projects-create), field by field."""

from __future__ import annotations

import base64
import json

from conftest import envelope_error, envelope_ok

PROJECT_RESULT = {"user", "user_projects", "project", "project_members", "last_backed_up",
                  "cc.version", "cc.cursor", "cursor"}
PROJECT_DATA = {"cc.users", "cc.projects", "cc.projects_members", "cc.languages",
                "definitions", "classes", "fields", "layouts", "queries"}
USER_FULL = {"gid", "username", "email", "name", "avatar", "status", "options"}
USER_SHORT = {"gid", "username", "name", "avatar", "status"}
PROJECT_OPTIONS = {"channels", "timezone", "languages", "orderings", "fieldlists", "imageserver",
                   "orderedchannels", "orderedorderings", "orderedfieldlists"}
SCHEMA_KEYS = {
    "definitions": {"gid", "original", "name", "label", "classes", "fields", "titlefield", "fieldlists",
                    "layout", "childdefinitions", "metadata", "is_base", "is_extended", "is_new",
                    "is_working_copy"},
    "classes": {"gid", "original", "name", "label", "fields", "layout", "metadata", "is_new",
                "is_working_copy"},
    "fields": {"gid", "original", "name", "label", "type", "options", "is_localized", "is_required",
               "initial", "unit", "metadata", "is_new", "is_working_copy"},
    "layouts": {"gid", "original", "name", "root", "components", "is_new", "is_working_copy"},
    "queries": {"gid", "type", "name", "q", "filter"},
}


def jwt_claims(token: str) -> dict:
    header, payload, signature = token.split(".")
    assert json.loads(base64.urlsafe_b64decode(header + "=="))["alg"] == "HS256"
    return json.loads(base64.urlsafe_b64decode(payload + "=="))


def check_project_init(result: dict, data: dict, project: str) -> None:
    assert set(result) == PROJECT_RESULT
    user = result["user"]
    assert result["project"] == project
    assert isinstance(result["user_projects"], dict) and result["user_projects"][project] == ["api"]
    assert user in result["project_members"] and len(result["project_members"]) == 3
    assert isinstance(result["last_backed_up"], float)
    assert isinstance(result["cc.version"], str) and len(result["cc.version"].split(".")) == 3
    assert isinstance(result["cc.cursor"], int) and result["cc.cursor"] > 0
    assert isinstance(result["cursor"], int) and result["cursor"] > 0

    assert set(data) == PROJECT_DATA
    users = data["cc.users"]
    assert set(users) == set(result["project_members"])
    assert set(users[user]) == USER_FULL and set(users[user]["options"]) == {"language", "timezone"}
    assert users[user]["username"] is None  # the API user
    for gid, entry in users.items():
        assert entry["gid"] == gid
        if gid != user:
            assert set(entry) == USER_SHORT and entry["status"] == "active"

    entry = data["cc.projects"][project]
    assert {"gid", "name", "icon", "owner", "status", "options", "backups", "build"} <= set(entry)
    assert entry["gid"] == project and entry["status"] == "active" and entry["icon"] == f"{project}.jpg"
    assert set(entry["options"]) == PROJECT_OPTIONS
    assert entry["options"]["channels"]["__all__"] == "[all records]"
    assert entry["options"]["imageserver"] == {"type": "ccdam", "options": {}}
    assert set(entry["backups"]) == {"versions", "next_version"}

    members = data["cc.projects_members"]
    assert isinstance(members, list) and len(members) == 3
    for m in members:
        assert m["project_gid"] == project and m["status"] == "active"
        if m["user_gid"] == user:
            assert set(m) == {"project_gid", "user_gid", "status", "roles", "options"}
            assert m["roles"] == ["api"] and m["options"]["rate_limit_per_second"] is None
        else:
            assert set(m) == {"project_gid", "user_gid", "status", "roles"}
    assert {m["user_gid"]: m["roles"] for m in members}[entry["owner"]] == ["owner"]

    assert data["cc.languages"]["da"] == "Danish" and data["cc.languages"]["nl"] == "Dutch"
    for data_type, keys in SCHEMA_KEYS.items():
        assert data[data_type], data_type
        for gid, obj in data[data_type].items():
            assert set(obj) == keys, (data_type, set(obj) ^ keys)
            assert obj["gid"] == gid


async def test_p_auth_success(api):
    r = await api.auth()
    token = r.headers["Authorization"]
    assert not token.startswith("Bearer ")
    claims = jwt_claims(token)
    assert {"user", "project", "iat", "exp"} <= set(claims)
    assert abs(claims["exp"] - claims["iat"] - 900) < 1e-6
    result, data = envelope_ok(r)
    check_project_init(result, data, api.project)
    assert claims["user"] == result["user"] and claims["project"] == api.project
    assert any(d["is_extended"] for d in data["definitions"].values())


async def test_p_auth_omit_extended_definitions(api):
    full = (await api.auth(omit_extended_definitions=False)).body["data"]["definitions"]
    slim = (await api.auth(omit_extended_definitions=True)).body["data"]["definitions"]
    assert set(slim) == {g for g, d in full.items() if not d["is_extended"]}
    assert len(slim) < len(full)


async def test_p_auth_errors(api):
    r = await api.post(f"/api/p/{api.project}/auth", {})
    envelope_error(r, 400, message="Bad request", info={"Missing parameter": "api_key"})
    assert "Authorization" not in r.headers
    r = await api.post(f"/api/p/{api.project}/auth", {"api_key": "wrong"})
    envelope_error(r, 403, message="Unknown user", info={})
    # The key's user is not a member of the other project.
    other = (await api.control("/credentials"))["other_project"]
    r = await api.post(f"/api/p/{other}/auth", {"api_key": api.sim.api_key})
    envelope_error(r, 403, message="Unknown user", info={})
    r = await api.post("/api/p/not-a-project/auth", {"api_key": api.sim.api_key})
    envelope_error(r, 403, message="Unknown user")


async def test_p_init_get_and_post(api):
    for r in [await api.request("GET", f"/api/p/{api.project}/init", token=api.token),
              await api.call("init", {"omit_extended_definitions": False})]:
        result, data = envelope_ok(r)
        check_project_init(result, data, api.project)
    slim = await api.request("GET", f"/api/p/{api.project}/init?omit_extended_definitions=true",
                             token=api.token)
    assert not any(d["is_extended"] for d in slim.body["data"]["definitions"].values())


async def test_p_init_errors(api):
    r = await api.request("GET", f"/api/p/{api.project}/init")
    envelope_error(r, 401, message="Permission denied", info={})
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="JWT access to Unicat."'
    # The page's own 401 example uses the `error` + `data: null` shape: a switch.
    await api.control("/settings", {"error_401_shape": "error"})
    r = await api.request("GET", f"/api/p/{api.project}/init")
    assert r.status == 401 and r.headers["WWW-Authenticate"] == 'Bearer realm="JWT access to Unicat."'
    assert r.body == {"success": False, "data": None,
                      "error": {"code": 401, "message": "Permission denied", "info": {}}}
    other = (await api.control("/credentials"))["other_project"]
    r = await api.request("GET", f"/api/p/{other}/init", token=api.token)
    envelope_error(r, 403, message="Forbidden", info={})


async def test_global_init(api):
    for method in ("GET", "POST"):
        r = await api.request(method, "/api/init", token=api.token)
        result, data = envelope_ok(r)
        assert r.headers["Authorization"] and r.headers["Authorization"] != api.token
        assert set(result) == {"user", "user_projects", "cc.version", "cc.cursor"}
        assert result["user_projects"] == {api.project: ["api"]}
        assert set(data) == {"cc.users", "cc.projects", "cc.projects_members", "cc.languages"}
        assert set(data["cc.users"][result["user"]]) == USER_FULL
        assert set(data["cc.projects"][api.project]) == {"gid", "name", "icon", "owner", "status"}
        [membership] = data["cc.projects_members"]
        assert set(membership) == {"project_gid", "user_gid", "status", "roles", "options"}
    r = await api.request("GET", "/api/init")
    envelope_error(r, 401, message="Permission denied", info={})
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="JWT access to Unicat."'


async def test_projects_create(api):
    r = await api.post("/api/projects/create", {"name": "Documentation Project"})
    envelope_error(r, 401, message="Permission denied", info={})
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="JWT access to Unicat."'
    # An API-key user cannot own projects.
    r = await api.post("/api/projects/create", {}, token=api.token)
    envelope_error(r, 422, message="Unprocessable Entity", info={})

    login = (await api.control("/credentials"))["login"]
    r = await api.post("/api/login", login)
    owner_token = r.headers["Authorization"]
    owner = envelope_ok(r)[0]["user"]
    r = await api.post("/api/projects/create", {}, token=owner_token)
    result, data = envelope_ok(r)
    project = result["project"]
    assert result == {"project": project, "project_members": [owner]}
    assert set(data) == {"cc.projects", "cc.projects_members"}
    entry = data["cc.projects"][project]
    assert set(entry) == {"gid", "name", "icon", "owner", "status", "options", "backups", "build"}
    assert (entry["name"], entry["icon"], entry["owner"], entry["status"], entry["build"]) == \
        ("untitled project", None, owner, "active", 1)
    options = entry["options"]
    assert set(options) == PROJECT_OPTIONS
    assert options["timezone"] == "Europe/Amsterdam" and options["languages"] == ["en", "nl"]
    assert list(options["channels"].values()) == ["[all records]", "Main channel"]
    assert list(options["orderings"].values()) == ["Main ordering"]
    assert list(options["fieldlists"].values()) == ["Main fieldlist"]
    assert options["orderedchannels"] == list(options["channels"])
    assert data["cc.projects_members"] == [{
        "project_gid": project, "user_gid": owner, "status": "active", "roles": ["owner"],
        "options": {"notifications": {"email": data["cc.projects_members"][0]["options"]["notifications"]["email"],
                                      "events": ["all"], "frequency": "immediate"},
                    "rate_limit_per_second": None}}]
    r = await api.post("/api/projects/create", {"name": "Docs", "timezone": "Europe/London"},
                       token=owner_token)
    entry = envelope_ok(r)[1]["cc.projects"][r.body["result"]["project"]]
    assert entry["name"] == "Docs" and entry["options"]["timezone"] == "Europe/London"
    # The owner can init the new project; the API key cannot.
    assert (await api.request("GET", f"/api/p/{project}/init", token=owner_token)).status == 200
    assert (await api.request("GET", f"/api/p/{project}/init", token=api.token)).status == 403
