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
``fast_segments`` reaches the tokenizer's tokens faster still: it cuts the page at its tags
and reads each distinct tag once (see ``_PIECE``).
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
_VALUE = r"""(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)(?=[ \t\n\r\f>]|\Z))"""
# one attribute of the attributes a _TOKEN start tag matched (\Z: the last one's unquoted value)
_ATTR = re.compile(rf"{_WS}+{_NAME}(?:{_WS}*={_WS}*{_VALUE})?")
# Each alternative's outermost group closes last, so ``lastindex`` says which one matched.
_TOKEN = re.compile(
    r"([^<]+)"                                                              # 1 text
    rf"|(<([a-zA-Z][a-zA-Z0-9-]*)((?:{_WS}+{_NAME}(?:{_WS}*={_WS}*{_VALUE})?)*){_WS}*(/?)>)"  # 2 tag: 3 name, 4 attributes, 8 "/"
    r"|(</\s*([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>)"                              # 9 end tag: 10 name (html.parser's endtagfind)
    r"|(<!--(.*?)--\s*>)"                                                   # 11 comment: 12 text (up to html.parser's commentclose)
    r"|(<![dD][oO][cC][tT][yY][pP][eE][^>]*>|<\?[^>]*>)"                    # 13 doctype, processing instruction: ignored
    r"|(<)",                                                                # 14 anything else: not handled here
    re.S)
_TEXT, _START, _END, _COMMENT, _IGNORED, _OTHER = 1, 2, 9, 11, 13, 14
_CDATA_END = {tag: re.compile(r"</\s*%s\s*>" % tag, re.I) for tag in ("script", "style")}  # html.parser's


def token_segments(text: str) -> list[str] | None:
    """The segments of ``text`` read by the tokenizer of the module docstring, or None where
    it meets markup it does not take (then only ``html.parser`` reads it)."""
    segments: list[str] = []
    append = segments.append
    run: list[str] = []
    pos, n = 0, len(text)
    while pos < n:
        for m in _TOKEN.finditer(text, pos):  # the tokens cover the text: [^<]+ or something at "<"
            k = m.lastindex
            if k == _TEXT:
                piece = m.group(1)
                run.append(unescape(piece) if "&" in piece else piece)
            elif k == _START:
                tag = m.group(3).lower()
                if run and tag not in INLINE:
                    append("".join(run))
                    run = []
                attrs = m.group(4)
                if attrs:
                    for dq, sq, bare in _ATTR.findall(attrs):
                        value = dq or sq or bare
                        if value:
                            append(unescape(value) if "&" in value else value)
                if tag in _CDATA_END and not m.group(8):  # a script or style body: raw text up to its end tag
                    end = _CDATA_END[tag].search(text, m.end())
                    if end is None:
                        return None
                    if end.start() > m.end():
                        run.append(text[m.end():end.start()])
                    if run:
                        append("".join(run))
                        run = []
                    pos = end.end()
                    break  # go on after the end tag
            elif k == _END:
                if run and m.group(10).lower() not in INLINE:
                    append("".join(run))
                    run = []
            elif k == _COMMENT:
                append(m.group(12))
            elif k == _OTHER:
                return None
        else:
            break
    if run:
        append("".join(run))
    return segments


# A shortcut to the same tokens: the text cut at every "<…>" without "<" or ">" inside, each
# such piece read with _TOKEN once per distinct piece (a page repeats its tags).  A piece
# _TOKEN takes whole is the very token it reads at that place (its only ">" is the last
# character, and no reading of a quote could carry the token past it); text between two
# pieces without "<" is a text token.  Anything else goes back to token_segments.
_PIECE = re.compile(r"(<[^<>]*>)")
_CDATA_OPEN = re.compile(r"<(?:[sS][cC][rR][iI][pP][tT]|[sS][tT][yY][lL][eE])(?![a-zA-Z0-9-])")
_KNOWN: dict[str, tuple[bool, tuple[str, ...]]] = {}  # piece -> (ends the run, segments it adds)
_KNOWN_MAX = 20_000  # distinct tags: a large page has about 2,000


def _known(piece: str) -> tuple[bool, tuple[str, ...]] | None:
    m = _TOKEN.fullmatch(piece)
    if m is None:
        return None
    k = m.lastindex
    if k == _START:
        tag = m.group(3).lower()
        if tag in _CDATA_END:
            return None  # a script or style body is read from the page (fast_segments)
        values = tuple(unescape(v) for v in (dq or sq or bare for dq, sq, bare in _ATTR.findall(m.group(4))) if v)
        known = (tag not in INLINE, values)
    elif k == _END:
        known = (m.group(10).lower() not in INLINE, ())
    elif k == _COMMENT:
        known = (False, (m.group(12),))
    elif k == _IGNORED:
        known = (False, ())
    else:
        return None
    if len(_KNOWN) >= _KNOWN_MAX:
        _KNOWN.clear()
    _KNOWN[piece] = known
    return known


