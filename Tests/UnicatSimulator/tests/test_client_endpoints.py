"""The endpoints added for the official client, over plain HTTP: the sync items each
mutation appends (stream, action, data type, key) and the documented errors.
test_official_client.py drives the same endpoints through the client itself."""

from __future__ import annotations

import aiohttp

from conftest import Api, envelope_error, envelope_ok


async def items_after(api: Api, cursors: dict) -> list[tuple[str, str, str, str]]:
    body = {"cc_cursor": cursors["cc.cursor"], "project": api.project, "cursor": cursors["cursor"]}
    items = envelope_ok(await api.post("/sync/get", body, token=api.token))[0]["sync"]
    return [(i["type"], i["action"], i["data_type"], i["data_key"]) for i in items]


async def a_line(api: Api) -> dict:
    root = envelope_ok(await api.call("records/root"))[0]["root"]
    brand = envelope_ok(await api.call("records/children", {"record": root}))[0]["children"][5]
    result, data = envelope_ok(await api.call("records/children", {"record": brand}))
    return data["records"][result["children"][2]]


async def test_bulk_get_pages_and_errors(api):
    result, data = envelope_ok(await api.call("records/bulk/get", {
        "selection": [{"search": {"language": "en", "q": "", "filter": ["and", "", [["status", "is", "draft"]]]}}],
        "page.size": 50}))
    assert len(result["records"]) == 50 and result["records.size"] > 50 and result["page.cursor"] == "50"
    assert all(data["records"][g]["status"] == "draft" for g in result["records"])
    rest, _ = envelope_ok(await api.call("records/bulk/get", {
        "selection": [{"search": {"filter": ["and", "", [["status", "is", "draft"]]]}}], "page.size": 50,
        "page.cursor": result["page.cursor"]}))
    assert rest["page.cursor"] is None and len(result["records"]) + len(rest["records"]) == result["records.size"]
    result, data = envelope_ok(await api.call("schema/bulk/get", {"selection": [{"search": {"q": "commerce"}}]}))
    assert result["schema_items"] == [{"type": "class", "item": next(iter(data["classes"]))}]
    result, _ = envelope_ok(await api.call("assets/bulk/get", {"selection": [{"search": {
        "filter": ["value", "startswith", ["pathname", "/brands/"]]}}]}))
    assert result["assets.size"] == 12
    for body, info in [({}, {"Missing parameter": "selection"}),
                       ({"selection": [{"search": {"filter": ["x", "~", 1]}}]}, {"Invalid parameter": "selection"}),
                       ({"selection": [{"records": []}]}, {"Invalid parameter": "selection"}),
                       ({"selection": [{"search": {}}], "page.cursor": "x"}, {"Invalid parameter": "page.cursor"}),
                       ({"selection": [{"search": {}}], "page.size": 1001}, {"Invalid parameter": "page.size"})]:
        envelope_error(await api.call("records/bulk/get", body), 400, info=info)


async def test_record_link_definition_channel_and_ordering_items(api):
    line = await a_line(api)
    article = envelope_ok(await api.call("records/children", {"record": line["gid"]}))[0]["children"][0]
    before = await api.control("/cursors")
    link = envelope_ok(await api.call("records/link", {"parent": line["parent"], "record": article}))[0]["record"]
    assert await items_after(api, before) == [("project", "INSERT", "records", link),
                                              ("project", "UPDATE", "records", article),
                                              ("project", "UPDATE", "records", line["parent"])]
    definitions = envelope_ok(await api.call("init"))[1]["definitions"]
    technical = next(iter(envelope_ok(await api.call("schema/bulk/get", {"selection": [{"search": {
        "filter": ["name", "is", "technical"]}}]}))[1]["classes"]))
    record = envelope_ok(await api.call("records/get", {"record": article}))[1]["records"][article]
    if definitions[record["definition"]]["is_extended"]:
        envelope_ok(await api.call("records/definition/revert", {"record": article}))
    before = await api.control("/cursors")
    result, data = envelope_ok(await api.call("records/definition/classes/add", {"record": article, "class": technical}))
    extension = data["records"][article]["definition"]
    assert data["definitions"][extension]["is_extended"] and data["definitions"][extension]["layout"] in data["layouts"]
    items = await items_after(api, before)
    assert [i[1:3] for i in items] == [("INSERT", "layouts"), ("INSERT", "definitions"), ("UPDATE", "records"),
                                       ("UPDATE", "records")]  # the record, then its link (shared content)
    assert items[1][3] == extension and {i[3] for i in items[2:]} == {article, link}
    before = await api.control("/cursors")
    envelope_ok(await api.call("records/definition/revert", {"record": article}))
    assert [i[1:] for i in await items_after(api, before)][-2:] == [
        ("DELETE", "definitions", extension), ("DELETE", "layouts", data["definitions"][extension]["layout"])]
    channels = envelope_ok(await api.call("init"))[1]["cc.projects"][api.project]["options"]["orderedchannels"]
    before = await api.control("/cursors")
    envelope_ok(await api.call("records/channels/set", {"record": article, "channels": [channels[2]],
                                                        "enabled": False}))
    envelope_ok(await api.call("records/orderings/set", {"record": article, "orderings": {}}))  # no change
    assert [i[1:] for i in await items_after(api, before)] == [("UPDATE", "records", article)]
    envelope_error(await api.call("records/channels/set", {"record": article, "channels": ["nope"], "enabled": True}),
                   422, message="channel not found")
    envelope_error(await api.call("records/channels/set", {"record": article, "channels": []}), 400,
                   info={"Missing parameter": "enabled"})
    envelope_error(await api.call("records/definition/set", {"record": article, "definition": "nope"}), 422,
                   message="definition not found")
    envelope_error(await api.call("records/orderings/set", {"record": article, "orderings": {"nope": 1}}), 422,
                   message="ordering not found")
    envelope_error(await api.call("records/link", {"parent": article, "record": line["parent"]}), 422)
    envelope_error(await api.call("records/definition/revert", {"record": article}), 422,
                   message="record has no extended definition")


