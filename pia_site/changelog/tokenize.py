"""Tokenizer for normalized 項目 text (changelog.md §6.2 step 3).

Tokens are found by their markers, never by spaces (``V開示請求``, ``概要4特定…`` and
``移転移転先1①`` are all valid).  Types:

======  =====================================================  ==============================
PART    ``I``–``VI`` (start or after whitespace, not before a    value: ``III`` / ``(別添1)`` /
        Latin letter, optional ``.``), ``表紙``, ``(別添n)``,     ``表紙`` / ``別紙1``
        ``別添n``, ``別紙n``
ITEM    1–2 digits at a token boundary (not after 第, a digit,   value: the number
        a Latin letter or katakana) followed by ``.``, a space
        or a CJK character, not by 年月日件条号項ヶ人
RISK    ``リスクn`` / ``リスク:``                                  value: n or 0 (unnumbered)
GROUP   ``システムn`` ``委託事項n`` ``提供先n`` ``移転先n``         value: (label, n)
        (the catalog's group instance labels)
CIRC    ①–⑳                                                    value: n
FILEQ   ``(…)`` ending the title text right after a PART        value: the qualifier
TEXT    everything else                                         value: the text
======  =====================================================  ==============================
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .normalize import CIRCLED

ROMAN = ("VI", "IV", "V", "III", "II", "I")
_KATAKANA = "\u30a0-\u30ff\uff66-\uff9f"
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


def vocabulary() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Words taken from the catalog: group instance labels (システム, 委託事項, 提供先, 移転先) and the
    labels of unnumbered parts (表紙).  Per catalog search path (``PIA_SITE_CATALOG`` can add forms,
    and so words), never from whichever catalog this process happened to read first."""
    from ..catalog.load import catalog_dirs

    return _vocabulary(catalog_dirs())


@lru_cache(maxsize=None)
def _vocabulary(dirs) -> tuple[tuple[str, ...], tuple[str, ...]]:
    from ..catalog.load import _all_forms

    groups: set[str] = set()
    parts: set[str] = set()
    for form in _all_forms(dirs):
        for n in form.walk():
            if n.kind == "group" and n.instance_label:
                groups.add(n.instance_label)
        for p in form.parts:
            if not p.no and p.label:
                parts.add(p.label)
    by_len = lambda xs: tuple(sorted(xs, key=lambda x: (-len(x), x)))  # noqa: E731
    return by_len(groups), by_len(parts)


def _markers() -> re.Pattern:
    return _markers_of(vocabulary())


@lru_cache(maxsize=None)
def _markers_of(vocab: tuple[tuple[str, ...], tuple[str, ...]]) -> re.Pattern:
    groups, parts = vocab
    group_alt = "|".join(re.escape(g) for g in groups) or "(?!)"
    part_alt = "|".join(re.escape(p) for p in parts) or "(?!)"
    return re.compile(
        r"(?P<annex>\(\s*別添\s*(?P<annex_n>\d{1,2})\s*\)|別添\s*(?P<annex_m>\d{1,2})(?!\d))"
        r"|(?P<besshi>\(?\s*別紙\s*(?P<besshi_n>\d{1,2})\s*\)?)"
        rf"|(?P<cover>{part_alt})"
        r"|(?P<roman>(?:^|(?<=[\s(\[【]))(?:VI|IV|V|III|II|I)(?![A-Za-z])\.?)"
        r"|(?P<risk>リスク\s*(?P<risk_n>\d{1,2})(?!\d)\s*:?|リスク\s*:)"
        rf"|(?P<group>(?<!再)(?P<group_w>{group_alt})\s*(?P<group_n>\d{{1,2}})(?![\d年月日件条号項ヶ人]))"
        rf"|(?P<circ>[{CIRCLED}])"
        rf"|(?P<item>(?<![第\dA-Za-z{_KATAKANA}])(?P<item_n>\d{{1,2}})(?P<item_sep>\s*\.\s*|\s+|(?=[{_CJK}])))"
    )
_NOT_AFTER_ITEM = set("年月日件条号項ヶ人")
_HYPHEN_PATH = re.compile(r"(?:^|(?<=[\s(\[【]))(VI|IV|V|III|II|I)\s*[-‐–]\s*(\d{1,2})(?!\d)(?:\s*[-‐–]\s*)?")
_ROMAN_DIGIT = re.compile(r"(?:^|(?<=[\s(\[【]))(VI|IV|V|III|II|I)(?=\d)")
FILEQ_RE = re.compile(r"^(?P<title>.*?)\s*\((?P<q>[^()]{1,12})\)\s*$")


