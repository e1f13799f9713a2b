"""A thin ``IndexBuilder`` over today's index code (``index.build_index``): it collects the
documents and builds the index at ``finish``.  The streaming builder (sorted runs spilled to
``spill_dir`` and merged) replaces it with the same interface."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Iterator

from .index import build_index
from .units import Doc


class IndexBuilder:
    def __init__(self, meta: dict, spill_dir: Path):
        """``meta``: ``{"municipalities": [{"slug", "name", "prefecture", "code"}, …]}``."""
        self.meta = meta
        self.spill_dir = spill_dir
        self.docs: list[Doc] = []

    def add(self, doc: Doc) -> None:
        """One assessment's document; called in page-URL order."""
        self.docs.append(doc)

    def finish(self) -> Iterator[tuple[str, bytes]]:
        """``(output path, bytes)`` of every index file."""
        site = SimpleNamespace(municipalities=[SimpleNamespace(**m) for m in self.meta["municipalities"]])
        files = build_index(site, self.docs).files  # type: ignore[arg-type]
        self.docs = []
        for path in sorted(files):
            yield path, files[path]
