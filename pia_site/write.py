"""Write: the only module that touches the output directory.

A full build renders everything into a temporary sibling directory (``.<name>.tmp-*``,
marked as pia-site's from its first file: ``outdir.MARKER``); only when the whole site is
complete is it swapped into place in one atomic step, so a failed or killed build leaves
either the previous output or the new one, whole.  The live preview then replaces or
removes single files (``replace_file``, ``remove_file``), each atomically.  Output bytes
depend only on the inputs.

The swap: on Linux, ``renameat2(RENAME_EXCHANGE)`` exchanges the new tree and the output
folder in one step; the old tree, now at the temporary name, is removed afterwards.  Where
that call is missing (other systems, old kernels, file systems without it) the fallback is
two renames (output -> ``.<name>.old-*``, new tree -> output): nothing is ever lost, but a
kill between the two leaves no output folder, only the old tree at its ``.old-`` name, until
the next build.  Leftovers of killed builds are removed by the next build (``outdir``).
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import hashlib
import os
import secrets
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, Mapping

from . import outdir
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
    default theme's).  ``digests``, if given, receives the SHA-256 of every page written.
    Refuses (``outdir.OutDirError``) an existing output that is not pia-site's."""
    assets = Theme().asset_files() if assets is None else dict(assets)
    extra = extra or {}
    # the last guard: link.link_site reports colliding paths to the author first (L002)
    for path in extra:
        if path in assets:
            raise ValueError(f"output path collision: {path}")
    with Staging(out_dir) as stage:
        for path, html in (pages.items() if isinstance(pages, Mapping) else pages):
            if path in extra or path in assets:
                raise ValueError(f"output path collision: {path}")
            data = html.encode("utf-8")
            if digests is not None:
                digests[path] = hashlib.sha256(data).hexdigest()
            stage.page(path, data)
        for path in sorted(extra):
            stage.file(path, extra[path])
        for path in sorted(assets):
            stage.file(path, assets[path].read_bytes())
        return stage.commit()


class Staging:
    """A new output tree beside ``out_dir`` (``.<name>.tmp-*``, marked as pia-site's from its
    first file), swapped in whole by ``commit``; leaving the ``with`` block without a commit
    (an exception) removes it and leaves the previous output untouched.  Other processes may
    write files into ``root`` (``put_file``) while it is open; ``count`` tells the tree what
    they wrote.  ``scratch`` gives folders for the build's own temporary files, in a second
    tree beside it, never published: removed with the ``with`` block, or by the next build
    when this one was killed (``outdir.remove_leftovers``)."""

    def __init__(self, out_dir: Path):
        self.out_dir = Path(os.path.realpath(out_dir))
        outdir.check_ours(self.out_dir)
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        outdir.remove_leftovers(self.out_dir)
        self.root = Path(tempfile.mkdtemp(prefix=outdir.sibling_prefix(self.out_dir, "tmp"), dir=self.out_dir.parent))
        self._held = outdir.held(self.root)
        self._held.__enter__()
        outdir.mark(self.root)
        self.seen: set[str] = set()
        self.pages = self.files = self.bytes = 0
        self._old: Path | None = None
        self._done = False
        self._scratch: Path | None = None
        self._scratch_held = None

    def __enter__(self) -> "Staging":
        return self

    def scratch(self, name: str) -> Path:
        """A new empty folder for temporary files (search-index runs, records kept on disk)."""
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix=outdir.sibling_prefix(self.out_dir, "tmp"), dir=self.out_dir.parent))
            self._scratch_held = outdir.held(self._scratch)
            self._scratch_held.__enter__()
            outdir.mark(self._scratch)
        folder = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self._scratch))
        return folder

    def _claim(self, path: str) -> None:
        if path in self.seen:
            raise ValueError(f"two pages render to {path}")
        if path == outdir.MARKER:
            raise ValueError(f"output path collision: {path}")
        self.seen.add(path)

    def page(self, path: str, data: bytes) -> None:
        self._claim(path)
        self.bytes += put_file(self.root, path, data)
        self.pages += 1
        self.files += 1

    def file(self, path: str, data: bytes) -> None:
        self._claim(path)
        self.bytes += put_file(self.root, path, data)
        self.files += 1

    @contextlib.contextmanager
    def stream(self, path: str) -> Iterator[BinaryIO]:
        """A file of the tree written piece by piece (too large to hold whole): the open file."""
        self._claim(path)
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as f:
            yield f
        os.chmod(target, 0o644)
        self.bytes += target.stat().st_size
        self.files += 1

    def count(self, path: str, size: int, page: bool = True) -> None:
        """A file another process wrote into ``root``."""
        self._claim(path)
        self.bytes += size
        self.files += 1
        self.pages += page

    def commit(self) -> WriteReport:
        for d in sorted({p for p in self.root.rglob("*") if p.is_dir()} | {self.root}):
            os.chmod(d, 0o755)
        self._old = swap(self.root, self.out_dir)
        self._done = True
        return WriteReport(self.out_dir, self.pages, self.files, self.bytes)

    def __exit__(self, *exc) -> None:
        try:
            self._held.__exit__(*exc)
            if self._scratch_held is not None:
                self._scratch_held.__exit__(*exc)
        finally:
            try:
                # the old tree after a swap; after a failure, the unfinished new one
                outdir.remove_tree(self._old or self.root)
            finally:
                if self._scratch is not None:
                    outdir.remove_tree(self._scratch)


