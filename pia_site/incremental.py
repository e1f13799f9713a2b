"""Incremental build: reload only the changed YAML, re-render only the pages whose
inputs changed, write only the files whose bytes changed.

The builder keeps the last good state: a fingerprint and the validated record of
every source file, a fingerprint of every input key (``render.page_specs`` names
them), the dependencies and a digest of every page written, and the digests of
the assets and of the extra files (search index).  Given the paths that changed,
it works out which input keys changed, re-renders the pages whose dependencies
meet them, and replaces each changed output file atomically (temporary file and
rename).  A validation error leaves the output untouched and returns the
diagnostics; the next successful update catches up from the last good state.

The output is byte-identical to ``build.build`` of the same content: the first
successful update is a full build written by ``write.write_site``; later updates
only touch what differs.
"""
from __future__ import annotations

import functools
import hashlib
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from jinja2 import TemplateSyntaxError

from . import catalog as cat
from . import render as _render
from . import urls
from .build import project_dir
from .diagnostics import Diagnostic, SourceLocation, has_errors
from .link import link_assessment
from .load import YAML_SUFFIXES, display_path, load_document
from .model import Assessment, Site
from .render import CATALOG, SITE, assessment_key, listing_key, make_environment, municipality_key, page_specs
from .search.index import index_docs
from .search.units import assessment_doc
from .views_changes import listing_record
from .validate import validate_assessment, validate_municipality, validate_site
from .write import PACKAGE_ASSETS, _asset_files, write_site

MUNICIPALITY_STEM = "municipality"


def _digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def _stamp(st: os.stat_result) -> tuple:
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


@dataclass
class _Source:
    """One YAML file as last read: its fingerprint, diagnostics and validated record."""

    stamp: tuple
    digest: str
    load_diags: list[Diagnostic]
    diags: list[Diagnostic]  # validation (and link) diagnostics for the file's role
    record: Any = None  # SiteConfig | Municipality | Assessment | None
    listing: str = ""


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
    deps: dict[str, frozenset[str]]  # page -> input keys
    pages: dict[str, str]  # page -> digest of its bytes
    assets: dict[str, str]
    extra: dict[str, str]
    site: Site
    docs: dict[str, tuple[tuple, Any]] = field(default_factory=dict)  # page -> (fingerprint, search Doc)
    extra_dirty: bool = False


@dataclass
class ExtraJob:
    """The search index of one state of the site.  ``compute`` needs no lock (it reads
    immutable records only), so a server can run it beside the next page update;
    ``IncrementalBuilder.apply_extra`` writes it if the site has not moved on since."""

    generation: int
    site: Site
    keys: dict[str, str]
    docs: dict[str, tuple[tuple, Any]]  # the previous document cache (read only)
    files: dict[str, bytes] | None = None
    new_docs: dict[str, tuple[tuple, Any]] | None = None

    def compute(self) -> "ExtraJob":
        """As ``build_search_index`` makes it, reusing the documents of unchanged assessments."""
        docs_by_page: dict[str, tuple[tuple, Any]] = {}
        for a in self.site.assessments:
            page = urls.assessment_page(a.municipality, a.slug)
            fp = tuple(self.keys.get(k) for k in (SITE, CATALOG, municipality_key(a.municipality), assessment_key(a.municipality, a.slug)))
            cached = self.docs.get(page)
            docs_by_page[page] = cached if cached is not None and cached[0] == fp else (fp, assessment_doc(self.site, a))
        docs = [docs_by_page[urls.assessment_page(a.municipality, a.slug)][1] for a in _search_order(self.site)]
        self.files = index_docs(self.site, docs)
        self.new_docs = docs_by_page
        return self


