"""``pia-site changelog draft``'s domain: the items that changed between two versions of an
assessment, as paste-ready 変更箇所 rows (item text, target anchor, before, after, timing).

Both versions are walked with ``pia_site.anchors``; a changed leaf gives one row whose
``target`` is its anchor and whose 項目 is its label path (with the file name when the
assessment has several files).  The command (git, files, messages) is ``cli.changelog``.
"""
from __future__ import annotations

from typing import Any

import yaml

from .. import anchors
from ..catalog import Node
from ..filters import period_ja, wareki
from ..model import Assessment, CheckItem, DateValue, Diagram, Period, RecordItems
from .normalize import normalize_content
from .result import Target


def _printable(node: Node, v: Any) -> str:
    if v is None or v == ():
        return ""
    if isinstance(v, bool):
        return "○" if v else ""
    if isinstance(v, str):
        return v
    if isinstance(v, DateValue):
        return wareki(v, gannen=False, seireki="none")
    if isinstance(v, Period):
        return period_ja(v, gannen=False, seireki="none")
    if isinstance(v, CheckItem):
        return f"{v.text}({v.detail})" if v.detail else v.text
    if isinstance(v, RecordItems):
        lines = []
        for g in v.groups:
            lines.append(g.name)
            lines.extend(f"{i}. {it}" for i, it in enumerate(g.items, g.start))
        if v.note:
            lines.append(v.note)
        return "\n".join(lines)
    if isinstance(v, Diagram):
        return " ".join(x for x in (v.title, v.subtitle, v.notes) if x)
    if isinstance(v, (tuple, list)):
        parts = [_printable(node, x) for x in v]
        sep = "\n" if any(isinstance(x, Diagram) for x in v) else "、"
        return sep.join(p for p in parts if p)
    return str(v)


def leaf_values(a: Assessment) -> dict[str, tuple[Any, Node, tuple]]:
    """Every value of the assessment by anchor: (value, node, bindings).  Parts the assessment
    leaves out count, with value None, so that adding or removing one shows as changes."""
    return {s.anchor: (s.value, s.node, s.bindings) for s in anchors.leaves(a, absent_parts=True)}


def _item_text(a: Assessment, node: Node, bind: tuple, anchor: str) -> str:
    labels = Target(node, bind).label_path(a.form)
    chain = a.form.ancestors(node) + [node]
    part = chain[0]
    if len(a.files) > 1 and part.scope in ("file", "file_block") and labels:
        name = ""
        _, _, file_id, block_id = anchors.parse(a.form, anchor)
        if file_id is not None:
            name = next((f.name for f in a.files if f.id == file_id), "")
        else:
            block = next((b for b in a.parts.get(part.key, ()) if b.id == block_id), None)
            if block is not None and len(block.files) == 1:
                name = next((f.name for f in a.files if f.id == block.files[0]), "")
        if name:
            labels[0] = f"{labels[0]}({name})"
    return " ".join(labels)


def draft_rows(old: Assessment | None, new: Assessment) -> list[dict]:
    """Change rows turning ``old`` into ``new`` (``old`` None: nothing to compare)."""
    if old is None:
        return []
    before = leaf_values(old)
    after = leaf_values(new)
    rows = []
    order = list(after) + [k for k in before if k not in after]
    for anchor in order:
        ov, _, _ = before.get(anchor, (None, None, ()))
        nv, node, bind = after.get(anchor) or before[anchor]
        if node.kind in ("derived", "ref", "fixed"):
            continue
        o, n = _printable(node, ov), _printable(node, nv)
        if normalize_content(o) == normalize_content(n) and o.strip() == n.strip():
            continue
        if not o.strip() and not n.strip():
            continue
        rows.append({
            "date": None,
            "item": _item_text(new, node, bind, anchor),
            "target": anchor,
            "before": o if o.strip() else "—",
            "after": n if n.strip() else "—",
            "timing": "事前" if node.important else "事後",
            "timing_note": None,
        })
    return rows


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, value: str):
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _none(dumper, value):
    return dumper.represent_scalar("tag:yaml.org,2002:null", "")


_Dumper.add_representer(str, _str)
_Dumper.add_representer(type(None), _none)


def rows_yaml(rows: list[dict]) -> str:
    text = yaml.dump(rows, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10**6, default_flow_style=False)
    # indent as list items under `changes:`
    return "".join("  " + line if line.strip() else line for line in text.splitlines(True))
