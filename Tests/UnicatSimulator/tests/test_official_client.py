"""The official Python client, unicat 0.7.18 (Unicat's own authors), against the
simulator: every public read and mutation it offers, its sync loop and its job
handling. Each call must raise nothing, and what the client then holds must be what
the simulator holds (checked through the control API's /object).

The client is synchronous (requests), so these tests are plain functions. They share
one simulator and run in file order: reads first, then mutations, then the sync loop,
and backups and the restore last."""

from __future__ import annotations

import base64
import io
import json
import time
import zipfile
from pathlib import Path

import pytest
import requests
from unicat import Unicat, UnicatError, UnicatTransform
from unicat.api import UnicatApi
from unicat.job import UnicatJob
from unicat.mutate import records as record_mutations
from unicat.utils import DuckObject

from conftest import FAST_JOBS, SimProcess
from unicat_sim import xlsx

RECORDS, ASSETS = 1033, 51


class Control:
    """The simulator's control API."""

    def __init__(self, sim: SimProcess):
        self.url = sim.control

    def get(self, path: str):
        r = requests.get(self.url + path, timeout=10)
        return r.json() if r.status_code == 200 else None

    def post(self, path: str, body: dict):
        r = requests.post(self.url + path, json=body, timeout=10)
        assert r.status_code == 200, r.text
        return r.json()

    def object(self, data_type: str, key: str):
        return self.get(f"/object/{data_type}/{key}")


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    process = SimProcess(FAST_JOBS, tmp_path_factory.mktemp("official-client") / "simulator.log")
    yield process
    assert process.stop() == 0


@pytest.fixture(scope="module")
def control(sim) -> Control:
    return Control(sim)


@pytest.fixture(scope="module")
def assets_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("assets")


def connect(sim: SimProcess, folder: Path, **options) -> Unicat:
    unicat = Unicat(sim.url, sim.project, sim.api_key, str(folder))
    assert unicat.connect(**options) is True
    return unicat


@pytest.fixture(scope="module")
def unicat(sim, assets_dir) -> Unicat:
    return connect(sim, assets_dir)


def gids(objects: list) -> list[str]:
    return [o.gid for o in objects]


def same(control: Control, data_type: str, cache: dict, key: str) -> None:
    expected = control.object(data_type, key)
    if data_type == "cc.users" and "email" not in cache[key]:  # another user: the public entry
        expected = {k: expected[k] for k in ("gid", "username", "name", "avatar", "status")}
    assert cache[key] == expected, f"{data_type} {key}"


# -- reads ------------------------------------------------------------------------------

def test_connect_project_users_members(unicat, control, sim):
    assert unicat.api_version == "2024.05.002" and unicat.version == "0.7.18"
    project = unicat.project
    same(control, "cc.projects", unicat.projects, sim.project)
    assert (project.gid, project.name, project.status) == (sim.project, "Brightline product catalogue", "active")
    assert project.icon == f"{sim.project}.jpg" and project.owner.username == "anna"
    assert project.languages == ["en", "nl"] and project.default_language == "en"
    assert set(project.channels) == {"[all records]", "Webshop", "Print catalogue"}
    assert project.channel_name(project.default_channel) == "Webshop"
    assert list(project.orderings) == ["Main ordering", "Alphabetical"]
    assert project.ordering_name(project.default_ordering) == "Main ordering"
    assert list(project.fieldlists) == ["Main fieldlist", "Webshop export"]
    assert project.fieldlist_name(project.default_fieldlist) == "Main fieldlist"
    [backup] = project.backups
    assert (backup.version, backup.name, backup.created_by) == (1, "Initial import", "anna")
    assert project.get_backup(1).timestamp == backup.timestamp and project.get_backup(9) is None
    members = {m.user.gid: m for m in project.members}
    assert len(members) == 3 and all(m.project.gid == sim.project and m.status == "active" for m in members.values())
    for member in members.values():
        assert member.key == f"{sim.project}/{member.user.gid}"
        assert (member.user.gid, member.user.name, member.user.avatar) == \
            tuple(control.object("cc.users", member.user.gid)[k] for k in ("gid", "name", "avatar"))
    api_user = next(m for m in members.values() if m.roles == ["api"])
    # Unicat's docs: `options` only on complete entries, i.e. the caller's own membership.
    assert api_user.options == {"rate_limit_per_second": None} and api_user.user.username is None
    others = [unicat.projects_members[m.key] for m in members.values() if m is not api_user]
    assert sorted(m["roles"][0] for m in others) == ["member", "owner"] and not any("options" in m for m in others)
    assert len(unicat.languages) == 26 and unicat.languages["nl"] == "Dutch"


