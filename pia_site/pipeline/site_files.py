"""The site-wide step: the open-data tables, the assets, and the pages made from every
assessment's summary and compare record (top, search, 更新履歴, feeds, municipality pages and
the compare pages), written into the staging tree and read by the guard.

Its cost grows with the site (the compare pages, the scan of changes.csv), so the pages and the
scan of the two tables go to ``jobs`` processes, started as soon as the tables are written:
they work while the parent builds the search index (``index_cache.write_index``).  Each process
is sent the site, the compare tallies, the theme and the allowlist once, makes the same list
of pages (``page_list``) and renders, scans and writes runs of consecutive pages
(``PAGES_PER_TASK``); the parent counts them into the staging tree and takes their findings in
page order.  Every file is scanned on its own, so the findings are those, in the order, that
one process scanning the files one by one finds: open data, assets, pages.  With ``jobs`` 1
nothing is started and the parent does the same tasks itself, one after the other."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .. import guard
from ..compare import tally
from ..model import Site
from ..opendata import ASSESSMENTS_CSV, CHANGES_CSV, site_files, write_tables
from ..progress import STAGE_PAGES, Progress
from ..render import PageSpec, compare_specs, make_environment, municipality_page_specs, render_page, site_page_specs, template_deps
from ..theme import Theme
from ..views.memo import IdentityMemo
from ..write import Staging, put_file
from . import pool
from .spill import Records

PAGES_PER_TASK = 20  # pages a process renders at a time (a few hundred milliseconds of work)
TABLES = (ASSESSMENTS_CSV, CHANGES_CSV)


def page_list(site: Site, tallies: list, closure: Callable[[str], frozenset[str]], memo: IdentityMemo) -> list[PageSpec]:
    """The site-wide pages in the order they are written and scanned: the site's own pages,
    each municipality's, then the compare pages."""
    compare = compare_specs(tallies, closure)
    specs = site_page_specs(site, closure, memo, compare)
    for m in site.municipalities:
        specs += municipality_page_specs(site, m, closure, memo)
    return specs + compare


@dataclass(frozen=True)
class _Context:
    """What each process is sent once."""

    site: Site
    theme: Theme
    tallies: list  # compare.KindTally
    allow: frozenset[str]
    root: Path  # the staging tree


class _Pages:
    """The site-wide pages of one build, made task by task: a table's name (its findings), or
    ``(start, stop)`` in ``page_list`` (the pages' paths and sizes, and their findings)."""

    def __init__(self, ctx: _Context):
        self.ctx = ctx
        self.env = make_environment(ctx.theme)
        self.specs = page_list(ctx.site, ctx.tallies, template_deps(self.env), IdentityMemo())

    def run(self, task):
        scanner = guard.OutputScanner(self.ctx.allow)
        if isinstance(task, str):
            scanner.csv_file(task, self.ctx.root / task)
            return scanner.findings
        written = []
        for spec in self.specs[task[0]:task[1]]:
            html = render_page(self.ctx.site, self.env, spec)
            scanner.page(spec.path, html)  # a fresh scan per page: findings as a scanner per site finds them
            written.append((spec.path, put_file(self.ctx.root, spec.path, html.encode("utf-8"))))
        return written, scanner.findings


_pages: _Pages | None = None  # a worker's (set up once per process by ``_setup``)


def _setup(ctx: _Context) -> None:
    global _pages
    _pages = _Pages(ctx)


def _run(task):
    assert _pages is not None
    return _pages.run(task)


class SiteFiles:
    """Tallies the compare records and writes the tables (``records``), then starts the pages'
    and the tables' scan in ``jobs`` processes (``workers``, which other work may share);
    ``finish`` writes the rest and takes it all in.  Use it as a context manager: leaving the
    block stops the processes."""

    def __init__(self, site: Site, theme: Theme, stage: Staging, allow: frozenset[str], records: Records, jobs: int):
        self._site, self._theme, self._stage, self._allow = site, theme, stage, allow
        tallies = tally(records.compare(), records.answers)
        with stage.stream(ASSESSMENTS_CSV) as a, stage.stream(CHANGES_CSV) as c:  # a record at a time
            self._count = write_tables(records.data(), a, c)
        ctx = _Context(site, theme, tallies, allow, stage.root)
        here = _Pages(ctx)
        self._paths = [s.path for s in here.specs]
        tasks: list = list(TABLES) + [(i, min(i + PAGES_PER_TASK, len(self._paths)))
                                      for i in range(0, len(self._paths), PAGES_PER_TASK)]
        self.workers = pool.Workers(jobs, _setup, (ctx,))  # the search index's scan runs in them too
        # in this process (--jobs 1): one task at a time, when ``finish`` asks
        self._results = self.workers.imap(_run if self.workers.pooled else here.run, tasks)

    def __enter__(self) -> "SiteFiles":
        return self

    def __exit__(self, *exc) -> None:
        self.workers.close()

    def finish(self, progress: Progress) -> list:
        """The guard's findings in the open data, the assets and the pages, in that order (after
        the search index's, ``index_cache.write_index``), once every file is in the staging tree."""
        first, assets = guard.OutputScanner(self._allow), guard.OutputScanner(self._allow)
        for _table in TABLES:
            first.findings += next(self._results)
        data_files = site_files(self._site.config, self._count)  # datapackage.json, the schemas
        for path in sorted(data_files):
            first.file(path, data_files[path])
            self._stage.file(path, data_files[path])
        for path, src in self._theme.asset_files().items():
            data = src.read_bytes()
            assets.file(path, data)
            self._stage.file(path, data)
        progress.on_start(0, STAGE_PAGES)
        pages: list = []
        done = 0
        for written, findings in self._results:
            for path, size in written:
                if path != self._paths[done]:  # the processes made another list of pages
                    raise RuntimeError(f"site-wide page {done}: {path}, expected {self._paths[done]}")
                self._stage.count(path, size)
                done += 1
            pages += findings
            progress.advance(len(written))
        if done != len(self._paths):
            raise RuntimeError(f"{done} of {len(self._paths)} site-wide pages written")
        return first.findings + assets.findings + pages
