"""Readable diffs of a change row's before/after texts (変更前の記載 → 変更後の記載).

The texts are compared as a reader sees them: the rich text is rendered (Markdown escapes
such as ``1\\.`` are gone, list numbers are back), tags dropped, entities decoded.  They are
compared token by token, not character by character:

* numbers stay whole (``16`` → ``13``, never ``1~~6~~3``), with their separators
  (``198,468``, ``048-963-9136``, ``85-2``);
* dates stay whole: 和暦 (``令和6年10月1日``, ``令和元年``), ``2024年10月1日``, ``2024/10/1``;
* Japanese text is cut into phrases by BudouX (Japanese has no spaces to split on);
  Latin words, circled numbers and punctuation are tokens of their own.

White space that was only deleted is not shown when something else changed too (a removed
space is noise, and struck through it looks like a dash); when white space is all that
changed, the pieces say so (``Piece.blank``) so the page can show it.
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache
from html.parser import HTMLParser
from typing import NamedTuple

from .markup import render_rich

MAX_CHARS = 20_000  # beyond this, show the two texts without a diff

EQUAL, DELETE, INSERT = "equal", "delete", "insert"


class Piece(NamedTuple):
    op: str  # equal | delete | insert
    text: str

    @property
    def blank(self) -> bool:
        """A change of white space only (shown with a visible mark)."""
        return self.op != EQUAL and not self.text.strip()

    @property
    def marks(self) -> str:
        """White space made visible: ``␣`` for a space, ``↵`` for a line break."""
        return self.text.replace(" ", "␣").replace("\n", "↵")


# ---------------------------------------------------------------------------
# the visible text of a rich cell

_BLOCKS = {"p", "div", "li", "tr", "table", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "hr",
           "h1", "h2", "h3", "h4", "h5", "h6", "caption"}
_CELLS = {"td", "th"}


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list[int | None]] = []  # per open list: [next number] (None for <ul>)

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "br":
            self.out.append("\n")
        elif tag in _CELLS:
            self.out.append(" ")
        elif tag in _BLOCKS:
            self.out.append("\n")
        if tag == "ol":
            start = dict(attrs).get("start") or "1"
            self.lists.append([int(start) if start.isdigit() else 1])
        elif tag == "ul":
            self.lists.append([None])
        elif tag == "li" and self.lists and self.lists[-1][0] is not None:
            self.out.append(f"{self.lists[-1][0]}. ")
            self.lists[-1][0] += 1

    def handle_endtag(self, tag) -> None:
        if tag in _BLOCKS:
            self.out.append("\n")
        if tag in ("ol", "ul") and self.lists:
            self.lists.pop()

    def handle_data(self, data: str) -> None:
        self.out.append(data)


_PLAIN_PARAGRAPH = re.compile(r"<p>([^<>&]*)</p>")  # render_rich's output for one plain line (markup._PLAIN_LINE)


def visible_text(rich: str | None) -> str:
    """What a reader sees of a rich cell: one line per block, runs of spaces as one space."""
    if not rich:
        return ""
    html = render_rich(rich)
    plain = _PLAIN_PARAGRAPH.fullmatch(html)
    if plain:  # what _Visible makes of one paragraph of plain text
        seen = "\n" + plain.group(1) + "\n"
    else:
        p = _Visible()
        p.feed(html)
        p.close()
        seen = "".join(p.out)
    lines = (re.sub(r"[^\S\n]+", " ", line).strip() for line in seen.split("\n"))
    return "\n".join(line for line in lines if line)


# ---------------------------------------------------------------------------
# tokens

_D = r"[0-9０-９]"
_WAREKI = rf"(?:明治|大正|昭和|平成|令和)(?:元|{_D}{{1,2}})年(?:{_D}{{1,2}}月(?:{_D}{{1,2}}日)?)?"
_SEIREKI = rf"{_D}{{4}}年{_D}{{1,2}}月(?:{_D}{{1,2}}日)?|{_D}{{4}}[/／.．-]{_D}{{1,2}}[/／.．-]{_D}{{1,2}}"
_NUMBER = rf"{_D}+(?:[,，.．\-－]{_D}+)*"
_TOKEN = re.compile(
    rf"(?P<date>{_WAREKI}|{_SEIREKI})"
    rf"|(?P<number>{_NUMBER})"
    r"|(?P<space>\s+)"
    r"|(?P<latin>[A-Za-zＡ-Ｚａ-ｚ]+)"
    r"|(?P<mark>[①-⑳※\W_])"  # circled numbers, punctuation and symbols: one token each
)


@lru_cache(maxsize=1)
def _parser():
    import budoux

    return budoux.load_default_japanese_parser()


def tokens(text: str) -> list[str]:
    """``text`` cut into diff tokens; ``"".join(tokens(text)) == text``."""
    out: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() > pos:
            out.extend(_phrases(text[pos:m.start()]))
        out.append(m.group())
        pos = m.end()
    if pos < len(text):
        out.extend(_phrases(text[pos:]))
    return out


@lru_cache(maxsize=1 << 14)
def _phrases(run: str) -> tuple[str, ...]:
    """A run of Japanese (or other) letters cut into BudouX phrases."""
    return tuple(_parser().parse(run)) if len(run) > 1 else (run,)


# ---------------------------------------------------------------------------
# the diff

def word_diff(before: str | None, after: str | None) -> list[Piece]:
    """The pieces that turn ``before`` into ``after`` (rich texts); deterministic."""
    a, b = visible_text(before), visible_text(after)
    if a == b:
        return [Piece(EQUAL, a)] if a else []
    if len(a) + len(b) > MAX_CHARS:
        return [p for p in (Piece(DELETE, a), Piece(INSERT, b)) if p.text]
    ta, tb = tokens(a), tokens(b)
    ops: list[Piece] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes():
        if op == "equal":
            ops.append(Piece(EQUAL, "".join(ta[i1:i2])))
            continue
        if i2 > i1:
            ops.append(Piece(DELETE, "".join(ta[i1:i2])))
        if j2 > j1:
            ops.append(Piece(INSERT, "".join(tb[j1:j2])))
    return _quiet_blanks(_regroup(_trim_pairs(_regroup(_fold_islands(ops)))))


def _fold_islands(ops: list[Piece]) -> list[Piece]:
    """An equal island of white space between two changes joins them (reads as one change)."""
    out: list[Piece] = []
    for i, p in enumerate(ops):
        island = (p.op == EQUAL and 0 < i < len(ops) - 1 and ops[i - 1].op != EQUAL and ops[i + 1].op != EQUAL
                  and not p.text.strip())
        out.extend((Piece(DELETE, p.text), Piece(INSERT, p.text)) if island else (p,))
    return out


def _fine(text: str) -> list[str]:
    """Tokens for trimming a replaced phrase: numbers, dates and Latin words whole, other characters one by one."""
    out: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        out.extend(text[pos:m.start()])
        out.append(m.group())
        pos = m.end()
    out.extend(text[pos:])
    return out


def _trim_pairs(ops: list[Piece]) -> list[Piece]:
    """A deletion followed by an insertion loses their common start and end (``再委託しない`` →
    ``再委託する`` shows ``しない`` → ``する``), never cutting into a number or a date."""
    out: list[Piece] = []
    i = 0
    while i < len(ops):
        p = ops[i]
        if p.op == DELETE and i + 1 < len(ops) and ops[i + 1].op == INSERT:
            a, b = _fine(p.text), _fine(ops[i + 1].text)
            k = 0
            while k < min(len(a), len(b)) and a[k] == b[k]:
                k += 1
            e = 0
            while e < min(len(a), len(b)) - k and a[-1 - e] == b[-1 - e]:
                e += 1
            head, tail = "".join(a[:k]), "".join(a[len(a) - e:])
            out.extend(x for x in (Piece(EQUAL, head), Piece(DELETE, "".join(a[k:len(a) - e])),
                                   Piece(INSERT, "".join(b[k:len(b) - e])), Piece(EQUAL, tail)) if x.text)
            i += 2
            continue
        out.append(p)
        i += 1
    return out


def _regroup(ops: list[Piece]) -> list[Piece]:
    """Each run of changes as one deletion then one insertion; adjacent equal text joined."""
    out: list[Piece] = []
    dels: list[str] = []
    ins: list[str] = []

    def flush() -> None:
        if dels:
            out.append(Piece(DELETE, "".join(dels)))
        if ins:
            out.append(Piece(INSERT, "".join(ins)))
        dels.clear()
        ins.clear()

    for p in ops:
        if p.op == DELETE:
            dels.append(p.text)
        elif p.op == INSERT:
            ins.append(p.text)
        else:
            flush()
            if out and out[-1].op == EQUAL:
                out[-1] = Piece(EQUAL, out[-1].text + p.text)
            else:
                out.append(p)
    flush()
    return out


def _quiet_blanks(ops: list[Piece]) -> list[Piece]:
    """Unless white space is all that changed: a deleted blank is dropped, an inserted one is plain text."""
    if all(p.blank for p in ops if p.op != EQUAL):
        return ops
    out: list[Piece] = []
    for p in ops:
        if p.blank and p.op == DELETE:
            continue
        p = Piece(EQUAL, p.text) if p.blank else p
        if out and out[-1].op == EQUAL and p.op == EQUAL:
            out[-1] = Piece(EQUAL, out[-1].text + p.text)
        else:
            out.append(p)
    return out
