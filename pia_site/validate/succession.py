"""A document replaced by a re-run filed as another document (置き換え): the link is written on
both sides (``status.replaced_by`` on the old one, ``status.replaces`` on its successor), in
the same municipality, and each side must name the other."""
from __future__ import annotations

from typing import Sequence

from ..diagnostics import Diagnostic, SourceLocation
from ..model import Assessment
from .lifecycle import STATUS_KEYS


def _loc(a: Assessment, key: str) -> SourceLocation:
    return a.locations.get(f"status.{key}") or a.locations.get("status") or SourceLocation(a.source, 1, 1)


def succession_diagnostics(assessments: Sequence[Assessment]) -> list[Diagnostic]:
    by_key = {(a.municipality, a.slug): a for a in assessments}
    out: list[Diagnostic] = []
    for a in assessments:
        st = a.status
        for key, back in (("replaced_by", "replaces"), ("replaces", "replaced_by")):
            slug = getattr(st, key)
            if not slug or slug == a.slug:
                continue
            other = by_key.get((a.municipality, slug))
            if other is None:
                names = "、".join(sorted(s for m, s in by_key if m == a.municipality and s != a.slug)) or "なし"
                out.append(Diagnostic("R009", f"{STATUS_KEYS[key]}「{slug}」がこの団体の評価書にありません（同じフォルダのファイル名を"
                                      f"拡張子なしで書きます。この団体の評価書: {names}）。", _loc(a, key), f"status.{key}", STATUS_KEYS[key]))
                continue
            if getattr(other.status, back) != a.slug:
                said = getattr(other.status, back)
                now = f"「{said}」になっています" if said else "書かれていません"
                out.append(Diagnostic("R010", f"{STATUS_KEYS[key]}「{slug}」の status.{back} が{now}。相手の評価書にも "
                                      f"{back}: {a.slug} と書いて、両方から結んでください。", _loc(a, key), f"status.{key}",
                                      STATUS_KEYS[key]))
    return out
