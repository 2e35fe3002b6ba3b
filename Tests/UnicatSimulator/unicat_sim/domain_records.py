"""Record mutations: create, update, delete, definitions, channels, orderings and links,
each with the sync items it appends (digest §10)."""

from __future__ import annotations

import copy
import json
import random
from typing import Callable

from .domain_base import DomainError, DomainPart, bump_text, new_gid, now
from .synclog import LogEntry


def json_key(value) -> str:
    return json.dumps(value, sort_keys=True)

# What a link record shares with its canonical record.
LINKED_CONTENT = ("definition", "title", "fields")


class RecordMutations(DomainPart):
    def record(self, project: str, gid: str) -> dict:
        record = self.store.get(project, "records", gid)
        if record is None:
            raise DomainError("record not found", {"record": gid})
        return record

    def save_record(self, project: str, record: dict, action: str = "UPDATE") -> list[LogEntry]:
        """Stores the record and announces it; its links get the new content too."""
        self.store.put(project, "records", record["gid"], record)
        entries = [self.log.append_project(project, action, "records", record["gid"])]
        for link_gid in record["backlinks"]:
            link = copy.deepcopy(self.record(project, link_gid))
            if any(link[k] != record[k] for k in LINKED_CONTENT):
                link.update(copy.deepcopy({k: record[k] for k in LINKED_CONTENT}))
                link["updated_on"] = record["updated_on"]
                entries += self.save_record(project, link)
        return entries

    def _bumped(self, record: dict) -> dict:
        record = copy.deepcopy(record)
        record["updated_on"] = now()
        return record

    def create_record(self, project: str, parent_gid: str, fields: dict | None = None,
                      status: str = "draft", definition: str | None = None,
                      channels: list[str] | None = None) -> tuple[dict, list[LogEntry]]:
        """A new last child; by default with the parent definition's first child
        definition and the parent's channels."""
        parent = self.record(project, parent_gid)
        languages = self.project_options(project)["languages"]
        parent_def = self.store.get(project, "definitions", parent["definition"] or "")
        if definition is None:
            definition = (parent_def["childdefinitions"][0]
                          if parent_def and parent_def["childdefinitions"] else parent["definition"])
        gid, t = new_gid(), now()
        fields = fields or {lang: {} for lang in languages}
        record = {
            "gid": gid, "parent": parent_gid, "canonical": gid, "backlinks": [], "is_link": False,
            "treelevel": parent["treelevel"] + 1, "path": [gid, *parent["path"]], "childcount": 0,
            "definition": definition, "title": {lang: "" for lang in languages},
            "status": status, "channels": list(parent["channels"] if channels is None else channels),
            "orderings": self._last_positions(project, parent_gid),
            "fields": fields, "created_on": t, "updated_on": t}
        self.retitle(project, record)
        return record, self.save_record(project, record, "INSERT") + self._recount(project, parent_gid, 1)

    def _last_positions(self, project: str, parent_gid: str) -> dict:
        siblings = self.children(project, parent_gid)
        return {key: 1 + max((s["orderings"].get(key, 0) for s in siblings), default=0)
                for key in self.project_options(project)["orderedorderings"]}

    def _recount(self, project: str, gid: str, delta: int) -> list[LogEntry]:
        parent = self._bumped(self.record(project, gid))
        parent["childcount"] += delta
        return self.save_record(project, parent)

    def users_of(self, project: str, definition_gid: str) -> list[str]:
        """Gids of the records that have this definition."""
        return [g for g, r in self.store.objects(project, "records").items() if r["definition"] == definition_gid]

    def children(self, project: str, gid: str) -> list[dict]:
        return [r for r in self.store.objects(project, "records").values() if r["parent"] == gid]

    def ordered_children(self, project: str, gid: str, channel: str | None = None,
                         ordering: str | None = None) -> list[dict]:
        """The children in an ordering (default: the project's first), only those in
        `channel` if one is given (records/children, selections' children entries)."""
        ordering = ordering or (self.project_options(project)["orderedorderings"] or [None])[0]
        children = [r for r in self.children(project, gid) if channel is None or channel in r["channels"]]
        return sorted(children, key=lambda r: (r["orderings"].get(ordering, 0), r["created_on"]))

    def field_by_name(self, project: str, name_or_gid: str) -> dict | None:
        fields = self.store.objects(project, "fields")
        if name_or_gid in fields:
            return fields[name_or_gid]
        return next((f for f in fields.values() if f["name"] == name_or_gid and not f["is_working_copy"]),
                    None)

    def definition_fields(self, project: str, definition_gid: str | None) -> list[str]:
        """Gids of all fields of a definition: those of its classes, then its own."""
        definition = self.store.get(project, "definitions", definition_gid or "")
        if definition is None:
            return []
        gids = [f for c in definition["classes"]
                for f in (self.store.get(project, "classes", c) or {"fields": []})["fields"]]
        return list(dict.fromkeys(gids + definition["fields"]))

    def retitle(self, project: str, record: dict) -> None:
        """The title follows the value of the definition's titlefield (a field gid)."""
        definition = self.store.get(project, "definitions", record["definition"] or "")
        field = self.store.get(project, "fields", (definition or {}).get("titlefield") or "")
        if field is None:
            return
        for lang, values in record["fields"].items():
            value = values.get(field["name"])
            record["title"][lang] = "" if value is None else value if isinstance(value, str) else str(value)

    def update_record(self, project: str, gid: str, changes: dict) -> tuple[dict, list[dict], list[LogEntry]]:
        """Applies what validates and reports the rest, as Unicat does (digest §10)."""
        record = copy.deepcopy(self.record(project, gid))
        languages = self.project_options(project)["languages"]
        allowed = set(self.definition_fields(project, record["definition"]))
        report, changed = [], False
        for lang, values in changes.items():
            if lang not in languages:
                report.append({"language": lang, "field": None, "message": "unknown language"})
                continue
            for name, value in values.items():
                base = name[:-4] if name.endswith("/key") else name
                field = self.field_by_name(project, base)
                if field is None or field["gid"] not in allowed:
                    report.append({"language": lang, "field": name, "message": "unknown field"})
                    continue
                problem = self._invalid_value(field, value, name.endswith("/key"))
                if problem:
                    report.append({"language": lang, "field": name, "message": problem})
                    continue
                targets = [lang] if field["is_localized"] else languages
                for target in targets:
                    self._set_field(record, field, target, value, name.endswith("/key"))
                changed = True
        entries = []
        if changed:
            self.retitle(project, record)
            record["updated_on"] = now()
            entries = self.save_record(project, record)
        return record, report, entries

    @staticmethod
    def _invalid_value(field: dict, value, is_key: bool) -> str | None:
        if value is None:
            return "required" if field["is_required"] else None
        values = field["options"].get("values")
        if values is not None:
            if is_key and value not in [v["key"] for v in values]:
                return "unknown key"
            return None if isinstance(value, str) else "text expected"
        if field["type"] == "number":
            return None if isinstance(value, (int, float)) and not isinstance(value, bool) else "number expected"
        return None if isinstance(value, str) else "text expected"

    @staticmethod
    def _set_field(record: dict, field: dict, lang: str, value, is_key: bool) -> None:
        target = record["fields"].setdefault(lang, {})
        name = field["name"]
        values = field["options"].get("values")
        if values is None:
            target[name] = value
            return
        match = next((v for v in values if (v["key"] == value if is_key else value in v["label"].values())), None)
        target[name] = match["label"].get(lang, match["key"]) if match else value
        target[f"{name}/key"] = match["key"] if match else None

    def conform_records(self, project: str, field_gids_by_name: dict[str, str],
                        gids: list[str] | None = None) -> list[LogEntry]:
        """After a schema change: see `_conformed`. `field_gids_by_name` holds the field
        names as they were before the change."""
        entries = []
        for gid in list(gids if gids is not None else self.store.objects(project, "records")):
            record = self.record(project, gid)
            conformed = self._conformed(project, record, field_gids_by_name)
            if conformed != record:
                conformed["updated_on"] = now()
                entries += self.save_record(project, conformed)
        return entries

    def _conformed(self, project: str, record: dict, field_gids_by_name: dict[str, str]) -> dict:
        """A copy of the record fitting its definition: values of fields the definition
        does not have are dropped, renamed fields move to their new name, the title
        follows the titlefield. Links are left alone: they follow their canonical record."""
        record = copy.deepcopy(record)
        if record["is_link"]:
            return record
        fields = self.store.objects(project, "fields")
        allowed = set(self.definition_fields(project, record["definition"]))
        for lang, values in record["fields"].items():
            kept = {}
            for name, value in values.items():
                base, suffix = (name[:-4], "/key") if name.endswith("/key") else (name, "")
                field_gid = field_gids_by_name.get(base)
                if field_gid in allowed and field_gid in fields:
                    kept[fields[field_gid]["name"] + suffix] = value
            record["fields"][lang] = kept
        self.retitle(project, record)
        return record

    def field_names(self, project: str) -> dict[str, str]:
        """{name: gid} of the fields records can hold values of (not working copies)."""
        return {f["name"]: g for g, f in self.store.objects(project, "fields").items()
                if not f["is_working_copy"]}

    # -- delete -------------------------------------------------------------------------

    def set_deleted(self, project: str, gid: str, deleted: bool) -> tuple[dict, list[LogEntry]]:
        """Soft delete / undelete: a status change, announced as UPDATE."""
        record = copy.deepcopy(self.record(project, gid))
        if record["parent"] is None:
            raise DomainError("cannot delete the root record", {"record": gid})
        remembered = self.store.meta["deleted_status"]
        if deleted == (record["status"] == "deleted"):
            return record, []
        if deleted:
            remembered[gid] = record["status"]
            record["status"] = "deleted"
        else:
            record["status"] = remembered.pop(gid, "draft")
        self.store.set_meta("deleted_status", remembered)
        record["updated_on"] = now()
        return record, self.save_record(project, record)

    def permanent_delete(self, project: str, gid: str) -> tuple[dict, list[LogEntry]]:
        """Removes the record, its subtree and the links to them (DELETE items, deepest
        first), then updates the parents (childcount) and the canonical records of
        removed links (backlinks)."""
        record = self.record(project, gid)
        if record["parent"] is None:
            raise DomainError("cannot delete the root record", {"record": gid})
        records = self.store.objects(project, "records")
        subtree = [r for r in records.values() if gid in r["path"]]
        doomed = {r["gid"]: r for r in subtree}
        doomed.update({link: records[link] for r in subtree for link in r["backlinks"]})
        entries = []
        for r in sorted(doomed.values(), key=lambda r: -r["treelevel"]):
            self.store.remove(project, "records", r["gid"])
            entries.append(self.log.append_project(project, "DELETE", "records", r["gid"]))
        for parent in dict.fromkeys(r["parent"] for r in doomed.values() if r["parent"] not in doomed):
            entries += self._recount(project, parent, -sum(r["parent"] == parent for r in doomed.values()))
        for canonical in dict.fromkeys(r["canonical"] for r in doomed.values()
                                       if r["is_link"] and r["canonical"] not in doomed):
            target = self._bumped(self.record(project, canonical))
            target["backlinks"] = [b for b in target["backlinks"] if b not in doomed]
            entries += self.save_record(project, target)
        return self.record(project, record["parent"]), entries

    def touch_record(self, project: str, gid: str, rng: random.Random) -> list[LogEntry]:
        """A realistic edit: stock or price for articles, otherwise the description text."""
        record = self._bumped(self.record(project, gid))
        fields = record["fields"]
        sample = next(iter(fields.values()), {})
        if "stock" in sample:
            name, value = ("stock", rng.randrange(0, 250)) if rng.random() < 0.7 else \
                ("price", round(rng.uniform(9, 899), 2))
            for lang_fields in fields.values():
                lang_fields[name] = value
        else:
            name = "description" if "description" in sample else "intro"
            for lang_fields in fields.values():
                lang_fields[name] = bump_text(lang_fields.get(name, ""))
        return self.save_record(project, record)

    # -- definitions --------------------------------------------------------------------

    def _use_definition(self, project: str, gids: list[str], definition_gid: str) -> list[LogEntry]:
        """Gives records another definition; their values follow it, and an extended
        definition nothing uses any more is removed."""
        names = self.field_names(project)
        entries, previous = [], set()
        for gid in gids:
            record = self.record(project, gid)
            if record["definition"] == definition_gid:
                continue
            previous.add(record["definition"])
            record = self._bumped(record)
            record["definition"] = definition_gid
            entries += self.save_record(project, self._conformed(project, record, names))
        for old in previous:
            entries += self.drop_unused_extension(project, old)
        return entries

    def set_definition(self, project: str, gid: str, definition_gid: str) -> list[LogEntry]:
        self.record(project, gid)
        self.schema_object(project, "definitions", definition_gid)
        return self._use_definition(project, [gid], definition_gid)

    def extend_definition(self, project: str, gid: str,
                          change: Callable[[dict], None]) -> list[LogEntry]:
        """Changes the record's extended definition, extending its base definition first
        if the record does not have one yet."""
        record = self.record(project, gid)
        definition = copy.deepcopy(self.schema_object(project, "definitions", record["definition"] or ""))
        layout = None
        if not definition["is_extended"]:
            definition, layout = self.new_extension(project, definition)
        names = self.field_names(project)
        change(definition)
        return self.save_definition(project, definition, layout) + self._use_definition(project, [gid], definition["gid"]) + \
            self.conform_records(project, names, self.users_of(project, definition["gid"]))

    def revert_definition(self, project: str, gid: str) -> list[LogEntry]:
        record = self.record(project, gid)
        definition = self.schema_object(project, "definitions", record["definition"] or "")
        if not definition["is_extended"]:
            raise DomainError("record has no extended definition", {"record": gid})
        return self._use_definition(project, [gid], definition["original"])

    def copy_definition_to_siblings(self, project: str, gid: str) -> list[LogEntry]:
        record = self.record(project, gid)
        siblings = [r["gid"] for r in self.children(project, record["parent"])
                    if r["gid"] != gid and not r["is_link"]]
        return self._use_definition(project, siblings, record["definition"])

    def clone_definition(self, project: str, gid: str, structure: dict) -> list[LogEntry]:
        """A new named extended definition, copied from the record's definition (or
        extending `base_definition`), with the given structure; the record uses it."""
        record = self.record(project, gid)
        source = self.schema_object(project, "definitions", record["definition"] or "")
        base = self.schema_object(project, "definitions", structure.get("base_definition") or
                                  (source["original"] if source["is_extended"] else source["gid"]))
        if base["is_extended"]:
            raise DomainError("base definition expected", {"base_definition": base["gid"]})
        clone, layout = self.new_extension(project, base)
        if source["is_extended"] and not structure.get("base_definition"):
            clone.update(copy.deepcopy({k: source[k] for k in ("classes", "fields", "fieldlists")}))
        self.apply_structure(project, clone, structure)
        return self.save_definition(project, clone, layout) + self._use_definition(project, [gid], clone["gid"])

    def update_extension(self, project: str, gid: str, structure: dict) -> list[LogEntry]:
        record = self.record(project, gid)
        definition = copy.deepcopy(self.schema_object(project, "definitions", record["definition"] or ""))
        if not definition["is_extended"]:
            raise DomainError("record has no extended definition", {"record": gid})
        if structure.get("base_definition"):
            base = self.schema_object(project, "definitions", structure["base_definition"])
            if base["is_extended"]:
                raise DomainError("base definition expected", {"base_definition": base["gid"]})
            definition["original"] = base["gid"]
        names = self.field_names(project)
        self.apply_structure(project, definition, structure)
        return self.save_definition(project, definition) + \
            self.conform_records(project, names, self.users_of(project, definition["gid"]))

    def transfer_to(self, project: str, gid: str, target: str) -> list[LogEntry]:
        """The record moves to another extended definition of its base definition."""
        record = self.record(project, gid)
        self._same_base(project, record["definition"], target)
        return self._use_definition(project, [gid], target)

    def transfer_from(self, project: str, gid: str, source: str) -> list[LogEntry]:
        """The record's siblings that use `source` move to the record's definition."""
        record = self.record(project, gid)
        self._same_base(project, source, record["definition"])
        movers = [r["gid"] for r in self.children(project, record["parent"]) if r["definition"] == source]
        return self._use_definition(project, movers, record["definition"])

    def _same_base(self, project: str, one: str, other: str) -> None:
        def base(gid: str) -> str:
            definition = self.schema_object(project, "definitions", gid or "")
            return definition["original"] if definition["is_extended"] else definition["gid"]
        target = self.schema_object(project, "definitions", other)
        if not target["is_extended"] or base(one) != base(other):
            raise DomainError("extended definition of the same base expected", {"definition": other})

    # -- channels and orderings ---------------------------------------------------------

    def check_channels(self, project: str, channels: list[str]) -> None:
        known = self.project_options(project)["channels"]
        for channel in channels:
            if channel not in known:
                raise DomainError("channel not found", {"channel": channel})

    def _with_channels(self, project: str, record: dict, channels: list[str], enabled: bool) -> dict:
        order = self.project_options(project)["orderedchannels"]
        kept = [c for c in record["channels"] if c not in channels] + (list(channels) if enabled else [])
        record = self._bumped(record)
        record["channels"] = sorted(set(kept), key=lambda c: order.index(c) if c in order else len(order))
        return record

    def set_channels(self, project: str, gid: str, channels: list[str], enabled: bool) -> list[LogEntry]:
        self.check_channels(project, channels)
        record = self.record(project, gid)
        changed = self._with_channels(project, record, channels, enabled)
        return self.save_record(project, changed) if changed["channels"] != record["channels"] else []

    def copy_channels(self, project: str, source_gid: str, target_gids: list[str],
                      channels: list[str] | None) -> list[LogEntry]:
        """Each target gets the source's state (enabled or not) of `channels` (default: all)."""
        channels = channels if channels is not None else list(self.project_options(project)["orderedchannels"])
        self.check_channels(project, channels)
        source = self.record(project, source_gid)
        entries = []
        for gid in target_gids:
            record = self.record(project, gid)
            changed = self._with_channels(project, record, [c for c in channels if c in source["channels"]], True)
            changed = self._with_channels(project, changed, [c for c in channels if c not in source["channels"]],
                                          False)
            if changed["channels"] != record["channels"]:
                entries += self.save_record(project, changed)
        return entries

    def descendants(self, project: str, gid: str) -> list[str]:
        return [r["gid"] for r in self.store.objects(project, "records").values()
                if gid in r["path"] and r["gid"] != gid]

    def set_orderings(self, project: str, gid: str, orderings: dict[str, int]) -> list[LogEntry]:
        """Moves the record to a 1-based position among its siblings in each ordering;
        the siblings are renumbered 1..n."""
        known = self.project_options(project)["orderings"]
        for key in orderings:
            if key not in known:
                raise DomainError("ordering not found", {"ordering": key})
        record = self.record(project, gid)
        siblings = {r["gid"]: copy.deepcopy(r) for r in self.children(project, record["parent"])}
        for key, position in orderings.items():
            others = sorted((r for g, r in siblings.items() if g != gid),
                            key=lambda r: (r["orderings"].get(key, 0), r["created_on"]))
            others.insert(max(0, min(position - 1, len(others))), siblings[gid])
            for rank, sibling in enumerate(others, 1):
                sibling["orderings"][key] = rank
        entries = []
        for sibling_gid, sibling in siblings.items():
            if sibling["orderings"] != self.record(project, sibling_gid)["orderings"]:
                sibling["updated_on"] = now()
                entries += self.save_record(project, sibling)
        return entries

    # -- links --------------------------------------------------------------------------

    def link_record(self, project: str, parent_gid: str, gid: str) -> tuple[dict, list[LogEntry]]:
        """A link record under `parent_gid` that shares the content of the canonical
        record (a link to a link links the canonical record)."""
        parent = self.record(project, parent_gid)
        canonical = self._bumped(self.record(project, self.record(project, gid)["canonical"]))
        if canonical["gid"] in parent["path"]:
            raise DomainError("cannot link a record below itself", {"record": gid})
        link_gid, t = new_gid(), now()
        link = {
            "gid": link_gid, "parent": parent_gid, "canonical": canonical["gid"], "backlinks": [],
            "is_link": True, "treelevel": parent["treelevel"] + 1, "path": [link_gid, *parent["path"]],
            "childcount": 0, "status": canonical["status"], "channels": list(parent["channels"]),
            "orderings": self._last_positions(project, parent_gid), "created_on": t, "updated_on": t,
            **copy.deepcopy({k: canonical[k] for k in LINKED_CONTENT})}
        entries = self.save_record(project, link, "INSERT")
        canonical["backlinks"].append(link_gid)
        entries += self.save_record(project, canonical) + self._recount(project, parent_gid, 1)
        return link, entries

    # -- bulk ---------------------------------------------------------------------------

    def for_each_record(self, project: str, gids: list[str], step: Callable[[str], object]) -> dict:
        """A bulk job's work: `step` for each selected record still there (an earlier step
        may have removed it with its subtree). A step that fails leaves the others to
        run; the failed gids go into the job's `info` [INF]."""
        failed = []
        for gid in gids:
            if self.store.get(project, "records", gid) is None:
                continue
            try:
                step(gid)
            except DomainError:
                failed.append(gid)
        return {"failed": failed} if failed else {}

    def copy_record(self, project: str, gid: str, parent_gid: str) -> tuple[dict, list[LogEntry]]:
        """A copy without the subtree (records/bulk/shallow_copy, duplicate) as the last
        child of `parent_gid`: a new gid with the record's definition, fields, status and
        channels. A title that a child of the parent has already gets " (copy)" in the
        titlefield; a copy of a link is another link to its canonical record [INF]."""
        source = self.record(project, gid)
        if source["is_link"]:
            return self.link_record(project, parent_gid, source["canonical"])
        parent = self.record(project, parent_gid)
        if gid in parent["path"]:
            raise DomainError("cannot copy a record below itself", {"record": gid})
        fields = copy.deepcopy(source["fields"])
        titles = {json_key(r["title"]) for r in self.children(project, parent_gid)}
        definition = self.store.get(project, "definitions", source["definition"] or "")
        title_field = self.store.get(project, "fields", (definition or {}).get("titlefield") or "")
        if title_field is not None and json_key(source["title"]) in titles:
            for values in fields.values():
                if isinstance(values.get(title_field["name"]), str):
                    values[title_field["name"]] += " (copy)"
        return self.create_record(project, parent_gid, fields, source["status"], source["definition"],
                                  source["channels"])

    def place_record(self, project: str, gid: str, ordering: str, before: str | None = None,
                     after: str | None = None) -> list[LogEntry]:
        """Moves a record just before or after a sibling in `ordering` (records are made
        last in every ordering)."""
        anchor = before or after
        if anchor is None:
            return []
        record = self.record(project, gid)
        siblings = [r["gid"] for r in self.ordered_children(project, record["parent"], None, ordering)
                    if r["gid"] != gid]
        if anchor not in siblings:
            return []
        return self.set_orderings(project, gid, {ordering: siblings.index(anchor) + (1 if before else 2)})
