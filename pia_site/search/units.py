"""Search units: the assessment items and sections a result links to.

A unit is one item (a row of the form, with its anchor) or one section-level
value (a repeated-group instance's title, 記録項目, 事務の内容 diagrams, a change-log
row).  Its text is taken from the same view objects the page templates render
(``views.assessment_view``), with tags stripped, so a unit's text is what the
page shows in that item's value cell.  Printed labels and the unselected options
of choice lists are form boilerplate and are not searched; they are kept as the
unit's title and section path.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from typing import Iterator

from .. import urls
from ..model import Assessment, Site
from ..views.assessment import AssessmentView, Box, Row, Special, Table, ValueView, assessment_view
from .normalise import SEPARATOR
from .slots import doc_slots

_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Unit:
    anchor: str
    title: str  # printed label of the item
    section: tuple[str, ...]  # printed headings from the part down
    text: str  # display text: values joined by SEPARATOR, white space collapsed
    item: str = ""  # catalog id of an item written in words (its answers are listed by item: builder.item_key)


@dataclass(frozen=True)
class Doc:
    """One assessment with the facts the search facets need."""

    url: str  # site-relative page URL
    title: str
    municipality: str  # slug
    form: str  # the form's name (catalog.form_names(): 全項目評価書, 重点項目評価書, …)
    jimu: str  # 事務の名称
    published: str  # ISO date or ""
    units: tuple[Unit, ...]
    edition: str = ""  # catalog form id (``Form.id``: kind/edition) whose form units apply to it
    parts: tuple[str, ...] = ()  # top-level parts its page prints (formtext.doc_slots)
    ids: tuple[tuple[str, str], ...] = ()  # first file / block / instance ids (formtext.doc_slots)
    state: str = ""  # the document state (model.STATES: 作成中, 意見聴取中, 公表, 終了, 置き換え)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag, attrs) -> None:
        self.parts.append(" ")

    def handle_endtag(self, tag) -> None:
        self.parts.append(" ")


def html_text(html: str) -> str:
    """Plain text of an HTML fragment: tags become spaces, runs of white space one space."""
    if "<" not in html and "&" not in html:
        return _WS.sub(" ", html).strip()
    p = _Text()
    p.feed(str(html))
    p.close()
    return _WS.sub(" ", "".join(p.parts)).strip()


def _plain(s: str | None) -> str:
    return _WS.sub(" ", s or "").strip()


def _join(values) -> str:
    return SEPARATOR.join(v for v in values if v)


def value_text(v: ValueView) -> str:
    """What the page shows for a value, without the form's boilerplate."""
    k = v.kind
    if k in ("text", "rich", "count", "derived", "date", "period"):
        return "" if v.empty else html_text(v.html)
    if k == "choice":
        parts = [_plain(v.selected) if v.selected else ""]
        if v.count_suffix and v.count:
            parts.append(_plain(f"{v.count} {v.count_suffix}"))
        return _join(parts)
    if k == "check":
        out = []
        for _caption, opts in v.captions:
            for o in opts:
                if o.selected:
                    out.append(_plain(o.text + (f" ( {o.detail} )" if o.detail else "")))
        return _join(out + [v.unknown_note])
    if k == "record_items":
        out = []
        for name, items in v.record_groups:
            out.append(_plain(name))
            out.extend(f"{no}. {_plain(item)}" for no, item in items)
        return _join(out + [html_text(v.html)])
    return ""  # flag, fixed, ref, heading: form text


def _rows(rows: tuple[Row, ...], section: tuple[str, ...]) -> Iterator[Unit]:
    for r in rows:
        text = value_text(r.value)
        if text:
            yield Unit(r.anchor, _plain(r.label), section, text, r.item)
        if r.rows:
            yield from _rows(r.rows, section + (_plain(r.label),))


def _box(b: Box, section: tuple[str, ...]) -> Iterator[Unit]:
    if b.subheading and b.level > 2:  # a group instance's title (a part's is a file name)
        yield Unit(b.anchor, _plain(b.heading), section, _plain(b.subheading))
    # a part repeated per file names its file, so that the items of two files can be told apart
    here = section + (_plain(f"{b.heading}（{b.subheading}）" if b.subheading and b.level <= 2 else b.heading),)
    yield from _rows(b.flags, here)
    for part in b.body:
        if isinstance(part, Table):
            yield from _rows(part.rows, here)
        elif isinstance(part, Special):
            text = value_text(part.value)
            if text:
                yield Unit(b.anchor, _plain(b.heading), section, text)
        elif isinstance(part, Box):
            yield from _box(part, here)


def view_units(view: AssessmentView) -> Iterator[Unit]:
    for box in view.parts:
        yield from _box(box, ())
    for line, html in view.unplaced:
        yield Unit("unplaced", f"元の文書の {line} 行", ("取り込み時に項目へ配置できなかった記載",), html_text(html))
    if view.changes_box is not None:
        heading = _plain(view.changes_box.heading)
        for c in view.changes:
            text = _join([c.date_text, _plain(c.item), html_text(c.before), html_text(c.after), c.timing,
                          html_text(c.timing_note)])  # every cell of the row as printed
            if text:
                yield Unit(c.anchor, _plain(f"{c.date_text} {c.item}") or heading, (heading,), text)


def assessment_doc(site: Site, a: Assessment, view: AssessmentView | None = None) -> Doc:
    """The search document of an assessment (``view``: its page's view, if already built)."""
    return doc_from_view(a, view if view is not None else assessment_view(site, a))


def doc_from_view(a: Assessment, view: AssessmentView) -> Doc:
    """The search document of ``a`` from the view its page was rendered from (no second walk)."""
    jimu = ((a.parts.get("basic_info") or {}).get("jimu") or {}).get("name") or ""
    pub = a.published
    parts, ids = doc_slots(a)
    return Doc(urls.assessment_page(a.municipality, a.slug), _plain(a.title), a.municipality, a.form.name,
               _plain(jimu), pub.iso if pub else "", tuple(view_units(view)), a.form.id, parts, ids,
               a.status.state)


def doc_order(site: Site) -> list[Assessment]:
    """The order documents are indexed in: their pages' URLs (as the build feeds ``IndexBuilder``)."""
    return sorted(site.assessments, key=lambda a: urls.assessment_page(a.municipality, a.slug))


def site_docs(site: Site) -> list[Doc]:
    """Every assessment, in a stable order: ``doc_order``."""
    return [assessment_doc(site, a) for a in doc_order(site)]
