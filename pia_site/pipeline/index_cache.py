"""The search index of an earlier build, used again when its documents are the same.

The index is made from every assessment at once, so one edited file changes it; but a rebuild
of unchanged content (``serve`` starting on a warm cache, CI rerun with a kept cache) would
make the same bytes again.  Its key is
the hash of the cache keys of every assessment in the order the index is fed (each key covers
pia-site's code, the catalog, the theme, site.yaml, the file and its municipality.yaml) and of
the municipalities the index lists.  The files are kept in the cache's page store under their
SHA-256, like pages, with the guard's findings in them; they are checked against their digests
before they are used, and anything missing or foreign is a miss.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .. import guard
from . import pool
from .cache import Cache, _sha256, read_entry, write_entry


@dataclass(frozen=True)
class IndexEntry:
    files: tuple[tuple[str, int, str], ...]  # (output path, size, SHA-256), in the order they were written
    findings: tuple  # guard.OutputFinding in those files, in the guard's order


def index_key(job_keys: list[str], municipalities) -> str:
    """``job_keys``: every assessment's cache key in index order; ``municipalities``: the
    ``IndexMeta`` rows (団体コード, slug, name, prefecture)."""
    h = hashlib.sha256(b"pia-site search index\0")
    for k in job_keys:
        h.update(k.encode() + b"\0")
    for row in municipalities:
        h.update("\t".join(row).encode() + b"\n")
    return h.hexdigest()


class IndexCache:
    def __init__(self, cache: Cache):
        self.cache = cache

    def _entry(self, key: str) -> Path:
        return self.cache.root / "index" / key

    def get(self, key: str) -> IndexEntry | None:
        entry = read_entry(self._entry(key), key)
        return entry if isinstance(entry, IndexEntry) else None

    def place(self, entry: IndexEntry, stage: Path) -> bool:
        """Link (or copy) the files into the staging tree; False, and none of them left there, when
        one is missing or altered."""
        placed: list[Path] = []
        for path, size, digest in entry.files:
            src = self.cache._page(digest)
            target = stage / path
            try:
                if src.stat().st_size != size or _sha256(src) != digest:
                    raise OSError("altered")
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(src, target)
                except OSError:
                    shutil.copyfile(src, target)
                    os.chmod(target, 0o644)
                placed.append(target)
            except OSError:
                for t in placed:  # a link to a kept file must not be written over in place
                    t.unlink(missing_ok=True)
                return False
        return True

    def put(self, key: str, stage: Path, paths: list[str], findings: list) -> IndexEntry | None:
        """Keep the index files just written to the staging tree (by their SHA-256)."""
        try:
            files = []
            for path in paths:
                src = stage / path
                digest = _sha256(src)
                target = self.cache._page(digest)
                if not target.exists():  # the staged file itself (it is never written again in place)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    tmp = target.with_name(target.name + ".tmp")
                    try:
                        os.link(src, tmp)
                    except OSError:
                        shutil.copyfile(src, tmp)
                    os.replace(tmp, target)
                files.append((path, src.stat().st_size, digest))
            entry = IndexEntry(tuple(files), tuple(findings))
            write_entry(self._entry(key), key, entry)
            return entry
        except OSError:  # a full disk or a read-only cache: the build goes on without it
            return None

    def prune(self, keep: str | None) -> None:
        """Remove every index entry but ``keep`` (the cache holds one site)."""
        base = self.cache.root / "index"
        if base.is_dir():
            for f in base.iterdir():
                if f.name != keep:
                    try:
                        f.unlink()
                    except OSError:
                        pass


class IndexFindings:
    """The guard's findings in the index files just written, as they come from the processes that
    scan them (``pool.Background``) while the build goes on; ``get()`` waits for them and keeps
    the index in the cache with them."""

    def __init__(self, scan: pool.Background | None, done: list, keep: Callable[[list], None] | None = None):
        self._scan, self._done, self._keep = scan, done, keep

    def get(self) -> list:
        if self._scan is not None:
            self._done = [f for found in self._scan.get() for f in found]
            self._scan = None
            if self._keep is not None:
                self._keep(self._done)
        return list(self._done)

    def __enter__(self) -> "IndexFindings":
        return self

    def __exit__(self, *exc) -> None:
        if self._scan is not None:
            self._scan.__exit__(*exc)


def write_index(stage, builder: Callable[[], object], reuse: IndexEntry | None, icache: IndexCache | None,
                key: str | None, allow: frozenset[str], jobs: int = 1) -> IndexFindings:
    """Put the search index into the staging tree (``stage``: ``write.Staging``): the files of
    ``reuse`` if they are still in the cache, else those of ``builder()`` (an ``IndexBuilder``
    given every document), kept in the cache under ``key``.  Returns the guard's findings in them
    to come: the new files are read back and scanned by ``jobs`` processes (a national site's
    index is gigabytes) while the caller writes the rest of the site."""
    if reuse is not None and icache is not None and icache.place(reuse, stage.root):
        for path, size, _digest in reuse.files:
            stage.count(path, size, page=False)
        return IndexFindings(None, list(reuse.findings))
    paths = []
    for path, data in builder().finish():
        stage.file(path, data)
        paths.append(path)

    def keep(findings: list) -> None:
        if icache is not None and key is not None:
            icache.put(key, stage.root, paths, findings)

    return IndexFindings(pool.Background(guard.scan_file, [(p, stage.root / p, allow) for p in paths], jobs), [], keep)
