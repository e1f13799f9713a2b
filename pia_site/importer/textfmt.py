"""Text for the YAML: rich text that renders as the source reads, and plain text.

Rich text is Markdown with inline HTML.  The source's own text must come out
unchanged on the page, so Markdown that would eat characters is neutralised:
a leading ``1.`` / ``1)`` stays a number (escaped, not an ordered list), heading
marks are dropped (headings belong to the form), ``<input>`` glyphs become
``○`` / nothing, and indentation never reaches a code block.
"""
from __future__ import annotations

import re

from .clean import MD_HEADING, html_to_plain

OL_MARK = re.compile(r"^(\s*)(\d{1,9})([.)])(\s|$)")
INPUT = re.compile(r"<input([^>]*)/?>")


def rich_line(text: str) -> str:
    t = MD_HEADING.sub("", text)
    t = INPUT.sub(lambda m: "○" if "checked" in m.group(1) or 'type="radio"' in m.group(1) else "", t)
    t = OL_MARK.sub(lambda m: f"{m.group(1)}{m.group(2)}\\{m.group(3)}{m.group(4)}", t)
    t = re.sub(r"^\s{4,}", "  ", t)
    t = re.sub(r"^(\s*)([-*+])\s*$", r"\1\\\2", t)  # a lone "-" is text, not an empty list item
    return t.replace("\t", " ").rstrip()


def rich_text(pieces) -> str:
    """Join source pieces (``Piece``) into one Markdown value, keeping paragraph breaks."""
    out: list[str] = []
    prev = None
    for p in pieces:
        t = rich_line(p.text)
        if not t.strip():
            continue
        if prev is not None:
            if p.gap or p.row or prev.row or t.lstrip().startswith("<"):
                out.append("")
        out.append(t)
        prev = p
    return "\n".join(out).strip("\n")


def plain_text(pieces) -> str:
    lines: list[str] = []
    for p in pieces:
        t = html_to_plain(INPUT.sub("", p.text))
        if t.strip():
            lines.extend(x for x in t.split("\n") if x.strip())
    return "\n".join(lines).strip()


def rich_block(text: str) -> str:
    """A free block (attachment notes, unplaced text) made render-safe line by line."""
    return "\n".join(rich_line(ln) if ln.strip() else "" for ln in text.split("\n")).strip("\n")
