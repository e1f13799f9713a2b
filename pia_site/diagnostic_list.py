"""The diagnostics of a whole build, kept small: a national site has millions of warnings.

A build's parent keeps every assessment's diagnostics until the report.  As objects they cost
about 0.8 KB each (≈80 KB per assessment of the synthetic corpus, ≈100 warnings each): at
30,000 assessments more memory than the rest of the build.  ``Packed`` holds one assessment's
as the zlib-compressed pickle of the tuple (≈6 KB), made in the parent from the objects the
worker sent (never read from disk: the cache keeps the tuple).

``DiagnosticList`` is the build's list: packed parts and plain ones, iterated **in sort order**
(``Diagnostic.sort_key``) without unpacking more than one file's diagnostics at a time, so the
report (counts by code, the ``--warnings-file`` list) streams.  This module imports only the
standard library and ``diagnostics``."""
from __future__ import annotations

import heapq
import pickle
import zlib
from collections.abc import Sequence
from itertools import chain
from typing import Iterable, Iterator

from .diagnostics import Diagnostic


class Packed:
    """One file's diagnostics, compressed; iterating gives them back in their order."""

    __slots__ = ("_blob", "_count", "errors", "path")

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        ds = tuple(diagnostics)
        paths = {d.location.path for d in ds}
        self._blob = zlib.compress(pickle.dumps(ds, pickle.HIGHEST_PROTOCOL)) if ds else b""
        self._count = len(ds)
        self.errors = sum(1 for d in ds if d.is_error)
        self.path = paths.pop() if len(paths) == 1 else None  # None: several files (or none)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(pickle.loads(zlib.decompress(self._blob)) if self._count else ())

    def __len__(self) -> int:
        return self._count


_KEY = Diagnostic.sort_key


class DiagnosticList(Sequence):
    """Diagnostics in parts (``Packed`` or plain sequences), iterated in sort order."""

    in_sort_order = True  # ``diagnostics.in_order`` takes it as it is

    def __init__(self, parts: Iterable[Sequence[Diagnostic] | Packed] = ()):
        self._parts: list[Sequence[Diagnostic] | Packed] = []
        self._count = 0
        self._errors = 0
        self._items: list[Diagnostic] | None = None  # materialised by indexing (small lists, tests)
        for part in parts:
            self._add(part)

    def _add(self, part) -> None:
        if isinstance(part, DiagnosticList):
            for p in part._parts:
                self._add(p)
            return
        if not isinstance(part, Packed):
            part = tuple(part)
        if not len(part):
            return
        self._parts.append(part)
        self._count += len(part)
        self._errors += part.errors if isinstance(part, Packed) else sum(1 for d in part if d.is_error)

    def __add__(self, other: Iterable[Diagnostic]) -> "DiagnosticList":
        return DiagnosticList([self, other if isinstance(other, (Packed, DiagnosticList)) else tuple(other)])

    def __len__(self) -> int:
        return self._count

    @property
    def errors(self) -> int:
        return self._errors

    def __iter__(self) -> Iterator[Diagnostic]:
        """Every diagnostic in ``Diagnostic.sort_key`` order.  A packed part of one file is
        unpacked when its file's turn comes; the plain parts and the packs of several files
        are few, and sorted in memory."""
        loose = [d for p in self._parts if not (isinstance(p, Packed) and p.path is not None) for d in p]
        loose.sort(key=_KEY)
        files: dict[str, list[Packed]] = {}
        for p in self._parts:
            if isinstance(p, Packed) and p.path is not None:
                files.setdefault(p.path, []).append(p)

        def by_file() -> Iterator[Diagnostic]:
            for path in sorted(files):
                yield from sorted(chain.from_iterable(files[path]), key=_KEY)

        return heapq.merge(loose, by_file(), key=_KEY)

    def as_given(self) -> Iterator[Diagnostic]:
        """Every diagnostic part by part, in the order the parts were given (not sorted)."""
        for part in self._parts:
            yield from part

    def __getitem__(self, i):
        if self._items is None:
            self._items = list(self)
        return self._items[i]

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and len(self) == len(other) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"DiagnosticList({len(self)} diagnostics, {self._errors} errors)"
