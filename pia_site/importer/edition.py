"""Which edition of a form a source was printed on, from its layout (no stamp needed).

The evidence is catalog data, never a list here: every numbered label one edition prints and
another does not (``⑥使用開始日`` / ``⑦使用開始日``, ``②所属長`` / ``②所属長の役職名``), and every
option text found in some editions only (``4情報(…)`` / ``5情報(…)``).  A label counts where a
cell starts with it, before the 変更箇所 table (whose rows quote older wordings); of two labels
that both fit a cell the longest wins (``②所属長の役職名`` is not ``②所属長``).

``layout_editions`` returns the editions every clue agrees on and the clues themselves (line,
text, editions), so the caller can say what decided or why it is unsure.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import catalog as cat
from .clean import Line, strip_heading
from .labels import nkey


@dataclass(frozen=True)
class Clue:
    line: int
    text: str  # as the form prints it
    editions: frozenset[str]


def _label_signatures(kind: str, editions: list[str]) -> dict[str, tuple[str, frozenset[str]]]:
    """{key of a numbered printed label: (printed, editions printing it)} for labels not in all."""
    printed: dict[str, tuple[str, set[str]]] = {}
    for e in editions:
        form = cat.find_form(kind, e)
        for node in form.walk():
            if not node.no or node.kind in ("part",) or not node.label:
                continue
            k = nkey(node.printed)
            printed.setdefault(k, (node.printed, set()))[1].add(e)
    return {k: (p, frozenset(es)) for k, (p, es) in printed.items()}  # all, for the longest-prefix rule


def _option_signatures(kind: str, editions: list[str]) -> dict[str, tuple[str, frozenset[str]]]:
    texts: dict[str, tuple[str, set[str]]] = {}
    for e in editions:
        form = cat.find_form(kind, e)
        for fam in form.families.values():
            for o in fam.options:
                texts.setdefault(nkey(o.text), (o.text, set()))[1].add(e)
    return {k: (t, frozenset(es)) for k, (t, es) in texts.items() if len(es) < len(editions)}


def _changelog_start(lines: list[Line]) -> int:
    header = {nkey(v) for f in cat.all_forms() for v in f.change_columns.values()}
    for i, ln in enumerate(lines):
        if sum(1 for c in ln.cells if nkey(c) in header) >= 4:
            return i
    return len(lines)


def clues(kind: str, lines: list[Line]) -> list[Clue]:
    editions = cat.editions(kind)
    if len(editions) < 2:
        return []
    labels = _label_signatures(kind, editions)
    by_len = sorted(labels, key=len, reverse=True)
    options = _option_signatures(kind, editions)
    everyone = frozenset(editions)
    out: list[Clue] = []
    seen: set[str] = set()
    body = lines[:_changelog_start(lines)]
    for ln in body:
        for cell in ln.cells or [ln.text]:
            k = nkey(strip_heading(cell))
            if not k:
                continue
            hit = next((s for s in by_len if k.startswith(s)), None)
            if hit is not None and labels[hit][1] != everyone and hit not in seen:
                seen.add(hit)
                out.append(Clue(ln.no, labels[hit][0], labels[hit][1]))
    text = {ln.no: nkey(ln.text) for ln in body}
    for k, (printed, eds) in options.items():
        if k in seen:
            continue
        line = next((no for no, t in text.items() if k in t), None)
        if line is not None:
            seen.add(k)
            out.append(Clue(line, printed, eds))
    return sorted(out, key=lambda c: c.line)


def layout_editions(kind: str, lines: list[Line]) -> tuple[list[str], list[Clue]]:
    """(editions every clue allows, oldest first; the clues).  No clue: every edition.  Clues that
    contradict each other: the editions any of them names."""
    editions = cat.editions(kind)
    found = clues(kind, lines)
    if not found:
        return editions, []
    agreed = set(editions)
    for c in found:
        agreed &= c.editions
    if not agreed:
        agreed = set().union(*(c.editions for c in found))
    return [e for e in editions if e in agreed], found
