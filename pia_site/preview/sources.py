"""The content folder as the incremental builder last read it: every YAML source with its
fingerprint, diagnostics and validated record, and the ``Site`` they make.

A source is re-read only when its bytes change.  The records are assembled per folder (one
municipality and its assessments), and a folder is assembled again only when one of its
sources or entries changed, so an edit of one assessment costs the size of its folder, not of
the site; the site itself is made by ``link.link_site``, as ``build.load_site`` makes it.  An
assembled ``Folder`` is immutable and a folder that did not change keeps the same object:
that is how ``page_index`` tells what changed since the output was last written.  Which
entries are read, and the messages about the tree, come from ``content_tree``.
"""
from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import content_tree as tree
from ..diagnostics import Diagnostic, has_errors
from ..link import link_assessment, link_site
from ..load import load_document
from ..model import Assessment, Municipality, Site
from ..validate import validate_assessment, validate_municipality, validate_site

_SITE = ""  # site.yaml's entry among the folders to assemble again


@dataclass
class Source:
    """One YAML file as last read: its fingerprint, diagnostics and validated record."""

    stamp: tuple
    digest: str
    load_diags: list[Diagnostic]
    diags: list[Diagnostic]  # validation (and link) diagnostics for the file's role
    record: Any = None  # SiteConfig | Municipality | Assessment | None


def load_source(path: Path, stamp: tuple, digest: str, is_site: bool) -> Source:
    doc, load_diags = load_document(path)
    if is_site:
        config, diags = validate_site(doc)
        return Source(stamp, digest, load_diags, diags, config)
    slug = path.parent.name
    if tree.is_municipality(path):
        m, diags = validate_municipality(doc, slug)
        return Source(stamp, digest, load_diags, diags, m)
    a, diags = validate_assessment(doc, slug)
    if a is None:
        return Source(stamp, digest, load_diags, diags)
    a, linked = link_assessment(a)
    return Source(stamp, digest, load_diags, diags + linked, a)


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
        self._notes: dict[Path, Diagnostic] = {}  # entries not read, with why (content_tree: E013, E014)
        self._dirty: set[str] = {_SITE}  # folders (and _SITE) to assemble again
        self._assembled: dict[str, Folder] = {}
        self._last: Assembly | None = None

    # -- reading --------------------------------------------------------------------------
    def rescan(self) -> None:
        """Look at every entry (re-reading the files whose stamp changed)."""
        seen: set[Path] = set()
        folders: set[str] = set()
        notes: dict[Path, Diagnostic] = {}
        if self.content.is_dir():
            for p in tree.entries(self.content):
                kind, note = tree.top_entry(p, self.content)
                if note is not None:
                    notes[p] = note
                if kind == "site":
                    self._refresh_file(p, check_stamp=True)
                    seen.add(p)
                elif kind == "folder":
                    folders.add(p.name)
                    for f in tree.entries(p):
                        read, note = tree.folder_entry(f, self.content)
                        if note is not None:
                            notes[f] = note
                        if read:
                            self._refresh_file(f, check_stamp=True)
                            seen.add(f)
        for p in [p for p in self.sources if p not in seen]:
            self._drop(p)
        for p in set(notes) | set(self._notes):
            self._note(p, notes.get(p))
        self._dirty |= folders ^ self._folders
        self._folders = folders

    def forget_all(self) -> None:
        """Drop every record (the catalog changed: validate everything again)."""
        self._dirty |= {_SITE} | set(self._files) | self._folders
        self.sources.clear()
        self._files.clear()

    def forget(self, paths) -> None:
        """Drop these sources as if they were not there (the next ``refresh_path`` of each reads it as new)."""
        for p in paths:
            self._drop(p)

    def refresh_path(self, p: Path) -> None:
        """One changed path under the content folder (a file or a folder, existing or not)."""
        rel = p.relative_to(self.content).parts
        if not rel:
            self.rescan()
            return
        folder = self.content / rel[0]
        kind, note = tree.top_entry(folder, self.content)
        if len(rel) == 1:
            self._note(folder, note)
        if rel[0] == tree.SITE_FILE:
            if len(rel) == 1:
                self._refresh_file(p) if kind == "site" else self._drop(p)
            return
        present_now = kind == "folder"
        if present_now != (rel[0] in self._folders):
            self._dirty.add(rel[0])
            (self._folders.add if present_now else self._folders.discard)(rel[0])
        if len(rel) == 1 or not present_now:  # a folder created, removed or renamed: look at all of it
            present: set[Path] = set()
            for f in [f for f in self._notes if f.parent == folder]:
                self._note(f, None)
            for f in tree.entries(folder) if present_now else ():
                read, note = tree.folder_entry(f, self.content)
                self._note(f, note)
                if read:
                    present.add(f)
            for f in [f for f in self._files.get(rel[0], ()) if f not in present]:
                self._drop(f)
            for f in sorted(present):
                self._refresh_file(f, check_stamp=True)
        elif len(rel) == 2:
            read, note = tree.folder_entry(p, self.content)
            self._note(p, note)
            self._refresh_file(p) if read else self._drop(p)

    def _note(self, path: Path, note: Diagnostic | None) -> None:
        """Remember what the tree says of an entry it does not read (None: nothing)."""
        if self._notes.get(path) == note:
            return
        if note is None:
            del self._notes[path]
        else:
            self._notes[path] = note
        self._dirty.add(_SITE if path.parent == self.content else path.parent.name)

    def _refresh_file(self, path: Path, check_stamp: bool = False) -> None:
        """(Re)load one source (an entry the tree reads) if its bytes changed; forget it if it is gone."""
        is_site = path.parent == self.content
        try:
            st = path.stat()
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
        """The site as ``build.load_site`` makes it, from the records (through ``link.link_site``)."""
        if not self.content.is_dir():
            return Assembly(None, (tree.no_content(self.content),), {})
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
        site_src = self.sources.get(self.content / tree.SITE_FILE)
        head = [self._notes[p] for p in sorted(self._notes) if p.parent == self.content]
        if site_src is None:
            head += tree.site_missing(self.content, head)
        else:
            head += site_src.load_diags + site_src.diags
        config = site_src.record if site_src is not None else None
        site, linked = link_site(config, [f.municipality for f in folders.values() if f.municipality is not None],
                                 list(itertools.chain.from_iterable(f.assessments for f in folders.values())))
        diags = tuple(itertools.chain(head, *(f.diags for f in folders.values()), linked))
        if has_errors(head) or any(f.errors for f in folders.values()) or has_errors(linked):
            site = None
        self._last = Assembly(site, diags, folders)
        return self._last

    def _assemble_folder(self, name: str) -> Folder:
        folder = self.content / name
        files = sorted(self._files.get(name, ()), key=lambda p: p.name)
        notes = [self._notes[p] for p in sorted(self._notes) if p.parent == folder]
        diags: list[Diagnostic] = list(notes)
        muni = None
        for f in files:
            diags += self.sources[f].load_diags
            if tree.is_municipality(f):
                muni = f  # the last one wins, as in load.load_content
        record = None
        if muni is None:
            diags += tree.municipality_missing(folder, notes)
        else:
            src = self.sources[muni]
            diags += src.diags
            record = src.record
        assessments, sources = [], []
        for f in files:
            if tree.is_municipality(f):
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
