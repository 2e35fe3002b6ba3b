"""The endpoints added for the official client, over plain HTTP: the sync items each
mutation appends (stream, action, data type, key) and the documented errors.
test_official_client.py drives the same endpoints through the client itself."""

from __future__ import annotations

import asyncio
import base64

import aiohttp

from conftest import Api, envelope_error, envelope_ok, track_job
from unicat_sim import xlsx


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


# -- records/bulk/*, assets/tree|worksheet, apikeys/*, /batch, records/excel/* -------------

async def owner_login(api: Api) -> tuple[str, str]:
    """(token, user gid) of the project's owner, logged in with a password."""
    r = await api.post(f"/api/p/{api.project}/login", (await api.control("/credentials"))["login"])
    result, _ = envelope_ok(r)
    return r.headers["Authorization"], result["user"]


async def upload(api: Api, endpoint: str, content: bytes, name: str = "sheet.xlsx"):
    form = aiohttp.FormData()
    form.add_field("upload_file", content, filename=name)
    return await api.request("POST", f"/api/p/{api.project}/{endpoint}", raw=form, token=api.token)


async def test_bulk_record_mutation_items_and_errors(api):
    line = await a_line(api)
    children = envelope_ok(await api.call("records/children", {"record": line["gid"]}))[0]["children"]
    before = await api.control("/cursors")
    result, data = envelope_ok(await api.call("records/bulk/delete", {"selection": children[:2]}))
    assert set(result) == {"job.token"} and data == {}
    states = await track_job(api, before["cc.cursor"], result["job.token"])
    assert [(s["job"], s["status"]) for s in states] == [("bulk_delete_records", "queued"),
                                                         ("bulk_delete_records", "processing"),
                                                         ("bulk_delete_records", "done")]
    assert states[-1]["info"] == {"total": 2, "remaining": 0}
    items = await items_after(api, before)
    assert [i for i in items if i[0] == "project"] == [("project", "UPDATE", "records", g) for g in children[:2]]
    assert {i[1:3] for i in items if i[0] == "cc"} == {("UPDATE", "jobs")}
    before = await api.control("/cursors")
    token = envelope_ok(await api.call("records/bulk/undelete", {"selection": [{"children": line["gid"]}]}))[0][
        "job.token"]
    done = (await track_job(api, before["cc.cursor"], token))[-1]
    assert done["info"] == {"total": len(children), "remaining": 0, "failed": children[2:]}  # were not deleted
    assert [i for i in await items_after(api, before) if i[0] == "project"] == \
        [("project", "UPDATE", "records", g) for g in children[:2]]
    before = await api.control("/cursors")
    token = envelope_ok(await api.call("records/bulk/duplicate", {"selection": children[:1]}))[0]["job.token"]
    await track_job(api, before["cc.cursor"], token)
    items = [i for i in await items_after(api, before) if i[0] == "project"]
    copy = items[0][3]
    assert items[:2] == [("project", "INSERT", "records", copy), ("project", "UPDATE", "records", line["gid"])]
    assert {i[1:3] for i in items[2:]} == {("UPDATE", "records")}  # siblings renumbered behind the copy
    assert envelope_ok(await api.call("records/children", {"record": line["gid"]}))[0]["children"][1] == copy
    before = await api.control("/cursors")
    token = envelope_ok(await api.call("records/bulk/permanent_delete", {"selection": [copy]}))[0]["job.token"]
    await track_job(api, before["cc.cursor"], token)
    assert [i for i in await items_after(api, before) if i[0] == "project"] == [
        ("project", "DELETE", "records", copy), ("project", "UPDATE", "records", line["gid"])]
    before = await api.control("/cursors")
    for endpoint, body, status, info in [
            ("delete", {}, 400, {"Missing parameter": "selection"}),
            ("delete", {"selection": []}, 400, {"Invalid parameter": "selection"}),
            ("delete", {"selection": [5]}, 400, {"Invalid parameter": "selection"}),
            ("delete", {"selection": [{"children": line["gid"], "channel": "nope"}]}, 400,
             {"Invalid parameter": "selection"}),
            ("delete", {"selection": [{"search": {}, "exclude": "x"}]}, 400, {"Invalid parameter": "selection"}),
            ("duplicate", {"selection": children, "ordering": "nope"}, 400, {"Invalid parameter": "ordering"}),
            ("shallow_copy", {"selection": children}, 400, {"Missing parameter": "parent"}),
            ("link", {"selection": children, "parent": "nope"}, 422, {"record": "nope"}),
            ("link", {"selection": children, "parent": line["gid"], "before_record": line["parent"]}, 422,
             {"before_record": line["parent"]})]:
        envelope_error(await api.call(f"records/bulk/{endpoint}", body), status, info=info)
    assert await items_after(api, before) == []  # refused calls start no job


