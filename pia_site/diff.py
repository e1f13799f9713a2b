"""Character-level diff of before/after texts (Japanese has no spaces to split on)."""
from __future__ import annotations

import html
import re
from difflib import SequenceMatcher

TAG = re.compile(r"<[^>]+>")
MAX_CHARS = 20_000  # beyond this, show the two texts without a diff


def plain(text: str | None) -> str:
    """Visible text of a rich cell: tags dropped, entities decoded, whitespace collapsed."""
    if not text:
        return ""
    t = TAG.sub(" ", text)
    t = html.unescape(t)
    return re.sub(r"\s+", " ", t).strip()


def char_diff(before: str | None, after: str | None) -> list[tuple[str, str]]:
    """``[(op, text)]`` with op in ``equal``, ``delete``, ``insert``; deterministic."""
    a, b = plain(before), plain(after)
    if len(a) + len(b) > MAX_CHARS:
        return [("delete", a), ("insert", b)] if a != b else [("equal", a)]
    out: list[tuple[str, str]] = []
    sm = SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            out.append(("equal", a[i1:i2]))
        else:
            if i2 > i1:
                out.append(("delete", a[i1:i2]))
            if j2 > j1:
                out.append(("insert", b[j1:j2]))
    return _merge_short_equals(out)


def _merge_short_equals(ops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Fold one-character islands of equal text into the surrounding change, for readability."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(ops):
        op, text = ops[i]
        if op == "equal" and len(text) == 1 and 0 < i < len(ops) - 1 and ops[i - 1][0] != "equal" and ops[i + 1][0] != "equal":
            out.append(("delete", text))
            out.append(("insert", text))
        else:
            out.append((op, text))
        i += 1
    merged: list[tuple[str, str]] = []
    # regroup runs of changes as all deletions then all insertions
    run_del, run_ins = [], []
    for op, text in out + [("equal", None)]:
        if op == "delete":
            run_del.append(text)
        elif op == "insert":
            run_ins.append(text)
        else:
            if run_del:
                merged.append(("delete", "".join(run_del)))
            if run_ins:
                merged.append(("insert", "".join(run_ins)))
            run_del, run_ins = [], []
            if text:
                merged.append(("equal", text))
    return merged
