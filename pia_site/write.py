"""Write: the only module that touches the output directory.

Everything is rendered into a temporary sibling directory first; only when the
whole site is complete is it swapped into place, so a failed build leaves the
previous output untouched.  Output bytes depend only on the inputs.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

PACKAGE_ASSETS = Path(__file__).parent / "assets"


@dataclass(frozen=True)
class WriteReport:
    out_dir: Path
    pages: int
    files: int
    bytes: int


def _asset_files(dirs: list[Path]) -> dict[str, Path]:
    """assets/ of the package, overridden file by file by the site's own assets/."""
    found: dict[str, Path] = {}
    for d in dirs:
        if not d.is_dir():
            continue
        for p in sorted(d.rglob("*")):
            if p.is_file() and not p.name.startswith("."):
                found["assets/" + p.relative_to(d).as_posix()] = p
    return found


def write_site(pages: dict[str, str], out_dir: Path, site_assets: Path | None = None, extra: dict[str, bytes] | None = None) -> WriteReport:
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    assets = _asset_files([PACKAGE_ASSETS] + ([site_assets] if site_assets else []))
    files: dict[str, bytes] = {}
    for path, html in pages.items():
        files[path] = html.encode("utf-8")
    for path, data in (extra or {}).items():
        if path in files:
            raise ValueError(f"output path collision: {path}")
        files[path] = data
    for path, src in assets.items():
        if path in files:
            raise ValueError(f"output path collision: {path}")
        files[path] = src.read_bytes()
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        total = 0
        for path in sorted(files):
            target = tmp / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[path])
            os.chmod(target, 0o644)
            total += len(files[path])
        for d in sorted({p for p in tmp.rglob("*") if p.is_dir()} | {tmp}):
            os.chmod(d, 0o755)
        _swap(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return WriteReport(out_dir, len(pages), len(files), total)


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
