"""Schema mutations: definitions, classes, fields and their layouts (digest §10).

Editing follows Unicat's schema editor [INF]: a created object is new (`is_new`) until
it is committed; a change to a committed object goes to its working copy
(`is_working_copy`, `original` = the committed gid), made on the first change, and
reaches the committed object on commit. Definitions and classes own a layout, which
gets a field component for each of their fields. After every change, records are made
to fit their definitions (see RecordMutations._conformed).
"""

from __future__ import annotations

import copy
from typing import Callable

from .domain_base import DomainError, DomainPart, bump_text, new_gid, now
from .synclog import LogEntry

KIND = {"definitions": "definition", "classes": "class", "fields": "field", "layouts": "layout"}
# The field types the official client knows (its VALUE_TO_FIELDDATA).
FIELD_TYPES = ("text", "textline", "textlist", "number", "decimal", "boolean", "code", "barcode",
               "class", "classlist", "image", "imagelist", "file", "filelist", "record", "recordlist",
               "fieldpicker")


def metadata_entry(type_: str, is_localized: bool, value) -> dict:
    return {"type": type_, "is_localized": is_localized, "value": value}


class SchemaMutations(DomainPart):
    def schema_object(self, project: str, data_type: str, gid: str) -> dict:
        obj = self.store.get(project, data_type, gid)
        if obj is None:
            raise DomainError(f"{KIND[data_type]} not found", {KIND[data_type]: gid})
        return obj

    # -- layouts ------------------------------------------------------------------------

    def all_fields(self, project: str, data_type: str, obj: dict) -> list[str]:
        if data_type == "classes":
            return list(obj["fields"])
        classes = [f for c in obj["classes"] for f in (self.store.get(project, "classes", c) or {"fields": []})["fields"]]
        return list(dict.fromkeys(classes + obj["fields"]))

    @staticmethod
    def new_layout(name: str, original: str | None = None) -> dict:
        return {"gid": new_gid(), "original": original, "name": name, "root": "root",
                "components": {"root": {"type": "vertical", "children": []}},
                "is_new": False, "is_working_copy": False}

    @staticmethod
    def fit_layout(layout: dict, field_gids: list[str]) -> dict:
        """A copy with one field component for each field: components of fields that
        went are removed, new fields are appended to the root."""
        layout = copy.deepcopy(layout)
        components = layout["components"]
        gone = [cid for cid, c in components.items() if c.get("type") == "field" and c["field"] not in field_gids]
        for cid in gone:
            del components[cid]
        for component in components.values():
            if "children" in component:
                component["children"] = [c for c in component["children"] if c not in gone]
        present = {c.get("field") for c in components.values()}
        root = components.setdefault(layout["root"], {"type": "vertical", "children": []})
        for field in field_gids:
            if field not in present:
                cid = new_gid()
                components[cid] = {"type": "field", "field": field}
                root.setdefault("children", []).append(cid)
        return layout

    def _copy_layout(self, project: str, gid: str, working_copy: bool) -> dict:
        """A copy (unsaved) of a layout, for a working copy or an extended definition."""
        layout = copy.deepcopy(self.schema_object(project, "layouts", gid))
        layout.update({"gid": new_gid(), "original": gid if working_copy else None,
                       "is_working_copy": working_copy})
        return layout

    def _put(self, project: str, data_type: str, obj: dict) -> list[LogEntry]:
        """Stores and announces (INSERT or UPDATE) if the object is new or changed."""
        stored = self.store.get(project, data_type, obj["gid"])
        if stored == obj:
            return []
        self.store.put(project, data_type, obj["gid"], obj)
        return [self.log.append_project(project, "UPDATE" if stored else "INSERT", data_type, obj["gid"])]

    def _remove(self, project: str, data_type: str, gid: str) -> list[LogEntry]:
        self.store.remove(project, data_type, gid)
        return [self.log.append_project(project, "DELETE", data_type, gid)]

    def save_schema(self, project: str, data_type: str, obj: dict, layout: dict | None = None) -> list[LogEntry]:
        """Stores a definition, class or field; its layout (the stored one, or `layout`
        for a new object) follows its fields, and records are made to fit their
        definitions."""
        names = self.field_names(project)
        entries = []
        if data_type in ("definitions", "classes"):
            fields = self.all_fields(project, data_type, obj)
            if data_type == "definitions" and obj["titlefield"] not in fields:
                obj["titlefield"] = next(iter(fields), None)  # [INF] the first field
            layout = layout or self.schema_object(project, "layouts", obj["layout"])
            entries += self._put(project, "layouts", self.fit_layout(layout, fields))
        entries += self._put(project, data_type, obj)
        if data_type == "classes":
            for definition in list(self.store.objects(project, "definitions").values()):
                if obj["gid"] in definition["classes"]:
                    entries += self._put(project, "layouts", self.fit_layout(
                        self.schema_object(project, "layouts", definition["layout"]),
                        self.all_fields(project, "definitions", definition)))
        return entries + self.conform_records(project, names)

    def save_definition(self, project: str, definition: dict, layout: dict | None = None) -> list[LogEntry]:
        return self.save_schema(project, "definitions", definition, layout)

    # -- creating and changing ----------------------------------------------------------

    def _check_refs(self, project: str, data_type: str, gids: list[str]) -> None:
        for gid in gids:
            self.schema_object(project, data_type, gid)

    def apply_props(self, project: str, data_type: str, obj: dict, props: dict) -> None:
        """Sets validated properties; referenced objects must exist (422)."""
        for key, refs in (("fields", "fields"), ("classes", "classes"), ("childdefinitions", "definitions")):
            if key in props:
                self._check_refs(project, refs, props[key])
        obj.update(copy.deepcopy(props))
        if props.get("titlefield") is not None and props["titlefield"] not in \
                self.all_fields(project, data_type, obj):
            raise DomainError("titlefield is not a field of the definition", {"titlefield": props["titlefield"]})

    def apply_structure(self, project: str, definition: dict, structure: dict) -> None:
        """The named-extended-definition properties: name, fields, classes, fieldlists."""
        self.apply_props(project, "definitions", definition,
                         {k: structure[k] for k in ("name", "fields", "classes") if k in structure})
        if "fieldlists" in structure:
            self.set_fieldlists(project, definition, structure["fieldlists"])

    def set_fieldlists(self, project: str, definition: dict, fieldlists: dict) -> None:
        known = self.project_options(project)["fieldlists"]
        fields = self.all_fields(project, "definitions", definition)
        for key, gids in fieldlists.items():
            if key not in known:
                raise DomainError("fieldlist not found", {"fieldlist": key})
            for gid in gids:
                if gid not in fields:
                    raise DomainError("field is not a field of the definition", {"field": gid})
            definition["fieldlists"][key] = list(gids)

    def _check_schema_name(self, project: str, data_type: str, obj: dict) -> None:
        """Names of committed and new objects are unique (per kind; extended definitions
        share their base definition's name)."""
        if data_type == "definitions" and obj["is_extended"]:
            return
        for other in self.store.objects(project, data_type).values():
            if other["name"] == obj["name"] and other["gid"] not in (obj["gid"], obj["original"]) \
                    and not other["is_working_copy"] and not other.get("is_extended"):
                raise DomainError("name already in use", {"name": obj["name"]})

    def create_schema_object(self, project: str, data_type: str, props: dict) -> tuple[dict, list[LogEntry]]:
        gid = new_gid()
        obj = {"gid": gid, "original": None, "name": props.get("name") or f"{KIND[data_type]}_{gid[:8]}",
               "label": {}, "metadata": {}, "is_new": True, "is_working_copy": False}
        layout = None
        if data_type == "fields":
            obj.update({"type": "textline", "options": {}, "is_localized": False, "is_required": False,
                        "initial": {}, "unit": None})
        else:
            layout = {**self.new_layout(f"{obj['name']}_layout"), "is_new": True}
            obj.update({"fields": [], "layout": layout["gid"]})
            if data_type == "definitions":
                obj.update({"classes": [], "titlefield": None, "childdefinitions": [], "is_base": True,
                            "is_extended": False,
                            "fieldlists": {k: [] for k in self.project_options(project)["orderedfieldlists"]}})
        self.apply_props(project, data_type, obj, props)
        self._check_schema_name(project, data_type, obj)
        return obj, self.save_schema(project, data_type, obj, layout)

    def _editable(self, project: str, data_type: str, gid: str) -> tuple[dict, dict | None]:
        """The object a change applies to: a new object or a working copy itself; for a
        committed object its working copy, made now (unsaved, with an unsaved copy of
        its layout) if there is none yet."""
        obj = self.schema_object(project, data_type, gid)
        if obj["is_new"] or obj["is_working_copy"]:
            return copy.deepcopy(obj), None
        existing = next((o for o in self.store.objects(project, data_type).values()
                         if o["is_working_copy"] and o["original"] == gid), None)
        if existing is not None:
            return copy.deepcopy(existing), None
        working = copy.deepcopy(obj)
        working.update({"gid": new_gid(), "original": gid, "is_working_copy": True})
        layout = None
        if "layout" in working:
            layout = self._copy_layout(project, working["layout"], True)
            working["layout"] = layout["gid"]
        return working, layout

    def modify(self, project: str, data_type: str, gid: str,
               change: Callable[[dict], None]) -> tuple[dict, list[LogEntry]]:
        obj, layout = self._editable(project, data_type, gid)
        change(obj)
        return obj, self.save_schema(project, data_type, obj, layout)

    def modify_layout(self, project: str, data_type: str, gid: str, props: dict) -> tuple[dict, list[LogEntry]]:
        """Changes the layout of a definition or class (of its working copy)."""
        obj, layout = self._editable(project, data_type, gid)
        layout = copy.deepcopy(layout or self.schema_object(project, "layouts", obj["layout"]))
        layout.update(copy.deepcopy(props))
        if layout["root"] not in layout["components"]:
            raise DomainError("root is not a component of the layout", {"root": layout["root"]})
        return obj, self.save_schema(project, data_type, obj, layout)

    def commit(self, project: str, data_type: str, gid: str) -> tuple[str, list[LogEntry]]:
        """A new object stops being new; a working copy replaces its committed object
        (same gid) and goes away. Committing a committed object changes nothing."""
        obj = copy.deepcopy(self.schema_object(project, data_type, gid))
        if obj["is_new"]:
            obj["is_new"] = False
            entries = []
            if "layout" in obj:
                layout = copy.deepcopy(self.schema_object(project, "layouts", obj["layout"]))
                layout["is_new"] = False
                entries = self._put(project, "layouts", layout)
            return gid, entries + self.save_schema(project, data_type, obj)
        if not obj["is_working_copy"]:
            return gid, []
        original = self.schema_object(project, data_type, obj["original"])
        committed = {**obj, "gid": original["gid"], "original": original["original"], "is_working_copy": False}
        self._check_schema_name(project, data_type, committed)
        entries = []
        if "layout" in obj:
            working_layout = self.schema_object(project, "layouts", obj["layout"])
            committed["layout"] = original["layout"]
            entries += self._put(project, "layouts", {**copy.deepcopy(working_layout),
                                                      "gid": original["layout"], "original": None,
                                                      "is_working_copy": False})
            entries += self._remove(project, "layouts", obj["layout"])
        entries += self._remove(project, data_type, gid)
        return original["gid"], entries + self.save_schema(project, data_type, committed)

    def save_as_new(self, project: str, data_type: str, gid: str) -> tuple[str, list[LogEntry]]:
        """A working copy becomes an independent committed object (a free name is
        picked when its original's name is taken: `name_2`, `name_3`, …)."""
        obj = copy.deepcopy(self.schema_object(project, data_type, gid))
        if not obj["is_working_copy"]:
            raise DomainError(f"{KIND[data_type]} is not a working copy", {KIND[data_type]: gid})
        obj.update({"original": None, "is_working_copy": False})
        taken = {o["name"] for o in self.store.objects(project, data_type).values()
                 if o["gid"] != gid and not o["is_working_copy"]}
        base, n = obj["name"], 1
        while obj["name"] in taken:
            n += 1
            obj["name"] = f"{base}_{n}"
        entries = []
        if "layout" in obj:
            layout = copy.deepcopy(self.schema_object(project, "layouts", obj["layout"]))
            layout.update({"original": None, "is_working_copy": False})
            entries = self._put(project, "layouts", layout)
        return gid, entries + self.save_schema(project, data_type, obj)

    def _users(self, project: str, data_type: str, gid: str) -> list[str]:
        """What refers to a schema object (its working copies aside)."""
        definitions = self.store.objects(project, "definitions").values()
        if data_type == "fields":
            users = [d["gid"] for d in definitions if gid in d["fields"] or gid == d["titlefield"]
                     or any(gid in fl for fl in d["fieldlists"].values())]
            users += [c["gid"] for c in self.store.objects(project, "classes").values() if gid in c["fields"]]
        elif data_type == "classes":
            users = [d["gid"] for d in definitions if gid in d["classes"]]
        else:
            users = [d["gid"] for d in definitions if gid in d["childdefinitions"]
                     or (d["original"] == gid and not d["is_working_copy"])]
            users += self.users_of(project, gid)
        return users

    def delete_schema_object(self, project: str, data_type: str, gid: str) -> list[LogEntry]:
        obj = self.schema_object(project, data_type, gid)
        if not obj["is_working_copy"] and self._users(project, data_type, gid):
            raise DomainError(f"{KIND[data_type]} is in use", {KIND[data_type]: gid})
        entries = []
        if not obj["is_working_copy"]:
            for working in [o for o in self.store.objects(project, data_type).values()
                            if o["is_working_copy"] and o["original"] == gid]:
                entries += self.delete_schema_object(project, data_type, working["gid"])
        entries += self._remove(project, data_type, gid)
        if "layout" in obj:
            entries += self._remove(project, "layouts", obj["layout"])
        return entries

    # -- extended definitions (records/definition/*) ------------------------------------

    def new_extension(self, project: str, base: dict) -> tuple[dict, dict]:
        """An extended definition of `base` and its layout, both unsaved."""
        extension = copy.deepcopy(base)
        extension.update({"gid": new_gid(), "original": base["gid"], "is_base": False, "is_extended": True,
                          "is_new": False, "is_working_copy": False})
        layout = self._copy_layout(project, base["layout"], False)
        extension["layout"] = layout["gid"]
        return extension, layout

    def drop_unused_extension(self, project: str, gid: str | None) -> list[LogEntry]:
        definition = self.store.get(project, "definitions", gid or "")
        if definition is None or not definition["is_extended"] or self.users_of(project, gid):
            return []
        return self._remove(project, "definitions", gid) + self._remove(project, "layouts", definition["layout"])

    # -- generated changes (control API /changes, activity) ------------------------------

    def touch_schema(self, project: str, data_type: str, key: str) -> list[LogEntry]:
        obj = copy.deepcopy(self.store.get(project, data_type, key))
        if data_type == "queries":
            obj["name"] = bump_text(obj["name"])
        elif data_type == "modules":
            major, minor, patch = (obj["version"].split(".") + ["0", "0"])[:3]
            obj["version"] = f"{major}.{minor}.{int(patch) + 1}"
            obj["keys"]["last_import"] = now()
        elif data_type == "layouts":
            obj["name"] = bump_text(obj["name"])
        else:
            revision = obj["metadata"].get("revision", {}).get("value", 0)
            obj["metadata"]["revision"] = metadata_entry("number", False, revision + 1)
            obj["label"] = {lang: bump_text(text) for lang, text in obj["label"].items()}
        self.store.put(project, data_type, key, obj)
        return [self.log.append_project(project, "UPDATE", data_type, key)]

    def create_unreferenced(self, project: str, data_type: str) -> list[LogEntry]:
        """A new, unreferenced object (so it can be deleted again without side effects).
        Classes and definitions get their own layout, announced first."""
        key = new_gid()
        tag = key[:8]
        label = {"en": f"New {tag}", "nl": f"Nieuw {tag}"}
        base = {"gid": key, "original": None, "is_new": False, "is_working_copy": False}
        entries = []
        if data_type in ("classes", "definitions"):
            layout = self.new_layout(f"layout_{tag}")
            name_field = self.field_by_name(project, "name")
            fields = [name_field["gid"]] if name_field else []
            layout = self.fit_layout(layout, fields)
            self.store.put(project, "layouts", layout["gid"], layout)
            entries.append(self.log.append_project(project, "INSERT", "layouts", layout["gid"]))
        if data_type == "fields":
            obj = {**base, "name": f"field_{tag}", "label": label, "type": "textline", "options": {},
                   "is_localized": True, "is_required": False, "initial": {}, "unit": None, "metadata": {}}
        elif data_type == "classes":
            obj = {**base, "name": f"class_{tag}", "label": label, "fields": fields, "layout": layout["gid"],
                   "metadata": {}}
        elif data_type == "definitions":
            obj = {**base, "name": f"definition_{tag}", "label": label, "classes": [], "fields": fields,
                   "titlefield": next(iter(fields), None), "fieldlists": {}, "layout": layout["gid"],
                   "childdefinitions": [], "metadata": {}, "is_base": True, "is_extended": False}
        elif data_type == "layouts":
            obj = {**self.new_layout(f"layout_{tag}"), "gid": key}
        elif data_type == "queries":
            obj = {"gid": key, "type": "record", "name": f"Query {tag}", "q": tag, "filter": []}
        else:  # modules are keyed by name
            key = f"module-{tag}"
            obj = {"name": key, "version": "1.0.0", "keys": {}, "actions": {}, "logs": []}
        self.store.put(project, data_type, key, obj)
        return entries + [self.log.append_project(project, "INSERT", data_type, key)]

    def deletable(self, project: str, data_type: str) -> list[str]:
        """Keys of objects nothing refers to."""
        objects = self.store.objects(project, data_type)
        if data_type in ("queries", "modules"):
            return list(objects)
        used: set[str] = set()
        for d in self.store.objects(project, "definitions").values():
            used.update(d["classes"], d["fields"], d["childdefinitions"], [d["layout"], d["original"]])
            used.update(f for fl in d["fieldlists"].values() for f in fl)
        for c in self.store.objects(project, "classes").values():
            used.update(c["fields"], [c["layout"]])
        for layout in self.store.objects(project, "layouts").values():
            used.update(comp.get("field") for comp in layout["components"].values())
        used.update(r["definition"] for r in self.store.objects(project, "records").values())
        return [key for key in objects if key not in used]

    def delete_schema(self, project: str, data_type: str, key: str) -> list[LogEntry]:
        self.store.remove(project, data_type, key)
        return [self.log.append_project(project, "DELETE", data_type, key)]
