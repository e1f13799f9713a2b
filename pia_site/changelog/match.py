"""Label matching against catalog nodes: exact, alias, abbreviation, suffix anchoring, fuzzy.

All comparisons use ``normalize.compact`` keys, so stray spaces (``概 要``) and ``・、。`` never
matter.  Every label variant comes from the catalog: the printed ``label``, the node's
``aliases``, the wordings of the form's other editions (``edition_labels``: printed labels,
matched like the label), the same with parenthesised parts dropped (``特定個人情報の入手(…を除く。)`` ->
``特定個人情報の入手``), and a group's ``instance_label``.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

from ..catalog import Form, Node
from .normalize import compact, nfkc

FUZZY_MIN = 0.8
_PAREN_RE = re.compile(r"\([^()]*\)|【[^【】]*】")


@dataclass(frozen=True)
class Variant:
    text: str  # compact key
    kind: str  # label | alias | short


@dataclass(frozen=True)
class Hit:
    node: Node
    consumed: int  # characters of the (normalized) input consumed
    kind: str  # exact | alias | short | abbrev | fuzzy | suffix
    ratio: float = 1.0
    level: int = 0
    variant: str = ""
    skipped: str = ""  # text before the match (suffix anchoring)


def _key(s: str) -> str:
    return compact(nfkc(s))


@lru_cache(maxsize=None)
def _variants_of(node: Node) -> tuple[Variant, ...]:
    out: list[Variant] = []
    seen: set[str] = set()

    def add(text: str, kind: str) -> None:
        k = _key(text)
        if k and k not in seen:
            seen.add(k)
            out.append(Variant(k, kind))

    if node.label:
        add(node.label, "label")
    if node.kind == "group" and node.instance_label and node.instance_label != node.label and not node.no:
        add(node.instance_label, "label")
    for other in node.edition_labels:  # another edition's wording of this item: as printed
        add(other, "label")
    for a in node.aliases:
        add(a, "alias")
    for base, kind in [(node.label, "short")] + [(a, "short") for a in (*node.edition_labels, *node.aliases)]:
        if base and _PAREN_RE.search(nfkc(base)):
            short = _PAREN_RE.sub("", nfkc(base))
            add(short, kind)
    return tuple(out)


def variants(node: Node) -> tuple[Variant, ...]:
    return _variants_of(node)


def kids(node: Node) -> tuple[Node, ...]:
    """Rows and children: everything printed below a node."""
    return tuple(node.rows) + tuple(node.children)


def levels(scope: Node | None, form: Form, max_depth: int = 8) -> list[list[Node]]:
    """Descendants of ``scope`` (the whole form for None), level by level."""
    out: list[list[Node]] = []
    cur = list(form.parts) if scope is None else list(kids(scope))
    depth = 0
    while cur and depth < max_depth:
        out.append([n for n in cur if variants(n)])
        nxt: list[Node] = []
        for n in cur:
            nxt.extend(kids(n))
        cur = nxt
        depth += 1
    return out


class Compacted:
    """A normalized string with its compact key and the map back to string positions."""

    def __init__(self, s: str):
        self.s = s
        keys: list[str] = []
        pos: list[int] = [0]
        for i, ch in enumerate(s):
            k = compact(ch)
            if k:
                keys.append(k)
                pos.append(i + 1)
        self.key = "".join(keys)
        self.pos = pos  # pos[k] = index in s just after the k-th kept char
        # compact lengths at whitespace boundaries (piece ends)
        cuts = set()
        for m in re.finditer(r"\s+", s):
            cuts.add(self.klen(m.start()))
        cuts.add(len(self.key))
        self.cuts = sorted(c for c in cuts if c > 0)

    def klen(self, index: int) -> int:
        """Number of kept chars in s[:index]."""
        import bisect
        return bisect.bisect_right(self.pos, index) - 1

    def index(self, k: int) -> int:
        """Position in s after k kept chars (skipping following punctuation-free spaces)."""
        k = max(0, min(k, len(self.pos) - 1))
        return self.pos[k]


def _best(cands: list[Hit]) -> list[Hit]:
    """Distinct-node hits with the best (consumed, -level) — ties are kept (ambiguity)."""
    if not cands:
        return []
    top = max((h.consumed, -h.level) for h in cands)
    out: dict[int, Hit] = {}
    for h in cands:
        if (h.consumed, -h.level) == top and id(h.node) not in out:
            out[id(h.node)] = h
    return list(out.values())


def exact_hits(c: Compacted, lv: Sequence[Sequence[Node]], kinds: Iterable[str] = ("label", "alias", "short")) -> list[Hit]:
    kinds = set(kinds)
    cands: list[Hit] = []
    for depth, nodes in enumerate(lv):
        for n in nodes:
            for v in variants(n):
                if v.kind in kinds and c.key.startswith(v.text):
                    kind = "exact" if v.kind == "label" else v.kind
                    cands.append(Hit(n, c.index(len(v.text)), kind, 1.0, depth, v.text))
    if not cands:
        return []
    # longest first, then shallowest; a label beats an alias/short of the same length
    top_len = max(len(h.variant) for h in cands)
    cands = [h for h in cands if len(h.variant) == top_len]
    top_level = min(h.level for h in cands)
    cands = [h for h in cands if h.level == top_level]
    return _dedupe(cands)


def _dedupe(hits: list[Hit]) -> list[Hit]:
    rank = {"exact": 0, "alias": 1, "short": 2, "abbrev": 3, "fuzzy": 4, "suffix": 5}
    out: dict[int, Hit] = {}
    for h in hits:
        prev = out.get(id(h.node))
        if prev is None or (rank[h.kind], -h.ratio) < (rank[prev.kind], -prev.ratio):
            out[id(h.node)] = h
    return list(out.values())


def abbrev_hits(c: Compacted, lv: Sequence[Sequence[Node]], min_len: int = 4) -> list[Hit]:
    """The text up to a whitespace boundary (or its end) is a prefix of a label."""
    for cut in reversed(c.cuts):
        p = c.key[:cut]
        if len(p) < min_len:
            break
        for depth, nodes in enumerate(lv):
            found: list[Hit] = []
            for n in nodes:
                for v in variants(n):
                    if len(v.text) > len(p) and v.text.startswith(p) and len(p) >= 0.35 * len(v.text):
                        found.append(Hit(n, c.index(cut), "abbrev", len(p) / len(v.text), depth, v.text))
                        break
            if found:
                return _dedupe(found)
    return []


def fuzzy_hits(c: Compacted, lv: Sequence[Sequence[Node]], threshold: float = FUZZY_MIN) -> list[Hit]:
    best: list[Hit] = []
    top = threshold
    sm = difflib.SequenceMatcher(autojunk=False)
    for depth, nodes in enumerate(lv):
        for n in nodes:
            for v in variants(n):
                m = len(v.text)
                if m < 4:
                    continue
                sm.set_seq2(v.text)
                # windows around the label's length; a much shorter window would be an abbreviation
                lo = max(0.8 * m, m - 3)
                cuts = {k for k in c.cuts if lo <= k <= 1.25 * m}
                cuts.update(k for k in range(m - 2, m + 4) if lo <= k <= len(c.key))
                for k in sorted(cuts):
                    sm.set_seq1(c.key[:k])
                    if sm.real_quick_ratio() < top - 1e-9 or sm.quick_ratio() < top - 1e-9:
                        continue
                    r = sm.ratio()
                    if r > top + 0.01:
                        top = r
                        best = [Hit(n, c.index(k), "fuzzy", r, depth, v.text)]
                    elif r >= top - 0.01 and r >= threshold:
                        best.append(Hit(n, c.index(k), "fuzzy", r, depth, v.text))
    best = [h for h in best if h.ratio >= top - 0.01]
    if not best:
        return []
    shallow = min(h.level for h in best)
    return _dedupe([h for h in best if h.level == shallow])


def suffix_hits(c: Compacted, lv: Sequence[Sequence[Node]]) -> list[Hit]:
    """A label occurring later in the text (the most specific label is at the end)."""
    cands: list[tuple[int, int, int, Hit]] = []
    for depth, nodes in enumerate(lv):
        for n in nodes:
            for v in variants(n):
                if len(v.text) < 3:
                    continue
                i = c.key.find(v.text, 1)
                while i > 0:
                    end = i + len(v.text)
                    hit = Hit(n, c.index(end), "suffix", 1.0, depth, v.text, c.s[: c.index(i)].strip())
                    cands.append((end, len(v.text), -depth, hit))
                    i = c.key.find(v.text, i + 1)
    if not cands:
        return []
    top = max(x[:3] for x in cands)
    return _dedupe([x[3] for x in cands if x[:3] == top])


def match_text(s: str, lv: Sequence[Sequence[Node]], fuzzy: float = FUZZY_MIN, abbrev: bool = True) -> list[Hit]:
    """Exact (longest, shallowest) -> abbreviation -> fuzzy."""
    c = Compacted(s)
    if not c.key:
        return []
    hits = exact_hits(c, lv)
    if hits:
        return hits
    ab = abbrev_hits(c, lv) if abbrev else []
    if len(ab) == 1:
        return ab
    fz = fuzzy_hits(c, lv, fuzzy) if fuzzy < 1 else []
    if len(fz) == 1 and (not ab or fz[0].ratio >= 0.85):
        return fz
    return ab or fz


def label_similarity(s: str, node: Node) -> Hit | None:
    """How well the start of ``s`` matches one particular node (titles after a number)."""
    c = Compacted(s)
    if not c.key:
        return None
    lv = [[node]]
    for fn in (exact_hits, abbrev_hits):
        hits = fn(c, lv)
        if hits:
            return hits[0]
    hits = fuzzy_hits(c, lv, 0.75)
    return hits[0] if hits else None
