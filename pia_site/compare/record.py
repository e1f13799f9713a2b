"""What the compare pages keep of one assessment: a small, picklable ``CompareRecord``.

The worker makes it beside the page (``pipeline.worker``), the build keeps it in the
``Result`` (and so in the cache) like the open-data record, and the site-wide step renders the
compare pages from all of them.  It holds the cover facts a compare page lists and, for every
comparable spot of the assessment (``anchors.leaves``: an item once per file, block or group
instance), the item's position in the form's ``items.ItemTable`` and the positions of its
answers: a line of small numbers per spot, and the spot's anchor only for the items whose
compare pages link to each answer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from .. import urls
from ..anchors import leaves
from ..catalog import is_dash
from ..model import Assessment, CheckItem, Municipality, Withheld
from .items import (
    EMPTY, FILLED, FLAG_OFF, FLAG_ON, NONE_CHECKED, NOT_APPLICABLE, NOT_CHOSEN, OTHER, UNKNOWN, WITHHELD, Item,
    item_table,
)


@dataclass(frozen=True)
class CompareRecord:
    """One assessment as the compare pages see it (比較ページ用の記録)."""

    municipality: str  # folder slug
    municipality_name: str
    prefecture: str
    code: str  # 全国地方公共団体コード (its first two digits: the prefecture)
    slug: str
    title: str
    kind: str  # the form kind (catalog.FormKind.kind)
    edition: str
    answers: str  # "item key[,key…][ anchor]" per spot, one a line (``spots``)

    @property
    def page(self) -> str:
        return urls.assessment_page(self.municipality, self.slug)

    @property
    def prefecture_code(self) -> str:
        return self.code[:2]


def compare_record(a: Assessment, m: Municipality) -> CompareRecord:
    table = item_table(a.form.kind)
    lines = []
    for spot in leaves(a):
        i = table.index.get(spot.node.id)
        if i is None:
            continue
        item = table.items[i]
        keys = ",".join(str(item.keys.index(k)) for k in answer_keys(item, spot.node.kind, spot.value))
        lines.append(f"{i} {keys} {spot.anchor}" if item.distribution else f"{i} {keys}")
    return CompareRecord(m.slug, m.name, m.prefecture, m.code, a.slug, a.title, a.form.kind, a.form.edition,
                         "\n".join(lines))


def spots(record: CompareRecord, answers: str | None = None,
          memo: dict[str, tuple[int, tuple[int, ...], str]] | None = None) -> Iterator[tuple[int, tuple[int, ...], str]]:
    """(item position, answer positions, anchor or "") of each spot of a record (of ``answers``
    when given: the record's answers kept elsewhere, as the build keeps them).  ``memo``: lines
    already read, by their text (the records of a form repeat most of their lines), updated."""
    text = record.answers if answers is None else answers
    if not text:
        return
    if memo is None:
        memo = {}
    get = memo.get
    for line in text.split("\n"):
        spot = get(line)
        if spot is None:
            spot = memo[line] = _spot(line)
        yield spot


def _spot(line: str) -> tuple[int, tuple[int, ...], str]:
    parts = line.split(" ", 2)
    return int(parts[0]), tuple(int(k) for k in parts[1].split(",")), parts[2] if len(parts) > 2 else ""


def answer_keys(item: Item, kind: str, value: Any) -> tuple[str, ...]:
    """The answers a spot's value counts as (several for a checkbox item)."""
    if isinstance(value, Withheld):
        return (WITHHELD,)
    if kind == "flag":
        return (FLAG_ON if value else FLAG_OFF,)
    if kind == "choice":
        if value is None or value == "":
            return (NOT_CHOSEN,)
        if is_dash(value):
            return (NOT_APPLICABLE,)
        return (value if value in item.keys else OTHER,)
    if kind == "check":
        if value is None:
            return (UNKNOWN,)
        texts = [c.text for c in value if isinstance(c, CheckItem)]
        if not texts:
            return (NONE_CHECKED,)
        return tuple(dict.fromkeys(t if t in item.keys else OTHER for t in texts))
    return (FILLED if _filled(value) else EMPTY,)


def _filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return True
