"""A change row's before/after cells against an item's current value (changelog.md §6.5).

``contains`` says whether the value holds the cell's text (elisions split it, OCR slips are
tolerated); ``bind`` and ``check`` use it to pick files, blocks and instances and to see
whether a row's after-text is still current.
"""
from __future__ import annotations

import difflib
import re
from collections import Counter
from functools import lru_cache
from typing import Any

from ..filters import wareki
from ..model import Block, CheckItem, DateValue, Diagram, Instance, Period, RecordItems
from .normalize import compact, nfkc, normalize_content, strip_html

_ELISION = re.compile(r"~?\s*\((?:後略|中略|前略)\)|…+|\(※\s*\d+\s*ヶ所\)|~")
_CHECK_MARK = re.compile(r"[\[【〔]\s*[○〇●✓✔]?\s*[\]】〕]")
_TRIVIAL = {"", "—", "-", "―", "削除", "追加", "記載なし", "なし", "新規"}


# ---------------------------------------------------------------------------
# values as text

def value_text(v: Any) -> str:
    if v is None or isinstance(v, bool):
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, CheckItem):
        return f"{v.text}({v.detail})" if v.detail else v.text
    if isinstance(v, DateValue):
        return f"{wareki(v, gannen=False, seireki='none')} {v.iso}"
    if isinstance(v, Period):
        return f"{value_text(v.start)} {value_text(v.end)}"
    if isinstance(v, RecordItems):
        return " ".join([g.name + " " + " ".join(f"{i}.{it}" for i, it in enumerate(g.items, g.start)) for g in v.groups]
                        + [v.note or ""])
    if isinstance(v, Diagram):
        return " ".join(x or "" for x in (v.title, v.subtitle, v.notes))
    if isinstance(v, Instance):
        return value_text(v.values)
    if isinstance(v, Block):
        return value_text(v.values)
    if isinstance(v, dict) or hasattr(v, "items"):
        return " ".join(value_text(x) for x in v.values())
    if isinstance(v, (tuple, list)):
        return " ".join(value_text(x) for x in v)
    return str(v)


def text_pieces(text: str | None) -> list[str]:
    """Comparable pieces of a before/after cell (elisions split it; trivial cells give none)."""
    return list(_text_pieces(text)) if text else []


@lru_cache(maxsize=1024)  # a cell is compared with every candidate value
def _text_pieces(text: str) -> tuple[str, ...]:
    plain = nfkc(strip_html(text)).strip()
    plain = re.sub(r"^\d+\)\s*", "", plain)  # "1)発生あり": the option number
    plain = _CHECK_MARK.sub(" ", plain)  # "【○】その他": checkbox marks
    if compact(plain) in _TRIVIAL:
        return ()
    out = []
    for piece in _ELISION.split(plain):
        k = compact(piece)
        if len(k) >= 2:
            out.append(k)
    return tuple(out)


COVERAGE = 0.97  # share of a piece's characters found in order in the current text (OCR slips)


def contains(value: Any, text: str | None, strict: bool = False) -> bool | None:
    """Does the current value contain the cell's text?  None when the cell says nothing usable.

    Not strict: a piece also counts when ≥ 97% of its characters occur in order in the value
    (single-character OCR differences such as あつた/あった).
    """
    pieces = text_pieces(text)
    if not pieces:
        return None
    hay = normalize_content(value_text(value))
    if not hay:
        return False
    if all(p in hay for p in pieces):
        return True
    whole = "".join(pieces)
    if len(hay) >= 2 and hay in whole and len(hay) >= 0.5 * len(whole):
        return True
    if strict:
        return False
    hay_chars: Counter | None = None
    sm: difflib.SequenceMatcher | None = None
    for p in pieces:
        if p in hay:
            continue
        need = COVERAGE * len(p)
        if hay_chars is None:
            hay_chars = Counter(hay)
        # the matching blocks are a common subsequence, so they never cover more than the
        # characters both texts share: when even those fall short, the answer is already no
        if sum((Counter(p) & hay_chars).values()) < need:
            return False
        if sm is None:  # the index of the value is built once for all pieces
            sm = difflib.SequenceMatcher(None, "", hay, autojunk=False)
        sm.set_seq1(p)
        if sum(b.size for b in sm.get_matching_blocks()) < need:
            return False
    return True
