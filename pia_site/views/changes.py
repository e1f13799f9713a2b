"""Views of the change log (変更箇所): per-assessment revision pages, item history,
the site-wide 更新履歴 and the Atom feeds."""
from __future__ import annotations

import heapq
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter

from markupsafe import Markup

from .. import urls
from ..diff import Piece, word_diff
from ..filters import wareki
from ..link import item_history
from ..markup import render_rich
from .memo import IdentityMemo
from .printed import JOIN, printed_paths
from ..model import COMMENT, Assessment, ChangeRow, DateValue, Municipality, Site, SiteConfig
from .state import StateView, state_view

CURRENT = "今回の変更"


@dataclass(frozen=True)
class RowLink:
    href: str
    text: str


@dataclass(frozen=True)
class ChangeEntry:
    no: int
    anchor: str
    item: str
    links: tuple[RowLink, ...]
    before: Markup
    after: Markup
    diff: tuple[Piece, ...]
    timing: str
    timing_note: Markup


@dataclass(frozen=True)
class Revision:
    anchor: str
    date_text: str
    iso: str
    rows: tuple[ChangeEntry, ...]

    @property
    def heading(self) -> str:
        """``令和3年2月4日の変更``; the current edition's is ``今回の変更`` (never 今回の変更の変更)."""
        return self.date_text if self.date_text.startswith(CURRENT) else f"{self.date_text}の変更"


@dataclass(frozen=True)
class ChangesPage:
    assessment: Assessment
    municipality: Municipality
    page_href: str  # the assessment page, relative to the changes page
    revisions: tuple[Revision, ...]
    unlinked: int


def effective_rows(a: Assessment) -> list[tuple[int, ChangeRow, DateValue | None, str, str | None]]:
    """(number, row, date, timing, timing note): a continuation row inherits the previous row's."""
    out = []
    prev = (None, "", None)
    for i, row in enumerate(a.changes, 1):
        if row.is_continuation and i > 1:
            date, timing, note = prev
        else:
            date, timing, note = row.date, row.timing or "", row.timing_note
            prev = (date, timing, note)
        out.append((i, row, date, timing, note))
    return out


ITEM_CHARS = 60  # of a change row's item, in listings, the site-wide 更新履歴 and the feeds


def short_item(item: str) -> str:
    """What the site-wide pages show of a change row's item: its words, at most ``ITEM_CHARS``."""
    return " ".join(item.split())[:ITEM_CHARS]


def kept_item(item: str) -> str:
    """The shortest text ``short_item`` reads as it reads ``item``: its words, one character more
    than it shows (so that a space it shows last is not dropped by the words' split)."""
    return " ".join(item.split())[:ITEM_CHARS + 1]


def revision_key(date: DateValue | None) -> str:
    return date.iso if date else "current"


def _date_text(config: SiteConfig, a: Assessment, date: DateValue | None) -> tuple[str, str]:
    """Undated rows belong to the edition being published: shown with its 公表日 once known."""
    if date is not None:
        return wareki(date, config.gannen, config.seireki), date.iso
    if a.published is not None:
        return f"{CURRENT}（公表日 {wareki(a.published, config.gannen, config.seireki)}）", a.published.iso
    return CURRENT, ""