# What a line of a page (its text up to and with its "\n") does to the segments and the run,
# per distinct line (the pages of a site repeat their header, footer and table lines):
# (texts before its first run-ending tag, attribute values before that tag, whether it has
# one, the segments from that tag on, the texts after its last run-ending tag); None: the
# line is not plain by itself (a tag that spans lines …).  A line read whole gives the same
# segments as the pieces of the page around it: the run is joined, and no character
# reference holds a "\n" (html.unescape's references stop at it).
_LINES: dict[str, tuple | None] = {}
_LINES_MAX = 50_000  # distinct lines: a compare page has about 60, most shared


def _line(line: str) -> tuple | None:
    """What ``line`` (or any text without script or style) does to the segments and the run, as
    above; None where a piece is not a whole token."""
    parts = _PIECE.split(line)
    get = _KNOWN.get
    run: list[str] = []
    values_before: list[str] = []
    after: list[str] | None = None  # the segments from the first run-ending tag on
    head: list[str] = []
    for i in range(1, len(parts), 2):
        text = parts[i - 1]
        if text:
            if "<" in text:
                return None
            run.append(unescape(text) if "&" in text else text)
        known = get(parts[i]) or _known(parts[i])
        if known is None:
            return None
        ends, values = known
        if ends:
            if after is None:
                head, run, after = run, [], []
            elif run:
                after.append("".join(run))
                run = []
        if values:
            (values_before if after is None else after).extend(values)
    text = parts[-1]
    if text:
        if "<" in text:
            return None
        run.append(unescape(text) if "&" in text else text)
    if after is None:
        return (run, values_before, False, [], [])
    return (head, values_before, True, after, run)


def _lines(region: str, segments: list[str], run: list[str]) -> bool:
    """``_plain``'s reading of ``region``, a line at a time from ``_LINES``; False (``segments``
    and ``run`` as they were) where a line is not plain by itself."""
    n, kept = len(segments), list(run)
    lines = region.split("\n")
    last = len(lines) - 1
    get = _LINES.get
    for k, line in enumerate(lines):
        if k < last:
            line += "\n"
        elif not line:
            break
        effect = get(line, False)
        if effect is False:
            effect = _line(line)
            if len(_LINES) >= _LINES_MAX:
                _LINES.clear()
            _LINES[line] = effect
        if effect is None:
            del segments[n:]
            run[:] = kept
            return False
        _apply(effect, segments, run)
    return True


def _apply(effect: tuple, segments: list[str], run: list[str]) -> None:
    """Put what ``_line`` read of a text into ``segments`` and ``run``."""
    before, values, ends, after, rest = effect
    if values:
        segments.extend(values)
    if before:
        run.extend(before)
    if ends:
        if run:
            segments.append("".join(run))
            run.clear()
        segments.extend(after)
        if rest:
            run.extend(rest)


def _plain(region: str, segments: list[str], run: list[str]) -> bool:
    """Read ``region`` (no script or style tag in it) into ``segments`` and ``run``; False
    where a piece is not a whole token (the caller starts again with token_segments)."""
    if _lines(region, segments, run):
        return True
    effect = _line(region)  # a tag over several lines: the region read whole
    if effect is None:
        return False
    _apply(effect, segments, run)
    return True


def fast_segments(text: str) -> list[str] | None:
    """The segments ``token_segments`` reads (None where it hands over to html.parser), by
    the shortcut above between script and style elements, which it reads as token_segments does."""
    segments: list[str] = []
    run: list[str] = []
    pos, n = 0, len(text)
    while pos < n:
        cdata = _CDATA_OPEN.search(text, pos)
        if not _plain(text[pos:cdata.start() if cdata else n], segments, run):
            return token_segments(text)
        if cdata is None:
            break
        m = _TOKEN.match(text, cdata.start())  # a token boundary: _plain read the text before it whole
        if m.lastindex != _START:
            return token_segments(text)
        if run:  # script and style end a run
            segments.append("".join(run))
            run.clear()
        segments.extend(unescape(v) for v in (dq or sq or bare for dq, sq, bare in _ATTR.findall(m.group(4))) if v)
        pos = m.end()
        if not m.group(8):
            end = _CDATA_END[m.group(3).lower()].search(text, pos)
            if end is None:
                return None
            if end.start() > pos:
                segments.append(text[pos:end.start()])  # the body, alone in its run
            pos = end.end()
    if run:
        segments.append("".join(run))
    return segments


def markup_segments(text: str) -> list[str]:
    """Text segments of an HTML page or an XML feed (see the module docstring)."""
    fast = fast_segments(text)
    return fast if fast is not None else parser_segments(text)
