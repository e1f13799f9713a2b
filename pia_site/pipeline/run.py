"""The build and the check over the per-assessment pipeline.

``run_build``: read the tree, site.yaml and the municipality.yaml files; open the staging tree;
have the workers (``pool``) do each assessment (or take it from the cache), feeding each
search document to the index builder in page-URL order, putting its open-data and compare
records away on disk (``spill``) and keeping only the rest of the ``Result``s; then
the diagnostics in the order ``load → validate → link`` gives them, the site-wide pages
rendered from the summaries, the search index, the assets, the guard's verdict over
everything published, and the swap.  Any error leaves the previous output untouched."""
from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

from .. import guard
from ..diagnostic_list import DiagnosticList, Packed
from ..diagnostics import Diagnostic, DiagnosticsError, display_path, has_errors
from ..content_tree import SITE_FILE
from ..link import link_site
from ..load import load_document
from ..model import Municipality, SiteConfig
from ..opendata import ASSESSMENTS_CSV, CHANGES_CSV, site_files, write_tables
from ..progress import NULL_PROGRESS, STAGE_ASSESSMENTS, STAGE_LOAD, STAGE_PAGES, STAGE_SEARCH, STAGE_VALIDATE, Progress
from ..partner import partner_keys
from ..render import compare_page_specs, make_environment, municipality_page_specs, render_page, site_page_specs, template_deps
from ..search import IndexBuilder, IndexMeta
from ..symlinks import link_diagnostics
from ..template_audit import audit_theme
from ..theme import Theme
from ..validate import validate_municipality, validate_site
from ..views.memo import IdentityMemo
from ..write import Staging, WriteReport
from . import pool
from .cache import Cache, code_digest, key_base
from .index_cache import IndexCache, index_key, write_index
from .spill import Records
from .summary import Result
from .tree import Tree, read_tree
from .worker import Shared, job_key


@dataclass(frozen=True)
class Inputs:
    """What a build's output was made from: the SHA-256 of each content file it read, as it read
    it (absolute path -> hex digest; site.yaml, the municipality.yaml files used, the
    assessments), and ``cache.code_digest`` of its theme ("" without a cache).  ``serve`` takes
    over the output of its first build with them (``preview.adopt``)."""

    files: dict[str, str]
    code: str


@dataclass(frozen=True)
class BuildResult:
    diagnostics: Sequence[Diagnostic]  # a DiagnosticList: iterated in sort order
    written: WriteReport | None
    inputs: Inputs | None = None


def theme_checks(config: SiteConfig | None) -> list[Diagnostic]:
    """The site's theme overrides (site.yaml ``theme_dir``): links leaving them (E013) and
    templates that switch autoescaping off (T001)."""
    if config is None:
        return []
    theme = Theme.for_config(config)
    return link_diagnostics(theme.override_roots) + audit_theme(theme)


@dataclass
class _Prepared:
    tree: Tree
    config: SiteConfig | None
    site_diags: list[Diagnostic]  # validate_site + theme checks
    municipalities: list[tuple[int, Municipality]]  # (folder number, record), valid ones
    muni_diags: list[list[Diagnostic]]  # per folder
    allow: frozenset[str]
    shared: dict = field(default_factory=dict)  # the summaries' common dates, timings, items, keys (``Summary.shared``)


def _prepare(content: Path) -> _Prepared:
    tree = read_tree(content)
    config, site_diags = validate_site(tree.site)
    site_diags = list(site_diags) + theme_checks(config)
    munis, muni_diags = [], []
    for i, f in enumerate(tree.folders):
        d: list[Diagnostic] = []
        if f.municipality is not None:
            m, d = validate_municipality(f.municipality, f.slug)
            if m is not None:
                munis.append((i, m))
        muni_diags.append(list(d))
    allow = guard.allowlist(config.personal_data_allow if config is not None else guard.allow_entries(tree.site))
    return _Prepared(tree, config, site_diags, munis, muni_diags, allow)