def changes_page(site: Site, a: Assessment) -> ChangesPage:
    page = urls.assessment_changes_page(a.municipality, a.slug)
    to_assessment = urls.relative(page, urls.assessment_page(a.municipality, a.slug))
    groups: dict[str, list[ChangeEntry]] = {}
    dates: dict[str, DateValue | None] = {}
    unlinked = 0
    links = a.change_links or tuple(() for _ in a.changes)
    paths = printed_paths(a)
    for (i, row, date, timing, note), anchors in zip(effective_rows(a), links):
        if not anchors:
            unlinked += 1
        entry = ChangeEntry(
            i, f"change-{i}", row.item,
            # a citizen reads the printed path (part › section › item), never the anchor
            tuple(RowLink(f"{to_assessment}#{x}", JOIN.join(paths.get(x, ())) or row.item) for x in anchors),
            Markup(render_rich(row.before)), Markup(render_rich(row.after)),
            tuple(word_diff(row.before, row.after)), timing, Markup(render_rich(note)))
        key = revision_key(date)
        groups.setdefault(key, []).append(entry)
        dates[key] = date
    order = sorted(groups, key=lambda k: ("9999" if k == "current" else k), reverse=True)
    revisions = []
    for key in order:
        text, iso = _date_text(site.config, a, dates[key])
        revisions.append(Revision(f"rev-{key}", text, iso, tuple(groups[key])))
    muni = next(m for m in site.municipalities if m.slug == a.municipality)
    return ChangesPage(a, muni, to_assessment, tuple(revisions), unlinked)


def history_links(site: Site, a: Assessment, from_page: str) -> dict[str, tuple[RowLink, ...]]:
    """Anchor -> links to the change rows that changed it (for the item's 変更履歴)."""
    changes = urls.relative(from_page, urls.assessment_changes_page(a.municipality, a.slug))
    eff = {i: (date, timing) for i, _, date, timing, _ in effective_rows(a)}
    out = {}
    for anchor, numbers in item_history(a).items():
        links = []
        for n in numbers:
            date, timing = eff[n]
            when = wareki(date, site.config.gannen, "none") if date else CURRENT
            links.append(RowLink(f"{changes}#change-{n}", when + (f"（{timing}）" if timing else "")))
        out[anchor] = tuple(links)
    return out


@dataclass(frozen=True)
class SiteChange:
    """One revision of one assessment, for the site-wide 更新履歴 and the feeds."""

    sort_key: str
    date_text: str
    iso: str
    municipality: Municipality
    assessment: Assessment
    href: str  # from the site root
    count: int
    items: tuple[str, ...]
    timings: str
    state: StateView

    @property
    def heading(self) -> str:
        return self.date_text if self.date_text.startswith(CURRENT) else f"{self.date_text}の変更"


def assessment_site_changes(config: SiteConfig, m: Municipality, a: Assessment) -> tuple[SiteChange, ...]:
    """The revisions of one assessment as the site-wide 更新履歴 and the feeds list them (in
    the order of its rows; made from ``a``, its municipality ``m`` and the site settings alone)."""
    groups: dict[str, list] = {}
    dates: dict[str, DateValue | None] = {}
    for i, row, date, timing, _ in effective_rows(a):
        key = revision_key(date)
        groups.setdefault(key, []).append((row, timing))
        dates[key] = date
    out = []
    state = state_view(config, a, urls.site_changes_page())
    for key, rows in groups.items():
        text, iso = _date_text(config, a, dates[key])
        timings = "・".join(sorted({t for _, t in rows if t}))
        out.append(SiteChange(
            # an undated revision (今回, no 公表日 yet) never heads a site-wide listing: it sorts last
            (iso or "0000") + f"|{a.municipality}|{a.slug}|{key}", text, iso, m, a,
            f"{urls.assessment_changes_page(a.municipality, a.slug)}#rev-{key}",
            len(rows), tuple(dict.fromkeys(short_item(r.item) for r, _ in rows)), timings, state))
    return tuple(out)


def _revisions(config: SiteConfig, m: Municipality, a: Assessment) -> tuple[tuple[SiteChange, ...], str]:
    """An assessment's revisions and the ISO date of its newest dated one ("" if none)."""
    changes = assessment_site_changes(config, m, a)
    return changes, max((c.iso for c in changes if c.iso), default="")


