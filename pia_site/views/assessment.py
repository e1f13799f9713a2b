"""The assessment page's view: an ``Assessment`` walked in catalog order into frozen boxes, rows
and values (order, numbering, labels, ※ as the catalog shapes them)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from .. import anchors, urls
from ..catalog import Form, Node
from ..compare.items import TEXT_KINDS, compared
from ..filters import file_ordinal_names, wareki
from ..markup import render_plain, render_rich
from ..partner import partner_links
from ..model import Assessment, DateValue, Instance, Municipality, Period, RecordItems, Site, SiteConfig, Withheld
from ..validate.lifecycle import WITHHELD_NOTICE
from .state import StateView, state_view


@dataclass(frozen=True)
class OptionView:
    number: int
    text: str
    selected: bool
    detail: str | None = None
    has_detail: bool = False
    suffix: str = ""


# What a check item whose boxes' states were lost (an imported document) shows instead of them.
UNKNOWN_CHECKS = "（チェックの状態は記載されていません）"


@dataclass(frozen=True)
class ValueView:
    kind: str
    html: Markup = Markup("")  # text / rich / fixed / derived
    empty: bool = False
    options: tuple[OptionView, ...] = ()
    selected: str | None = None
    captions: tuple[tuple[str, tuple[OptionView, ...]], ...] = ()
    unknown: bool = False  # checkbox states lost
    iso: str = ""
    count: str | None = None
    count_suffix: str = ""
    record_groups: tuple[Any, ...] = ()

    @property
    def unknown_note(self) -> str:
        return UNKNOWN_CHECKS if self.unknown else ""


@dataclass(frozen=True)
class Row:
    anchor: str
    label: str
    star: bool
    value: ValueView
    rows: tuple["Row", ...] = ()
    history: tuple[Any, ...] = ()  # views.changes.RowLink: the change rows that changed this item
    compare: str = ""  # its compare page (他団体の記載と比べる); "" for form text
    item: str = ""  # catalog id of an item written in words (compare.items.TEXT_KINDS): its answers are listed by item


@dataclass(frozen=True)
class Table:
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Special:
    """A part rendered by its value alone (記録項目, 事務の内容)."""

    value: ValueView


@dataclass(frozen=True)
class Bucket:
    label: str


@dataclass(frozen=True)
class Box:
    anchor: str
    heading: str
    level: int
    star: bool = False
    star_note: str = ""
    subheading: str = ""
    flags: tuple[Row, ...] = ()
    body: tuple[Any, ...] = ()  # Table | Box | Bucket
    history: tuple[Any, ...] = ()


@dataclass(frozen=True)
class ChangeRowView:
    anchor: str
    date_text: str
    iso: str
    item: str
    before: Markup
    after: Markup
    timing: str
    timing_note: Markup
    links: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class TocEntry:
    anchor: str
    text: str
    children: tuple["TocEntry", ...] = ()  # the part's sections: the table of contents' second level


@dataclass(frozen=True)
class AssessmentView:
    title: str
    form_title: str
    form_name: str
    edition: str
    stamp: str
    municipality: Municipality
    assessor: str
    published: str
    published_iso: str
    toc: tuple[TocEntry, ...]
    parts: tuple[Box, ...]
    changes: tuple[ChangeRowView, ...]
    changes_box: Box | None
    unplaced: tuple[tuple[int, Markup], ...] = ()
    changes_href: str = ""
    partners: tuple[Any, ...] = ()  # partner.PartnerLink: the 基礎項目評価書 and its 重点/全項目 partner
    state: StateView | None = None
    source_url: str = ""  # the document as filed (PDF)
    ppc_url: str = ""  # its page on the 個人情報保護委員会's site


class _Ctx:
    def __init__(self, config: SiteConfig, assessment: Assessment, history: dict | None = None, page: str = ""):
        self.config = config
        self.a = assessment
        self.page = page
        self.file_names = {f.id: f.name for f in assessment.files}
        self.history = history or {}

    def date(self, v: DateValue) -> str:
        return wareki(v, self.config.gannen, self.config.seireki)


def _value(ctx: _Ctx, node: Node, value: Any, siblings: dict, scope: dict) -> ValueView:
    kind = node.kind
    if isinstance(value, Withheld):  # 規則第13条: the fixed notice stands for the item
        return ValueView("text", Markup('<span class="withheld">{}</span>').format(WITHHELD_NOTICE))
    if kind in ("text", "count"):
        return ValueView(kind, Markup(render_plain(value)), empty=not value)
    if kind == "rich":
        return ValueView(kind, Markup(render_rich(value)), empty=not value)
    if kind == "choice":
        fam = node.family
        opts = tuple(OptionView(o.number, o.text, o.text == value) for o in fam.options)
        count = siblings.get(node.count_key) if node.count_key else None
        return ValueView(kind, options=opts, selected=value, empty=value is None, count=count,
                         count_suffix=node.count_suffix if node.count_key else "")
    if kind == "check":
        checked = {c.text: c for c in value} if value is not None else {}
        caps = []
        for caption, opts in node.family.captions:
            caps.append((caption, tuple(
                OptionView(o.number, o.text, o.text in checked, checked[o.text].detail if o.text in checked else None,
                           o.detail is not None, o.suffix) for o in opts)))
        return ValueView(kind, captions=tuple(caps), unknown=value is None)
    if kind == "date":
        if isinstance(value, DateValue):
            return ValueView(kind, Markup.escape(ctx.date(value)), iso=value.iso)
        return ValueView(kind, Markup.escape(value or ""), empty=not value)
    if kind == "period":
        if isinstance(value, Period):
            def t(d: DateValue | None) -> Markup:
                return Markup('<time datetime="{}">{}</time>').format(d.iso, ctx.date(d)) if d else Markup("")
            start, end = t(value.start), t(value.end)
            html = (start + Markup("から") if start else Markup("")) + (end + Markup("まで") if end else Markup(""))
            return ValueView(kind, html)
        return ValueView(kind, Markup.escape(value or ""), empty=not value)
    if kind == "flag":
        return ValueView(kind, selected="true" if value else None)
    if kind in ("ref", "fixed"):
        return ValueView(kind, Markup(render_plain(node.text)))
    if kind == "derived":
        names: list[str]
        if node.source == "file_names":
            names = file_ordinal_names([f.name for f in ctx.a.files])
        elif node.source == "block_file_names":
            names = file_ordinal_names([ctx.file_names.get(f, f) for f in scope.get("block_files", ())])
        elif node.source == "file_name":
            names = [scope.get("file_name", "")]
        else:
            raise ValueError(f"unknown derived source {node.source}")
        return ValueView(kind, Markup("<br>").join(Markup.escape(n) for n in names))
    if kind == "record_items":
        groups = value.groups if isinstance(value, RecordItems) else ()
        note = Markup(render_rich(value.note)) if isinstance(value, RecordItems) and value.note else Markup("")
        return ValueView(kind, note, record_groups=tuple(
            (g.name, tuple((g.start + i, item) for i, item in enumerate(g.items))) for g in groups), empty=not groups)
    if kind == "heading":
        return ValueView(kind)
    raise ValueError(kind)


def _row(ctx: _Ctx, node: Node, values: dict, base: str, scope: dict) -> Row:
    anchor = anchors.member(base, node)
    sub = tuple(_row(ctx, r, values, base, scope) for r in node.rows)
    compare = urls.relative(ctx.page, urls.compare_page(ctx.a.form.kind, node.id)) if compared(node) and ctx.page else ""
    return Row(anchor, node.printed, node.star, _value(ctx, node, values.get(node.key), values, scope), sub,
               ctx.history.get(anchor, ()), compare, node.id if node.kind in TEXT_KINDS else "")


def _is_box(node: Node) -> bool:
    return node.kind in ("section", "risk", "group", "part")


def _box(ctx: _Ctx, node: Node, values: dict, anchor: str, level: int, scope: dict, heading: str | None = None, subheading: str = "") -> Box:
    body: list[Any] = []
    rows: list[Row] = []
    flags: list[Row] = []
    counts = {c.count_key for c in node.children if c.count_key}

    def flush():
        if rows:
            body.append(Table(tuple(rows)))
            rows.clear()

    for child in node.children:
        if child.key in counts:
            continue  # printed inside its choice cell
        if child.kind == "flag":
            flags.append(_row(ctx, child, values, anchor, scope))
        elif child.kind == "group":
            flush()
            body.extend(_group(ctx, child, values.get(child.key) or (), anchors.member(anchor, child), level + 1, scope))
        elif _is_box(child):
            flush()
            body.append(_box(ctx, child, values.get(child.key) or {}, anchors.member(anchor, child), level + 1, scope))
        else:
            rows.append(_row(ctx, child, values, anchor, scope))
    flush()
    return Box(anchor, heading if heading is not None else node.printed, min(level, 6), node.star, node.star_note,
               subheading, tuple(flags), tuple(body), ctx.history.get(anchor, ()))


def _group(ctx: _Ctx, node: Node, instances: tuple[Instance, ...], anchor: str, level: int, scope: dict) -> list[Any]:
    """A repeated group: a heading for the group, then its instances with slot-bucket headers."""
    inner: list[Any] = []
    buckets = node.printed_buckets
    # the form always prints slot 1, empty when the group has no instance
    by_no = sorted(instances, key=lambda i: i.no) or [Instance("1", 1, {})]
    printed: set[tuple[int, int]] = set()

    for inst in by_no:
        for b in buckets:
            if b not in printed and b[0] <= inst.no and (ctx.config.empty_buckets or b[1] >= inst.no):
                inner.append(Bucket(node.bucket_label(b)))
                printed.add(b)
        title_key = next((c.key for c in node.children if c.role == "title"), None)
        sub = inst.values.get(title_key) if title_key else None
        box = _box(ctx, _without(node, title_key), inst.values, anchors.instance(anchor, inst), level + 1, scope,
                   heading=f"{node.instance_label}{inst.no}", subheading=sub or "")
        inner.append(box)
    if ctx.config.empty_buckets:
        for b in buckets:
            if b not in printed:
                inner.append(Bucket(node.bucket_label(b)))
    return [Box(anchor, node.printed, min(level, 6), node.star, node.star_note, body=tuple(inner), history=ctx.history.get(anchor, ()))]


def _without(node: Node, key: str | None) -> Node:
    if key is None:
        return node
    from dataclasses import replace

    return replace(node, children=tuple(c for c in node.children if c.key != key))


def _changes(ctx: _Ctx, a: Assessment) -> tuple[ChangeRowView, ...]:
    out = []
    linked = a.change_links or tuple(() for _ in a.changes)
    for i, (row, targets) in enumerate(zip(a.changes, linked), 1):
        links = tuple((t, f"#{t}") for t in targets)
        out.append(ChangeRowView(
            anchors.change_row(i), ctx.date(row.date) if row.date else "", row.date.iso if row.date else "",
            row.item, Markup(render_rich(row.before)), Markup(render_rich(row.after)), row.timing or "",
            Markup(render_rich(row.timing_note)), links))
    return tuple(out)


def assessment_view(site: Site, a: Assessment) -> AssessmentView:
    from .changes import history_links

    page = urls.assessment_page(a.municipality, a.slug)
    ctx = _Ctx(site.config, a, history_links(site, a, page), page)
    form = a.form
    parts: list[Box] = []
    toc: list[TocEntry] = []
    changes_box = None
    multi = len(a.files) > 1
    for part in _ordered_parts(form, a):
        node, file, block = part
        if node.kind == "changelog":
            changes_box = Box(anchors.part_anchor(node), node.printed, 2)
            toc.append(TocEntry(changes_box.anchor, node.printed))
            continue
        if file is not None:
            anchor = anchors.part_anchor(node, file=file)
            scope = {"file_name": file.name}
            sub = f"{file.no}. {file.name}" if multi else ""
            values = file.parts.get(node.key)
        elif block is not None:
            anchor = anchors.part_anchor(node, block=block)
            scope = {"block_files": block.files}
            sub = "、".join(ctx.file_names.get(f, f) for f in block.files) if len(a.parts.get(node.key, ())) > 1 else ""
            values = block.values
        else:
            anchor, scope, sub, values = anchors.part_anchor(node), {}, "", a.parts.get(node.key)
        if node.kind in ("record_items", "diagrams"):
            box = Box(anchor, node.printed, 2, node.star, node.star_note, sub,
                      body=(Special(_special(ctx, node, values)),))
        else:
            box = _box(ctx, node, values or {}, anchor, 2, scope, subheading=sub)
        parts.append(box)
        toc.append(TocEntry(anchor, node.printed + (f"（{sub}）" if sub else ""), _sections(box)))
    published = a.published
    return AssessmentView(
        title=a.title, form_title=form.title, form_name=form.name, edition=form.edition, stamp=form.stamp,
        municipality=next(m for m in site.municipalities if m.slug == a.municipality),
        assessor=a.cover("assessor") or "", published=ctx.date(published) if published else "",
        published_iso=published.iso if published else "", toc=tuple(toc), parts=tuple(parts),
        changes=_changes(ctx, a), changes_box=changes_box,
        unplaced=tuple((u.source_line, Markup(render_rich(u.text))) for u in a.unplaced),
        changes_href=urls.relative(page, urls.assessment_changes_page(a.municipality, a.slug)) if a.changes else "",
        partners=partner_links(site.assessments, a, page),
        state=state_view(site.config, a, page), source_url=a.source_url, ppc_url=a.ppc_url)


def _sections(box: Box) -> tuple[TocEntry, ...]:
    """A part's sections (its boxes one level down), for the table of contents."""
    return tuple(TocEntry(b.anchor, b.heading + (f" {b.subheading}" if b.subheading else ""))
                 for b in box.body if isinstance(b, Box))