def _shared(p: _Prepared, render: bool, stage: Path | None, cache: Cache | None, code: str = "") -> Shared:
    theme = Theme.for_config(p.config)
    mkeys = {f.slug: hashlib.sha256(f.municipality_bytes or b"-").hexdigest() for f in p.tree.folders}
    return Shared(p.config, {m.slug: m for _, m in p.municipalities}, theme, p.allow, render, stage, cache,
                  key_base(p.tree.site_bytes, theme, code) if cache is not None else "", mkeys, secrets.token_hex(8))


def _inputs(tree: Tree, results: list[Result], code: str) -> Inputs:
    def digest(data: bytes | None) -> str:
        return hashlib.sha256(data).hexdigest() if data is not None else ""

    files = {os.path.abspath(j.path): r.source_digest for j, r in zip(tree.jobs, results)}
    if tree.site is not None:
        files[os.path.abspath(tree.root / SITE_FILE)] = digest(tree.site_bytes)
    for f in tree.folders:
        if f.municipality_path is not None:
            files[os.path.abspath(f.municipality_path)] = digest(f.municipality_bytes)
    return Inputs(files, code)


def _collect(p: _Prepared, shared: Shared, jobs: int, add_doc: Callable | None,
             progress: Progress = NULL_PROGRESS, records: Records | None = None) -> list[Result]:
    """Every job's result (without its search document and, given ``records``, without its
    open-data and compare records: they go there), in content order; the documents go to
    ``add_doc`` in page-URL order as they come."""
    order = p.tree.url_order()
    results: list[Result | None] = [None] * len(order)
    for i, r in zip(order, pool.results([p.tree.jobs[i] for i in order], shared, jobs)):
        if r.doc is not None and add_doc is not None:
            add_doc(r.doc)
        r = _kept(r, p.shared)
        results[i] = records.keep(i, r) if records is not None else r
        progress.advance()
    return results  # type: ignore[return-value]


def _with_partners(p: _Prepared, shared: Shared, results: list[Result], records: Records) -> None:
    """Render again, with the summaries of their partners, the pages that link to other
    documents (a 基礎項目評価書 and its 重点/全項目評価書: ``partner``); their search documents
    do not show the links and stay as they are."""
    slim = {i: r.summary.assessment() for i, r in enumerate(results) if r.summary is not None}
    every = tuple(slim.values())
    by_key = {(a.municipality, a.slug): i for i, a in slim.items()}
    todo = []
    for i, a in slim.items():
        keys = partner_keys(every, a) - {(a.municipality, a.slug)}
        found = tuple(results[by_key[k]].summary for k in sorted(keys) if k in by_key)
        if found and results[i].pages:
            todo.append((i, replace(p.tree.jobs[i], partners=found)))
    for (i, job), r in zip(todo, pool.results([job for _, job in todo], replace(shared, index=False), 1)):
        results[i] = records.keep(i, replace(_kept(r, p.shared), key=results[i].key, digests=results[i].digests))


def _kept(r: Result, shared: dict) -> Result:
    """What the parent keeps of a worker's result: no search document, the diagnostics packed
    (a national site has millions: ``diagnostic_list``), the summary's dates, timings, items and
    keys shared through ``shared`` (one per build)."""
    return replace(r, doc=None, checks=Packed(r.checks), summary=r.summary.shared(shared) if r.summary is not None else None)


def _diagnostics(p: _Prepared, results: list[Result]):
    """(the diagnostics, a ``DiagnosticList`` of parts in load → validate → link order, the
    site or None, source findings)."""
    parts: list = [p.tree.load_diagnostics(results), p.site_diags]
    findings = []
    if p.tree.site is not None:
        findings += guard.scan_document(p.tree.site, p.allow, guard.ALLOW_KEY)
    assessments = []
    for i, f in enumerate(p.tree.folders):
        parts.append(p.muni_diags[i])
        if f.municipality is not None:
            findings += guard.scan_document(f.municipality, p.allow)
        for j in f.jobs:
            parts.append(results[j].checks)
            findings += results[j].findings
            if results[j].summary is not None:
                assessments.append(results[j].summary.assessment())
    site, d = link_site(p.config, [m for _, m in p.municipalities], assessments)
    diags = DiagnosticList(parts + [d])
    return diags, (None if has_errors(diags) else site), findings