def _per_assessment(site: Site, municipality: str | None, memo: IdentityMemo | None) -> list[tuple[tuple[SiteChange, ...], str]]:
    """``_revisions`` of each assessment (of one municipality, or of the site), taken from
    ``memo`` while the assessment, its municipality and the site settings are the same objects."""
    memo = IdentityMemo() if memo is None else memo
    munis = {m.slug: m for m in site.municipalities}
    config = site.config
    out = []
    for a in site.assessments:
        if municipality is not None and a.municipality != municipality:
            continue
        m = munis[a.municipality]
        out.append(memo.get((a, m, config), lambda: _revisions(config, m, a)))
    if municipality is None:
        memo.sweep()  # a pass over the whole site: forget the records that left it
    return out


_SORT_KEY = attrgetter("sort_key")


def site_changes(site: Site, municipality: str | None = None, memo: IdentityMemo | None = None) -> list[SiteChange]:
    """Every revision of every assessment (of one municipality), newest first."""
    per = _per_assessment(site, municipality, memo)
    return sorted(chain.from_iterable(changes for changes, _ in per), key=_SORT_KEY, reverse=True)


@dataclass(frozen=True)
class NewestChanges:
    changes: list[SiteChange]  # the newest ``limit`` revisions, newest first (as ``site_changes(...)[:limit]``)
    total: int  # revisions in all
    newest_date: str  # ISO date of the newest dated revision, "" when none is dated


def newest_changes(site: Site, limit: int, municipality: str | None = None, memo: IdentityMemo | None = None) -> NewestChanges:
    """The newest revisions without sorting them all: with ``memo``, the cost of a page that
    shows them after one edit is a pass over the site, not deriving every assessment's again."""
    per = _per_assessment(site, municipality, memo)
    every = chain.from_iterable(changes for changes, _ in per)
    # the sort keys are unique, so this is sorted(..., reverse=True)[:limit]
    top = heapq.nlargest(limit, every, key=_SORT_KEY)
    return NewestChanges(top, sum(len(changes) for changes, _ in per), max((newest for _, newest in per), default=""))


def listing_record(a: Assessment) -> str:
    """What listings, the site-wide 更新履歴 and the feeds show of an assessment.

    The ``listing:<municipality>`` input of a page changes exactly when this changes."""
    rows = tuple((i, d.iso if d else None, t, short_item(r.item)) for i, r, d, t, _ in effective_rows(a))
    period = ((a.parts.get("procedures") or {}).get("public_comment") or {}).get("period")
    return repr((a.slug, a.title, a.form.id, a.form.name, a.cover("number"), a.published, a.cover("assessor"), a.status,
                 period if a.status.state == COMMENT else None, rows))


FEED_ENTRIES = 100


def feed_context(site: Site, feed_path: str, municipality: Municipality | None = None, memo: IdentityMemo | None = None) -> dict:
    """Template context of an Atom feed (site-wide, or one municipality's)."""
    found = newest_changes(site, FEED_ENTRIES, municipality.slug if municipality else None, memo)
    base = site.config.base_url
    prefix = f"{base}/" if base else "../" * feed_path.count("/")
    newest = found.newest_date or "2000-01-01"
    id_root = f"{base}/" if base else "urn:pia-site:"

    def entry_id(c: SiteChange) -> str:
        return f"{id_root}{c.href}" if base else f"urn:pia-site:{c.assessment.municipality}:{c.assessment.slug}:{c.href.rsplit('#rev-', 1)[-1]}"

    page = urls.municipality_page(municipality.slug) if municipality else urls.site_changes_page()
    title = f"{municipality.name}の評価書の更新履歴" if municipality else f"{site.config.title} 更新履歴"
    return {
        # an entry needs its own date: an undated revision (今回, no 公表日 yet) is not in a feed
        "title": title, "changes": [c for c in found.changes if c.iso], "base": "", "prefix": prefix,
        "feed_id": f"{id_root}{feed_path}" if base else f"urn:pia-site:feed:{municipality.slug if municipality else 'site'}",
        "self_href": f"{prefix}{feed_path}", "alternate_href": f"{prefix}{page}",
        "updated": f"{newest}T00:00:00+09:00", "fallback_date": newest, "entry_id": entry_id,
    }
