"""Taking over an output the pipeline wrote (``serve``'s first build over the persistent cache,
the same build ``pia-site build`` runs) instead of rendering the whole site again in memory.

The incremental builder reads the content as usual; this module checks that what it read is
what the output was made from (``pipeline.run.Inputs``: each file's SHA-256 as the build read
it), and tells the files of the output apart: pages, assets, and the extra files (search index
and open data) that the builder rewrites as a whole.  Their digests are read from the disk when
first asked for (``OnDisk``), so taking over costs a walk of the output, not a read of it.

The content may have changed between the build's reading and the builder's.  An assessment
file whose bytes differ, or that the build did not see, is *stale*: the builder forgets it and
its next update reads it again as a new file, so that its pages and every listing that shows
it are rendered again.  Anything else that differs (site.yaml, a municipality.yaml, a file
gone since, pia-site's code, the catalog, the templates or assets) is not taken over: the
builder writes the whole site, as it did before there was a cache."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterable, Mapping

from .. import content_tree
from ..opendata import DATA_DIR
from ..outdir import MARKER
from ..search.index import PREFIX

UNREAD = object()  # the digest of a file taken over, not read yet
EXTRA_PREFIXES = (PREFIX, DATA_DIR + "/")  # what ``incremental.ExtraJob`` writes, besides pages


class OnDisk(dict):
    """Output file -> SHA-256 of its bytes (None: not there).  A file taken over is hashed
    from the output the first time ``get`` asks for it."""

    def __init__(self, out: Path, paths: Iterable[str] = ()):
        super().__init__(dict.fromkeys(paths, UNREAD))
        self.out = out

    def get(self, path, default=None):
        value = super().get(path, default)
        if value is UNREAD:
            try:
                with open(self.out / path, "rb") as f:
                    value = hashlib.file_digest(f, "sha256").hexdigest()
            except FileNotFoundError:
                value = None
            self[path] = value
        return value


def stale_sources(read: Mapping[Path, str], made_from: Mapping[str, str], content: Path) -> list[Path] | None:
    """The assessment files whose bytes ``read`` (path -> digest, as the builder read them)
    are not those the output was ``made_from`` (absolute path -> digest): to be read again;
    None when the output cannot be taken over (a file gone since, or site.yaml or a
    municipality.yaml changed: they reach every page of their scope)."""
    stale = []
    for path, digest in read.items():
        if made_from.get(os.path.abspath(path)) == digest:
            continue
        if path.parent == content or content_tree.is_municipality(path):
            return None
        stale.append(path)
    seen = {os.path.abspath(p) for p in read}
    if any(p not in seen for p in made_from):
        return None
    return sorted(stale)


def classify(out: Path, pages: set[str], assets: set[str]) -> tuple[list[str], list[str], list[str]]:
    """The files of the output as (pages, assets, extra files).  A file neither a page of the
    site the builder read nor an asset nor under the extra files' folders counts as a page
    (a stale assessment's, rendered again by the next update)."""
    found: tuple[list[str], list[str], list[str]] = ([], [], [])
    for root, dirs, files in os.walk(out):
        dirs.sort()
        rel_root = os.path.relpath(root, out)
        for name in sorted(files):
            rel = name if rel_root == "." else f"{rel_root}/{name}".replace(os.sep, "/")
            if rel == MARKER:
                continue
            if rel in assets:
                found[1].append(rel)
            elif rel not in pages and rel.startswith(EXTRA_PREFIXES):
                found[2].append(rel)
            else:
                found[0].append(rel)
    return found