class IncrementalBuilder:
    def __init__(self, content: Path, out: Path):
        self.content = Path(os.path.abspath(content))
        self.out = Path(os.path.abspath(out))
        root = project_dir(self.content)
        self.site_templates = root / "templates"
        self.site_assets = root / "assets"
        self._sources: dict[Path, _Source] = {}
        self._folders: set[str] = set()
        self._catalog_digest = ""
        self._env = None
        self._templates: dict[str, str] = {}  # template name -> digest of its source
        self._good: _Good | None = None
        self._scanned = False
        self._assessment_sources: dict[tuple[str, str], _Source] = {}
        self._generation = 0  # successful-looking updates so far (extra jobs of older ones are stale)

    # -- public ---------------------------------------------------------------------------
    def update(self, changed: Iterable[str | os.PathLike] | None = None, *, defer_extra: bool = False) -> UpdateResult:
        """Bring the output up to date.  ``changed``: the paths that changed (files or
        folders, existing or deleted); ``None`` rescans everything.  With ``defer_extra``
        the search index is left for ``flush_extra`` (pages show sooner)."""
        t0 = time.perf_counter()
        templates_changed, assets_changed = self._refresh(changed)
        site, diags = self._assemble()
        diags = tuple(diags)  # in content order; format_diagnostics sorts them
        if site is None:
            return UpdateResult(False, diags, seconds=time.perf_counter() - t0)
        if self._env is None or templates_changed:
            self._env = _parse_once(make_environment(self.site_templates))
            self._templates = {}
        self._generation += 1
        try:
            if self._good is None:
                result = self._full(site, diags)
            else:
                result = self._incremental(site, diags, assets_changed, defer_extra)
        except BaseException:
            self._good = None  # the output may be half-updated: the next update writes it whole
            raise
        return UpdateResult(**{**result.__dict__, "seconds": time.perf_counter() - t0})

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
        return ExtraJob(self._generation, good.site, good.keys, good.docs)

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

    # -- sources --------------------------------------------------------------------------
    def _refresh(self, changed) -> tuple[bool, bool]:
        """Re-read what changed; returns (templates changed, assets changed)."""
        if changed is None or not self._scanned:
            self._check_catalog()
            self._rescan_content()
            self._scanned = True
            return True, True
        templates = assets = catalog = False
        for raw in changed:
            p = Path(os.path.abspath(raw))
            if _under(p, self.content):
                self._refresh_content_path(p)
            elif _under(p, self.site_templates) or _under(p, _render.DEFAULT_TEMPLATES):
                templates = True
            elif _under(p, self.site_assets) or _under(p, PACKAGE_ASSETS):
                assets = True
            elif _under(p, cat.CATALOG_DIR):
                catalog = True
            elif p in (self.site_templates.parent, self.content.parent):
                templates = assets = True  # templates/ or assets/ created or removed
        if catalog and self._check_catalog():
            self._rescan_content()
        return templates, assets

    def _check_catalog(self) -> bool:
        """Reload the form catalog if its files changed (then every record is stale); True if so."""
        h = hashlib.sha256()
        for p in sorted(cat.CATALOG_DIR.glob("*.yaml")):
            h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
        digest = h.hexdigest()
        if self._catalog_digest and digest != self._catalog_digest:
            for obj in vars(cat).values():  # every cached catalog loader
                if callable(getattr(obj, "cache_clear", None)):
                    obj.cache_clear()
            self._sources.clear()  # records hold catalog forms: validate everything again
            self._catalog_digest = digest
            return True
        self._catalog_digest = digest
        return False

    def _rescan_content(self) -> None:
        seen: set[Path] = set()
        folders: set[str] = set()
        if self.content.is_dir():
            site = self.content / "site.yaml"
            if site.is_file():
                self._refresh_file(site, check_stamp=True)
                seen.add(site)
            for d in self.content.iterdir():
                if d.is_dir() and _folder_ok(d.name):
                    folders.add(d.name)
                    for f in _yaml_files(d):
                        self._refresh_file(f, check_stamp=True)
                        seen.add(f)
        for p in [p for p in self._sources if p not in seen]:
            del self._sources[p]
        self._folders = folders

    def _refresh_content_path(self, p: Path) -> None:
        rel = p.relative_to(self.content).parts
        if not rel:
            self._rescan_content()
            return
        folder = self.content / rel[0]
        if len(rel) == 1 and rel[0] == "site.yaml":
            self._refresh_file(p)
            return
        if not _folder_ok(rel[0]):
            return
        if folder.is_dir():
            self._folders.add(rel[0])
        else:
            self._folders.discard(rel[0])
        if len(rel) == 1:  # a folder created, removed or renamed: look at all of it
            present = set(_yaml_files(folder)) if folder.is_dir() else set()
            for f in [f for f in self._sources if f.parent == folder and f not in present]:
                del self._sources[f]
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
            self._sources.pop(path, None)
            return
        old = self._sources.get(path)
        stamp = _stamp(st)
        if check_stamp and old is not None and old.stamp == stamp:
            return
        try:
            data = path.read_bytes()
        except OSError:
            self._sources.pop(path, None)
            return
        digest = _digest(data)
        if old is not None and old.digest == digest:
            old.stamp = stamp
            return
        self._sources[path] = self._load(path, stamp, digest, is_site)

    def _load(self, path: Path, stamp: tuple, digest: str, is_site: bool) -> _Source:
        doc, load_diags = load_document(path)
        if is_site:
            config, diags = validate_site(doc)
            return _Source(stamp, digest, load_diags, diags, config)
        slug = path.parent.name
        if path.stem == MUNICIPALITY_STEM:
            m, diags = validate_municipality(doc, slug)
            return _Source(stamp, digest, load_diags, diags, m)
        a, diags = validate_assessment(doc, slug)
        if a is None:
            return _Source(stamp, digest, load_diags, diags)
        a, linked = link_assessment(a)
        return _Source(stamp, digest, load_diags, diags + linked, a, listing_record(a))

    def _assemble(self) -> tuple[Site | None, list[Diagnostic]]:
        """The site as ``build.load_site`` makes it, from the cached records."""
        if not self.content.is_dir():
            return None, [Diagnostic("E010", "コンテンツのフォルダが見つかりません。--content で指定してください。", SourceLocation(display_path(self.content)))]
        diags: list[Diagnostic] = []
        site_path = self.content / "site.yaml"
        site_src = self._sources.get(site_path)
        if site_src is None:
            diags.append(Diagnostic("E011", "site.yaml がありません。サイト名などを書いた site.yaml を作ってください。", SourceLocation(display_path(site_path))))
        else:
            diags += site_src.load_diags + site_src.diags
        by_folder: dict[str, list[Path]] = {f: [] for f in self._folders}
        for p in self._sources:
            if p.parent != self.content and p.parent.name in by_folder:
                by_folder[p.parent.name].append(p)
        municipalities, assessments, self._assessment_sources = [], [], {}
        for folder in sorted(by_folder):
            files = sorted(by_folder[folder], key=lambda p: p.name)
            muni = None
            for f in files:
                diags += self._sources[f].load_diags
                if f.stem == MUNICIPALITY_STEM:
                    muni = f  # the last one wins, as in load.load_content
            if muni is None:
                diags.append(Diagnostic("E012", "municipality.yaml がありません。団体名・都道府県・団体コードを書いてください。", SourceLocation(display_path(self.content / folder / "municipality.yaml"))))
            else:
                src = self._sources[muni]
                diags += src.diags
                if src.record is not None:
                    municipalities.append(src.record)
            for f in files:
                if f.stem == MUNICIPALITY_STEM:
                    continue
                src = self._sources[f]
                diags += src.diags
                if src.record is not None:
                    assessments.append(src.record)
                    self._assessment_sources[(src.record.municipality, src.record.slug)] = src
        config = site_src.record if site_src is not None else None
        if has_errors(diags) or config is None:
            return None, diags
        return Site(config, tuple(municipalities), tuple(assessments)), diags

    # -- keys -----------------------------------------------------------------------------
    def _keys(self, site: Site, specs: list) -> dict[str, str]:
        keys = {SITE: _digest(repr(site.config)), CATALOG: self._catalog_digest}
        listings: dict[str, list[str]] = {m.slug: [] for m in site.municipalities}
        for a in site.assessments:
            src = self._assessment_sources[(a.municipality, a.slug)]
            keys[assessment_key(a.municipality, a.slug)] = f"{src.digest}:{a.source}"
            listings.setdefault(a.municipality, []).append(src.listing)
        for m in site.municipalities:
            keys[municipality_key(m.slug)] = _digest(repr(m))
            keys[listing_key(m.slug)] = _digest(repr(m) + "\n" + "\n".join(sorted(listings[m.slug])))
        for name in _template_names(specs):
            if name not in self._templates:
                self._templates[name] = _digest(self._env.loader.get_source(self._env, name)[0])
            keys["template:" + name] = self._templates[name]
        return keys

    # -- output ---------------------------------------------------------------------------
    def _specs(self, site: Site) -> dict[str, Any]:
        try:
            listed = page_specs(site, self._env)
        except TemplateSyntaxError as exc:
            raise _located(self._env, exc) from None
        specs: dict[str, Any] = {}
        for spec in listed:
            if spec.path in specs:
                raise ValueError(f"two pages render to {spec.path}")
            specs[spec.path] = spec
        return specs

    def _full(self, site: Site, diags: tuple) -> UpdateResult:
        specs = self._specs(site)
        keys = self._keys(site, list(specs.values()))
        pages = {path: _render.render_page(site, self._env, spec) for path, spec in specs.items()}
        job = ExtraJob(self._generation, site, keys, {}).compute()
        good = _Good(keys, {p: s.deps for p, s in specs.items()}, {}, {}, {}, site, job.new_docs)
        extra = job.files
        write_site(pages, self.out, self.site_assets, extra=extra)
        good.pages = {p: _digest(html.encode("utf-8")) for p, html in pages.items()}
        good.assets = {p: _digest(src.read_bytes()) for p, src in self._assets().items()}
        good.extra = {p: _digest(data) for p, data in extra.items()}
        self._good = good
        return UpdateResult(True, diags, rendered=tuple(sorted(pages)), written=tuple(sorted(good.pages) + sorted(good.assets) + sorted(good.extra)),
                            changed_keys=frozenset(keys), full=True)

    def _incremental(self, site: Site, diags: tuple, assets_changed: bool, defer_extra: bool) -> UpdateResult:
        good = self._good
        specs = self._specs(site)
        keys = self._keys(site, list(specs.values()))
        changed = frozenset(k for k in keys.keys() | good.keys.keys() if keys.get(k) != good.keys.get(k))
        todo = [p for p, s in specs.items() if good.deps.get(p) != s.deps or s.deps & changed]
        gone = [p for p in good.pages if p not in specs]
        assets = self._assets() if assets_changed else None
        taken = set(specs) | (set(assets) if assets is not None else set(good.assets))
        for p in taken & set(good.extra):
            raise ValueError(f"output path collision: {p}")
        if assets is not None and set(assets) & set(specs):
            raise ValueError(f"output path collision: {sorted(set(assets) & set(specs))[0]}")
        written, removed = [], []
        for path in todo:
            data = _render.render_page(site, self._env, specs[path]).encode("utf-8")
            d = _digest(data)
            if good.pages.get(path) != d:
                _write_atomic(self.out, path, data)
                written.append(path)
            good.pages[path] = d
            good.deps[path] = specs[path].deps
        for path in gone:
            _remove(self.out, path)
            removed.append(path)
            del good.pages[path]
            del good.deps[path]
        if assets is not None:
            for path, src in assets.items():
                data = src.read_bytes()
                d = _digest(data)
                if good.assets.get(path) != d:
                    _write_atomic(self.out, path, data)
                    written.append(path)
                good.assets[path] = d
            for path in [p for p in good.assets if p not in assets]:
                _remove(self.out, path)
                removed.append(path)
                del good.assets[path]
        good.keys, good.site = keys, site
        if any(not k.startswith("template:") for k in changed):
            good.extra_dirty = True
        if good.extra_dirty and not defer_extra:
            for path in self._write_extra(good, self.prepare_extra().compute()):
                (written if path in good.extra else removed).append(path)
        return UpdateResult(True, diags, rendered=tuple(todo), written=tuple(written), removed=tuple(removed),
                            changed_keys=changed, extra_pending=good.extra_dirty)

    def _assets(self) -> dict[str, Path]:
        return _asset_files([PACKAGE_ASSETS, self.site_assets])

    def _write_extra(self, good: _Good, job: ExtraJob) -> tuple[str, ...]:
        extra = job.files
        good.docs = job.new_docs
        touched = []
        for path, data in extra.items():
            d = _digest(data)
            if good.extra.get(path) != d:
                _write_atomic(self.out, path, data)
                touched.append(path)
                good.extra[path] = d
        for path in [p for p in good.extra if p not in extra]:
            _remove(self.out, path)
            touched.append(path)
            del good.extra[path]
        good.extra_dirty = False
        return tuple(touched)


