"""Text segments of an HTML page or an XML feed, as the guard reads them.

A segment is the text of a block element, joined across inline elements (``<b>``, ``<a>`` …),
or one attribute value, or one comment; character references are decoded.  The reference
reading is ``html.parser`` (``_Segments``).  It makes a Python call per token, which made it
the largest cost of a build, so ``markup_segments`` first tries a tokenizer of one regular
expression that accepts only the plain markup the templates write: start tags with
space-separated, quoted or simple unquoted attributes, end tags, comments, a doctype, a
processing instruction and the text between them, plus ``<script>``/``<style>`` bodies read as
``html.parser`` reads them.  On each such token it does exactly what ``html.parser`` does (the
same regular expressions where they decide, the same ``html.unescape`` on the same pieces), so
the segments are the same list.  Anything else (a stray ``<``, a ``<![CDATA[``, an attribute
glued to the previous one, an unterminated tag …) sends the whole text to ``html.parser``.
"""
from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

# elements that do not end a run of text (everything else does: p, td, li, h1, title, entry …)
INLINE = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "label", "mark",
    "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
})


class _Segments(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.segments: list[str] = []
        self._run: list[str] = []

    def _flush(self) -> None:
        if self._run:
            self.segments.append("".join(self._run))
            self._run = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag not in INLINE:
            self._flush()
        for _, value in attrs:
            if value:
                self.segments.append(value)

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag) -> None:
        if tag not in INLINE:
            self._flush()

    def handle_data(self, data) -> None:
        self._run.append(data)

    def handle_comment(self, data) -> None:
        self.segments.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def parser_segments(text: str) -> list[str]:
    """The segments as ``html.parser`` reads them (the reference; any markup)."""
    p = _Segments()
    p.feed(text)
    p.close()
    return p.segments


_WS = "[ \t\n\r\f]"  # the separators accepted here: ASCII ones only (html.parser's \s takes more)
_NAME = "[a-zA-Z_:][-a-zA-Z0-9_:.]*"
# an unquoted value: html.parser takes [^>\s]* (a "/" included); here a subset, followed by a space or ">"
_VALUE = rf"""(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)(?=[ \t\n\r\f>]|\Z))"""
# one attribute of the attributes a _TOKEN start tag matched (\Z: the last one's unquoted value)
_ATTR = re.compile(rf"{_WS}+{_NAME}(?:{_WS}*={_WS}*{_VALUE})?")
_TOKEN = re.compile(
    r"([^<]+)"                                                       # 1 text
    rf"|<([a-zA-Z][a-zA-Z0-9-]*)((?:{_WS}+{_NAME}(?:{_WS}*={_WS}*{_VALUE})?)*){_WS}*(/?)>"  # 2 tag, 3 attrs, 7 "/"
    r"|</\s*([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>"                          # 8 end tag (html.parser's endtagfind)
    r"|<!--(.*?)--\s*>"                                              # 9 comment (ends at html.parser's commentclose)
    r"|<![dD][oO][cC][tT][yY][pP][eE][^>]*>"                         # doctype: ignored
    r"|<\?[^>]*>"                                                    # processing instruction: ignored
    r"|(<)",                                                         # 10 anything else: not handled here
    re.S)
_CDATA_END = {tag: re.compile(r"</\s*%s\s*>" % tag, re.I) for tag in ("script", "style")}  # html.parser's


def fast_segments(text: str) -> list[str] | None:
    """The segments of ``text`` read by the tokenizer of the module docstring, or None where
    it meets markup it does not take (then only ``html.parser`` reads it)."""
    segments: list[str] = []
    append = segments.append
    run: list[str] = []
    pos, n = 0, len(text)
    match = _TOKEN.match
    while pos < n:
        m = match(text, pos)
        pos = m.end()
        if m.lastindex == 1:
            run.append(unescape(m.group(1)))
            continue
        tag = m.group(2)
        if tag is not None:
            tag = tag.lower()
            if tag not in INLINE and run:
                append("".join(run))
                run = []
            attrs = m.group(3)
            if attrs:
                for a in _ATTR.finditer(attrs):
                    value = a.group(1) or a.group(2) or a.group(3)
                    if value:
                        append(unescape(value))
            if tag in _CDATA_END and not m.group(7):  # a script or style body: raw text up to its end tag
                end = _CDATA_END[tag].search(text, pos)
                if end is None:
                    return None
                if end.start() > pos:
                    run.append(text[pos:end.start()])
                if run:
                    append("".join(run))
                    run = []
                pos = end.end()
            continue
        end_tag = m.group(8)
        if end_tag is not None:
            if run and end_tag.lower() not in INLINE:
                append("".join(run))
                run = []
        elif m.lastindex == 9:
            append(m.group(9))
        elif m.lastindex == 10:
            return None
    if run:
        append("".join(run))
    return segments


def markup_segments(text: str) -> list[str]:
    """Text segments of an HTML page or an XML feed (see the module docstring)."""
    fast = fast_segments(text)
    return fast if fast is not None else parser_segments(text)
