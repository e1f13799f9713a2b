"""The places to check after an import, as YAML comments at each place.

Each review the importer makes (assemble.Review) knows the tree path it was made at; here the
reviews become comment lines, keyed by the path of the emitted key or list item they belong to
(``emit`` writes them on their own lines just above it: a comment trailing a plain value would
be read as part of it, Y020).  A path the tree lost (an empty 委託事項 frame that was dropped)
goes to its nearest surviving ancestor; a review with no path (the form's edition, a note on
the whole file) or one about an ``unplaced`` entry goes to that entry or the top.
"""
from __future__ import annotations

from typing import Any, Iterable

PREFIX = "確認"


def _exists(tree: Any, path: tuple) -> bool:
    cur = tree
    for seg in path:
        if isinstance(cur, dict) and seg in cur:
            cur = cur[seg]
        elif isinstance(cur, list) and isinstance(seg, int) and 0 <= seg < len(cur):
            cur = cur[seg]
        else:
            return False
    return True


def _surviving(tree: Any, path: tuple) -> tuple:
    while path and not _exists(tree, path):
        path = path[:-1]
    return path


def comment_map(tree: dict, reviews: Iterable) -> dict[tuple, list[str]]:
    """{tree path: comment texts}; ``()`` is the top of the file (after the header)."""
    unplaced_at = {int(u["line"]): i for i, u in enumerate(tree.get("unplaced") or []) if str(u.get("line", "")).isdigit()}
    out: dict[tuple, list[str]] = {}
    for r in reviews:
        path = tuple(r.path)
        if not path and r.line in unplaced_at:
            path = ("unplaced", unplaced_at[r.line])
        path = _surviving(tree, path)
        where = f"原本 {r.line} 行目" if r.line else "原本"
        text = " ".join(f"{PREFIX}（{where}）: {r.message}".split())
        bucket = out.setdefault(path, [])
        if text not in bucket:
            bucket.append(text)
    return out