def put_file(root: Path, path: str, data: bytes) -> int:
    """Write one file of a staging tree (``Staging.root``); its size."""
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    os.chmod(target, 0o644)
    return len(data)


def swap(new: Path, out_dir: Path) -> Path | None:
    """Put the tree ``new`` at ``out_dir`` in one atomic step; returns where the old tree now is (None: there was none)."""
    if not os.path.lexists(out_dir):
        try:
            os.rename(new, out_dir)
            return None
        except OSError as exc:  # created meanwhile: exchange with it
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
    if exchange(new, out_dir):
        return new
    # fallback, two renames (see the module docstring)
    old = out_dir.with_name(f"{outdir.sibling_prefix(out_dir, 'old')}{os.getpid()}-{secrets.token_hex(4)}")
    os.rename(out_dir, old)
    try:
        os.rename(new, out_dir)
    except BaseException:
        os.rename(old, out_dir)
        raise
    return old


_AT_FDCWD = -100
_RENAME_EXCHANGE = 1 << 1
_renameat2 = None
if sys.platform.startswith("linux"):
    try:
        _renameat2 = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True).renameat2
        _renameat2.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
        _renameat2.restype = ctypes.c_int
    except (OSError, AttributeError):  # no libc, or glibc older than 2.28
        _renameat2 = None


def exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two existing paths (Linux ``renameat2(RENAME_EXCHANGE)``).
    False when the system or file system cannot; other failures raise."""
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


# -- single files (the live preview) ------------------------------------------------------
def is_under(p: Path, root: Path) -> bool:
    return p == root or root in p.parents


def replace_file(out: Path, rel: str, data: bytes) -> None:
    """Replace one output file: write a temporary sibling, then rename it over the target."""
    target = out / rel
    _makedirs(out, target.parent)
    write_atomically(target, data)


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``target`` (its folder exists) through a temporary sibling renamed over it: a reader
    sees the old bytes or the new ones, never a part."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _makedirs(out: Path, d: Path) -> None:
    missing = []
    while d != out and not d.is_dir():
        missing.append(d)
        d = d.parent
    for m in reversed(missing):
        m.mkdir(exist_ok=True)
        os.chmod(m, 0o755)


def remove_file(out: Path, rel: str) -> None:
    """Remove one output file, then the folders it leaves empty."""
    target = out / rel
    try:
        target.unlink()
    except FileNotFoundError:
        pass
    d = target.parent
    while d != out and is_under(d, out):
        try:
            d.rmdir()
        except OSError:
            break
        d = d.parent
