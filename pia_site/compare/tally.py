"""Counting the answers of every assessment on a form, item by item (the compare pages' data).

``tally(records)`` reads each ``CompareRecord`` once and keeps, per form kind and item: the
number of spots per answer and edition, the same per prefecture, and (for choice, checkbox
and flag items) each spot of each prefecture in the order the answer lists print them
(prefecture code, 全国地方公共団体コード, assessment).  Deterministic for a set of records,
whatever order they come in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..catalog import form_kinds
from .items import ItemTable, item_table
from .record import CompareRecord, spots


@dataclass
class Counts:
    """Spots per (answer position, edition position); ``spots`` counts each spot once, and
    ``assessments`` each assessment that has the item at all."""

    cells: dict[tuple[int, int], int] = field(default_factory=dict)
    spots: int = 0
    assessments: int = 0

    def add(self, keys: tuple[int, ...], edition: int) -> None:
        self.spots += 1
        for k in keys:
            self.cells[(k, edition)] = self.cells.get((k, edition), 0) + 1

    def get(self, key: int, edition: int | None = None) -> int:
        if edition is not None:
            return self.cells.get((key, edition), 0)
        return sum(n for (k, _), n in self.cells.items() if k == key)


@dataclass
class ItemTally:
    total: Counts = field(default_factory=Counts)
    prefectures: dict[str, Counts] = field(default_factory=dict)  # prefecture code -> counts
    answers: dict[str, list[tuple[int, tuple[int, ...], str]]] = field(default_factory=dict)  # code -> (record, keys, anchor)


@dataclass
class KindTally:
    kind: str
    name: str  # 全項目評価書, …
    table: ItemTable
    editions: tuple[str, ...]  # the form's editions, oldest first
    records: list[CompareRecord]  # in answer-list order
    items: list[ItemTally]
    prefecture_names: dict[str, str]  # code -> name, in code order


def record_order(r: CompareRecord) -> tuple:
    return (r.prefecture_code, r.code, r.municipality, r.slug)


def tally(records, answers: Callable[[CompareRecord], str] | None = None) -> list[KindTally]:
    """One ``KindTally`` per form kind some record is on, in the catalog's order of forms.
    ``answers``: where each record's answers are when not in the record (read once per record)."""
    by_kind: dict[str, list[CompareRecord]] = {}
    for r in records:
        by_kind.setdefault(r.kind, []).append(r)
    out = []
    for fk in form_kinds():
        if fk.kind in by_kind:
            out.append(_kind(fk.kind, fk.name, fk.editions, sorted(by_kind[fk.kind], key=record_order), answers))
    return out


def _kind(kind: str, name: str, editions: tuple[str, ...], records: list[CompareRecord],
          answers: Callable[[CompareRecord], str] | None) -> KindTally:
    table = item_table(kind)
    items = [ItemTally() for _ in table.items]
    prefectures: dict[str, str] = {}
    edition_no = {e: i for i, e in enumerate(editions)}
    distribution = [it.distribution for it in table.items]
    lines: dict = {}  # ``spots``' memo: a line of answers read once per kind
    for n, r in enumerate(records):
        pref = r.prefecture_code
        prefectures.setdefault(pref, r.prefecture)
        ed = edition_no.get(r.edition, 0)
        seen: set[int] = set()
        for i, keys, anchor in spots(r, answers(r) if answers is not None else None, lines):
            t = items[i]
            t.total.add(keys, ed)
            counts = t.prefectures.get(pref)
            if counts is None:
                counts = t.prefectures[pref] = Counts()
            counts.add(keys, ed)
            if i not in seen:
                seen.add(i)
                t.total.assessments += 1
                counts.assessments += 1
            if distribution[i]:
                t.answers.setdefault(pref, []).append((n, keys, anchor))
    return KindTally(kind, name, table, editions, records, items, dict(sorted(prefectures.items())))
