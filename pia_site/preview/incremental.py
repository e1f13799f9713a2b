"""Incremental build: reload only the changed YAML, re-render only the pages whose
inputs changed, write only the files whose bytes changed.

The builder keeps the last good state: the sources and the site they assemble to
(``sources``: each file's fingerprint and validated record, the site assembled per
folder), the page index of what the output holds (``page_index``: every page's input keys
as ``render.page_specs`` names them, each key's fingerprint, key -> pages), a digest of
every page written, and the digests of the assets and of the extra files (search index).
Given the paths that changed, it works out which input keys changed, re-renders the pages
whose dependencies meet them, and has ``write`` replace each changed output file
atomically (``write.replace_file``: temporary file and rename); the bookkeeping costs what
changed, not the size of the site.  A validation error leaves the output untouched and
returns the diagnostics; the next successful update catches up from the last good state.

The output is byte-identical to ``build.build`` of the same content: the first
successful update is a full build written by ``write.write_site``; later updates
only touch what differs.
"""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from jinja2 import TemplateSyntaxError

from .. import catalog as cat
from .. import render as _render
from .. import urls
from .adopt import OnDisk, classify, stale_sources
from .sources import Assembly, ContentState
from ..diagnostics import Diagnostic, has_errors
from ..model import Assessment, Site
from ..opendata import DATA_DIR, open_data
from ..pipeline.cache import code_digest
from ..pipeline.run import Inputs
from .page_index import PageIndex
from ..render import CATALOG, SITE, assessment_key, make_environment, municipality_key
from ..search.index import IndexState, build_index
from ..search.update import update_index
from ..search.units import assessment_doc, doc_order
from ..symlinks import link_diagnostics
from ..template_audit import audit_theme
from ..theme import Theme
from ..write import is_under, remove_file, replace_file, write_site


def _digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


@dataclass(frozen=True)
class UpdateResult:
    ok: bool
    diagnostics: tuple[Diagnostic, ...]
    rendered: tuple[str, ...] = ()  # pages rendered
    written: tuple[str, ...] = ()  # output files (re)written
    removed: tuple[str, ...] = ()  # output files removed
    changed_keys: frozenset[str] = frozenset()
    full: bool = False  # the whole tree was written (first build, or recovery)
    extra_pending: bool = False  # the search index still has to be brought up to date
    seconds: float = 0.0


@dataclass
class _Good:
    """What the output directory holds: the state of the last successful update."""

    keys: dict[str, str]
    pages: dict[str, str]  # page -> digest of its bytes
    assets: dict[str, str]
    extra: dict[str, str]
    site: Site
    docs: dict[str, tuple[tuple, Any]] = field(default_factory=dict)  # page -> (fingerprint, search Doc)
    extra_dirty: bool = False
    index_state: IndexState | None = None  # what the search index files on disk were made from
    index_order: tuple[str, ...] = ()  # assessment pages in search-index order