def _parse_once(env):
    """``page_specs`` parses every template on each call to find what it includes; within
    one environment (a new one whenever a template changes) the same source parses the
    same, so remember the trees.  Rendering compiles through its own path, unaffected."""
    parse = functools.lru_cache(maxsize=256)(env.parse)
    env.parse = lambda source, name=None, filename=None: parse(source, name, filename)
    return env


def _located(env, exc: TemplateSyntaxError) -> TemplateSyntaxError:
    """``page_specs`` parses templates without their names: find the file the error is in."""
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
    """The order of ``search.units.site_docs``: 団体コード, municipality slug, 評価書番号, slug."""
    code = {m.slug: m.code for m in site.municipalities}

    def key(a: Assessment):
        n = str(a.cover("number") or "")
        return (code.get(a.municipality, ""), a.municipality, (int(n), n) if n.isdigit() else (10**9, n), a.slug)

    return sorted(site.assessments, key=key)


def _template_names(specs: list) -> set[str]:
    every = set().union(*(s.deps for s in specs))
    return {k[len("template:"):] for k in every if k.startswith("template:")}


def _under(p: Path, root: Path) -> bool:
    return p == root or root in p.parents


def _folder_ok(name: str) -> bool:
    return not name.startswith((".", "_"))


def _yaml_files(folder: Path) -> list[Path]:
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    return sorted(p for p in entries if p.is_file() and p.suffix in YAML_SUFFIXES and not p.name.startswith("."))


def _write_atomic(out: Path, rel: str, data: bytes) -> None:
    """Replace one output file: write a temporary sibling, then rename it over the target."""
    target = out / rel
    _makedirs(out, target.parent)
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


def _remove(out: Path, rel: str) -> None:
    """Remove one output file, then the folders it leaves empty."""
    target = out / rel
    try:
        target.unlink()
    except FileNotFoundError:
        pass
    d = target.parent
    while d != out and _under(d, out):
        try:
            d.rmdir()
        except OSError:
            break
        d = d.parent
