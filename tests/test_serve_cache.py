"""``serve`` starts from the build cache ``pia-site build`` keeps: its first build is the pipeline's
(an assessment the cache holds is not done again), the site is served at once, and the
in-memory builder takes the output over afterwards without rendering it again; edits saved
before it is ready are applied once it is.  What is served is what a clean build writes, plus
the preview script."""
from __future__ import annotations

import re
import shutil
import threading
import urllib.request
from pathlib import Path

import pytest

from pia_site import render
from pia_site.build import build
from pia_site.pipeline import worker
from pia_site.preview.incremental import IncrementalBuilder
from pia_site.preview.overlay import PREVIEW_JS_PATH
from pia_site.preview.serve import PreviewServer

from support import REPO, tree_bytes

PAGE = "koshigaya/keijidosha-fuka/index.html"
YAML = Path("content/koshigaya/keijidosha-fuka.yaml")
OUT = Path(".pia-cache/serve")
WAIT = 30.0
SCRIPT = re.compile(r'<script src="' + re.escape(PREVIEW_JS_PATH) + r'" data-generation="\d+"></script>')


def wait_for(predicate, what: str):
    done = threading.Event()
    for _ in range(int(WAIT / 0.05)):
        value = predicate()
        if value:
            return value
        done.wait(0.05)
    raise AssertionError(f"timed out after {WAIT} s waiting for {what}")


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode("utf-8")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    shutil.copytree(REPO / "content", tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _counting(monkeypatch):
    """(assessments the pipeline's worker did, pages the in-memory builder rendered)."""
    done: list[str] = []
    rendered: list[str] = []
    real_work, real_render = worker._work, render.render_page

    def work(job, shared):
        done.append(job.path.name)
        return real_work(job, shared)

    def render_page(site, env, spec):
        rendered.append(spec.path)
        return real_render(site, env, spec)

    monkeypatch.setattr(worker, "_work", work)
    monkeypatch.setattr(render, "render_page", render_page)  # what preview.incremental calls
    return done, rendered


def test_serve_and_build_share_the_cache_and_a_warm_start_renders_nothing(project, monkeypatch):
    done, rendered = _counting(monkeypatch)
    with PreviewServer(Path("content"), OUT, port=0, log=lambda msg: None) as srv:  # cold
        assert sorted(done) == ["keijidosha-fuka.yaml", "kokuho-fuka-shuno.yaml"]
        assert srv.ready.wait(WAIT)
    assert rendered == []  # the builder took the pipeline's output over
    done.clear()
    build(Path("content"), Path("build"), cache=True)  # pia-site build, after serve filled the cache
    assert done == []
    (project / "build" / PAGE).unlink()  # the output is the cache's, not a leftover
    shutil.rmtree(project / OUT)
    with PreviewServer(Path("content"), OUT, port=0, log=lambda msg: None) as srv:  # warm
        assert done == []  # every assessment from the cache
        assert "軽自動車税" in get(srv.url + PAGE)
        assert srv.ready.wait(WAIT)
        assert rendered == []
        # an edit once ready renders only what it touches
        edit(project / YAML, "head_title: 課長", "head_title: 課長（編集後）")
        wait_for(lambda: "課長（編集後）" in get(srv.url + PAGE), "the edit")
        assert PAGE in rendered and len(rendered) < 10


def test_served_pages_are_a_clean_builds_with_the_preview_script(project, tmp_path):
    build(Path("content"), Path("build"), cache=True)  # the cache serve starts from
    clean = tree_bytes(build(Path("content"), tmp_path / "clean").written.out_dir)
    with PreviewServer(Path("content"), OUT, port=0, log=lambda msg: None) as srv:
        assert tree_bytes(project / OUT) == clean
        pages = [p for p in clean if p.endswith(".html")]
        assert len(pages) > 100
        for page in pages:
            served = get(srv.url + page)
            assert len(SCRIPT.findall(served)) == 1, page
            assert SCRIPT.sub("", served) == clean[page].decode("utf-8"), page
        assert srv.ready.wait(WAIT)
        assert tree_bytes(project / OUT) == clean  # taking over writes nothing


EDITS = {
    "assessment": (YAML, "head_title: 課長", "head_title: 課長（編集後）", PAGE, "課長（編集後）"),
    "site.yaml": (Path("content/site.yaml"), "公開サイト（サンプル）", "公開サイト（編集後）", "index.html", "公開サイト（編集後）"),
}


@pytest.mark.parametrize("when", ["before the builder reads the content", "after the builder read it"])
@pytest.mark.parametrize("what", sorted(EDITS))
def test_an_edit_saved_before_the_builder_is_ready_shows_once_it_is(project, tmp_path, monkeypatch, what, when):
    path, old, new, page, seen = EDITS[what]
    go, read = threading.Event(), threading.Event()
    adopt = IncrementalBuilder.adopt

    def held(self, inputs):
        if when.startswith("before"):
            assert go.wait(WAIT)
            return adopt(self, inputs)
        result = adopt(self, inputs)
        read.set()
        assert go.wait(WAIT)
        return result

    monkeypatch.setattr(IncrementalBuilder, "adopt", held)
    with PreviewServer(Path("content"), OUT, port=0, log=lambda msg: None) as srv:
        if when.startswith("after"):
            assert read.wait(WAIT)
        assert not srv.ready.is_set()
        edit(project / path, old, new)
        wait_for(lambda: srv._pending, "the watcher to report the edit")
        assert seen not in get(srv.url + page)  # the first build's page until the builder is ready
        go.set()
        assert srv.ready.wait(WAIT)
        wait_for(lambda: seen in get(srv.url + page), "the edit")
        want = tree_bytes(build(Path("content"), tmp_path / "ref").written.out_dir)
        wait_for(lambda: tree_bytes(project / OUT) == want, "the output to equal a clean build")
