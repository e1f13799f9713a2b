"""Link: cross-document facts derived from validated records (anchors, targets,
change-log rows resolved to the items they changed)."""
from __future__ import annotations

from dataclasses import replace
from typing import Iterator

from .catalog import Node
from .diagnostics import Diagnostic, SourceLocation
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


def link_assessment(a: Assessment) -> tuple[Assessment, list[Diagnostic]]:
    """Resolve every change row to the item(s) it changed; the record comes back with
    ``change_links`` set, plus the change-log warnings for ``pia-site check``."""
    from .changelog import changelog_diagnostics, resolve_assessment

    diags = check_targets(a)
    if not a.changes:
        return a, diags
    results = resolve_assessment(a)
    links = tuple(tuple(dict.fromkeys(t.anchor for t in r.targets if t.anchor)) if r.linked else () for r in results)
    diags += changelog_diagnostics(a, results)
    return replace(a, change_links=links), diags


def item_history(a: Assessment) -> dict[str, tuple[int, ...]]:
    """Anchor -> 1-based numbers of the change rows linked to it (変更履歴)."""
    out: dict[str, list[int]] = {}
    for i, anchors in enumerate(a.change_links, 1):
        for anchor in anchors:
            out.setdefault(anchor, []).append(i)
    return {k: tuple(v) for k, v in out.items()}