def test_schema_reads(unicat, control):
    assert len(unicat.definitions) == 14 and len(unicat.classes) == 6 and len(unicat.fields) == 16
    for definition in unicat.walk_definitions():
        same(control, "definitions", unicat.definitions, definition.gid)
        assert definition.titlefield.name == "name" and definition.layout.root in definition.layout.components
        assert definition.is_committed and definition.metadata == {} and definition.label["nl"]
        assert [f.gid for f in definition.all_fields] == definition.fields_as_gids + \
            [f for c in definition.classes_as_gids for f in unicat.classes[c]["fields"]]
        for fieldlist in definition.fieldlists.values():
            assert {f.gid for f in fieldlist} <= {f.gid for f in definition.all_fields}
        assert all(child.is_base for child in definition.childdefinitions)
        if definition.is_extended:
            assert definition.original.name == "article" and not definition.is_base
            assert [c.name for c in definition.extended_classes] == ["technical"]
            assert {f.name for f in definition.all_extended_fields} == {"warranty_years", "voltage", "energy_label"}
            assert gids(definition.base_fields) == gids(definition.original.fields) and definition.extended_fields == []
            assert {f.gid for f in definition.all_base_fields} == {f.gid for f in definition.original.all_fields}
        else:
            assert definition.original is None and gids(definition.base_classes) == definition.classes_as_gids
            assert definition.all_base_fields and definition.all_extended_fields == []
    for class_ in unicat.walk_classes():
        same(control, "classes", unicat.classes, class_.gid)
        assert class_.fields and class_.layout.name == f"{class_.name}_layout" and class_.original is None
        assert {c["field"] for c in class_.layout.components.values() if c["type"] == "field"} == \
            set(class_.fields_as_gids)
    for field in unicat.walk_fields():
        same(control, "fields", unicat.fields, field.gid)
        assert field.class_ is None and field.original is None and field.is_committed and field.initial == {}
        assert field.title["en"] == (f"{field.label['en']} [{field.unit}]" if field.unit else field.label["en"])
    assert unicat.get_field_by_name("colour").options["values"][0]["key"] == "chrome"
    assert unicat.get_field_by_name("price").is_localized is False and unicat.get_field_by_name("name").is_required
    article = unicat.get_definition_by_name("article")
    assert not article.is_extended and unicat.get_definition(article.gid).gid == article.gid
    assert [d.name for d in unicat.get_definitions([article.gid, "nope"])] == ["article"]
    by_name = unicat.get_definitions_by_name(["brand", "nope"])
    assert by_name["brand"].name == "brand" and by_name["nope"] is None
    assert unicat.get_class_by_name("commerce").name == "commerce"
    assert set(unicat.get_classes_by_name(["technical", "appearance"])) == {"technical", "appearance"}
    assert [c.name for c in unicat.get_classes(article.classes_as_gids)] == ["product_basics", "commerce", "appearance"]
    assert unicat.get_fields_by_name(["sku"])["sku"].name == "sku"
    assert [f.name for f in unicat.get_fields(article.fields_as_gids)] == ["brand"]
    assert unicat.get_definition("nope") is None and unicat.get_class(None) is None and unicat.get_field("x") is None
    queries = list(unicat.walk_queries())
    assert len(queries) == 5
    for query in queries:
        same(control, "queries", unicat.queries, query.gid)
        assert unicat.get_query(query.gid).name == query.name
    assert unicat.get_record_query_by_name("Draft articles").filter[0] == "and"
    assert unicat.get_asset_query_by_name("Product photos").type == "asset"
    assert unicat.get_schema_query_by_name("Extended definitions").type == "schema"
    assert set(unicat.get_record_queries_by_name(["Out of stock", "Caravell taps"])) == {"Out of stock", "Caravell taps"}
    assert unicat.get_asset_queries_by_name(["x"]) == {"x": None}
    assert list(unicat.get_schema_queries_by_name(["Extended definitions"])) == ["Extended definitions"]
    assert [q.gid for q in unicat.get_queries([queries[0].gid])] == [queries[0].gid]


def test_omit_extended_definitions(sim, tmp_path):
    lean = connect(sim, tmp_path, omit_extended_definitions=True)
    assert len(lean.definitions) == 4 and not any(d.is_extended for d in lean.walk_definitions())


def test_record_tree_and_fields(unicat, control):
    root = unicat.get_root_record()
    tree = list(unicat.walk_record_tree())
    assert len(tree) == RECORDS and tree[0].gid == root.gid and root.parent is None and root.treelevel == 1
    for record in tree[:40] + tree[-40:]:
        same(control, "records", unicat.records, record.gid)
    assert sum(r.definition.is_extended for r in tree) == 10
    assert sum(r.is_deleted for r in tree) == 0 and all(not r.is_link and r.backlinks == [] for r in tree)
    article = next(r for r in tree if r.definition.name == "article" and r.definition.is_extended)
    assert article.treelevel == 4 and article.path[-1] == root.gid and article.canonical == article.gid
    assert article.title["nl"] == article.fields["nl"]["name"].value and article.created_on <= article.updated_on
    fields, stored = article.fields["en"], control.object("records", article.gid)["fields"]["en"]
    assert (fields["brand"].value, fields["brand"].key) == (stored["brand"], stored["brand/key"])
    assert fields["energy_label"].key == fields["energy_label"].value and fields["sku"].key is None
    image = fields["image"]
    assert image.value and image.pathname.startswith("/products/") and image.field.type == "image"
    assert fields["price"].value == control.object("records", article.gid)["fields"]["en"]["price"]
    line = unicat.get_record(article.parent)
    children = list(unicat.walk_record_children(line))
    assert len(children) == line.childcount == 16
    alphabetical = unicat.project.orderings["Alphabetical"]
    in_order = [r.title["en"] for r in unicat.walk_record_children(line, ordering=alphabetical)]
    assert in_order == sorted(in_order)
    print_channel = unicat.project.channels["Print catalogue"]
    printed = list(unicat.walk_record_children(line, channel=print_channel))
    assert {r.gid for r in printed} == {r.gid for r in children if print_channel in r.channels}
    assert len(list(unicat.walk_record_tree(channel=print_channel))) < RECORDS
    again = unicat.get_record(article.gid, force=True)
    assert again.gid == article.gid and unicat.get_record(None) is None
    assert [r.gid for r in unicat.get_records([line.gid, article.gid], force=True)] == [line.gid, article.gid]
    assert unicat.get_records([]) == []
    with pytest.raises(UnicatError) as err:
        unicat.get_record("00000000-0000-4000-8000-000000000000")
    assert (err.value.code, err.value.message) == (422, "record not found")


