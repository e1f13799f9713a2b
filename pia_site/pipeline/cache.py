"""The persistent build cache (``.pia-cache/build`` beside the content folder).

One entry per assessment, named by the hash of everything its pages and diagnostics are
made from (``key_base``: pia-site's version and code, site.yaml, the catalog files, the
theme's templates and assets; then the file's path, its bytes and its municipality.yaml):
an edit changes the key, so there is nothing to invalidate.  An entry holds the worker's
``Result``; the pages are kept once each under their SHA-256 (``pages/``) and hard-linked (or
copied) into the staging tree.

Nothing read from the cache is trusted: an entry must carry its own key and a matching
checksum, it is unpickled by an unpickler that builds only pia-site's data classes and enums,
and a page file must hash to its name before it is used.  Anything else is a miss.  Every
file is written to a temporary name and renamed, so a killed build leaves no half entry.
"""
from __future__ import annotations

import dataclasses
import enum
import hashlib
import io
import os
import pickle
import shutil
from importlib import metadata
from pathlib import Path

from ..catalog import catalog_files
from ..theme import Theme
from ..write import write_atomically
from .summary import Result

MAGIC = b"pia-site-cache 1\n"
PACKAGE = Path(__file__).resolve().parents[1]


class _Unpickler(pickle.Unpickler):
    """Builds pia-site's frozen data classes and enums, and nothing else."""

    def find_class(self, module: str, name: str):
        if module == "builtins" and name in ("frozenset", "set"):
            return getattr(__import__("builtins"), name)
        if module.startswith("pia_site.") or module == "pia_site":
            obj = super().find_class(module, name)
            if isinstance(obj, type) and (dataclasses.is_dataclass(obj) or issubclass(obj, enum.Enum)):
                return obj
        raise pickle.UnpicklingError(f"not allowed in the cache: {module}.{name}")


def load_data(f) -> object:
    """The next pickled object of a binary file, built as a cache entry is (``_Unpickler``)."""
    return _Unpickler(f).load()


def _files_digest(h, files) -> None:
    for p in files:
        h.update(str(p).encode() + b"\0")
        try:
            h.update(hashlib.sha256(p.read_bytes()).digest())
        except OSError:
            h.update(b"-")


def _version() -> str:
    try:
        return metadata.version("pia-site")
    except metadata.PackageNotFoundError:  # run from a source tree
        return ""


def code_digest(theme: Theme) -> str:
    """The hash of pia-site's code, the catalog files and the theme's templates and assets: what
    every page is made from besides the content (``serve`` compares it to take over a build's output)."""
    h = hashlib.sha256(MAGIC + _version().encode() + b"\0")
    _files_digest(h, sorted(PACKAGE.rglob("*.py")))  # an edited pia-site (a checkout) is another pia-site
    _files_digest(h, sorted(catalog_files()))
    for root in theme.template_roots + theme.asset_roots:
        h.update(b"root\0")
        if root.is_dir():
            _files_digest(h, sorted(p for p in root.rglob("*") if p.is_file()))
    return h.hexdigest()


def key_base(site_bytes: bytes | None, theme: Theme, code: str | None = None) -> str:
    """The hash of the inputs every assessment shares (``code``: ``code_digest(theme)``, if known)."""
    h = hashlib.sha256((code or code_digest(theme)).encode() + b"\0")
    h.update(b"site\0" + (site_bytes if site_bytes is not None else b"-"))
    return h.hexdigest()


class Cache:
    def __init__(self, root: Path):
        self.root = Path(root)

    def _entry(self, key: str) -> Path:
        return self.root / "entries" / key[:2] / key

    def _page(self, digest: str) -> Path:
        return self.root / "pages" / digest[:2] / digest

    def get(self, key: str) -> Result | None:
        result = read_entry(self._entry(key), key)
        if not isinstance(result, Result) or len(result.digests) != len(result.pages):
            return None
        return result

    def place(self, result: Result, stage: Path) -> bool:
        """Put the pages of a cached result into the staging tree; False (nothing usable) when
        one is missing or does not hash to its name."""
        for (path, size), digest in zip(result.pages, result.digests):
            src = self._page(digest)
            try:
                if src.stat().st_size != size or _sha256(src) != digest:
                    return False
                target = stage / path
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(src, target)
                except OSError:
                    shutil.copyfile(src, target)
                    os.chmod(target, 0o644)
            except OSError:
                return False
        return True

    def put(self, key: str, result: Result, pages: list[tuple[str, bytes]]) -> None:
        try:
            for (_, data), digest in zip(pages, result.digests):
                target = self._page(digest)
                if not target.exists():
                    _atomic(target, data)
            write_entry(self._entry(key), key, result)
        except OSError:  # a full disk or a read-only cache: the build goes on without it
            pass

    def prune(self, keys: set[str], digests: set[str]) -> None:
        """Remove the entries and pages a build did not use (the cache holds one site)."""
        for kind, keep in (("entries", keys), ("pages", digests)):
            base = self.root / kind
            if not base.is_dir():
                continue
            for d in base.iterdir():
                for f in (d.iterdir() if d.is_dir() else ()):
                    if f.name not in keep:
                        try:
                            f.unlink()
                        except OSError:
                            pass


def read_entry(path: Path, key: str) -> object | None:
    """What ``write_entry`` kept under ``key`` at ``path``; None when it is missing, damaged,
    foreign or kept under another key."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(MAGIC) + 65
    if not data.startswith(MAGIC) or len(data) < head:
        return None
    payload = data[head:]
    if hashlib.sha256(payload).hexdigest().encode() != data[len(MAGIC):head - 1]:
        return None
    try:
        stored_key, value = _Unpickler(io.BytesIO(payload)).load()
    except Exception:  # noqa: BLE001 - a corrupt or foreign entry is a miss
        return None
    return value if stored_key == key else None


def write_entry(path: Path, key: str, value) -> None:
    """Keep ``value`` (pia-site data classes) under ``key``, with a checksum, atomically."""
    payload = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
    _atomic(path, MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, data)
