"""One assessment as open data: the typed record written back in the shape an author writes
the YAML, so that the published JSON Schema (``pia-site schema``, ``schema.form_schema``)
describes it.  Values are as validated: choices as the form's option text, dates as ISO
dates, counts and texts as written (rich text stays Markdown, as in the YAML)."""
from __future__ import annotations

from typing import Any, Mapping

from ..catalog import Node
from ..model import (Assessment, Block, ChangeRow, CheckItem, DateValue, Diagram, FileEntry, Instance, Period, RecordItems,
                     Withheld)


def _value(node: Node, value: Any) -> Any:
    if isinstance(value, Withheld):
        return None  # not published (規則第13条): its text is not in the record
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, DateValue):
        return value.iso
    if isinstance(value, Period):
        return {"start": value.start.iso if value.start else None, "end": value.end.iso if value.end else None}
    if isinstance(value, RecordItems):
        groups = [{"name": g.name, "items": list(g.items), **({"start": str(g.start)} if g.start != 1 else {})}
                  for g in value.groups]
        return {"groups": groups, **({"note": value.note} if value.note else {})}
    if node.kind == "group":
        return [_instance(node, i) for i in value]
    if node.kind == "check":
        return [c.text if c.detail is None else {c.text: c.detail} for c in value if isinstance(c, CheckItem)]
    if node.kind == "diagrams":
        return [{k: getattr(d, k) for k in ("title", "subtitle", "figure", "notes") if getattr(d, k) is not None}
                for d in value if isinstance(d, Diagram)]
    if isinstance(value, Mapping):
        return _container(node, value)
    raise TypeError(f"{node.id}: {type(value).__name__}")


def _container(node: Node, values: Mapping[str, Any]) -> dict:
    """The members present in ``values``, in the form's order."""
    members = {m.key: m for m in node.data_members()}
    return {k: _value(members[k], values[k]) for k in members if k in values}


def _instance(group: Node, inst: Instance) -> dict:
    return {"id": inst.id, "no": str(inst.no), **_container(group, inst.values)}


def _part(part: Node, values: Any) -> Any:
    if part.kind in ("record_items", "diagrams"):
        return _value(part, values)
    return _container(part, values or {})


def _file(file: FileEntry, parts: list[Node]) -> dict:
    return {"id": file.id, "name": file.name,
            **{p.key: _part(p, file.parts[p.key]) for p in parts if p.key in file.parts}}


def _block(part: Node, block: Block) -> dict:
    return {"id": block.id, "files": list(block.files), **_container(part, block.values)}


def change_row(row: ChangeRow) -> dict:
    out: dict[str, Any] = {"date": row.date.iso if row.date else None, "item": row.item, "before": row.before,
                           "after": row.after, "timing": row.timing, "timing_note": row.timing_note}
    if row.targets:
        out["target"] = list(row.targets)
    return out


def assessment_document(a: Assessment) -> dict:
    """The assessment as the JSON Schema of its form describes it (keys in the form's order)."""
    form = a.form
    doc: dict[str, Any] = {"form": form.name, "edition": form.edition}
    file_parts = [p for p in form.parts if p.scope == "file"]
    for part in form.parts:
        if part.kind == "changelog":
            if a.changes:
                doc[part.key] = [change_row(r) for r in a.changes]
        elif part.scope == "file":
            if "files" not in doc and a.files:
                doc["files"] = [_file(f, file_parts) for f in a.files]
        elif part.scope == "file_block":
            doc[part.key] = [_block(part, b) for b in a.parts.get(part.key, ())]
        elif part.key in a.parts:
            doc[part.key] = _part(part, a.parts[part.key])
    if a.ended is not None:
        doc["ended"] = a.ended.iso
    if a.unplaced:
        doc["unplaced"] = [{"line": str(u.source_line), "text": u.text, **({"near": u.near} if u.near else {})}
                           for u in a.unplaced]
    return doc