def test_assets_dam_and_media(unicat, control, assets_dir):
    root = unicat.get_root_asset()
    tree = list(unicat.walk_asset_tree())
    assert len(tree) == ASSETS and tree[0].gid == root.gid and root.pathname == "/"
    for asset in tree:
        same(control, "assets", unicat.assets, asset.gid)
    folders = [a for a in tree if not a.is_file]
    assert [a.name for a in unicat.walk_asset_children(root)] == ["brands", "lifestyle", "products"]
    assert len(list(unicat.walk_asset_children(unicat.get_asset_by_pathname("/products")))) == 30
    logo = unicat.get_asset_by_pathname("/brands/caravell-logo.svg")
    assert (logo.type, logo.info["format"], logo.status, logo.is_deleted) == ("svg", "svg", "published", False)
    assert logo.title["en"] == "Caravell logo" and logo.description == {"en": "", "nl": ""} and logo.metadata == {}
    assert logo.transforms == {} and logo.default_transform is None and logo.path[-1] == root.gid
    assert logo.created_on <= logo.updated_on and sum(f.childcount for f in folders) == ASSETS - 1
    assert unicat.get_asset(logo.gid, force=True).gid == logo.gid
    assert [a.gid for a in unicat.get_assets([logo.gid, root.gid], force=True)] == [logo.gid, root.gid]
    assert set(unicat.get_assets_by_pathname(["/brands", "/lifestyle"], force=True)) == {"/brands", "/lifestyle"}
    assert unicat.get_assets_by_pathname([]) == {} and unicat.get_asset(None) is None
    url = logo.publish()
    assert url.endswith(f"/media/p-{unicat.project.gid}/src/{logo.gid}~1.svg")
    assert requests.get(url, timeout=10).content.startswith(b"unicat-sim placeholder for /brands/caravell-logo.svg")
    transform = UnicatTransform(resize="fill", width=200, height=100, type="png", dpr=2, force=True, optimize=False,
                                hotspot=(0.5, 0.4), crop=(0.8, 0.6), padding=(1, 2, "auto", 4), quality=80,
                                background="white", key="card")
    transformed = logo.publish_transformed(transform)
    assert transformed.endswith(".png") and requests.get(transformed, timeout=10).status_code == 200
    assert logo.publish_transformed() is not None  # no options: the file as it is
    downloaded = logo.download()
    assert downloaded == f"brands/{logo.gid}~1.svg" and (assets_dir / downloaded).read_bytes().startswith(b"unicat")
    named = logo.download_transformed(UnicatTransform(name="caravell", resize="width", width=64, type="png"))
    assert named.endswith("/caravell.png") and (assets_dir / named).exists()
    assert root.publish() is None and root.download() is None
    success, result = unicat.api.transform(logo._data, {"type": "bmp"})  # UnicatTransform allows no such type
    assert not success and (result["code"], result["info"]) == (400, {"Invalid parameter": "type"})


def test_query_walkers(unicat, control):
    records = {gid: control.object("records", gid) for gid in unicat.records}
    assert len(records) == RECORDS  # the tree walk above cached every record
    drafts = unicat.get_record_query_by_name("Draft articles")
    found = list(unicat.walk_record_query("en", drafts))
    assert {r.gid for _, r in found} == {g for g, r in records.items() if r["status"] == "draft"}
    assert all(size == len(found) == 90 for size, _ in found)
    everything = list(unicat.walk_record_query(None, DuckObject(q="", filter=[])))  # 11 pages of 100
    assert len({r.gid for _, r in everything}) == RECORDS and everything[0][0] == RECORDS
    assert len(list(unicat.walk_record_query("en", drafts, limit=7))) == 7
    out_of_stock = unicat.get_record_query_by_name("Out of stock")
    assert {r.gid for _, r in unicat.walk_record_query("nl", out_of_stock)} == \
        {g for g, r in records.items() if r["fields"].get("nl", {}).get("stock") == 0}
    for query in (unicat.get_record_query_by_name("Caravell taps"), DuckObject(q="Caravell NOVA", filter=[])):
        terms = query.q.lower().split()
        expected = {g for g, r in records.items()
                    if all(t in json.dumps([r["title"]["en"], r["fields"]["en"]]).lower() for t in terms)}
        assert {r.gid for _, r in unicat.walk_record_query("en", query)} == expected
    assert expected  # the Nova series exists
    photos = [a for _, a in unicat.walk_asset_query("en", unicat.get_asset_query_by_name("Product photos"))]
    assert len(photos) == 30 and all(a.pathname.startswith("/products/") for a in photos)
    extended = list(unicat.walk_schema_query("en", unicat.get_schema_query_by_name("Extended definitions")))
    assert len(extended) == 10 and all(size == 10 and item.is_extended for size, item in extended)
    assert len(list(unicat.walk_schema_query("en", unicat.get_schema_query_by_name("Extended definitions"),
                                             limit=2))) == 2


def test_modules(unicat, control):
    assert unicat.get_all_module_names() == ["erp-connector", "webshop-export"]
    modules = {m.name: m for m in unicat.walk_modules()}
    for name in modules:
        same(control, "modules", unicat.modules, name)
    erp = modules["erp-connector"]
    assert erp.version == "2.3.0" and erp.keys["endpoint"].startswith("https://")
    action = erp.actions["import_stock"]
    assert action.name == "import_stock" and action.configuration["schedule"] == "hourly"
    [log] = erp.logs
    assert (log.version, log.action, log.status, log.duration) == ("2.3.0", "import_stock", "done", 42.5)
    assert log.started_at < log.ended_at == log.timestamp and log.command and log.output and log.configuration
    assert unicat.get_module("webshop-export", force=True).logs == []
    assert [m.name for m in unicat.get_modules(["webshop-export"], force=True)] == ["webshop-export"]
    assert unicat.get_module(None) is None and unicat.get_modules([]) == []


# -- mutations ----------------------------------------------------------------------------

def test_project_settings(unicat, control, sim):
    m = unicat.mutate
    assert m.add_language("de") is True and unicat.project.languages == ["en", "nl", "de"]
    assert m.remove_language("de") is True and unicat.project.languages == ["en", "nl"]
    channel = m.create_channel("Outlet")
    assert unicat.project.channels["Outlet"] == channel
    assert m.delete_channel(channel) is True and "Outlet" not in unicat.project.channels
    ordering = m.create_ordering("By price")
    assert unicat.project.ordering_name(ordering) == "By price" and m.delete_ordering(ordering) is True
    fieldlist = m.create_fieldlist("Print export")
    assert unicat.project.fieldlist_name(fieldlist) == "Print export" and m.delete_fieldlist(fieldlist) is True
    same(control, "cc.projects", unicat.projects, sim.project)
    with pytest.raises(UnicatError) as err:
        m.remove_language("fr")
    assert err.value.code == 422
    with pytest.raises(UnicatError):
        m.delete_channel("__all__")


