"""Write: the only module that touches the output directory.

Everything is rendered into a temporary sibling directory first; only when the
whole site is complete is it swapped into place, so a failed build leaves the
previous output untouched.  Output bytes depend only on the inputs.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from .theme import Theme



@dataclass(frozen=True)
class WriteReport:
    out_dir: Path
    pages: int
    files: int
    bytes: int


def write_site(pages: Mapping[str, str] | Iterable[tuple[str, str]], out_dir: Path, assets: Mapping[str, Path] | None = None,
               extra: dict[str, bytes] | None = None, digests: dict[str, str] | None = None) -> WriteReport:
    """Write ``pages`` (a mapping, or ``(path, html)`` pairs as they are rendered: only one
    page is held at a time), ``extra`` files and the assets into a new tree, then swap it
    in.  ``assets``: output path -> source file (``theme.Theme.asset_files``; by default the
    default theme's).  ``digests``, if given, receives the SHA-256 of every page written."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    assets = Theme().asset_files() if assets is None else dict(assets)
    extra = extra or {}
    for path in extra:
        if path in assets:
            raise ValueError(f"output path collision: {path}")
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        total = files = n_pages = 0
        seen: set[str] = set()
        for path, html in (pages.items() if isinstance(pages, Mapping) else pages):
            if path in seen:
                raise ValueError(f"two pages render to {path}")
            if path in extra or path in assets:
                raise ValueError(f"output path collision: {path}")
            seen.add(path)
            data = html.encode("utf-8")
            if digests is not None:
                digests[path] = hashlib.sha256(data).hexdigest()
            total += _put(tmp, path, data)
            files += 1
            n_pages += 1
        for path in sorted(extra):
            total += _put(tmp, path, extra[path])
            files += 1
        for path in sorted(assets):
            total += _put(tmp, path, assets[path].read_bytes())
            files += 1
        for d in sorted({p for p in tmp.rglob("*") if p.is_dir()} | {tmp}):
            os.chmod(d, 0o755)
        _swap(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return WriteReport(out_dir, n_pages, files, total)


def _put(root: Path, path: str, data: bytes) -> int:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    os.chmod(target, 0o644)
    return len(data)


def _swap(new: Path, out_dir: Path) -> None:
    """Replace out_dir by new with two renames; the old tree is removed afterwards."""
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        os.rename(out_dir, old)
    try:
        os.rename(new, out_dir)
    except BaseException:
        if old is not None:
            os.rename(old, out_dir)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
