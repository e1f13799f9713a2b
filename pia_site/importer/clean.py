"""Pre-clean: decode the source, split it into lines and cells, make inline HTML safe.

Nothing here knows the form.  Content text is kept as converted (no NFKC, circled
numbers intact); only whitespace, markup and unsafe HTML are touched:

* NO-BREAK SPACE and zero-width characters become ordinary spaces / nothing, runs
  of spaces inside a line collapse to one;
* Markdown pipe-table rows become tab-separated cells, separator rows disappear;
* every ``<`` that does not open an allowed tag is escaped (``<中間サーバー…における措置>``
  is text, not a tag); tags outside the allowlist are unwrapped (``<small>``) or
  escaped so they show as text (``<script>``); attributes outside the allowlist go.
"""
from __future__ import annotations

import codecs
import html
import re
from dataclasses import dataclass, field

from ..inline_style import clean_style
from ..markup import ALLOWED_ATTRS, ALLOWED_TAGS
from ..markup import url_ok as _url_ok
from .errors import ImportFailure

TAG_RE = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)((?:[^<>\"']|\"[^\"]*\"|'[^']*')*?)\s*(/?)\s*>")
ATTR_RE = re.compile(r"([^\s=/]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")
ENTITY_RE = re.compile(r"&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# presentational wrappers whose text we keep without the tag
UNWRAP_TAGS = {"small", "big", "font", "center", "strike", "tt", "label", "section", "article", "header",
               "footer", "main", "nav", "aside", "abbr", "cite", "q", "mark", "ins", "del", "nobr", "colgroup",
               "col", "figure", "figcaption", "address", "html", "body", "head", "meta", "wbr"}
GLYPH_TAGS = {"input"}  # checkbox / radio glyphs: marks.py reads their state
BLOCK_BREAK = re.compile(r"<\s*(br|/p|/li|/div|/tr|/h\d|/dt|/dd|/ol|/ul|/table)\b[^>]*>", re.I)
SPACES = re.compile(r"[ \u00a0\u2002\u2003\u2009\u200a\u202f]+")
ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
PIPE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+")
LETTER = re.compile(r"[0-9A-Za-z\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff10-\uff5a\u2460-\u24ff\u2160-\u217f]")


@dataclass
class Line:
    """One source line: its number, cleaned text and tab cells."""

    no: int
    text: str
    cells: list[str] = field(default_factory=list)
    heading: int = 0  # Markdown heading level found at the start (0: none)
    piped: bool = False  # came from a Markdown pipe-table row
    had_cells: bool = False  # a table row in the source (tabs or pipes), even if only one cell is filled

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    @property
    def tabbed(self) -> bool:
        """A table row: more than one cell, or a leading empty (label) cell."""
        return len(self.cells) > 1

    @property
    def row(self) -> bool:
        """A row of a table in the source (a paragraph of its own)."""
        return self.had_cells or len(self.cells) > 1

    def nonempty(self) -> list[tuple[int, str]]:
        return [(i, c) for i, c in enumerate(self.cells) if c.strip()]


# ---------------------------------------------------------------------------
# decoding

def decode_source(data: bytes) -> str:
    """Bytes → text, or an ImportFailure saying what is wrong with the file."""
    if not data.strip():
        raise ImportFailure("ファイルが空です。評価書をテキストに変換したファイルを指定してください。")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportFailure("UTF-16 として読めません。ファイルを UTF-8 で保存し直してください。") from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    sample = data[:4096]
    if b"\x00" in sample or _binary_ratio(sample) > 0.05:
        raise ImportFailure("テキストファイルではありません（バイナリデータです）。PDF や Word の評価書は、先にテキストに変換してから取り込んでください。")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            raise ImportFailure("ファイルの末尾で文字が途切れています（途中で切れたファイルのようです）。元のファイルを確認してください。") from None
        line = data[: exc.start].count(b"\n") + 1
        try:
            data.decode("cp932")
            raise ImportFailure(f"Shift_JIS（CP932）で保存されているようです（{line} 行目）。文字コードを UTF-8 にして保存し直してから取り込んでください。") from None
        except UnicodeDecodeError:
            raise ImportFailure(f"{line} 行目に UTF-8 として読めないバイトがあります（文字化けしたファイルのようです）。元のファイルを UTF-8 で保存し直してください。") from None


def _binary_ratio(sample: bytes) -> float:
    if not sample:
        return 0.0
    bad = sum(1 for b in sample if b < 9 or 13 < b < 32 or b == 127)
    return bad / len(sample)


# ---------------------------------------------------------------------------
# lines and cells

def clean_lines(text: str) -> list[Line]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out: list[Line] = []
    raws = text.split("\n")
    gfm = _gfm_rows(raws)
    for no, raw in enumerate(raws, 1):
        raw = CONTROL.sub("", ZERO_WIDTH.sub("", raw))
        piped = False
        if _is_pipe_row(raw) or (no - 1) in gfm:
            if PIPE_SEP.match(raw):
                sep = raw.strip()
                out.append(Line(no, sep, [sep]))  # markup only: not a blank (not a page break)
                continue
            cells = _pipe_cells(raw)
            piped = True
        else:
            cells = raw.split("\t")
        cells = [_clean_cell(c, first=(i == 0)) for i, c in enumerate(cells)]
        while len(cells) > 1 and not cells[-1].strip():
            cells.pop()
        heading = 0
        m = MD_HEADING.match(cells[0]) if cells else None
        if m:
            heading = len(m.group(1))
        out.append(Line(no, "\t".join(cells), cells, heading, piped, piped or "\t" in raw))
    return out


def _gfm_rows(raws: list[str]) -> set[int]:
    """Rows of pipe tables written without outer pipes (``a | b`` / ``---|---``)."""
    rows: set[int] = set()
    for i, raw in enumerate(raws):
        if "|" not in raw or "\t" in raw or not PIPE_SEP.match(raw):
            continue
        rows.add(i)
        if i > 0 and "|" in raws[i - 1]:
            rows.add(i - 1)
        j = i + 1
        while j < len(raws) and raws[j].strip() and "|" in raws[j]:
            rows.add(j)
            j += 1
    return rows


def _is_pipe_row(raw: str) -> bool:
    s = raw.strip()
    return len(s) >= 3 and s.startswith("|") and s.endswith("|")


def _pipe_cells(raw: str) -> list[str]:
    s = raw.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    cells = re.split(r"(?<!\\)\|", s)
    return [c.replace("\\|", "|").strip() for c in cells]


def _clean_cell(cell: str, first: bool) -> str:
    lead = ""
    if first:
        m = re.match(r"^[ \u00a0]+", cell)
        if m:
            lead = " " * min(len(m.group()), 3)
    body = SPACES.sub(" ", cell).strip()
    return lead + sanitize_html(body) if body else ""


def sanitize_html(s: str) -> str:
    """Escape non-tag ``<``; keep allowed tags with allowed attributes; unwrap or escape the rest."""
    out: list[str] = []
    i = 0
    n = len(s)
    while i < n:
        j = s.find("<", i)
        if j < 0:
            out.append(_fix_amp(s[i:]))
            break
        out.append(_fix_amp(s[i:j]))
        m = TAG_RE.match(s, j)
        if not m:
            nxt_ch = s[j + 1:j + 2]
            k = s.find(">", j + 1)
            if nxt_ch and ord(nxt_ch) > 0x7F and k > j and "<" not in s[j + 1:k]:
                # <中間サーバー・プラットフォームにおける措置>: never a tag for any HTML parser; kept as typed
                out.append("<" + _fix_amp(s[j + 1:k]) + ">")
                i = k + 1
                continue
            # text in angle brackets: escape the bracket and its partner
            nxt = s.find("<", j + 1)
            if k >= 0 and (nxt < 0 or k < nxt):
                out.append("&lt;" + _fix_amp(s[j + 1:k]) + "&gt;")
                i = k + 1
            else:
                out.append("&lt;")
                i = j + 1
            continue
        closing, name, attrs, selfclose = m.group(1), m.group(2).lower(), m.group(3), m.group(4)
        if name in ALLOWED_TAGS:
            out.append(f"</{name}>" if closing else _rebuild(name, attrs, selfclose))
        elif name in GLYPH_TAGS:
            out.append("" if closing else _rebuild_input(attrs))
        elif name in UNWRAP_TAGS:
            pass
        else:
            out.append(html.escape(m.group(0), quote=False))
        i = m.end()
    return "".join(out)


def _fix_amp(text: str) -> str:
    """A bare ``&`` that does not start an entity is escaped."""
    return re.sub(r"&(?!#\d{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)", "&amp;", text)


def _rebuild(name: str, attrs: str, selfclose: str) -> str:
    kept = []
    for a in ATTR_RE.finditer(attrs or ""):
        key = a.group(1).lower()
        value = (a.group(2) or "").strip("\"'")
        allowed = key in ALLOWED_ATTRS.get(name, set()) or key in ALLOWED_ATTRS["*"]
        if not allowed or key.startswith("on"):
            continue
        if key == "style":
            if re.search(r"url\s*\(|expression\s*\(|javascript:", html.unescape(value), re.I):
                continue
            value = clean_style(value)  # only the declarations a page keeps (check reports any other)
            if not value:
                continue
        if key == "href" and not _url_ok(value):
            continue
        kept.append(f'{key}="{html.escape(html.unescape(value), quote=True)}"')
    inner = (" " + " ".join(kept)) if kept else ""
    return f"<{name}{inner}{'/' if selfclose and name == 'br' else ''}>"


def _rebuild_input(attrs: str) -> str:
    names = {a.group(1).lower(): (a.group(2) or "").strip("\"'").lower() for a in ATTR_RE.finditer(attrs or "")}
    kind = "radio" if names.get("type") == "radio" else "checkbox"
    checked = ' checked=""' if "checked" in names else ""
    return f'<input{checked} type="{kind}"/>'


# ---------------------------------------------------------------------------
# helpers used by the later steps

def strip_heading(text: str) -> str:
    """``## II …`` → ``II …``; ``**6. …**`` → ``6. …``."""
    t = MD_HEADING.sub("", text).strip()
    m = re.fullmatch(r"\*\*(.+)\*\*", t)
    return m.group(1).strip() if m else t


def html_to_plain(text: str) -> str:
    """Visible text of a fragment: block ends become line breaks, tags go, entities decode."""
    t = BLOCK_BREAK.sub("\n", text)
    t = re.sub(r"<input[^>]*>", "", t)
    t = TAG_RE.sub("", t)
    t = html.unescape(t)
    lines = [SPACES.sub(" ", ln).strip() for ln in t.split("\n")]
    return "\n".join(ln for ln in lines if ln)


def flat_plain(text: str) -> str:
    """Visible text on one line."""
    return " ".join(html_to_plain(text).split("\n"))


CONTENT_DASHES = {"—", "―", "－", "ー", "‐", "–", "-"}


def markup_only(text: str) -> bool:
    """A line with no letters or digits at all (table rules, stray bars); a lone dash is content."""
    plain = html_to_plain(text)
    if LETTER.search(plain):
        return False
    cells = [c.strip() for c in re.split(r"[\t\n]", plain) if c.strip()]
    return not any(c in CONTENT_DASHES for c in cells)