def test_field_class_definition_editing(unicat, control):
    m = unicat.mutate
    hint = {"type": "textline", "is_localized": False, "value": "shown below the input"}
    field = m.create_field(name="material", type="textline", is_localized=True, is_required=False,
                           label={"en": "Material", "nl": "Materiaal"}, unit=None, initial={"en": ""},
                           options={}, metadata={"hint": hint})
    assert field.is_new and not field.is_committed and field.metadata["hint"].value == hint["value"]
    field = m.commit_field(field)
    assert field.is_committed and unicat.get_field_by_name("material").gid == field.gid
    working = m.modify_field(field, label={"en": "Materials", "nl": "Materialen"})
    assert working.is_working_copy and working.original.gid == field.gid and working.gid != field.gid
    field = m.commit_field(working)
    assert field.label["en"] == "Materials" and working.gid not in unicat.fields
    field = m.commit_field(m.modify_field_set_metadata(field, "hint", value="changed"))
    assert field.metadata["hint"].value == "changed" and field.metadata["hint"].type == "textline"
    field = m.commit_field(m.modify_field_clear_metadata(field, "hint"))
    assert field.metadata == {}
    copy = m.save_as_new_field(m.modify_field(field, unit="mm"))
    assert copy.is_committed and copy.name == "material_2" and copy.unit == "mm" and copy.original is None
    assert m.delete_field(copy) is True and control.object("fields", copy.gid) is None
    same(control, "fields", unicat.fields, field.gid)

    name, sku = unicat.get_field_by_name("name"), unicat.get_field_by_name("sku")
    class_ = m.commit_class(m.create_class(name="materials", label={"en": "Materials", "nl": "Materialen"},
                                           fields=[field], metadata={"hint": hint}))
    assert class_.is_committed and [f.name for f in class_.fields] == ["material"]
    assert {c.get("field") for c in class_.layout.components.values()} >= {field.gid}
    class_ = m.commit_class(m.modify_class_add_field(class_, sku))
    assert class_.fields_as_gids == [field.gid, sku.gid]
    class_ = m.commit_class(m.modify_class_remove_field(class_, sku))
    class_ = m.commit_class(m.modify_class(class_, label={"en": "Material", "nl": "Materiaal"}))
    class_ = m.commit_class(m.modify_class_modify_layout(class_, name="materials layout"))
    assert class_.layout.name == "materials layout" and class_.label["en"] == "Material"
    class_ = m.commit_class(m.modify_class_set_metadata(class_, "group", type="textline", is_localized=True,
                                                        value={"en": "Extra", "nl": "Extra"}))
    assert class_.metadata["group"].value["nl"] == "Extra" and class_.metadata["group"].is_localized
    class_ = m.commit_class(m.modify_class_clear_metadata(class_, "group"))
    assert set(class_.metadata) == {"hint"}
    spare = m.save_as_new_class(m.modify_class(class_, fields=[sku]))
    assert spare.name == "materials_2" and m.delete_class(spare) is True
    same(control, "classes", unicat.classes, class_.gid)
    same(control, "layouts", unicat.layouts, class_.layout.gid)

    brand = unicat.get_definition_by_name("brand")
    definition = m.create_definition(name="accessory", label={"en": "Accessory", "nl": "Accessoire"},
                                     classes=[class_], fields=[name], titlefield=name, childdefinitions=[],
                                     metadata={"hint": hint})
    assert definition.is_new and definition.titlefield.gid == name.gid and definition.is_base
    definition = m.commit_definition(definition)
    assert unicat.get_definition_by_name("accessory").gid == definition.gid
    working = m.modify_definition(definition, label={"en": "Accessories", "nl": "Accessoires"})
    assert working.is_working_copy and working.original.gid == definition.gid
    for change in (lambda d: m.modify_definition_add_field(d, sku),
                   lambda d: m.modify_definition_fieldlist_add_field(d, unicat.project.default_fieldlist, sku),
                   lambda d: m.modify_definition_add_class(d, unicat.get_class_by_name("appearance")),
                   lambda d: m.modify_definition_add_childdefinition(d, brand),
                   lambda d: m.modify_definition_set_metadata(d, "hint", value="set"),
                   lambda d: m.modify_definition_modify_layout(d, name="accessory layout")):
        assert change(definition).gid == working.gid  # all changes go to the one working copy
    definition = m.commit_definition(working)
    assert definition.label["en"] == "Accessories" and sku.gid in definition.fields_as_gids
    assert [f.gid for f in definition.fieldlists[unicat.project.default_fieldlist]] == [sku.gid]
    assert [d.name for d in definition.childdefinitions] == ["brand"] and definition.metadata["hint"].value == "set"
    assert definition.layout.name == "accessory layout" and "colour" in {f.name for f in definition.all_fields}
    for change in (lambda d: m.modify_definition_fieldlist_remove_field(d, unicat.project.default_fieldlist, sku),
                   lambda d: m.modify_definition_remove_field(d, sku),
                   lambda d: m.modify_definition_remove_class(d, unicat.get_class_by_name("appearance")),
                   lambda d: m.modify_definition_remove_childdefinition(d, brand),
                   lambda d: m.modify_definition_clear_metadata(d, "hint")):
        change(definition)
    definition = m.commit_definition(m.modify_definition(definition, titlefield=name))
    assert definition.fields_as_gids == [name.gid] and definition.classes_as_gids == [class_.gid]
    assert definition.childdefinitions == [] and definition.metadata == {}
    spare = m.save_as_new_definition(m.modify_definition(definition, name="accessory"))
    assert spare.name == "accessory_2" and m.delete_definition(spare) is True
    same(control, "definitions", unicat.definitions, definition.gid)
    with pytest.raises(UnicatError) as err:
        m.delete_field(field)  # used by the class
    assert err.value.code == 422


