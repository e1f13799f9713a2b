"""The content folder as the incremental builder last read it: every YAML source with its
fingerprint, diagnostics and validated record, and the ``Site`` they make.

A source is re-read only when its bytes change.  The site is assembled per folder (one
municipality and its assessments), and a folder is assembled again only when one of its
sources changed, so an edit of one assessment costs the size of its folder, not of the
site.  An assembled ``Folder`` is immutable and a folder that did not change keeps the same
object: that is how ``page_index`` tells what changed since the output was last written.
The result is what ``build.load_site`` makes of the same files, diagnostics in the same order.
"""
from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, SourceLocation, has_errors
from .link import link_assessment
from .load import YAML_SUFFIXES, display_path, load_document
from .model import Assessment, Municipality, Site
from .validate import validate_assessment, validate_municipality, validate_site
from .views_changes import listing_record

MUNICIPALITY_STEM = "municipality"
_SITE = ""  # site.yaml's entry among the folders to assemble again


@dataclass
class Source:
    """One YAML file as last read: its fingerprint, diagnostics and validated record."""

    stamp: tuple
    digest: str
    load_diags: list[Diagnostic]
    diags: list[Diagnostic]  # validation (and link) diagnostics for the file's role
    record: Any = None  # SiteConfig | Municipality | Assessment | None
    listing: str = ""  # views_changes.listing_record of an assessment


def load_source(path: Path, stamp: tuple, digest: str, is_site: bool) -> Source:
    doc, load_diags = load_document(path)
    if is_site:
        config, diags = validate_site(doc)
        return Source(stamp, digest, load_diags, diags, config)
    slug = path.parent.name
    if path.stem == MUNICIPALITY_STEM:
        m, diags = validate_municipality(doc, slug)
        return Source(stamp, digest, load_diags, diags, m)
    a, diags = validate_assessment(doc, slug)
    if a is None:
        return Source(stamp, digest, load_diags, diags)
    a, linked = link_assessment(a)
    return Source(stamp, digest, load_diags, diags + linked, a, listing_record(a))


@dataclass(frozen=True)
class Folder:
    """One municipality folder, assembled: diagnostics in content order, the records, and the
    source of each assessment (same order as ``assessments``)."""

    name: str
    diags: tuple[Diagnostic, ...]
    errors: bool
    municipality: Municipality | None
    assessments: tuple[Assessment, ...]
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Assembly:
    site: Site | None  # None when there are errors
    diagnostics: tuple[Diagnostic, ...]
    folders: dict[str, Folder]  # by folder name, in name order


