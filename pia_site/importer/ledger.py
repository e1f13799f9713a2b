"""The ledger: proof that every source text unit landed somewhere.

A *text unit* is what the fidelity measure (``tests/support.py``) counts: text between tags,
split at whitespace, 。、・ and commas, NFKC-normalised, at least 4 characters,
containing Japanese.  After assembly, each source line's units are looked up in
the output (every value, every unplaced text) and in the form text the page
prints from the catalog (labels, options, captions, fixed texts).  A unit found
nowhere is added to ``unplaced`` with its line — nothing is ever dropped.
"""
from __future__ import annotations

import html
import re
import unicodedata
from typing import Any, Iterable

from ..catalog import Form
from ..filters import period_ja, wareki
from ..model import DateValue, Period
from .clean import Line
from .glyphs import BARE_CHECKED, BARE_UNCHECKED

TAG = re.compile(r"<[^>]*>")
SPLIT = re.compile(r"[\s。、・,，]+")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
STRIP = "()（）[]「」『』〔〕<>＜＞【】|-—–:：;；"
MARKS = re.compile(rf"[\[\]〔〕［］{BARE_CHECKED}{BARE_UNCHECKED}*#]")
ISO = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def _norm(s: str) -> str:
    return unicodedata.normalize("NFKC", html.unescape(s))


def units(text: str, minlen: int = 4) -> list[str]:
    """Text units exactly as fidelity.py counts them."""
    t = _norm(TAG.sub(" ", text))
    out = []
    for u in SPLIT.split(t):
        u = u.strip(STRIP)
        if len(u) >= minlen and JAPANESE.search(u):
            out.append(u)
    return out


def _lookup_form(u: str) -> str:
    """A unit as looked up by the ledger: check-mark glyphs and brackets do not count."""
    return MARKS.sub("", re.sub(r"\s+", "", u))


def rendered(tree: Any) -> list[str]:
    """Extra text the page derives from values: 和暦 dates, numbered 記録項目."""
    out: list[str] = []

    def walk(v: Any, key: str = "") -> None:
        if isinstance(v, str):
            m = ISO.match(v)
            if m:
                dv = DateValue(v, "day" if m.group(3) else "month")
                for g in (True, False):
                    out.append(wareki(dv, gannen=g, seireki="none"))
        elif isinstance(v, dict):
            if set(v) == {"start", "end"}:
                dates = [DateValue(x, "day" if len(x) == 10 else "month") for x in (v["start"], v["end"]) if isinstance(x, str) and ISO.match(x)]
                if len(dates) == 2:
                    out.append(period_ja(Period(*dates), gannen=True, seireki="none"))
                    out.append(period_ja(Period(*dates), gannen=False, seireki="none"))
            if "items" in v and isinstance(v["items"], list):
                start = int(v.get("start") or 1)
                out.extend(f"{start + i}.{item}" for i, item in enumerate(v["items"]) if isinstance(item, str))
            for k, x in v.items():
                walk(x, k)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x, key)

    walk(tree)
    return out


def strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from strings(v)


def form_text(form: Form) -> list[str]:
    """What the page prints from the catalog, whatever the data."""
    out = [form.title, form.name, form.stamp, form.yoshiki, "項目一覧", "選択肢", *form.change_keys.values()]
    for node in form.walk():
        out += [node.label, node.printed, node.star_note, node.text, *node.aliases]
        if node.kind == "group":
            out += [f"{node.instance_label}{i}" for i in range(1, (node.max or 20) + 1)]
            out += [f"{node.instance_label}{a}~{b}" for a, b in node.buckets]
    for fam in form.families.values():
        out += [o.text for o in fam.options] + [c for c, _ in fam.captions] + [v for v, _ in fam.aliases]
    return [s for s in out if s]


def haystack(texts: Iterable[str]) -> str:
    return _lookup_form(_norm(TAG.sub(" ", "\n".join(texts))))


def missing_units(lines: list[Line], hay: str) -> list[tuple[int, list[str], int]]:
    """(line, units not found, units on the line) for every line that lost something."""
    out = []
    for ln in lines:
        us = units(ln.text)
        if not us:
            continue
        miss = [u for u in us if _lookup_form(u) not in hay]
        if miss:
            out.append((ln.no, miss, len(us)))
    return out


def count_units(lines: list[Line]) -> int:
    return sum(len(units(ln.text)) for ln in lines)