def test_record_mutations(unicat, control):
    m, project = unicat.mutate, unicat.project
    line = next(r for r in unicat.walk_record_tree() if r.treelevel == 3)
    record = m.create_record(line, project.default_ordering)
    assert record.parent == line.gid and record.definition.name == "article" and record.title == {"en": "", "nl": ""}
    record = m.update_record(record, {"en": {"name": "Test article", "price": 12.5, "colour/key": "white"},
                                      "nl": {"name": "Testartikel", "stock": "many"}})
    assert record.title == {"en": "Test article", "nl": "Testartikel"} and record.fields["nl"]["colour"].value == "Wit"
    assert [(v["language"], v["field"]) for v in record.validation_report] == [("nl", "stock")]

    technical, material = unicat.get_class_by_name("technical"), unicat.get_field_by_name("material")
    record = m.extend_record_definition_add_class(record, technical)
    assert record.definition.is_extended and record.definition.original.name == "article"
    assert [c.name for c in record.definition.extended_classes] == ["technical"]
    record = m.extend_record_definition_add_field(record, material)
    record = m.extend_record_definition_add_fieldlist_field(record, project.default_fieldlist, material)
    record = m.update_record(record, {"en": {"material": "oak", "voltage": 230}})
    assert record.fields["en"]["material"].value == "oak" and record.fields["nl"]["voltage"].value == 230
    record = m.extend_record_definition_remove_fieldlist_field(record, project.default_fieldlist, material)
    record = m.extend_record_definition_remove_field(record, material)
    assert "material" not in record.fields["en"] and record.fields["en"]["voltage"].value == 230
    record = m.extend_record_definition_remove_class(record, technical)
    extension = record.definition.gid
    record = m.revert_extended_record_definition(record)
    assert record.definition.name == "article" and not record.definition.is_extended
    unicat.sync()  # the unused extended definition went: DELETE
    assert extension not in unicat.definitions and control.object("definitions", extension) is None

    # Named extended definitions: the client offers them from Unicat 2026.09.001 on (the
    # simulator is 2024.05.002), so its functions are called directly.
    article = unicat.get_definition_by_name("article")
    record = record_mutations.clone_extended_record_definition(
        unicat, record, "heavy article", classes=[*article.classes_as_gids, technical.gid])
    assert record.definition.name == "heavy article" and record.definition.original.gid == article.gid
    record = record_mutations.update_extended_record_definition(unicat, record, "heavy-duty article")
    heavy = record.definition
    assert heavy.name == "heavy-duty article" and record.title["en"] == "Test article"
    sibling = m.extend_record_definition_add_class(m.create_record(line, project.default_ordering), technical)
    unnamed = sibling.definition.gid
    sibling = record_mutations.transfer_extended_record_definition_to(unicat, sibling, heavy)
    assert sibling.definition.gid == heavy.gid and control.object("definitions", unnamed) is None
    other = m.extend_record_definition_add_class(m.create_record(line, project.default_ordering), technical)
    record = record_mutations.transfer_extended_record_definition_from(unicat, record, other.definition.gid)
    assert record.definition.gid == heavy.gid and unicat.get_record(other.gid, force=True).definition.gid == heavy.gid
    assert m.copy_record_definition_to_siblings(record) is None
    assert {r.definition.gid for r in unicat.walk_record_children(line)} == {heavy.gid}
    accessory = unicat.get_definition_by_name("accessory")
    record = m.set_record_definition(record, accessory)
    assert record.definition.gid == accessory.gid and set(record.fields["en"]) <= {"name", "material"}

    webshop, printed = project.channels["Webshop"], project.channels["Print catalogue"]
    record = m.set_record_channels(record, [webshop, printed], False)
    assert webshop not in record.channels and printed not in record.channels
    record = m.set_record_channels(record, [printed], True)
    assert printed in record.channels
    record = m.copy_record_channels_from_parent(record)
    assert record.channels == unicat.get_record(line.gid, force=True).channels
    child = m.create_record(record, project.default_ordering)
    m.set_record_channels(record, [printed], False)
    assert m.copy_record_channels_down(record, [printed]).gid == record.gid  # a job: waits until done
    assert printed not in unicat.get_record(child.gid, force=True).channels
    m.set_record_channels(record, [printed], True)
    assert m.copy_record_channels_up(record, [printed]).gid == record.gid
    assert printed in unicat.get_record(line.gid, force=True).channels
    record = m.set_record_orderings(record, {project.default_ordering: 1})
    assert record.orderings[project.default_ordering] == 1
    assert next(unicat.walk_record_children(line, ordering=project.default_ordering)).gid == record.gid

    other_line = list(unicat.walk_record_children(unicat.get_record(line.parent)))[1]
    link = m.link_record(other_line, record, project.default_ordering)
    assert link.is_link and link.canonical == record.gid and link.parent == other_line.gid
    assert unicat.get_record(record.gid, force=True).backlinks == [link.gid]
    record = m.update_record(record, {"en": {"name": "Linked article"}})
    assert unicat.get_record(link.gid, force=True).title["en"] == "Linked article"  # links share the content

    record = m.delete_record(record)
    assert record.is_deleted
    record = m.undelete_record(record)
    assert not record.is_deleted and control.object("records", record.gid)["status"] == "draft"
    parent = m.permanent_delete_record(record)  # a job: waits until done
    assert parent.gid == line.gid and record.gid not in unicat.records
    for gone in (record.gid, child.gid, link.gid):
        assert control.object("records", gone) is None
    unicat.sync()
    assert link.gid not in unicat.records and child.gid not in unicat.records
    same(control, "records", unicat.records, line.gid)
    same(control, "records", unicat.records, other_line.gid)


def test_job_failure(unicat, control):
    """A job whose work fails ends `done` with info.error. The client's failure path
    then calls UnicatJob.as_progress_dict, which 0.7.18 lacks (digest §9): an
    AttributeError instead of its UnicatError "Job error"."""
    line = unicat.get_root_record()
    record = unicat.mutate.create_record(line, unicat.project.default_ordering)
    cc_cursor = control.get("/cursors")["cc.cursor"]
    control.post("/settings", {"job_step_seconds": 0.3})
    try:
        first = unicat.mutate.permanent_delete_record(record, return_job=True)
        with pytest.raises(AttributeError, match="as_progress_dict"):
            unicat.mutate.permanent_delete_record(record)  # its job runs after the first one removed it
    finally:
        control.post("/settings", {"job_step_seconds": 0.05})
    assert first.status == "untracked" and list(first.track(poll_interval_in_seconds=0.1))[-1] == "done"
    assert first.name == "permanent_delete_record" and "error" not in first.info
    jobs = [e["item"] for e in control.get(f"/log?cc_cursor={cc_cursor}")["entries"]
            if e["item"]["data_type"] == "jobs" and e["item"]["data"]["status"] == "done"]
    assert [j["data"]["info"].get("error") for j in jobs] == [None, "record not found"]


