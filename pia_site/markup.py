"""Rich text: Markdown with audited inline HTML, sanitised by nh3.

``audit_html`` is the allowlist audit (located, so authors get file:line:col);
``render_rich`` turns Markdown into safe HTML.  A Japanese paragraph broken over
several source lines is joined without the stray space a browser would show.
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

from .inline_style import ALLOWED_STYLE, clean_style, declarations, hides_text

ALLOWED_TAGS = {
    "p", "br", "b", "strong", "i", "em", "u", "s", "sub", "sup", "span", "div",
    "ul", "ol", "li", "dl", "dt", "dd", "a", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
    "caption", "blockquote", "pre", "code", "hr",
}
ALLOWED_ATTRS = {
    "a": {"href", "title"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "style", "scope"},
    "ol": {"start", "type", "style"},
    "*": {"style"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
TAG_RE = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
ATTR_RE = re.compile(r"([^\s=/]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")
COMMENT_RE = re.compile(r"<!--|<!\[CDATA\[|<![A-Za-z]|<\?")
RICH_CACHE_SIZE = 8192  # rendered cells kept: an assessment's own (its page, its 変更箇所 page) and common ones


@dataclass(frozen=True)
class HtmlProblem:
    offset: int  # character offset in the text
    message: str
    code: str = "H001"
    warning: bool = False


def _attr_allowed(tag: str, name: str) -> bool:
    return name in ALLOWED_ATTRS.get(tag, set()) or name in ALLOWED_ATTRS["*"]


def url_ok(url: str) -> bool:
    """Whether a browser would follow ``url`` (an attribute value as written) to an allowed scheme:
    character references are decoded first (``&#106;avascript:``, ``javascript&colon;``) and
    control characters and spaces removed (``java&#x09;script:``), as browsers do."""
    u = re.sub(r"[\x00-\x20\x7f]", "", html.unescape(url)).lower()
    if ":" not in u.split("/")[0].split("?")[0].split("#")[0]:
        return True  # relative URL or fragment
    return u.split(":", 1)[0] in URL_SCHEMES


def audit_html(text: str) -> list[HtmlProblem]:
    """Allowlist audit of inline HTML found in content."""
    problems: list[HtmlProblem] = []
    for m in COMMENT_RE.finditer(text):
        problems.append(HtmlProblem(m.start(), "HTML のコメント・宣言・処理命令は使えません。"))
    for m in TAG_RE.finditer(text):
        tag = m.group(2).lower()
        if tag not in ALLOWED_TAGS:
            if m.group(1):
                continue  # the opening tag is already reported
            problems.append(HtmlProblem(m.start(), f"HTML タグ <{tag}> は使えません。使えるタグ: {', '.join(sorted(ALLOWED_TAGS))}"))
            continue
        if m.group(1):
            continue
        for a in ATTR_RE.finditer(m.group(3)):
            name = a.group(1).lower()
            value = (a.group(2) or "").strip("\"'")
            if name.startswith("on"):
                problems.append(HtmlProblem(m.start(), f"<{tag}> のイベント属性 {name} は使えません。"))
            elif not _attr_allowed(tag, name):
                problems.append(HtmlProblem(m.start(), f"<{tag}> に属性 {name} は使えません。"))
            elif name == "href" and not url_ok(value):
                decoded = re.sub(r"[\x00-\x20\x7f]", "", html.unescape(value))
                shown = value if decoded == value else f"{value}」（ブラウザでは「{decoded}」"
                problems.append(HtmlProblem(m.start(), f"リンク先「{shown}」は使えません（http, https, mailto, tel か相対 URL のみ）。"))
            elif name == "style":
                problems += _audit_style(m.start(), tag, value)
    return problems


def _audit_style(offset: int, tag: str, value: str) -> list[HtmlProblem]:
    """Each declaration of a ``style`` attribute that would be removed or would hide text."""
    if re.search(r"url\s*\(|expression\s*\(|javascript:", html.unescape(value), re.I):
        return [HtmlProblem(offset, "style 属性に url()・expression() などは使えません。")]
    problems = []
    for d in declarations(value):
        why = hides_text(d)
        if why is not None:
            problems.append(HtmlProblem(offset, f"<{tag}> の style「{d.raw}」は{why}で、文字が見えなくなるため使えません。"
                                        "消してください。", "H002"))
        elif d.name not in ALLOWED_STYLE:
            problems.append(HtmlProblem(offset, f"<{tag}> の style「{d.raw}」は公開ページでは取り除かれます。"
                                        f"使える指定: {', '.join(sorted(ALLOWED_STYLE))}", "H003", True))
    return problems


def _is_cjk(ch: str) -> bool:
    if not ch:
        return False
    o = ord(ch)
    return (
        0x3000 <= o <= 0x30FF or 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF
        or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF or 0x2460 <= o <= 0x24FF
        or unicodedata.east_asian_width(ch) in ("W", "F")
    )


def _softbreak(self, tokens, idx, options, env):
    prev = tokens[idx - 1].content if idx > 0 else ""
    nxt = tokens[idx + 1].content if idx + 1 < len(tokens) else ""
    if (prev and _is_cjk(prev[-1])) or (nxt and _is_cjk(nxt[0])):
        return ""
    return "\n"


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable("table")
    md.enable("strikethrough")
    md.disable(["heading", "lheading"])  # headings belong to the form, not to content
    md.add_render_rule("softbreak", _softbreak)
    return md


def _attribute_filter(element: str, attribute: str, value: str) -> str:
    # nh3 matches style properties case-sensitively: ``COLOR: RED`` would be dropped, so names are
    # lower-cased first; a declaration that hides text never reaches a page (``check`` reports it).
    return clean_style(value) if attribute == "style" else value


def sanitize(source: str) -> str:
    return nh3.clean(
        source,
        tags=ALLOWED_TAGS,
        attributes={k: set(v) for k, v in ALLOWED_ATTRS.items()},
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        filter_style_properties=ALLOWED_STYLE,
        attribute_filter=_attribute_filter,
        strip_comments=True,
    )


def render_rich(text: str | None) -> str:
    """Markdown (with audited inline HTML) to sanitised HTML."""
    if not text:
        return ""
    return _render_rich(text)


@lru_cache(maxsize=RICH_CACHE_SIZE)
def _render_rich(text: str) -> str:
    # A pure function of the text: the same cell is shown on the assessment page and on its
    # 変更箇所 page, and short cells ("—", 該当なし) recur across assessments.
    if _PLAIN_LINE.fullmatch(text) and not _BLOCK_START.match(text) and text.strip() == text:
        return f"<p>{text}</p>"  # what Markdown and nh3 make of it (tests/test_markup_fast.py checks)
    return sanitize(_md().render(text)).strip()


# One line of text that Markdown can only turn into a paragraph and that neither Markdown nor the
# sanitiser escapes or rewrites: no control characters, NBSP or C1 codes, no Markdown or HTML
# syntax characters, no leading, trailing (Unicode) or double spaces, no list marker at the start.
_PLAIN_CHAR = r"[^\x00-\x20\x7f-\xa0\\`*_\[\]<>!&#|~\"'\ufffc-\uffff]"
_PLAIN_LINE = re.compile(rf"{_PLAIN_CHAR}+(?: {_PLAIN_CHAR}+)*")
_BLOCK_START = re.compile(r"[-+=]|\d{1,9}[.)]")


def render_plain(text: str | None) -> str:
    """Short text: escaped, line breaks kept."""
    if not text:
        return ""
    from markupsafe import escape

    return str(escape(text)).replace("\n", "<br>")