def _special(ctx: _Ctx, node: Node, values: Any) -> ValueView:
    if node.kind == "record_items":
        return _value(ctx, node, values, {}, {})
    diagrams = values or ()
    html = Markup("").join(
        Markup("<section class=\"diagram\"><p class=\"diagram-title\">{}</p><p class=\"diagram-subtitle\">{}</p>{}{}</section>").format(
            d.title or "", d.subtitle or "",
            Markup("<p class=\"figure-missing\">図: {}</p>").format(d.figure) if d.figure else Markup(""),
            Markup(render_rich(d.notes))) for d in diagrams)
    return ValueView("rich", html, empty=not diagrams)


def _ordered_parts(form: Form, a: Assessment):
    """Document order: file-scoped parts repeat per file, III per block."""
    parts = list(form.parts)
    i = 0
    while i < len(parts):
        node = parts[i]
        if node.scope == "file":
            run = []
            while i < len(parts) and parts[i].scope == "file":
                run.append(parts[i])
                i += 1
            for f in a.files:
                for p in run:
                    yield p, f, None
            continue
        if node.scope == "file_block":
            for b in a.parts.get(node.key, ()):
                yield node, None, b
        elif node.kind == "changelog" or node.key in a.parts or node.key == "cover":
            yield node, None, None
        i += 1