def test_asset_mutations(unicat, control, tmp_path, assets_dir):
    m = unicat.mutate
    folder = m.create_asset(unicat.get_root_asset(), "downloads")
    assert not folder.is_file and folder.pathname == "/downloads" and folder.childcount == 0
    upload = tmp_path / "manual.pdf"
    upload.write_bytes(b"%PDF-1.4 first version")
    asset = m.upload_asset(upload, folder)
    assert (asset.is_file, asset.type, asset.info["filesize"], asset.pathname) == \
        (True, "pdf", len(upload.read_bytes()), "/downloads/manual.pdf")
    assert (assets_dir / asset.download()).read_bytes() == upload.read_bytes()
    upload.write_bytes(b"%PDF-1.4 second, longer version")
    asset = m.upload_update_asset(upload, asset)
    assert control.object("assets", asset.gid)["version"] == 2 and asset.info["filesize"] == len(upload.read_bytes())
    assert requests.get(asset.publish(), timeout=10).content == upload.read_bytes()
    asset = m.update_asset(asset, name="manual-v2.pdf", title={"en": "Manual"}, description={"nl": "Handleiding"},
                           metadata={"source": {"type": "textline", "is_localized": False, "value": "scan"}})
    assert asset.pathname == "/downloads/manual-v2.pdf" and asset.title == {"en": "Manual", "nl": "manual.pdf"}
    assert asset.description["nl"] == "Handleiding" and asset.metadata["source"].value == "scan"
    asset = m.update_asset_set_metadata(asset, "pages", type="number", is_localized=False, value=12)
    asset = m.update_asset_clear_metadata(asset, "source")
    assert {k: v.value for k, v in asset.metadata.items()} == {"pages": 12}
    folder = m.update_asset(folder, name="docs")
    unicat.sync()
    assert unicat.assets[asset.gid]["pathname"] == "/docs/manual-v2.pdf"
    assert m.delete_asset(asset).is_deleted and not m.undelete_asset(asset).is_deleted
    same(control, "assets", unicat.assets, asset.gid)
    assert m.permanent_delete_asset(folder) is True
    assert control.object("assets", folder.gid) is None and control.object("assets", asset.gid) is None
    unicat.sync()
    assert asset.gid not in unicat.assets
    same(control, "assets", unicat.assets, unicat.get_root_asset().gid)


def test_query_and_module_mutations(unicat, control):
    m = unicat.mutate
    query = m.create_query("record", name="Cheap articles", filter=["and", "", [["price", "<", 50]]])
    cheap = [r for _, r in unicat.walk_record_query("en", query)]
    assert cheap and all(r.fields["en"]["price"].value < 50 for r in cheap)
    query = m.update_query(query, name="Very cheap articles", q="", filter=["and", "", [["price", "<", 20]]])
    assert query.name == "Very cheap articles" and len(list(unicat.walk_record_query("en", query))) < len(cheap)
    same(control, "queries", unicat.queries, query.gid)
    assert m.delete_query(query) is True and control.object("queries", query.gid) is None

    module = m.register_module("pim-sync", "1.0.0")
    assert module.version == "1.0.0" and unicat.get_all_module_names()[-1] == "pim-sync"
    module = m.set_module_key(module, "endpoint", "https://pim.example/api")
    module = m.set_module_keys(module, {"batch": 50, "mode": "full"})
    module = m.clear_module_key(module, "mode")
    module = m.clear_module_keys(module, ["batch"])
    assert module.keys == {"endpoint": "https://pim.example/api"}
    module = m.publish_module_action(module, "sync", {"label": "Synchronise", "full": True})
    assert module.actions["sync"].configuration == {"label": "Synchronise", "full": True}
    module = m.unpublish_module_action(module, "sync")
    assert module.actions == {}
    started = time.time()
    module = m.add_module_log(module, "1.0.0", action="sync", configuration={"full": True}, command="pim-sync run",
                              started_at=started, ended_at=started + 2.5, status="done", output="42 records")
    [log] = module.logs
    assert (log.action, log.duration, log.status, log.output) == ("sync", 2.5, "done", "42 records")
    for _ in range(50):
        module = m.add_module_log(module, "1.0.0", status="done")
    assert len(module.logs) == 50 and module.logs[0].action is None  # the server keeps 50
    module = m.register_module("pim-sync", "1.1.0")
    assert module.version == "1.1.0" and module.keys == {"endpoint": "https://pim.example/api"}
    same(control, "modules", unicat.modules, "pim-sync")
    assert m.unregister_module(module) is True and control.object("modules", "pim-sync") is None


# -- endpoints the client reaches through api.call and api.upload ------------------------
# The client has no functions of its own for these; its public UnicatApi.call, .upload,
# .prepare_for_job and UnicatJob.track are how a user of the client calls them.

def tracked_job(unicat, endpoint: str, body: dict) -> UnicatJob:
    """A job call the way the client's own job functions make one, tracked until done."""
    cursor = unicat.api.prepare_for_job()
    success, result = unicat.api.call(endpoint, body)
    assert success, result
    job = UnicatJob(unicat, cursor, result["job.token"], None)
    assert list(job.track(poll_interval_in_seconds=0.05))[-1] == "done"
    return job


