"""A memo of values derived from immutable records, reused while the records are the same
objects.

The site-wide pages (更新履歴, the feeds) list something of every assessment; deriving it
again for 10,000 assessments on every listing edit costs seconds.  Records are frozen, and
the incremental builder keeps the very same record object for a file whose bytes did not
change (``preview.sources``), so "the same objects" is a key that changes with the content: an
edited file is a new record, and its value is derived again.  Each entry holds the objects it
was made from, so their ids cannot be reused by other objects while it lives.

The memo belongs to whoever renders (one full build, or the incremental builder's page
index), never to a module.  ``sweep`` drops the entries not asked for since the previous
sweep: call it after a pass over the whole site, and records that left the site go with it.
"""
from __future__ import annotations

from operator import is_
from typing import Callable, TypeVar

T = TypeVar("T")


class IdentityMemo:
    def __init__(self) -> None:
        self._entries: dict[tuple[int, ...], tuple[tuple, object]] = {}
        self._used: set[tuple[int, ...]] = set()

    def get(self, inputs: tuple, make: Callable[[], T]) -> T:
        """``make()``, or what it returned before for the same ``inputs`` objects."""
        key = tuple(map(id, inputs))
        entry = self._entries.get(key)
        if entry is None or not all(map(is_, entry[0], inputs)):
            entry = (inputs, make())
            self._entries[key] = entry
        self._used.add(key)
        return entry[1]  # type: ignore[return-value]

    def sweep(self) -> None:
        """Forget the entries not asked for since the last sweep."""
        self._entries = {k: self._entries[k] for k in self._used if k in self._entries}
        self._used = set()

    def __len__(self) -> int:
        return len(self._entries)