async def test_asset_tree_and_worksheet_errors(api):
    root = envelope_ok(await api.call("assets/root"))[0]["root"]
    result, data = envelope_ok(await api.call("assets/tree", {"expanded_assets": ["nope"]}))
    assert result == {"tree": [root], "tree.size": 1} and set(data["assets"]) == {root}
    envelope_error(await api.call("assets/tree", {}), 400, info={"Missing parameter": "expanded_assets"})
    envelope_error(await api.call("assets/tree", {"expanded_paths": "/"}), 400,
                   info={"Invalid parameter": "expanded_paths"})
    envelope_error(await api.call("assets/tree", {"expanded_paths": ["/"], "page.size": 0}), 400,
                   info={"Invalid parameter": "page.size"})
    result, data = envelope_ok(await api.call("assets/worksheet", {"asset": root}))
    assert result["path"] == [root] and len(result["children"]) == result["children.size"] == 3
    assert set(data["assets"]) == {root, *result["children"]}
    envelope_error(await api.call("assets/worksheet", {}), 400, info={"Missing parameter": "asset"})
    envelope_error(await api.call("assets/worksheet", {"asset": "nope"}), 422, message="asset not found",
                   info={"asset": "nope"})


async def test_api_key_items_and_errors(start_sim):
    """On a simulator of its own: a new API user is a new project member, which the
    shared simulator's init checks would notice."""
    async with aiohttp.ClientSession() as session:
        api = Api(start_sim(), session)
        await api.auth()
        await api_key_items_and_errors(api)


async def api_key_items_and_errors(api: Api) -> None:
    envelope_error(await api.call("apikeys/create", {"name": "Feed"}), 403, message="Forbidden")
    envelope_error(await api.call("apikeys/get", {"user": "x"}), 403, message="Forbidden")
    owner, anna = await owner_login(api)
    envelope_error(await api.call("apikeys/create", {}, token=owner), 400, info={"Missing parameter": "name"})
    before = await api.control("/cursors")
    result, data = envelope_ok(await api.call("apikeys/create", {"name": "Feed"}, token=owner))
    user = result["user"]
    assert data["cc.projects_members"] == [{"project_gid": api.project, "user_gid": user, "status": "active",
                                            "roles": ["api"], "options": {"rate_limit_per_second": None}}]
    assert await items_after(api, before) == [("cc", "INSERT", "cc.users", user),
                                              ("cc", "INSERT", "cc.projects_members", f"{api.project}/{user}")]
    key = envelope_ok(await api.call("apikeys/get", {"user": user}, token=owner))[0]["apikey"]
    r = await api.post(f"/api/p/{api.project}/auth", {"api_key": key})
    result, _ = envelope_ok(r)
    assert result["user"] == user and user in result["project_members"]
    other = (await api.control("/credentials"))["other_project"]
    envelope_error(await api.post(f"/api/p/{other}/auth", {"api_key": key}), 403, message="Unknown user")
    envelope_error(await api.call("apikeys/get", {"user": anna}, token=owner), 422, message="not an API user",
                   info={"user": anna})
    envelope_error(await api.call("apikeys/get", {}, token=owner), 400, info={"Missing parameter": "user"})