def test_bulk_record_mutations(unicat, control):
    ordering = unicat.project.default_ordering
    brand = list(unicat.walk_record_children(unicat.get_root_record()))[3]
    line, target = list(unicat.walk_record_children(brand))[:2]
    articles = list(unicat.walk_record_children(line, ordering=ordering))
    first, second = articles[0], articles[1]
    job = tracked_job(unicat, "/records/bulk/duplicate", {"selection": [first.gid, second.gid], "ordering": ordering})
    assert (job.name, job.info) == ("bulk_duplicate_records", {"total": 2, "remaining": 0})
    now = list(unicat.walk_record_children(line, ordering=ordering))
    assert [r.title["en"] for r in now[:4]] == [first.title["en"], first.title["en"] + " (copy)",
                                                second.title["en"], second.title["en"] + " (copy)"]
    copies = [now[1], now[3]]
    for copy in copies:
        same(control, "records", unicat.records, copy.gid)
        assert copy.definition.gid == first.definition.gid and copy.is_deleted == first.is_deleted and not copy.is_link
    assert unicat.get_record(line.gid, force=True).childcount == len(articles) + 2

    placed_before = next(unicat.walk_record_children(target, ordering=ordering))
    job = tracked_job(unicat, "/records/bulk/shallow_copy", {
        "parent": target.gid, "before_record": placed_before.gid, "ordering": ordering,
        "selection": [{"children": line.gid, "ordering": ordering, "exclude": [r.gid for r in now[2:]]}]})
    assert job.name == "bulk_shallow_copy_records" and job.info["total"] == 2
    in_target = list(unicat.walk_record_children(target, ordering=ordering))
    assert [r.title["en"] for r in in_target[:3]] == [first.title["en"], first.title["en"] + " (copy)",
                                                      placed_before.title["en"]]
    job = tracked_job(unicat, "/records/bulk/link", {"parent": target.gid, "selection": [articles[2].gid]})
    link = list(unicat.walk_record_children(target, ordering=ordering))[-1]
    assert link.is_link and link.canonical == articles[2].gid and link.title == articles[2].title
    assert unicat.get_record(articles[2].gid, force=True).backlinks == [link.gid]

    made = [c.gid for c in copies] + [r.gid for r in in_target[:2]] + [link.gid]
    job = tracked_job(unicat, "/records/bulk/delete", {"selection": [
        *made[:2], {"search": {"language": "en", "q": first.title["en"], "filter": []},
                    "exclude": [first.gid, copies[0].gid]}]})
    assert job.info["total"] == 4  # the two copies in the line and the two in the target line
    unicat.sync()  # the client refetches the cached records that changed
    assert [unicat.get_record(g).is_deleted for g in made] == [True, True, True, True, False]
    job = tracked_job(unicat, "/records/bulk/undelete", {"selection": [made[2], link.gid]})
    assert job.info == {"total": 2, "remaining": 0, "failed": [link.gid]}  # the link was not deleted
    unicat.sync()
    assert not unicat.get_record(made[2]).is_deleted
    job = tracked_job(unicat, "/records/bulk/permanent_delete", {"selection": made})
    assert job.name == "bulk_permanent_delete_records" and "failed" not in job.info
    unicat.sync()
    for gid in made:
        assert gid not in unicat.records and control.object("records", gid) is None
    for record in (line, target, articles[2]):
        same(control, "records", unicat.records, unicat.get_record(record.gid, force=True).gid)
    assert unicat.records[articles[2].gid]["backlinks"] == []
    success, result = unicat.api.call("/records/bulk/link", {"selection": [first.gid]})
    assert not success and (result["code"], result["info"]) == (400, {"Missing parameter": "parent"})


def test_assets_tree_and_worksheet(unicat, control):
    root = unicat.get_root_asset()
    brands = unicat.get_asset_by_pathname("/brands")
    success, result = unicat.api.call("/assets/tree", {"expanded_paths": ["/", "/brands"]})
    assert success, result
    expected = [root.gid] + [a.gid for a in unicat.walk_asset_children(root)]
    at = expected.index(brands.gid) + 1
    expected[at:at] = [a.gid for a in unicat.walk_asset_children(brands)]
    assert result == {"tree": expected, "tree.size": len(expected)}
    for gid in expected:
        same(control, "assets", unicat.assets, gid)
    success, result = unicat.api.call("/assets/tree", {"expanded_assets": [root.gid], "page.top": 2, "page.size": 3})
    # A page reaching past the end shows the last page.size assets: here all three folders.
    assert success and result == {"tree": [a.gid for a in unicat.walk_asset_children(root)], "tree.size": 4}
    success, result = unicat.api.call("/assets/worksheet", {"asset": brands.gid, "page.top": 10})
    assert success and result["asset"] == brands.gid and result["path"] == [root.gid, brands.gid]
    assert result["children"] == [a.gid for a in unicat.walk_asset_children(brands)][10:30]
    assert result["children.size"] == brands.childcount
    success, result = unicat.api.call("/assets/worksheet", {"asset": "00000000-0000-4000-8000-000000000000"})
    assert not success and (result["code"], result["message"]) == (422, "asset not found")


def test_excel_children_and_update(unicat, control, tmp_path):
    line = list(unicat.walk_record_children(list(unicat.walk_record_children(unicat.get_root_record()))[4]))[0]
    success, result = unicat.api.call("/records/excel/children", {"record": line.gid, "language": "nl"})
    assert success, result
    name = result["children.excel"]
    assert name.startswith("cc-") and name.endswith("-children.xlsx") and set(result["data/files"]) == {name}
    content = base64.b64decode(result["data/files"][name])
    with zipfile.ZipFile(io.BytesIO(content)) as workbook:  # a real workbook
        assert "xl/worksheets/sheet1.xml" in workbook.namelist()
    rows = xlsx.read(content)
    header, children = rows[1], list(unicat.walk_record_children(line))
    assert [r[0] for r in rows[2:]] == [c.gid for c in children]
    name_col, stock_col = header.index("name"), header.index("stock")
    assert [r[name_col] for r in rows[2:]] == [c.fields["nl"]["name"].value for c in children]
    rows[2][stock_col] = 3
    rows[3][name_col] = "Hernoemd artikel"
    removed = rows.pop(4)[0]
    added = [None, "article"] + [None] * (len(header) - 2)
    added[name_col], added[stock_col] = "Nieuw artikel", "veel"  # stock is a number: reported
    rows.append(added)
    upload = tmp_path / name
    upload.write_bytes(xlsx.write(rows))
    success, result = unicat.api.upload("/records/excel/update", {}, upload)
    assert success, result
    assert result["record"] == line.gid and set(result["data/files"]) == {result["report.excel"]}
    [problem] = result["report.validation"]
    assert (problem["field"], problem["message"]) == ("stock", "number expected")
    report = xlsx.read(base64.b64decode(result["data/files"][result["report.excel"]]))
    assert report[1][-1] == "report" and report[-1][-1] == "stock: number expected"
    new_gid = report[-1][0]
    assert unicat.get_record(children[0].gid, force=True).fields["nl"]["stock"].value == 3
    assert unicat.get_record(children[1].gid, force=True).title["nl"] == "Hernoemd artikel"
    assert unicat.get_record(removed, force=True).is_deleted
    new = unicat.get_record(new_gid)
    assert new.parent == line.gid and new.title["nl"] == "Nieuw artikel" and new.definition.name == "article"
    for gid in (children[0].gid, children[1].gid, removed, new_gid, line.gid):
        same(control, "records", unicat.records, gid)
    upload.write_bytes(b"not a workbook")
    success, result = unicat.api.upload("/records/excel/update", {}, upload)
    assert not success and result["code"] == 400