def run_check(content: Path, jobs: int = 1, progress: Progress = NULL_PROGRESS) -> list[Diagnostic]:
    """What ``build`` reports before rendering, the guard's findings in the YAML included."""
    progress.on_start(0, STAGE_LOAD)
    p = _prepare(content)
    progress.on_start(len(p.tree.jobs), STAGE_VALIDATE)
    results = _collect(p, _shared(p, False, None, None), jobs, None, progress)
    diags, _site, findings = _diagnostics(p, results)
    return list(diags.as_given()) + guard.source_diagnostics(findings)


def search_meta(municipalities) -> IndexMeta:
    """The site-level facts the search index needs besides the documents."""
    return IndexMeta(tuple((m.code, m.slug, m.name, m.prefecture) for m in municipalities))


def run_build(content: Path, out: Path, *, strict: bool = False, jobs: int = 1, cache_dir: Path | None = None,
              check_out: Callable[[Theme], Path] | None = None, progress: Progress = NULL_PROGRESS) -> BuildResult:
    progress.on_start(0, STAGE_LOAD)
    p = _prepare(content)
    theme = Theme.for_config(p.config)
    if check_out is not None:
        check_out(theme)  # site.yaml may name a theme folder
    cache = Cache(cache_dir) if cache_dir is not None else None
    code = code_digest(theme) if cache is not None else ""
    # the index's sorted runs and packs, and the open-data and compare records, go to temporary
    # folders beside the output (Staging.scratch): removed when the build ends, or by the next
    # build if this one is killed
    with Staging(out) as stage, Records(stage.scratch("records")) as records:
        shared = _shared(p, True, stage.root, cache, code)
        meta = search_meta([m for _, m in p.municipalities])
        icache, keys, reuse = _reusable_index(p, shared, meta)
        ikey = index_key(keys, meta.municipalities) if keys is not None else None

        builder = None if reuse is not None else IndexBuilder(meta, stage.scratch("search"))
        if builder is not None:
            shared = replace(shared, index=True)  # the workers cut the documents into chunks

        def index_builder() -> IndexBuilder:  # fed as the results came, or now: every result again
            if builder is not None:
                return builder
            again = IndexBuilder(meta, stage.scratch("search"))
            # the documents only: the pages are staged already (and may be links into the cache)
            for r in pool.results([p.tree.jobs[i] for i in p.tree.url_order()], replace(shared, stage=None, index=True), jobs):
                if r.doc is not None:
                    again.add(r.doc)
            return again

        progress.on_start(len(p.tree.jobs), STAGE_ASSESSMENTS)
        results = _collect(p, shared, jobs, builder.add if builder is not None else None, progress, records)
        if keys is not None and [results[i].key for i in p.tree.url_order()] != keys:
            # a file changed between its two reads: the index is made from what the pages were made
            # from, and not kept (its key names other content)
            reuse, ikey = None, None
        _with_partners(p, shared, results, records)
        diags, site, findings = _diagnostics(p, results)
        everything = diags + guard.source_diagnostics(findings)
        if site is None or has_errors(everything) or (strict and everything):
            raise DiagnosticsError(everything)
        progress.on_start(0, STAGE_SEARCH)
        with write_index(stage, index_builder, reuse, icache, ikey, p.allow, jobs) as index_findings:
            site_findings = _write_site_files(site, theme, stage, p.allow, records, progress)  # meanwhile
            output = index_findings.get() + site_findings
        for r in results:
            for path, size in r.pages:
                stage.count(path, size, page=path.endswith(".html"))
            output += r.output

        def holders(values: list[str]):  # rare: findings in pages no YAML value explains; read the YAML again
            return source_holders(p.tree, values, jobs)

        report = diags + guard.merged_diagnostics(findings, output, display_path(out), holders)
        if has_errors(report) or (strict and report):
            raise DiagnosticsError(report)
        written = stage.commit()
    if cache is not None:
        kept = icache.get(ikey) if icache is not None and ikey is not None else None
        index_files = {d for _p, _n, d in kept.files} if kept is not None else set()
        cache.prune({r.key for r in results}, {d for r in results for d in r.digests} | index_files)
        if icache is not None:
            icache.prune(ikey if kept is not None else None)
    return BuildResult(report, written, _inputs(p.tree, results, code))


