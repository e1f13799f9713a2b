"""The compare pages (他団体の記載と比べる) and their views, from the tallies.

Pages, all under ``compare/`` (``urls``):

* ``compare/index.html``: every comparable item of every form the site has assessments on;
* ``compare/<form>/<item>/index.html``, one per item of such a form: the answers counted per
  option (or 記載あり/記載なし) and edition, nationwide, then per prefecture;
* ``compare/<form>/<item>/<prefecture>/[<n>/]index.html``, for choice, checkbox and flag items
  only: the same counts for one prefecture's assessments, and a link to each answer (the item's
  anchor on the assessment page), ``PAGE_SIZE`` answers a page.

So a page's size is bounded by the form (options × editions, 47 prefectures) and by
``PAGE_SIZE``; an assessment adds one line per choice-like spot to one prefecture's list.  Items
written in words are counted, not copied: their page lists each body's answer with a snippet, 20
at a time, from the search index by item (``search.js``: ``piaSearch.item``), and without
JavaScript links to the search page.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from .. import urls
from .items import NONE_CHECKED, NOT_APPLICABLE, NOT_CHOSEN, OTHER, UNKNOWN, WITHHELD, Item
from .tally import Counts, ItemTally, KindTally

EXTRA_ANSWERS = frozenset({NONE_CHECKED, NOT_APPLICABLE, NOT_CHOSEN, OTHER, UNKNOWN, WITHHELD})
PAGE_SIZE = 100  # answers per page of a prefecture's list

INDEX_TEMPLATE = "compare_index.html"
ITEM_TEMPLATE = "compare.html"


@dataclass(frozen=True)
class ComparePage:
    path: str
    template: str
    kind: str = ""
    item: int = -1  # position in the kind's item table; -1: the index page
    prefecture: str = ""  # two-digit code; "": the nationwide page
    number: int = 1
    municipalities: frozenset[str] = frozenset()  # folders whose names and titles the page prints


@dataclass(frozen=True)
class CountRow:
    answer: str
    total: int
    editions: tuple[int, ...]  # per edition column


@dataclass(frozen=True)
class PrefectureRow:
    name: str
    href: str  # its page ("" for items written in words: no answer list)
    assessments: int
    spots: int
    filled: int  # spots answered 記載あり (items written in words)


@dataclass(frozen=True)
class AnswerView:
    href: str
    municipality: str
    title: str
    edition: str
    answer: str


@dataclass(frozen=True)
class PagerView:
    pages: tuple[tuple[int, str, bool], ...]  # (number, href, current)
    previous: str
    next: str


@dataclass(frozen=True)
class CompareView:
    form_name: str
    item: Item
    distribution: bool
    scope: str  # 全国 or the prefecture's name
    editions: tuple[str, ...]  # the per-edition columns (none when the item is on one edition)
    rows: tuple[CountRow, ...]
    assessments: int
    spots: int
    prefectures: tuple[PrefectureRow, ...]  # nationwide page only
    answers: tuple[AnswerView, ...]  # prefecture pages only
    pager: PagerView | None
    first: int  # number of the first answer on this page
    item_href: str  # the nationwide page
    index_href: str
    search_href: str  # items written in words: the search page, on the item's wording
    kind: str = ""  # the form kind and the item's position in its table: search.js lists the answers
    item_no: int = -1  # of an item written in words from the search index by item (``piaSearch.item``)


@dataclass(frozen=True)
class IndexEntry:
    href: str
    printed: str
    path: str
    kind: str  # the item's value kind, as the index prints it


@dataclass(frozen=True)
class IndexForm:
    name: str
    assessments: int
    entries: tuple[IndexEntry, ...]


KIND_NAMES = {"choice": "選択肢", "check": "チェック", "flag": "チェック", "text": "記載", "rich": "記載",
              "date": "日付", "period": "期間", "count": "件数"}


def compare_pages(tallies: list[KindTally]) -> list[ComparePage]:
    if not tallies:
        return []
    out = [ComparePage(urls.compare_index(), INDEX_TEMPLATE)]
    for kt in tallies:
        for i, item in enumerate(kt.table.items):
            out.append(ComparePage(urls.compare_page(kt.kind, item.id), ITEM_TEMPLATE, kt.kind, i))
            if not item.distribution:
                continue
            for pref, answers in sorted(kt.items[i].answers.items()):
                for n in range(_pages(len(answers))):
                    chunk = answers[n * PAGE_SIZE:(n + 1) * PAGE_SIZE]
                    out.append(ComparePage(urls.compare_prefecture_page(kt.kind, item.id, pref, n + 1), ITEM_TEMPLATE,
                                           kt.kind, i, pref, n + 1, frozenset(kt.records[r].municipality for r, _, _ in chunk)))
    return out


def _pages(n: int) -> int:
    return max(1, -(-n // PAGE_SIZE))


def page_context(tallies: list[KindTally], page: ComparePage) -> dict:
    if page.item < 0:
        return {"forms": _index(tallies, page.path)}
    kt = next(t for t in tallies if t.kind == page.kind)
    return {"view": _view(kt, page)}


def _index(tallies: list[KindTally], here: str) -> tuple[IndexForm, ...]:
    return tuple(IndexForm(kt.name, len(kt.records), tuple(
        IndexEntry(urls.relative(here, urls.compare_page(kt.kind, it.id)), it.printed, " ＞ ".join(it.path),
                   KIND_NAMES.get(it.kind, "")) for it in kt.table.items)) for kt in tallies)


def _view(kt: KindTally, page: ComparePage) -> CompareView:
    item = kt.table.items[page.item]
    t = kt.items[page.item]
    here = page.path
    counts = t.prefectures.get(page.prefecture, Counts()) if page.prefecture else t.total
    columns = tuple(kt.editions.index(e) for e in item.editions if e in kt.editions)
    shown = columns if len(columns) > 1 else ()
    rows = []
    for k, answer in enumerate(item.keys):
        total = counts.get(k)
        if total or _always(item, k):
            rows.append(CountRow(answer, total, tuple(counts.get(k, e) for e in shown)))
    prefectures: tuple[PrefectureRow, ...] = ()
    answers: tuple[AnswerView, ...] = ()
    pager = None
    first = 0
    if not page.prefecture:
        prefectures = tuple(_prefecture_row(kt, item, t, code, name, here) for code, name in kt.prefecture_names.items()
                            if code in t.prefectures)
    else:
        listed = t.answers.get(page.prefecture, [])
        first = (page.number - 1) * PAGE_SIZE
        answers = tuple(_answer(kt, item, r, keys, anchor, here) for r, keys, anchor in listed[first:first + PAGE_SIZE])
        pager = _pager(kt.kind, item.id, page.prefecture, page.number, _pages(len(listed)), here)
    search = ""
    if not item.distribution:
        query = urlencode({"q": item.label, "match": "form", "form": kt.name})
        search = urls.relative(here, urls.search_page()) + "?" + query
    return CompareView(kt.name, item, item.distribution,
                       kt.prefecture_names.get(page.prefecture, "") if page.prefecture else "全国",
                       tuple(kt.editions[e] for e in shown), tuple(rows), counts.assessments, counts.spots,
                       prefectures, answers, pager, first + 1, urls.relative(here, urls.compare_page(kt.kind, item.id)),
                       urls.relative(here, urls.compare_index()), search, kt.kind, page.item)


def _always(item: Item, k: int) -> bool:
    """Printed options (and 記載あり/記載なし, a flag's two states) are listed even when no one chose them."""
    from .items import EMPTY, FILLED, FLAG_OFF, FLAG_ON, NONE_CHECKED, NOT_CHOSEN, NOT_APPLICABLE, OTHER, UNKNOWN, WITHHELD

    return item.keys[k] not in (NONE_CHECKED, NOT_CHOSEN, NOT_APPLICABLE, OTHER, UNKNOWN, WITHHELD) or \
        item.keys[k] in (EMPTY, FILLED, FLAG_ON, FLAG_OFF)


def _prefecture_row(kt: KindTally, item: Item, t: ItemTally, code: str, name: str, here: str) -> PrefectureRow:
    c = t.prefectures[code]
    href = urls.relative(here, urls.compare_prefecture_page(kt.kind, item.id, code)) if item.distribution else ""
    filled = c.get(0) if not item.distribution else 0  # items.TEXT keys: 記載あり first
    return PrefectureRow(name, href, c.assessments, c.spots, filled)


def _answer(kt: KindTally, item: Item, r: int, keys: tuple[int, ...], anchor: str, here: str) -> AnswerView:
    rec = kt.records[r]
    href = urls.relative(here, rec.page) + "#" + anchor
    return AnswerView(href, rec.municipality_name, rec.title, rec.edition, "、".join(item.keys[k] for k in keys))


def _pager(kind: str, item: str, pref: str, number: int, count: int, here: str) -> PagerView | None:
    if count <= 1:
        return None

    def href(n: int) -> str:
        return urls.relative(here, urls.compare_prefecture_page(kind, item, pref, n))

    pages = tuple((n, href(n), n == number) for n in range(1, count + 1))
    return PagerView(pages, href(number - 1) if number > 1 else "", href(number + 1) if number < count else "")
