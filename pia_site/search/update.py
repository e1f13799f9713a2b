"""Updating a written search index after an edit.

Format 4 packs every blob into a few big files whose offsets shift when one chunk
changes, so the index is not patched in place: ``update_index`` always answers ``None``
and the preview rebuilds the index with ``builder.IndexBuilder`` from its cached
documents (only the edited assessments' documents are made again), in the background
after the edited page is served.  The rebuild is byte-identical to a full build.
"""
from __future__ import annotations

from typing import Callable, Iterable

from ..model import Site
from .index import IndexState
from .units import Doc


def update_index(site: Site, state: IndexState, old_docs: list[Doc], new_docs: list[Doc], changed: Iterable[int],
                 read: Callable[[str], bytes | None]) -> None:
    """Always ``None``: the caller rebuilds (see the module docstring)."""
    return None