def test_api_keys(unicat, control, sim, tmp_path):
    success, result = unicat.api.call("/apikeys/create", {"name": "Importer"})
    assert not success and result["code"] == 403  # the API user is no owner
    owner = UnicatApi(sim.url, sim.project)
    success, result = owner.call("/login", control.get("/credentials")["login"])
    anna = result["user"]
    assert success and owner.data["cc.users"][anna]["username"] == "anna"
    success, result = owner.call("/apikeys/create", {"name": "Importer"})
    assert success, result
    user = result["user"]
    assert owner.data["cc.users"][user] == {"gid": user, "name": "Importer", "avatar": None, "username": None}
    assert owner.data["cc.projects_members"][f"{sim.project}/{user}"]["roles"] == ["api"]
    success, result = owner.call("/apikeys/get", {"user": user})
    assert success and len(result["apikey"]) == 40
    importer = Unicat(sim.url, sim.project, result["apikey"], str(tmp_path))
    assert importer.connect()
    assert importer.api.data["cc.projects_members"][f"{sim.project}/{user}"]["status"] == "active"
    unicat.sync()  # the new membership of our project: the client fetches it
    assert unicat.projects_members[f"{sim.project}/{user}"]["roles"] == ["api"]
    success, result = owner.call("/apikeys/get", {"user": anna})
    assert not success and (result["code"], result["message"]) == (422, "not an API user")


def test_batch(unicat, control):
    root = unicat.get_root_record()
    before = control.get("/cursors")
    success, result = unicat.api.call("/batch", {"requests": [
        {"endpoint": "/records/create", "data": {"parent": root.gid}},
        {"endpoint": "/records/update", "data": {"record": root.gid, "fields": {"en": {"name": "Batched"}}}}]})
    assert success, result
    created = result["results"][0]["record"]
    assert result["results"][1] == {"record": root.gid, "report.validation": []}
    assert unicat.records[root.gid]["title"]["en"] == "Batched"  # the merged data reached the cache
    same(control, "records", unicat.records, created)
    same(control, "records", unicat.records, root.gid)
    middle = control.get("/cursors")
    assert middle["cursor"] > before["cursor"]
    success, result = unicat.api.call("/batch", {"requests": [
        {"endpoint": "/records/update", "data": {"record": created, "fields": {"en": {"name": "Undone"}}}},
        {"endpoint": "/records/delete", "data": {"record": root.gid}}]})  # the root cannot be deleted
    assert not success and (result["code"], result["info"]["batch.request"]) == (422, 1)
    assert control.get("/cursors") == middle and control.object("records", created)["title"]["en"] == ""
    assert unicat.mutate.delete_record(unicat.get_record(created)).is_deleted


# -- the sync loop ------------------------------------------------------------------------

def test_sync_loop_follows_every_change(unicat, control, sim, tmp_path):
    other = connect(sim, tmp_path)
    other.get_root_record()
    control.post("/settings", {"page_size": 3})  # several pages per sync
    try:
        changed = []
        for data_type in ("definitions", "classes", "fields", "layouts", "queries", "modules"):
            for action in ("UPDATE", "INSERT", "DELETE"):
                changed += control.post("/changes", {"count": 1, "data_type": data_type, "action": action})["items"]
        for data_type in ("records", "assets", "cc.users", "cc.projects"):
            changed += control.post("/changes", {"count": 2, "data_type": data_type})["items"]
        root = unicat.mutate.update_record(unicat.get_root_record(), {"en": {"name": "Catalogue"}})
        assert unicat.sync() is True and other.sync() is True
    finally:
        control.post("/settings", {"page_size": 100})
    cursors = control.get("/cursors")
    assert (unicat.api.cc_cursor, unicat.api.project_cursor) == (cursors["cc.cursor"], cursors["cursor"])
    last = {(i["data_type"], i["data_key"]): i["action"] for i in changed}  # a DELETE may remove an INSERT
    for (data_type, key), action in last.items():
        cache = unicat.api.data[data_type]
        if action == "DELETE":
            assert key not in cache and control.object(data_type, key) is None
        elif action == "INSERT" or key in cache:  # the client fetches only what it holds
            same(control, data_type, cache, key)
    assert other.records[root.gid]["title"]["en"] == "Catalogue"  # the other client saw the update
    for data_type in ("definitions", "classes", "fields", "layouts", "queries"):  # init holds all of them
        for key in other.api.data[data_type]:
            same(control, data_type, other.api.data[data_type], key)
        # The first client misses the items between its last sync and a job: the job's
        # /sync/cursors moves its cursors past them (a client quirk, digest §6).
        missed = set(unicat.api.data[data_type]) - set(other.api.data[data_type])
        assert all(control.object(data_type, key) is None for key in missed)


# -- backups and restore ------------------------------------------------------------------

def test_backup_restore_and_delete(unicat, control, sim):
    m = unicat.mutate
    backup = m.create_backup("tester", "Before the restore test")  # a job: waits until done
    assert backup.version == 2 and backup.name == "Before the restore test" and backup.created_by == "tester"
    backup = m.update_backup(backup, "Renamed")
    assert unicat.project.get_backup(2).name == "Renamed"
    job = m.create_backup("tester", return_job=True)
    statuses = list(job.track(poll_interval_in_seconds=0.1))
    assert statuses[-1] == "done" and job.name == "backup_project" and job.progress["gid"] == job.gid
    assert job.return_value.version == 3
    field = m.commit_field(m.create_field(name="after_backup"))
    project = m.restore_backup(unicat.project.get_backup(2))  # a job; the client re-inits when it is done
    assert project.gid == sim.project and field.gid not in unicat.fields
    assert control.object("fields", field.gid) is None
    for data_type in ("definitions", "classes", "fields", "layouts", "queries"):
        for key in unicat.api.data[data_type]:
            same(control, data_type, unicat.api.data[data_type], key)
    assert unicat.api.project_cursor == control.get("/cursors")["cursor"]
    assert [b.version for b in unicat.project.backups] == [1, 2, 3]
    m.delete_backup(unicat.project.get_backup(3))
    m.delete_backups([unicat.project.get_backup(1), unicat.project.get_backup(2)])
    assert unicat.project.backups == [] and control.object("cc.projects", sim.project)["backups"]["versions"] == []
    with pytest.raises(UnicatError) as err:
        m.restore_backup(backup)
    assert (err.value.code, err.value.info) == (1003, {"process": "restore"})
