"""What each compare page reads, as input keys an incremental build can follow.

``compare:<form>/<item>`` stands for what an item's nationwide page prints (each assessment's
edition, prefecture and answers to the item), ``compare:<form>/<item>/<prefecture>`` for one
prefecture's list (also the assessments' folders, codes and anchors; their names and titles
are the listings' ``listing:<folder>`` keys), ``compare:forms`` for the index page (the forms
and their numbers of assessments).  A key's fingerprint is a multiset hash over the records:
the sum of each record's share, so an edit costs the edited records only (``Fingerprints``),
and an edit that changes no answer (a sentence reworded) changes no key.
"""
from __future__ import annotations

import hashlib
from typing import Hashable, Iterable

from .items import item_table
from .record import CompareRecord, spots

COMPARE_FORMS = "compare:forms"
_MOD = 1 << 128


def compare_key(kind: str, item: str, prefecture: str = "") -> str:
    return f"compare:{kind}/{item}" + (f"/{prefecture}" if prefecture else "")


def _h(value: tuple) -> int:
    return int.from_bytes(hashlib.sha256(repr(value).encode("utf-8")).digest()[:16], "big")


def shares(r: CompareRecord) -> dict[str, int]:
    """The record's share of every key it contributes to."""
    table = item_table(r.kind)
    by_item: dict[int, list[tuple[tuple[int, ...], str]]] = {}
    for i, keys, anchor in spots(r):
        by_item.setdefault(i, []).append((keys, anchor))
    out = {COMPARE_FORMS: _h((r.kind,))}
    pref = r.prefecture_code
    for i, found in by_item.items():
        item = table.items[i]
        out[compare_key(r.kind, item.id)] = _h((pref, r.prefecture, r.edition, tuple(k for k, _ in found)))
        if item.distribution:
            out[compare_key(r.kind, item.id, pref)] = _h((r.municipality, r.slug, r.code, r.prefecture, r.edition,
                                                          tuple(found)))
    return out


class Fingerprints:
    """Running sums over a changing set of records, each record under an owner (its assessment)."""

    def __init__(self) -> None:
        self._shares: dict[Hashable, tuple[CompareRecord, dict[str, int]]] = {}
        self._sums: dict[str, list[int]] = {}  # key -> [sum, count]

    def set(self, owner: Hashable, record: CompareRecord | None) -> set[str]:
        """Put (or, with None, remove) an owner's record; the keys whose sums moved."""
        old = self._shares.pop(owner, None)
        touched: set[str] = set()
        if old is not None:
            for key, v in old[1].items():
                s = self._sums[key]
                s[0] = (s[0] - v) % _MOD
                s[1] -= 1
                if not s[1]:
                    del self._sums[key]
                touched.add(key)
        if record is not None:
            mine = shares(record)
            self._shares[owner] = (record, mine)
            for key, v in mine.items():
                s = self._sums.setdefault(key, [0, 0])
                s[0] = (s[0] + v) % _MOD
                s[1] += 1
                touched.add(key)
        return touched

    def get(self, owner: Hashable) -> CompareRecord | None:
        entry = self._shares.get(owner)
        return entry[0] if entry is not None else None

    def value(self, key: str) -> str | None:
        s = self._sums.get(key)
        return None if s is None else f"{s[1]}:{s[0]:032x}"

    def records(self) -> Iterable[CompareRecord]:
        return [r for r, _ in self._shares.values()]
