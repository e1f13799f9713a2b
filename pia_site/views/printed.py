"""Printed paths: what a reader calls an item (part › section › item), by its anchor.

The anchor (``files.keiji.overview.basic.department``) is an internal key: it is the HTML id
and the change row's ``target:``, never text a citizen reads.  The page names an item by the
headings above it and its printed label, as the form prints them; this module spells that
path for every anchor of an assessment, from the same catalog nodes the assessment page
prints (``Node.printed``, group instances as ``委託事項3``, a file's name beside a part
repeated per file).
"""
from __future__ import annotations

from .. import anchors
from ..catalog import Node
from ..model import Assessment

JOIN = " › "


def _part_label(a: Assessment, part: Node, anchor: str) -> str:
    """A part's heading, with the file (or the III block's files) it is about when there are several."""
    if len(a.files) < 2:
        return part.printed
    _, _, file_id, block_id = anchors.parse(a.form, anchor)
    names = {f.id: f.name for f in a.files}
    if file_id is not None:
        return f"{part.printed}（{names.get(file_id, file_id)}）"
    if block_id is not None:
        block = next((b for b in a.parts.get(part.key, ()) if b.id == block_id), None)
        if block is not None and len(a.parts.get(part.key, ())) > 1:
            return f"{part.printed}（{'、'.join(names.get(f, f) for f in block.files)}）"
    return part.printed


_last: tuple[Assessment, dict[str, tuple[str, ...]]] | None = None


def printed_paths(a: Assessment) -> dict[str, tuple[str, ...]]:
    """Anchor -> printed labels from the part down, for every anchor of ``a`` (read only: the
    last assessment's paths are kept, as its 変更箇所 page and its open data both ask)."""
    global _last
    if _last is None or _last[0] is not a:
        _last = (a, _printed_paths(a))
    return _last[1]


def _printed_paths(a: Assessment) -> dict[str, tuple[str, ...]]:
    form = a.form
    out: dict[str, tuple[str, ...]] = {}
    for spot in anchors.walk(a):
        node = spot.node
        if node.kind == "changelog":
            row = spot.anchor.rsplit(anchors.SEP, 1)[-1]
            out[spot.anchor] = (node.printed,) if row == node.key else (node.printed, f"{row}行目")
            continue
        numbers = dict(spot.bindings)
        labels: list[str] = []
        for n in form.ancestors(node) + [node]:
            if n.kind == "part":
                labels.append(_part_label(a, n, spot.anchor))
                continue
            if n.printed:
                labels.append(n.printed)
            if n.kind == "group" and n.id in numbers:
                labels.append(f"{n.instance_label or n.label}{numbers[n.id]}")
        out[spot.anchor] = tuple(labels)
    return out


def printed_path(a: Assessment, anchor: str, paths: dict[str, tuple[str, ...]] | None = None) -> str:
    """The printed path of one anchor, joined with ``›`` ("" for an anchor ``a`` does not have)."""
    found = (paths if paths is not None else printed_paths(a)).get(anchor)
    return JOIN.join(found) if found else ""