async def test_batch_items_rollback_and_errors(api):
    root = envelope_ok(await api.call("records/root"))[0]["root"]
    before = await api.control("/cursors")
    result, data = envelope_ok(await api.call("batch", {"requests": [
        {"endpoint": "/records/create", "data": {"parent": root}},
        {"endpoint": "/channels/create", "data": {"name": "Batch channel"}}]}))
    record, channel = result["results"][0]["record"], result["results"][1]["channel"]
    assert {record, root} <= set(data["records"]) and api.project in data["cc.projects"]
    assert await items_after(api, before) == [("project", "INSERT", "records", record),
                                              ("project", "UPDATE", "records", root),
                                              ("cc", "UPDATE", "cc.projects", api.project)]
    middle = await api.control("/cursors")
    envelope_error(await api.call("batch", {"requests": [
        {"endpoint": "/channels/delete", "data": {"channel": channel}},
        {"endpoint": "/records/permanent_delete", "data": {"record": record}},  # a job: cancelled too
        {"endpoint": "/records/update", "data": {"record": "nope", "fields": {}}}]}), 422,
        message="record not found", info={"record": "nope", "batch.request": 2})
    await asyncio.sleep(0.3)  # the job would have run by now
    assert await api.control("/cursors") == middle and await items_after(api, middle) == []
    options = envelope_ok(await api.call("init"))[1]["cc.projects"][api.project]["options"]
    assert channel in options["channels"]
    assert envelope_ok(await api.call("records/get", {"record": record}))[1]["records"][record]["parent"] == root
    for body, info in [({}, {"Missing parameter": "requests"}),
                       ({"requests": []}, {"Invalid parameter": "requests"}),
                       ({"requests": [{"endpoint": "/records/get", "data": []}]},
                        {"Invalid parameter": "requests", "batch.request": 0}),
                       ({"requests": [{"endpoint": "/auth"}]},
                        {"Invalid parameter": "endpoint", "batch.request": 0, "endpoint": "/auth"}),
                       ({"requests": [{"endpoint": "/assets/upload"}]},
                        {"Invalid parameter": "endpoint", "batch.request": 0, "endpoint": "/assets/upload"}),
                       ({"requests": [{"endpoint": "/batch", "data": {}}]},
                        {"Invalid parameter": "endpoint", "batch.request": 0, "endpoint": "/batch"})]:
        envelope_error(await api.call("batch", body), 400, info=info)
    envelope_ok(await api.call("batch", {"requests": [{"endpoint": "/channels/delete", "data": {"channel": channel}},
                                                      {"endpoint": "/records/delete", "data": {"record": record}}]}))


async def test_excel_items_and_errors(api):
    line = await a_line(api)
    for body, status, info in [({"record": line["gid"]}, 400, {"Missing parameter": "language"}),
                               ({"record": line["gid"], "language": "fr"}, 400, {"Invalid parameter": "language"}),
                               ({"record": "nope", "language": "en"}, 422, {"record": "nope"})]:
        envelope_error(await api.call("records/excel/children", body), status, info=info)
    result, data = envelope_ok(await api.call("records/excel/children", {"record": line["gid"], "language": "en"}))
    sheet = base64.b64decode(data["files"][result["children.excel"]])
    rows = xlsx.read(sheet)
    before = await api.control("/cursors")
    result, data = envelope_ok(await upload(api, "records/excel/update", sheet))
    assert result["report.validation"] == [] and await items_after(api, before) == []  # nothing changed
    report = xlsx.read(base64.b64decode(data["files"][result["report.excel"]]))
    assert [r[:-1] for r in report] == [rows[0], rows[1]] + rows[2:] and report[1][-1] == "report"
    rows[3][rows[1].index("price")] = 12.5  # (the first child has a link, test_record_link_… made it)
    result, data = envelope_ok(await upload(api, "records/excel/update", xlsx.write(rows)))
    assert await items_after(api, before) == [("project", "UPDATE", "records", rows[3][0])]
    assert data["records"][rows[3][0]]["fields"]["nl"]["price"] == 12.5  # price is not localized
    rows[0][0] = "some other sheet"
    envelope_error(await upload(api, "records/excel/update", xlsx.write(rows)), 400,
                   info={"Invalid parameter": "upload_file", "reason": "not a Unicat children sheet"})
    envelope_error(await api.call("records/excel/update", {}), 400,
                   info={"Invalid parameter": "multipart/form-data expected"})


def test_xlsx_reads_what_spreadsheet_programs_write():
    """Excel and LibreOffice save text as shared strings and may leave rows and cells out;
    the reader takes that as well as its own inline strings."""
    import io
    import zipfile
    main = xlsx.MAIN
    sheet = (f'<worksheet xmlns="{main}"><sheetData>'
             '<row r="1"><c r="A1" t="s"><v>1</v></c><c r="C1"><v>2.5</v></c></row>'
             '<row r="3"><c r="B3" t="b"><v>1</v></c><c r="D3"><v>7</v></c><c r="E3" t="str"><v>x</v></c></row>'
             '</sheetData></worksheet>')
    shared = f'<sst xmlns="{main}"><si><t>zero</t></si><si><r><t>o</t></r><r><t>ne</t></r></si></sst>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        archive.writestr("xl/sharedStrings.xml", shared)
    assert xlsx.read(out.getvalue()) == [["one", None, 2.5, None, None], [None] * 5, [None, True, None, 7, "x"]]
    rows = [["a", 1, 2.25, True, None, "<&>"], [], ["ü"]]
    assert xlsx.read(xlsx.write(rows)) == [["a", 1, 2.25, True, None, "<&>"], [None] * 6, ["ü"] + [None] * 5]
    assert xlsx.column_name(27) == "AB" and xlsx.column_index("AB") == 27
