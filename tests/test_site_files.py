"""The site-wide step in worker processes (``pipeline.site_files``): the pages and the guard's
findings are those one process makes, in the same order, whatever ``--jobs``; the processes are
one pool, shared with the search index's scan."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from pia_site import guard, render
from pia_site.build import build, load_site
from pia_site.compare import tally
from pia_site.pipeline import pool, site_files
from pia_site.theme import Theme
from pia_site.views.memo import IdentityMemo
from support import tree_bytes
from test_pipeline import small_site

PHONE = "048-111-2222"  # a phone number in a title: on listings, feeds, compare pages and in the tables


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    root = small_site(tmp_path_factory.mktemp("site_files"))
    path = root / "zz" / "b0.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: 写し", f"title: 問合せ {PHONE} 写し", 1), encoding="utf-8")
    return root


def _build(content: Path, out: Path, jobs: int, monkeypatch) -> list:
    """The build's output findings, as the guard's verdict is given them."""
    seen = []
    real = guard.merged_diagnostics

    def spy(source, output, *args, **kwargs):
        seen.append(list(output))
        return real(source, seen[-1], *args, **kwargs)

    monkeypatch.setattr(guard, "merged_diagnostics", spy)
    monkeypatch.setattr(site_files, "PAGES_PER_TASK", 3)  # many tasks, finishing in any order
    build(content, out, jobs=jobs)
    return seen[-1]


def _page_order_findings(content: Path, out: Path) -> list:
    """The findings of the site-wide pages as one scanner reading the built pages one by one, in
    ``page_list`` order, finds them."""
    site, _ = load_site(content)
    env = render.make_environment(Theme.for_config(site.config))
    specs = site_files.page_list(site, tally(render.site_compare_records(site)), render.template_deps(env), IdentityMemo())
    scanner = guard.OutputScanner(frozenset())
    for spec in specs:
        scanner.page(spec.path, (out / spec.path).read_text(encoding="utf-8"))
    return scanner.findings


def test_jobs_1_and_2_write_the_same_site_wide_pages_and_find_the_same_in_the_same_order(content, tmp_path, monkeypatch):
    one = _build(content, tmp_path / "one", 1, monkeypatch)
    two = _build(content, tmp_path / "two", 2, monkeypatch)
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "two")
    assert one == two
    paths = [f.path for f in two if f.value.endswith("1112222")]
    assert any(p.startswith("compare/") for p in paths) and "zz/index.html" in paths and "data/assessments.csv" in paths
    pages = _page_order_findings(content, tmp_path / "two")
    assert len(pages) > 3 and any(f.path.startswith("compare/") for f in pages)
    at = two.index(pages[0])
    assert two[at:at + len(pages)] == pages  # after the index's, the tables', the assets'; before the assessments'


def test_every_pool_of_a_build_starts_by_fork_from_a_single_thread(content, tmp_path, monkeypatch):
    """The site-wide pages and the index's scan share one pool: a second pool started beside it
    would see its threads and start by forkserver (slower, and it cannot run a caller's
    ``__main__`` read from stdin)."""
    threads = []
    real = pool._context

    def spy():
        threads.append(threading.active_count())
        return real()

    monkeypatch.setattr(pool, "_context", spy)
    build(content, tmp_path / "out", jobs=2)
    assert threads and threads == [1] * len(threads)


@pytest.mark.parametrize("workers", [1, 2])
def test_background_work_on_shared_workers_comes_back_in_order_and_leaves_them_running(workers):
    with pool.Workers(workers) as shared:
        first = shared.imap(abs, [-1, -2, -3])
        with pool.Background(abs, [-3, 1, -2, 5, -8], shared) as work:
            assert work.get() == [3, 1, 2, 5, 8]
        assert list(first) == [1, 2, 3]
        assert list(shared.imap(abs, [-4])) == [4]  # still there
        processes = list(shared._pool._pool) if shared.pooled else []
    assert not any(p.is_alive() for p in processes)
