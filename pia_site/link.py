"""Link: cross-document facts derived from validated records (anchors, targets,
change-log rows resolved to the items they changed)."""
from __future__ import annotations

from dataclasses import replace

from .anchors import anchors
from .changelog import changelog_diagnostics, resolve_assessment
from .diagnostics import Diagnostic, SourceLocation
from .model import Assessment


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
    for i, linked in enumerate(a.change_links, 1):
        for anchor in linked:
            out.setdefault(anchor, []).append(i)
    return {k: tuple(v) for k, v in out.items()}