class ContentState:
    def __init__(self, content: Path):
        self.content = content
        self.sources: dict[Path, Source] = {}
        self._files: dict[str, set[Path]] = {}  # folder -> paths of its sources
        self._folders: set[str] = set()  # folders present (municipalities)
        self._dirty: set[str] = {_SITE}  # folders (and _SITE) to assemble again
        self._assembled: dict[str, Folder] = {}
        self._last: Assembly | None = None

    # -- reading --------------------------------------------------------------------------
    def rescan(self) -> None:
        """Look at every file (re-reading those whose stamp changed)."""
        seen: set[Path] = set()
        folders: set[str] = set()
        if self.content.is_dir():
            site = self.content / "site.yaml"
            if site.is_file():
                self._refresh_file(site, check_stamp=True)
                seen.add(site)
            for d in self.content.iterdir():
                if d.is_dir() and folder_ok(d.name):
                    folders.add(d.name)
                    for f in yaml_files(d):
                        self._refresh_file(f, check_stamp=True)
                        seen.add(f)
        for p in [p for p in self.sources if p not in seen]:
            self._drop(p)
        self._dirty |= folders ^ self._folders
        self._folders = folders

    def forget_all(self) -> None:
        """Drop every record (the catalog changed: validate everything again)."""
        self._dirty |= {_SITE} | set(self._files) | self._folders
        self.sources.clear()
        self._files.clear()

    def refresh_path(self, p: Path) -> None:
        """One changed path under the content folder (a file or a folder, existing or not)."""
        rel = p.relative_to(self.content).parts
        if not rel:
            self.rescan()
            return
        folder = self.content / rel[0]
        if len(rel) == 1 and rel[0] == "site.yaml":
            self._refresh_file(p)
            return
        if not folder_ok(rel[0]):
            return
        present_now = folder.is_dir()
        if present_now != (rel[0] in self._folders):
            self._dirty.add(rel[0])
            (self._folders.add if present_now else self._folders.discard)(rel[0])
        if len(rel) == 1:  # a folder created, removed or renamed: look at all of it
            present = set(yaml_files(folder)) if present_now else set()
            for f in [f for f in self._files.get(rel[0], ()) if f not in present]:
                self._drop(f)
            for f in sorted(present):
                self._refresh_file(f, check_stamp=True)
        elif len(rel) == 2:
            self._refresh_file(p)

    def _refresh_file(self, path: Path, check_stamp: bool = False) -> None:
        """(Re)load one content file if its bytes changed; forget it if it is gone."""
        is_site = path.parent == self.content
        ok = path.name == "site.yaml" if is_site else (path.suffix in YAML_SUFFIXES and not path.name.startswith("."))
        try:
            st = path.stat() if ok else None
        except OSError:
            st = None
        if st is None or not path.is_file():
            self._drop(path)
            return
        old = self.sources.get(path)
        stamp = _stamp(st)
        if check_stamp and old is not None and old.stamp == stamp:
            return
        try:
            data = path.read_bytes()
        except OSError:
            self._drop(path)
            return
        digest = _digest(data)
        if old is not None and old.digest == digest:
            old.stamp = stamp
            return
        self.sources[path] = load_source(path, stamp, digest, is_site)
        self._touch(path, True)

    def _drop(self, path: Path) -> None:
        if self.sources.pop(path, None) is not None:
            self._touch(path, False)

    def _touch(self, path: Path, present: bool) -> None:
        if path.parent == self.content:
            self._dirty.add(_SITE)
            return
        folder = path.parent.name
        self._dirty.add(folder)
        files = self._files.setdefault(folder, set())
        if present:
            files.add(path)
        else:
            files.discard(path)
            if not files:
                del self._files[folder]

    # -- assembling -----------------------------------------------------------------------
    def assemble(self) -> Assembly:
        """The site as ``build.load_site`` makes it, from the records."""
        if not self.content.is_dir():
            return Assembly(None, (Diagnostic("E010", "コンテンツのフォルダが見つかりません。--content で指定してください。",
                                              SourceLocation(display_path(self.content))),), {})
        if not self._dirty and self._last is not None:
            return self._last
        dirty, self._dirty = self._dirty, set()
        folders_changed = False
        for name in dirty - {_SITE}:
            if name in self._folders:
                folders_changed |= name not in self._assembled
                self._assembled[name] = self._assemble_folder(name)
            elif self._assembled.pop(name, None) is not None:
                folders_changed = True
        if folders_changed or self._last is None:
            folders = {name: self._assembled[name] for name in sorted(self._assembled)}
        else:
            folders = {name: self._assembled[name] for name in self._last.folders}
        site_path = self.content / "site.yaml"
        site_src = self.sources.get(site_path)
        if site_src is None:
            head = [Diagnostic("E011", "site.yaml がありません。サイト名などを書いた site.yaml を作ってください。",
                               SourceLocation(display_path(site_path)))]
        else:
            head = site_src.load_diags + site_src.diags
        diags = tuple(itertools.chain(head, *(f.diags for f in folders.values())))
        config = site_src.record if site_src is not None else None
        site = None
        if config is not None and not has_errors(head) and not any(f.errors for f in folders.values()):
            site = Site(config, tuple(f.municipality for f in folders.values() if f.municipality is not None),
                        tuple(itertools.chain.from_iterable(f.assessments for f in folders.values())))
        self._last = Assembly(site, diags, folders)
        return self._last

    def _assemble_folder(self, name: str) -> Folder:
        files = sorted(self._files.get(name, ()), key=lambda p: p.name)
        diags: list[Diagnostic] = []
        muni = None
        for f in files:
            diags += self.sources[f].load_diags
            if f.stem == MUNICIPALITY_STEM:
                muni = f  # the last one wins, as in load.load_content
        record = None
        if muni is None:
            diags.append(Diagnostic("E012", "municipality.yaml がありません。団体名・都道府県・団体コードを書いてください。",
                                    SourceLocation(display_path(self.content / name / "municipality.yaml"))))
        else:
            src = self.sources[muni]
            diags += src.diags
            record = src.record
        assessments, sources = [], []
        for f in files:
            if f.stem == MUNICIPALITY_STEM:
                continue
            src = self.sources[f]
            diags += src.diags
            if src.record is not None:
                assessments.append(src.record)
                sources.append(src)
        return Folder(name, tuple(diags), has_errors(diags), record, tuple(assessments), tuple(sources))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _stamp(st) -> tuple:
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


def folder_ok(name: str) -> bool:
    return not name.startswith((".", "_"))


def yaml_files(folder: Path) -> list[Path]:
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    return sorted(p for p in entries if p.is_file() and p.suffix in YAML_SUFFIXES and not p.name.startswith("."))