async def test_schema_working_copy_items(api):
    before = await api.control("/cursors")
    field = envelope_ok(await api.call("fields/create", {"name": "finish", "type": "textline"}))[0]["field"]
    definition = envelope_ok(await api.call("definitions/create", {"name": "finishing", "fields": [field]}))[1]
    gid = next(iter(definition["definitions"]))
    layout = definition["definitions"][gid]["layout"]
    assert definition["definitions"][gid]["titlefield"] == field and definition["definitions"][gid]["is_new"]
    envelope_ok(await api.call("definitions/commit", {"definition": gid}))
    working = envelope_ok(await api.call("definitions/modify", {"definition": gid, "label": {"en": "Finishing"}}))
    copy = working[0]["definition"]
    copy_layout = working[1]["definitions"][copy]["layout"]
    assert copy != gid and working[1]["definitions"][copy]["original"] == gid
    envelope_ok(await api.call("definitions/commit", {"definition": copy}))
    assert [i[1:] for i in await items_after(api, before)] == [
        ("INSERT", "fields", field), ("INSERT", "layouts", layout), ("INSERT", "definitions", gid),
        ("UPDATE", "layouts", layout), ("UPDATE", "definitions", gid),  # commit: no longer new
        ("INSERT", "layouts", copy_layout), ("INSERT", "definitions", copy),  # the working copy
        ("DELETE", "layouts", copy_layout), ("DELETE", "definitions", copy), ("UPDATE", "definitions", gid)]
    committed = envelope_ok(await api.call("definitions/get", {"definition": gid}))[1]["definitions"][gid]
    assert committed["label"] == {"en": "Finishing"} and not committed["is_working_copy"]
    envelope_error(await api.call("fields/delete", {"field": field}), 422, message="field is in use")
    envelope_error(await api.call("fields/create", {"name": "finish"}), 422, message="name already in use")
    envelope_error(await api.call("fields/create", {"type": "colour"}), 400, info={"Invalid parameter": "type"})
    envelope_error(await api.call("definitions/create", {"fields": ["nope"]}), 422, message="field not found")
    envelope_error(await api.call("definitions/save_as_new", {"definition": gid}), 422)
    envelope_error(await api.call("definitions/classes/remove", {"definition": gid, "class": "nope"}), 422)
    before = await api.control("/cursors")
    envelope_ok(await api.call("definitions/delete", {"definition": gid}))
    envelope_ok(await api.call("fields/delete", {"field": field}))
    assert [i[1:] for i in await items_after(api, before)] == [("DELETE", "definitions", gid),
                                                               ("DELETE", "layouts", layout),
                                                               ("DELETE", "fields", field)]


