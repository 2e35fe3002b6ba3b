"""records/excel/children (download) and records/excel/update (upload) (the
excel-children and excel-update pages).

The sheet [INF: the docs do not show its layout]: row 1 marks it as the simulator's,
with the parent record and the language; row 2 names the columns (`gid`,
`definition`, then the fields of the children's definitions by name); then one row per
child in the project's first ordering, values in the sheet's language (a field with
`values` shows its label). The upload applies the rows: changed values are updated
(unchanged ones are not touched), a row without a gid becomes a new child, a child
missing from the sheet is deleted (soft) and a deleted child that is in it is
undeleted. The answer is a report: the sheet again with a `report` column.
"""

from __future__ import annotations

import base64
import json
import re
from typing import TYPE_CHECKING

from aiohttp import web

from . import views, xlsx
from .context import Ctx, endpoint
from .envelope import bad_request, invalid, ok
from .params import required_str, upload_param

if TYPE_CHECKING:
    from .sim import Sim

MARKER = "unicat-sim children sheet"
HEADER = ["gid", "definition"]


def cell_value(value):
    """A record value as a sheet cell (lists and objects as JSON text)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return json.dumps(value, ensure_ascii=False)


def same_value(cell, value) -> bool:
    return (cell in (None, "") and value in (None, "")) or cell == cell_value(value)


def routes(sim: "Sim") -> list[web.RouteDef]:
    store, domain = sim.store, sim.domain

    def language_of(ctx: Ctx, language: str) -> str:
        if language not in store.projects[ctx.project]["options"]["languages"]:
            raise invalid("language")
        return language

    def file_name(ctx: Ctx, parent: dict, language: str, suffix: str) -> str:
        group = re.sub(r"[^a-z0-9]+", "-", (parent["title"].get(language) or parent["gid"]).lower()).strip("-")
        return f"cc-{group or 'root'}-children{suffix}.xlsx"

    def columns(ctx: Ctx, children: list[dict]) -> list[str]:
        fields = store.objects(ctx.project, "fields")
        gids = [g for r in children for g in domain.definition_fields(ctx.project, r["definition"])]
        return [fields[g]["name"] for g in dict.fromkeys(gids) if g in fields]

    def sheet(ctx: Ctx, parent: dict, language: str) -> list[list]:
        children = domain.ordered_children(ctx.project, parent["gid"])
        names = columns(ctx, children)
        definitions = store.objects(ctx.project, "definitions")
        rows = [[MARKER, parent["gid"], language], HEADER + names]
        for record in children:
            values = record["fields"].get(language, {})
            definition = definitions.get(record["definition"] or "")
            rows.append([record["gid"], definition["name"] if definition else None,
                         *(cell_value(values.get(name)) for name in names)])
        return rows

    def files(name: str, content: bytes) -> dict:
        return {"files": {name: base64.b64encode(content).decode()}}

    async def children(ctx: Ctx) -> web.Response:
        parent = domain.record(ctx.project, required_str(ctx.body, "record"))
        language = language_of(ctx, required_str(ctx.body, "language"))
        name = file_name(ctx, parent, language, "")
        return ok({"children.excel": name}, files(name, xlsx.write(sheet(ctx, parent, language), "children")))

    def parsed(content: bytes) -> tuple[str, str, list[str], list[list]]:
        """(parent, language, field names, data rows) of an uploaded sheet; 400 "if the
        uploaded file doesn't look like a previously Unicat-generated Excel file"."""
        try:
            rows = xlsx.read(content)
        except ValueError as err:
            raise bad_request({"Invalid parameter": "upload_file", "reason": str(err)})
        if len(rows) < 2 or rows[0][:1] != [MARKER] or len(rows[0]) < 3 or rows[1][:2] != HEADER \
                or not all(isinstance(v, str) for v in rows[0][1:3] + rows[1]):
            raise bad_request({"Invalid parameter": "upload_file", "reason": "not a Unicat children sheet"})
        return rows[0][1], rows[0][2], rows[1][2:], [r + [None] * (len(rows[1]) - len(r)) for r in rows[2:]]

    async def update(ctx: Ctx) -> web.Response:
        parent_gid, language, names, rows = parsed(upload_param(ctx.body, "upload_file").content)
        project = ctx.project
        parent = domain.record(project, parent_gid)
        language_of(ctx, language)
        definitions = {d["name"]: g for g, d in store.objects(project, "definitions").items()
                       if not d["is_working_copy"] and not d["is_extended"]}
        children = {r["gid"]: r for r in domain.children(project, parent_gid)}
        seen, changed, report_rows, report = set(), {}, [], []
        for row in rows:
            gid, definition, cells = row[0], row[1], row[2:]
            messages = []
            if gid in (None, ""):
                if all(c in (None, "") for c in cells):
                    continue
                record, _ = domain.create_record(project, parent_gid,
                                                 definition=definitions.get(definition) if definition else None)
                gid = record["gid"]
            elif gid not in children:
                report_rows.append([*row, "not a child of this sheet's record"])
                continue
            seen.add(gid)
            record = domain.record(project, gid)
            entries = []
            if record["status"] == "deleted":
                record, entries = domain.set_deleted(project, gid, False)
            target = domain.record(project, record["canonical"])  # a link shows its canonical record
            current = target["fields"].get(language, {})
            values = {name: cell for name, cell in zip(names, cells) if not same_value(cell, current.get(name))}
            if values:
                target, validation, updated = domain.update_record(project, target["gid"], {language: values})
                entries += updated
                report += [{**entry, "record": gid} for entry in validation]
                messages += [f"{entry['field']}: {entry['message']}" for entry in validation]
            if entries or row[0] in (None, ""):
                changed[gid] = domain.record(project, gid)
            report_rows.append([gid, *row[1:], "; ".join(messages) or None])
        for gid, record in children.items():
            if gid not in seen and record["status"] != "deleted":
                changed[gid], _ = domain.set_deleted(project, gid, True)
        parent = domain.record(project, parent_gid)
        name = file_name(ctx, parent, language, "-report")
        report_sheet = [[MARKER, parent_gid, language], HEADER + names + ["report"], *report_rows]
        changed[parent_gid] = parent
        return ok({"record": parent_gid, "report.excel": name, "report.validation": report},
                  {**files(name, xlsx.write(report_sheet, "report")),
                   "records": {g: views.localized("records", r, None) for g, r in changed.items()}})

    p = "/api/p/{gid}/records/excel"
    return [
        web.post(f"{p}/children", endpoint(sim, children)),
        web.post(f"{p}/update", endpoint(sim, update, form=True)),
    ]
