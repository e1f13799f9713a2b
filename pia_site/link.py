"""Link: cross-document facts derived from validated records (anchors, targets)."""
from __future__ import annotations

from typing import Any, Iterator

from .catalog import Node
from .diagnostics import Diagnostic, Severity, SourceLocation
from .model import Assessment, Instance


def _container_anchors(node: Node, values: dict, base: str) -> Iterator[str]:
    yield base
    for m in node.data_members():
        path = f"{base}.{m.key}"
        if m.kind == "group":
            yield path
            for inst in values.get(m.key) or ():
                if isinstance(inst, Instance):
                    yield from _container_anchors(m, inst.values, f"{path}.{inst.id}")
        elif m.is_container:
            yield from _container_anchors(m, values.get(m.key) or {}, path)
        else:
            yield path


def anchors(a: Assessment) -> set[str]:
    """Every element id the assessment page carries for form content."""
    out: set[str] = set()
    for part in a.form.parts:
        if part.kind == "changelog":
            out.add(part.key)
            out.update(f"changes.{i}" for i in range(1, len(a.changes) + 1))
        elif part.scope == "file":
            for f in a.files:
                base = f"files.{f.id}.{part.key}"
                if part.is_container:
                    out.update(_container_anchors(part, f.parts.get(part.key) or {}, base))
                else:
                    out.add(base)
        elif part.scope == "file_block":
            for b in a.parts.get(part.key, ()):
                out.update(_container_anchors(part, b.values, f"{part.key}.{b.id}"))
        elif part.key in a.parts:
            if part.is_container:
                out.update(_container_anchors(part, a.parts[part.key], part.key))
            else:
                out.add(part.key)
    return out


def check_targets(a: Assessment) -> list[Diagnostic]:
    """Explicit change-log targets must name an item of this assessment."""
    known = anchors(a)
    diags = []
    for row in a.changes:
        for t in row.targets:
            if t not in known:
                diags.append(Diagnostic("L001", f"target「{t}」はこの評価書の項目にありません。", SourceLocation(a.source, row.line, 1), "changes.target", "変更箇所"))
    return diags