def source_holders(tree: Tree, values: list[str], jobs: int = 1) -> dict:
    """``guard.holders_in`` over every YAML document of the content in ``load_content``'s order:
    the assessments read again by ``jobs`` processes, one file at a time each (memory holds a few)."""
    found: dict = {v: [] for v in values}

    def add(part: dict) -> None:
        for v in values:
            found[v] += part[v]

    if tree.site is not None:
        add(guard.holders_in([tree.site], values))
    order = [j for f in tree.folders for j in f.jobs]
    parts = pool.each(_file_holders, [(tree.jobs[j].path, values) for j in order], jobs)
    for f in tree.folders:
        if f.municipality is not None:
            add(guard.holders_in([f.municipality], values))
        for _ in f.jobs:
            add(next(parts))
    return found


def _file_holders(task: tuple[Path, list[str]]) -> dict:
    path, values = task
    return guard.holders_in([load_document(path)[0]], values)


def _job_keys(p: _Prepared, shared: Shared) -> list[str] | None:
    """Every assessment's cache key, in the order the search index is fed (None: one is unreadable)."""
    keys = []
    for i in p.tree.url_order():
        job = p.tree.jobs[i]
        try:
            keys.append(job_key(job, shared, job.path.read_bytes()))
        except OSError:
            return None
    return keys


def _reusable_index(p: _Prepared, shared: Shared, meta: IndexMeta):
    """(the index cache, the assessments' cache keys in index order, the kept index of this
    content if there is one)."""
    if shared.cache is None:
        return None, None, None
    icache = IndexCache(shared.cache)
    keys = _job_keys(p, shared)
    if keys is None:
        return icache, None, None
    return icache, keys, icache.get(index_key(keys, meta.municipalities))


def _write_site_files(site, theme: Theme, stage: Staging, allow, records: Records,
                      progress: Progress) -> list:
    """The open-data tables, the assets and the site-wide pages (top, search,
    更新履歴, feeds, municipality pages) from the summaries, and the compare pages from the
    compare records; the guard's findings in them, in the order the guard reads them (open
    data, assets, pages: after the search index's, ``index_cache.write_index``)."""
    first, assets, pages = guard.OutputScanner(allow), guard.OutputScanner(allow), guard.OutputScanner(allow)
    with stage.stream(ASSESSMENTS_CSV) as a, stage.stream(CHANGES_CSV) as c:  # a record at a time
        count = write_tables(records.data(), a, c)
    for path in (ASSESSMENTS_CSV, CHANGES_CSV):
        first.csv_file(path, stage.root / path)
    data_files = site_files(site.config, count)  # datapackage.json, the schemas
    for path in sorted(data_files):
        first.file(path, data_files[path])
        stage.file(path, data_files[path])
    for path, src in theme.asset_files().items():
        data = src.read_bytes()
        assets.file(path, data)
        stage.file(path, data)
    progress.on_start(0, STAGE_PAGES)
    env = make_environment(theme)
    env.auto_reload = False  # one pass over the pages: no need to stat each template at each render
    closure = template_deps(env)
    memo = IdentityMemo()  # the site pages and feeds share each assessment's revisions
    compare = compare_page_specs(records.compare(), closure, records.answers)
    specs = site_page_specs(site, closure, memo, compare)
    for m in site.municipalities:
        specs += municipality_page_specs(site, m, closure, memo)
    specs += compare
    for spec in specs:
        html = render_page(site, env, spec)
        pages.page(spec.path, html)
        stage.page(spec.path, html.encode("utf-8"))
        progress.advance()
    return first.findings + assets.findings + pages.findings