@dataclass(frozen=True)
class Token:
    type: str  # PART ITEM RISK GROUP CIRC FILEQ TEXT
    value: Any
    text: str  # the source text of the token (normalized)
    start: int = 0
    end: int = 0

    def __repr__(self) -> str:
        return f"{self.type}({self.value!r})"


_RANGE_SEP = r"\s*(?:~|-|‐|–|から)\s*"
_LIST_SEP = r"\s*[、,・]\s*"


def expand_ranges(text: str) -> str:
    """``委託事項1~3 ⑥委託先名`` -> ``委託事項1 ⑥委託先名 委託事項2 ⑥委託先名 委託事項3 ⑥委託先名``
    (also ``提供先1、2 …``): one target per instance, the rest of the text repeated."""
    groups, _ = vocabulary()
    alt = "|".join(re.escape(g) for g in groups)
    if not alt:
        return text
    m = re.search(rf"(?<!再)({alt})\s*(\d{{1,2}})((?:{_RANGE_SEP}\d{{1,2}})|(?:(?:{_LIST_SEP}\d{{1,2}})+))(?![\d年月日件条号項ヶ人])", text)
    if not m:
        return text
    word, first, tail = m.group(1), int(m.group(2)), m.group(3)
    nums = [int(x) for x in re.findall(r"\d{1,2}", tail)]
    if re.match(_RANGE_SEP, tail) and nums:
        if not first < nums[0] <= first + 20:
            return text
        numbers = list(range(first, nums[0] + 1))
    else:
        numbers = [first] + nums
    head, rest = text[: m.start()], text[m.end():]
    return head + " ".join(f"{word}{n}{rest}" for n in numbers)


def tokenize(text: str) -> list[Token]:
    """Split normalized 項目 text into tokens."""
    text = expand_ranges(text)
    # "II4. …" (a Roman part numeral glued to the item number): give the number its boundary
    text = _HYPHEN_PATH.sub(r"\1 \2. ", text)  # "II-6-①", "III-2 リスク1"
    text = _ROMAN_DIGIT.sub(r"\1 ", text)
    out: list[Token] = []
    pos = 0

    def add_text(a: int, b: int) -> None:
        chunk = text[a:b]
        if chunk.strip():
            out.append(Token("TEXT", chunk.strip(), chunk, a, b))

    for m in _markers().finditer(text):
        tok: Token | None = None
        if m.group("annex"):
            n = m.group("annex_n") or m.group("annex_m")
            tok = Token("PART", f"(別添{int(n)})", m.group(0), m.start(), m.end())
        elif m.group("besshi"):
            tok = Token("PART", f"別紙{int(m.group('besshi_n'))}", m.group(0), m.start(), m.end())
        elif m.group("cover"):
            tok = Token("PART", m.group("cover"), m.group(0), m.start(), m.end())
        elif m.group("roman"):
            tok = Token("PART", m.group("roman").rstrip("."), m.group(0), m.start(), m.end())
        elif m.group("risk"):
            n = m.group("risk_n")
            tok = Token("RISK", int(n) if n else 0, m.group(0), m.start(), m.end())
        elif m.group("group"):
            tok = Token("GROUP", (m.group("group_w"), int(m.group("group_n"))), m.group(0), m.start(), m.end())
        elif m.group("circ"):
            tok = Token("CIRC", CIRCLED.index(m.group("circ")) + 1, m.group(0), m.start(), m.end())
        elif m.group("item"):
            after = text[m.end("item_n"): m.end("item_n") + 1]
            nxt = text[m.end(): m.end() + 1]
            if after in _NOT_AFTER_ITEM or nxt in _NOT_AFTER_ITEM:
                continue
            if not m.group("item_sep") and not nxt:
                continue
            tok = Token("ITEM", int(m.group("item_n")), m.group(0), m.start(), m.end())
        if tok is None or m.start() < pos:
            continue
        add_text(pos, m.start())
        out.append(tok)
        pos = m.end()
    add_text(pos, len(text))
    return _split_fileq(out)


def _split_fileq(tokens: list[Token]) -> list[Token]:
    """``特定個人情報ファイルの概要(賦課)`` right after a PART -> TEXT + FILEQ."""
    out: list[Token] = []
    for i, t in enumerate(tokens):
        if t.type == "TEXT" and i > 0 and tokens[i - 1].type == "PART":
            m = FILEQ_RE.match(t.value)
            if m and m.group("title").strip():
                out.append(Token("TEXT", m.group("title").strip(), m.group("title"), t.start, t.start + len(m.group("title"))))
                out.append(Token("FILEQ", m.group("q").strip(), f"({m.group('q')})", t.end - len(m.group("q")) - 2, t.end))
                continue
        out.append(t)
    return out