@dataclass
class ExtraJob:
    """The search index of one state of the site.  ``compute`` needs no lock (it reads
    immutable records and the index files the output holds), so a server can run it
    beside the next page update; ``IncrementalBuilder.apply_extra`` writes it if the site
    has not moved on since.  When only a few assessments changed and the index on disk
    was made from ``state``, the index is patched (``search.update``), else rebuilt."""

    generation: int
    site: Site
    keys: dict[str, str]
    docs: dict[str, tuple[tuple, Any]]  # the previous document cache (read only)
    out: Path | None = None
    state: IndexState | None = None  # of the index files in ``out``
    order: tuple[str, ...] = ()  # the pages of ``state``'s documents
    files: dict[str, bytes] | None = None
    removed: tuple[str, ...] = ()
    partial: bool = False  # ``files`` are only what changed (and ``removed`` what went)
    new_docs: dict[str, tuple[tuple, Any]] | None = None
    new_state: IndexState | None = None
    new_order: tuple[str, ...] = ()

    def compute(self) -> "ExtraJob":
        """As ``build_search_index`` makes it, reusing the documents of unchanged assessments."""
        docs_by_page: dict[str, tuple[tuple, Any]] = {}
        changed: set[str] = set()
        for a in self.site.assessments:
            page = urls.assessment_page(a.municipality, a.slug)
            fp = tuple(self.keys.get(k) for k in (SITE, CATALOG, municipality_key(a.municipality), assessment_key(a.municipality, a.slug)))
            cached = self.docs.get(page)
            if cached is not None and cached[0] == fp:
                docs_by_page[page] = cached
            else:
                docs_by_page[page] = (fp, assessment_doc(self.site, a))
                changed.add(page)
        order = tuple(urls.assessment_page(a.municipality, a.slug) for a in _search_order(self.site))
        docs = [docs_by_page[p][1] for p in order]
        update = None
        if self.state is not None and self.out is not None and order == self.order and len(changed) <= max(1, len(order) // 4):
            old_docs = [self.docs[p][1] for p in order]
            update = update_index(self.site, self.state, old_docs, docs, [i for i, p in enumerate(order) if p in changed],
                                  lambda path: _read_or_none(self.out / path))
        if update is not None:
            self.files, self.removed, self.partial, self.new_state = update.files, update.removed, True, update.state
        else:
            index = build_index(self.site, docs)
            self.files, self.removed, self.partial, self.new_state = index.files, (), False, index.state
        self.new_docs, self.new_order = docs_by_page, order
        self.files = {**self.files, **open_data(self.site)}  # data/: small, made whole each time
        return self


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


class IncrementalBuilder:
    def __init__(self, content: Path, out: Path):
        self.content = Path(os.path.abspath(content))
        self.out = Path(os.path.abspath(out))
        self._theme = Theme()  # site.yaml's, as of the last assembled site (see ``theme``)
        self._content = ContentState(self.content)
        self._catalog_digest = ""
        self._env = None
        self._templates_stale = True  # the environment predates a template change
        self._assets_stale = True  # the assets changed since the output was last written
        self._theme_diags: tuple[Diagnostic, ...] | None = None  # links leaving templates/ or assets/ (E013)
        self._good: _Good | None = None
        self._index: PageIndex | None = None  # the pages of the output (with _good)
        self._scanned = False
        self._generation = 0  # successful-looking updates so far (extra jobs of older ones are stale)

    # -- public ---------------------------------------------------------------------------
    def update(self, changed: Iterable[str | os.PathLike] | None = None, *, defer_extra: bool = False,
               on_own_pages: Callable[[tuple[str, ...]], None] | None = None) -> UpdateResult:
        """Bring the output up to date.  ``changed``: the paths that changed (files or
        folders, existing or deleted); ``None`` rescans everything.  With ``defer_extra``
        the search index is left for ``flush_extra`` (pages show sooner).

        An incremental update renders the edited assessments' own pages first, then the
        listings (top page, 更新履歴, feeds, municipality pages); ``on_own_pages`` is called
        with the files written so far when the former are written and the latter are still to
        render (a server can reload the edited page meanwhile)."""
        t0 = time.perf_counter()
        templates_changed, assets_changed = self._refresh(changed)
        asm = self._assembled(templates_changed, assets_changed)
        if not isinstance(asm, Assembly):
            return UpdateResult(False, asm, seconds=time.perf_counter() - t0)
        self._generation += 1
        try:
            if self._good is None:
                result = self._full(asm, defer_extra)
            else:
                result = self._incremental(asm, defer_extra, on_own_pages)
        except BaseException:
            self._good = self._index = None  # the output may be half-updated: the next update writes it whole
            raise
        self._assets_stale = False
        return UpdateResult(**{**result.__dict__, "seconds": time.perf_counter() - t0})

    def adopt(self, inputs: Inputs) -> list[Path] | None:
        """Take over the output as the pipeline wrote it from ``inputs`` (``build.build``'s),
        rendering and writing nothing: the first ``update`` then has a last good state.  Returns
        the assessment files to pass to the next ``update`` (changed since the build read them:
        read again), or None when the output cannot be taken over (``update`` writes it whole)."""
        if self._good is not None or not inputs.code:
            return None
        self._refresh(None)
        stale = stale_sources({p: src.digest for p, src in self._content.sources.items()}, inputs.files, self.content)
        if stale is None:
            return None
        self._content.forget(stale)
        asm = self._assembled(True, True)
        if not isinstance(asm, Assembly):
            return None
        index = PageIndex(self._env)
        step, _ = self._sync(index, asm, specs=False)
        if code_digest(self._theme) != inputs.code:  # after the templates were read: pia-site, catalog or theme changed
            return None
        pages, assets, extra = classify(self.out, set(step.todo), set(self._assets()))
        self._good = _Good(step.keys, OnDisk(self.out, pages), OnDisk(self.out, assets), OnDisk(self.out, extra), asm.site)
        self._index = index
        self._generation += 1
        self._assets_stale = False
        return stale

    def flush_extra(self) -> tuple[str, ...]:
        """Bring deferred extra files (the search index) up to date; returns what was written or removed."""
        job = self.prepare_extra()
        if job is None:
            return ()
        return self.apply_extra(job.compute()) or ()

    def prepare_extra(self) -> ExtraJob | None:
        """A job for the pending search index, or None when it is up to date."""
        good = self._good
        if good is None or not good.extra_dirty:
            return None
        return ExtraJob(self._generation, good.site, good.keys, good.docs, self.out, good.index_state, good.index_order)

    def apply_extra(self, job: ExtraJob) -> tuple[str, ...] | None:
        """Write a computed job's files; None (nothing written) if an update came in between."""
        good = self._good
        if good is None or job.generation != self._generation or job.files is None:
            return None
        try:
            return self._write_extra(good, job)
        except BaseException:
            self._good = None
            raise

    @property
    def has_good_build(self) -> bool:
        return self._good is not None

    @property
    def theme(self) -> Theme:
        """The template and asset roots of the site as last assembled (what a watcher watches)."""
        return self._theme

    # -- sources --------------------------------------------------------------------------
    def _assembled(self, templates_changed: bool, assets_changed: bool) -> Assembly | tuple[Diagnostic, ...]:
        """The site assembled from the sources, with its theme checked and the template
        environment ready; or the diagnostics that stop the update."""
        # remembered across failed updates: the update that succeeds next must see them
        self._templates_stale |= templates_changed
        self._assets_stale |= assets_changed
        asm = self._content.assemble()
        if asm.site is None:
            return asm.diagnostics
        theme = Theme.for_config(asm.site.config)
        if theme != self._theme:  # site.yaml chose other overrides: other templates and assets
            self._theme = theme
            self._templates_stale = self._assets_stale = True
            self._theme_diags = None
        if templates_changed or assets_changed or self._theme_diags is None:
            self._theme_diags = tuple(link_diagnostics(theme.override_roots))
        diags = asm.diagnostics + self._theme_diags  # in content order; format_diagnostics sorts them
        if has_errors(self._theme_diags):
            return diags
        if self._env is None or self._templates_stale:
            audit = audit_theme(theme)
            if audit:  # the templates stay stale: audited again at the next update
                return tuple(diags) + tuple(audit)
            self._env = make_environment(theme)
            self._templates_stale = False
            if self._index is not None:
                self._index.set_env(self._env)
        return asm

    def _refresh(self, changed) -> tuple[bool, bool]:
        """Re-read what changed; returns (templates changed, assets changed)."""
        if changed is None or not self._scanned:
            self._check_catalog()
            self._content.rescan()
            self._scanned = True
            return True, True
        templates = assets = catalog = False
        theme = self._theme
        for raw in changed:
            p = Path(os.path.abspath(raw))
            if is_under(p, self.content):
                self._content.refresh_path(p)
            elif any(is_under(p, root) for root in theme.template_roots):
                templates = True
            elif any(is_under(p, root) for root in theme.asset_roots):
                assets = True
            elif any(is_under(p, d) for d in cat.catalog_dirs()):
                catalog = True
            elif p == theme.override:
                templates = assets = True  # the theme folder created or removed
        if catalog and self._check_catalog():
            self._content.rescan()
        return templates, assets

    def _check_catalog(self) -> bool:
        """Reload the form catalog if its files changed (then every record is stale); True if so."""
        h = hashlib.sha256()
        for d in cat.catalog_dirs():
            for p in sorted(d.glob("*.yaml")):
                h.update(str(p).encode() + b"\0" + p.read_bytes() + b"\0")
        digest = h.hexdigest()
        if self._catalog_digest and digest != self._catalog_digest:
            for obj in vars(cat).values():  # every cached catalog loader
                if callable(getattr(obj, "cache_clear", None)):
                    obj.cache_clear()
            self._content.forget_all()  # records hold catalog forms: validate everything again
            self._catalog_digest = digest
            return True
        self._catalog_digest = digest
        return False

    # -- output ---------------------------------------------------------------------------
    def _sync(self, index: PageIndex, asm: Assembly, specs: bool = True):
        try:
            step = index.sync(asm, self._catalog_digest)
            return step, (index.page_specs(step.todo, asm.site) if specs else [])
        except TemplateSyntaxError as exc:
            raise _located(self._env, exc) from None

    def _full(self, asm: Assembly, defer_extra: bool) -> UpdateResult:
        """Write the whole output; with ``defer_extra`` without the search index, which
        ``flush_extra`` (or a server's indexer) then writes: the pages show sooner."""
        site, index = asm.site, PageIndex(self._env)
        step, specs = self._sync(index, asm)
        keys = step.keys
        good = _Good(keys, {}, {}, {}, site)
        extra: dict[str, bytes] = {}
        if defer_extra:
            good.extra_dirty = True
        else:
            job = ExtraJob(self._generation, site, keys, {}).compute()
            extra = job.files
            good.docs, good.index_state, good.index_order = job.new_docs, job.new_state, job.new_order
        pages = ((spec.path, _render.render_page(site, self._env, spec)) for spec in specs)  # rendered as written
        assets = self._assets()
        write_site(pages, self.out, assets, extra=extra, digests=good.pages)
        good.assets = {p: _digest(src.read_bytes()) for p, src in assets.items()}
        good.extra = {p: _digest(data) for p, data in extra.items()}
        self._good, self._index = good, index
        return UpdateResult(True, asm.diagnostics, rendered=tuple(sorted(good.pages)), written=tuple(sorted(good.pages) + sorted(good.assets) + sorted(good.extra)),
                            changed_keys=frozenset(keys), full=True, extra_pending=good.extra_dirty)

    def _incremental(self, asm: Assembly, defer_extra: bool, on_own_pages=None) -> UpdateResult:
        good, index, site = self._good, self._index, asm.site
        step, specs = self._sync(index, asm)
        keys, changed = step.keys, step.changed
        # no page, asset or search-index file shares a path: link.link_site sees to that (L002)
        assets = self._assets() if self._assets_stale else None
        written, removed = [], []
        for n, spec in enumerate(specs):
            if n == step.own and written and on_own_pages is not None:
                on_own_pages(tuple(written))  # the edited pages are written; the listings follow
            data = _render.render_page(site, self._env, spec).encode("utf-8")
            d = _digest(data)
            if good.pages.get(spec.path) != d:
                replace_file(self.out, spec.path, data)
                written.append(spec.path)
            good.pages[spec.path] = d
        for path in step.gone:
            remove_file(self.out, path)
            removed.append(path)
            del good.pages[path]
        if assets is not None:
            for path, src in assets.items():
                data = src.read_bytes()
                d = _digest(data)
                if good.assets.get(path) != d:
                    replace_file(self.out, path, data)
                    written.append(path)
                good.assets[path] = d
            for path in [p for p in good.assets if p not in assets]:
                remove_file(self.out, path)
                removed.append(path)
                del good.assets[path]
        good.keys, good.site = keys, site
        if any(not k.startswith(("template:", "asset:")) for k in changed):  # the search index reads neither
            good.extra_dirty = True
        if good.extra_dirty and not defer_extra:
            for path in self._write_extra(good, self.prepare_extra().compute()):
                (written if path in good.extra else removed).append(path)
        return UpdateResult(True, asm.diagnostics, rendered=tuple(step.todo), written=tuple(written), removed=tuple(removed),
                            changed_keys=changed, extra_pending=good.extra_dirty)

    def _assets(self) -> dict[str, Path]:
        return self._theme.asset_files()

    def _write_extra(self, good: _Good, job: ExtraJob) -> tuple[str, ...]:
        extra = job.files
        touched = []
        for path, data in extra.items():
            d = _digest(data)
            if good.extra.get(path) != d:
                replace_file(self.out, path, data)
                touched.append(path)
                good.extra[path] = d
        gone = job.removed if job.partial else [p for p in good.extra if p not in extra]
        gone = list(gone) + [p for p in good.extra if p.startswith(DATA_DIR + "/") and p not in extra and p not in gone]
        for path in gone:
            remove_file(self.out, path)
            touched.append(path)
            good.extra.pop(path, None)
        good.docs, good.index_state, good.index_order = job.new_docs, job.new_state, job.new_order
        good.extra_dirty = False
        return tuple(touched)


def _located(env, exc: TemplateSyntaxError) -> TemplateSyntaxError:
    """Listing page specs parses templates without their names: find the file the error is in."""
    if exc.filename:
        return exc
    for name in env.list_templates():
        try:
            env.get_template(name)
        except TemplateSyntaxError as found:
            return found
        except Exception:  # noqa: BLE001 - only syntax errors are looked for here
            continue
    return exc


def _search_order(site: Site) -> list[Assessment]:
    """The order of ``search.units.site_docs``."""
    return doc_order(site)
