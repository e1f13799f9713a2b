"""Source-level scan: every string scalar of the loaded YAML documents.

A finding keeps the exact ``file:line:col`` of the matched characters (found in the
document text from the scalar's own position) and the YAML key path of the scalar.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from ..diagnostics import SourceLocation
from ..load import ContentSource, SourceDocument, YMap, YNode, YScalar, YSeq
from .patterns import Kind, Match, may_match, normalise_value, scan_text


@dataclass(frozen=True, slots=True)
class Finding:
    kind: Kind
    value: str      # normalised matched text (the key used to match output findings to sources)
    shown: str      # NFKC text of the match (masked before it is shown)
    location: SourceLocation
    key_path: str = ""


def documents(source: ContentSource) -> Iterator[SourceDocument]:
    if source.site is not None:
        yield source.site
    for ms in source.municipalities:
        if ms.municipality is not None:
            yield ms.municipality
        yield from ms.assessments


def scalars(node: YNode | None, path: str = "") -> Iterator[tuple[str, YScalar]]:
    """``(key path, scalar)`` of every value scalar below ``node`` (keys are the catalog's words)."""
    if isinstance(node, YScalar):
        if node.value:
            yield path, node
    elif isinstance(node, YMap):
        for k, v in node.entries:
            yield from scalars(v, f"{path}.{k.value}" if path else str(k.value))
    elif isinstance(node, YSeq):
        for i, v in enumerate(node.items):
            yield from scalars(v, f"{path}[{i}]")


def _locate(doc: SourceDocument, scalar: YScalar, text: str, m: Match, after: SourceLocation) -> SourceLocation:
    """Where the matched characters are in the file; the scalar's start when they cannot be
    found literally (escapes in a quoted scalar, a match folded over lines)."""
    first_line = text[m.start:m.end].split("\n", 1)[0].strip()
    found = doc.locate(first_line, after) if first_line else None
    return found or scalar.loc


ALLOW_KEY = "personal_data_allow"  # site.yaml: the allowlist itself is not published


def allow_entries(site: SourceDocument | None) -> list[str]:
    """The strings under site.yaml ``personal_data_allow``, read leniently (for ``check`` when
    site.yaml has other errors; validate.py reports a malformed list)."""
    if site is None or not isinstance(site.root, YMap):
        return []
    return [s.value or "" for path, s in scalars(site.root.get(ALLOW_KEY), ALLOW_KEY)]


def scan_document(doc: SourceDocument, allow: frozenset[str], skip: str = "") -> list[Finding]:
    found = [(key_path, scalar) for key_path, scalar in scalars(doc.root)
             if not (skip and (key_path == skip or key_path.startswith(skip + "[")))]
    # scan_text finds nothing in a text may_match leaves out: only the others are scanned
    values = [scalar.value or "" for _, scalar in found]
    unescaped = {i: html.unescape(v) for i, v in enumerate(values) if "&" in v}
    owner = list(range(len(values))) + list(unescaped)  # the scalar each text comes from
    keep = {owner[k] for k in may_match(values + list(unescaped.values()))}
    out: list[Finding] = []
    for i in sorted(keep):
        key_path, scalar = found[i]
        value = values[i]
        after = scalar.loc
        seen: set[tuple[Kind, str]] = set()
        for m in scan_text(value, allow):
            loc = _locate(doc, scalar, value, m, after)
            if loc is not scalar.loc:
                after = SourceLocation(loc.path, loc.line, loc.column + 1)
            out.append(Finding(m.kind, m.value, m.shown, loc, key_path))
            seen.add((m.kind, m.value))
        if i in unescaped:  # character references a page would decode (&#49; is "1")
            for m in scan_text(unescaped[i], allow):
                if (m.kind, m.value) not in seen:
                    out.append(Finding(m.kind, m.value, m.shown, scalar.loc, key_path))
    return out


def scan_source(source: ContentSource, allow: frozenset[str]) -> list[Finding]:
    out: list[Finding] = []
    for doc in documents(source):
        out.extend(scan_document(doc, allow, ALLOW_KEY if doc is source.site else ""))
    return out



_MARKUP = re.compile(r"<[^>]*>|[*_`~\\]")


def holders_in(docs: Iterable[SourceDocument], values: list[str]) -> dict[str, list[tuple[SourceLocation, str]]]:
    """For each of ``values``, ``(location, key path)`` of every scalar of ``docs`` whose text, with
    markup (tags, Markdown emphasis) removed, holds it (a normalised match): where a match the page
    puts together from split text (``**1234** 5678 9018``) was written.  One pass over ``docs``,
    which may be read one at a time."""
    out: dict[str, list[tuple[SourceLocation, str]]] = {v: [] for v in values}
    for doc in docs:
        for key_path, scalar in scalars(doc.root):
            text = normalise_value(_MARKUP.sub("", html.unescape(scalar.value or "")))
            for v in values:
                if v in text:
                    out[v].append((scalar.loc, key_path))
    return out
