"""Slots: what a document needs to resolve the anchor templates of its form's units
(``formtext``): the top-level parts its page prints and the ids of its first file, III block
and repeated-group instances where they are not "1".  A few short strings per document."""
from __future__ import annotations

from typing import Any

from .. import anchors
from ..catalog import Node
from ..model import Assessment, Instance

VAR = "*"


def _first(instances) -> Instance | None:
    return min(instances, key=lambda i: i.no) if instances else None


def _group_ids(node: Node, values: Any, prefix: str, out: dict[str, str]) -> None:
    """The first instance id of every repeated group under ``node`` (not "1" only)."""
    if not isinstance(values, dict) and not hasattr(values, "get"):
        return
    for child in node.children:
        if child.kind == "group":
            gprefix = anchors.member(prefix, child)
            inst = _first(tuple(values.get(child.key) or ()))
            if inst is not None and inst.id != "1":
                out[gprefix] = inst.id
            _group_ids(child, inst.values if inst is not None else {}, f"{gprefix}{anchors.SEP}{VAR}", out)
        elif child.kind in ("section", "risk"):
            _group_ids(child, values.get(child.key) or {}, anchors.member(prefix, child), out)


def doc_slots(a: Assessment) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """(top-level parts the page prints, {template prefix: id}) of an assessment."""
    form = a.form
    parts: list[str] = []
    ids: dict[str, str] = {}
    for part in form.parts:
        if part.scope == "file":
            if a.files:
                if anchors.FILES not in parts:
                    parts.append(anchors.FILES)
                    ids[anchors.FILES] = a.files[0].id
                _group_ids(part, a.files[0].parts.get(part.key) or {},
                           anchors.SEP.join([anchors.FILES, VAR, part.key]), ids)
        elif part.scope == "file_block":
            blocks = a.parts.get(part.key) or ()
            if blocks:
                parts.append(part.key)
                ids[part.key] = blocks[0].id
                _group_ids(part, blocks[0].values, f"{part.key}{anchors.SEP}{VAR}", ids)
        elif part.kind == "changelog" or part.key in a.parts or part.key == "cover":
            parts.append(part.key)
            _group_ids(part, a.parts.get(part.key) or {}, part.key, ids)
    return tuple(parts), tuple(sorted(ids.items()))


def resolve(template: str, parts, ids) -> str | None:
    """The anchor of a form unit in a document, None if its page does not print it
    (search.js: ``resolve``, the same)."""
    ids = dict(ids)
    segs = template.split(anchors.SEP)
    if segs[0] not in parts:
        return None
    out = []
    for i, s in enumerate(segs):
        if s == VAR:
            prefix = anchors.SEP.join(segs[:i])
            v = ids.get(prefix)
            if v is None:
                if i == 1:
                    return None
                v = "1"
            out.append(v)
        else:
            out.append(s)
    return anchors.SEP.join(out)