async def test_settings_backups_queries_modules_items(api):
    before = await api.control("/cursors")
    result, data = envelope_ok(await api.call("channels/create", {"name": "Outlet"}))
    assert data["cc.projects"][api.project]["options"]["channels"][result["channel"]] == "Outlet"
    envelope_ok(await api.call("channels/delete", {"channel": result["channel"]}))
    envelope_ok(await api.call("backups/update", {"version": 1, "name": "Initial import"}))
    query = envelope_ok(await api.call("queries/create", {"type": "asset", "name": "Logos", "q": "logo"}))[0]["query"]
    envelope_ok(await api.call("queries/delete", {"query": query}))
    envelope_ok(await api.call("modules/register", {"module": "m1", "version": "1.0.0"}))
    envelope_ok(await api.call("modules/register", {"module": "m1", "version": "1.0.1"}))
    envelope_ok(await api.call("modules/unregister", {"module": "m1"}))
    assert await items_after(api, before) == [
        ("cc", "UPDATE", "cc.projects", api.project), ("cc", "UPDATE", "cc.projects", api.project),
        ("cc", "UPDATE", "cc.projects", api.project),
        ("project", "INSERT", "queries", query), ("project", "DELETE", "queries", query),
        ("project", "INSERT", "modules", "m1"), ("project", "UPDATE", "modules", "m1"),
        ("project", "DELETE", "modules", "m1")]
    envelope_error(await api.call("languages/add", {"language": "xx"}), 422, message="language not found")
    envelope_error(await api.call("channels/delete", {"channel": "__all__"}), 422)
    envelope_error(await api.call("backups/update", {"version": 99, "name": "x"}), 422, message="backup not found")
    envelope_error(await api.call("backups/delete", {"versions": ["1"]}), 400, info={"Invalid parameter": "versions"})
    envelope_error(await api.call("queries/create", {"type": "thing", "name": "x"}), 400)
    envelope_error(await api.call("queries/update", {"query": "nope"}), 422, message="query doesn't exist")
    envelope_error(await api.call("modules/register", {"module": "m2", "version": "one"}), 400,
                   info={"Invalid parameter": "version"})
    envelope_error(await api.call("modules/actions/unpublish", {"module": "erp-connector", "action": "nope"}), 422,
                   message="action not found")
    envelope_error(await api.call("modules/keys/set", {"module": "nope", "key": "k"}), 422, message="module not found")


async def test_uploads_assets_and_dam(api, sim):
    root = envelope_ok(await api.call("assets/root"))[0]["root"]
    before = await api.control("/cursors")
    folder = envelope_ok(await api.call("assets/create", {"parent": root, "name": "uploads"}))[0]["asset"]
    form = aiohttp.FormData()
    form.add_field("pathname", "/uploads")
    form.add_field("upload_file", b"GIF89a", filename="dot.gif", content_type="image/gif")
    r = await api.request("POST", f"/api/p/{api.project}/assets/upload", raw=form, token=api.token)
    result, data = envelope_ok(r)
    asset = result["asset"]
    assert result["parent"] == folder and data["assets"][asset]["info"] == {"format": "gif", "filesize": 6}
    envelope_ok(await api.call("assets/permanent_delete", {"asset": folder}))
    assert [i[1:] for i in await items_after(api, before)] == [
        ("INSERT", "assets", folder), ("UPDATE", "assets", root), ("INSERT", "assets", asset),
        ("UPDATE", "assets", folder), ("DELETE", "assets", asset), ("DELETE", "assets", folder),
        ("UPDATE", "assets", root)]
    envelope_error(await api.call("assets/upload", {"parent": root}), 400,
                   info={"Invalid parameter": "multipart/form-data expected"})
    logo = envelope_ok(await api.call("assets/get", {"pathname": "/brands/kobalt-logo.svg"}))[0]["asset"]
    envelope_error(await api.call("assets/create", {"parent": logo, "name": "x"}), 422, message="asset is not a folder")
    envelope_error(await api.call("assets/create", {"parent": root, "name": "brands"}), 422,
                   message="asset already exists")
    envelope_error(await api.call("assets/delete", {"asset": root}), 422)
    dam = f"/dam/p/{api.project}/transform/{logo}~1.svg"
    result, _ = envelope_ok(await api.request("GET", f"{dam}/width=64/type=png/key=k1", token=api.token))
    assert result["public_url"].endswith(f"/media/p-{api.project}/tr/{logo}~1.svg/k1/kobalt-logo.png")
    assert result["options"] == {"width": "64", "type": "png", "key": "k1"}
    media = await api.request("GET", result["public_url"][len(sim.url):])
    assert media.status == 200 and media.headers["Content-Type"] == "image/png"
    envelope_error(await api.request("GET", f"{dam}/size=3", token=api.token), 400, info={"Invalid parameter": "size=3"})
    assert (await api.request("GET", f"/media/p-{api.project}/src/{root}~1")).status == 404
