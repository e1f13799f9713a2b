"""The search index of an earlier build is used again when the content is the same, and never
when it is not: every build below writes what a clean build writes."""
from __future__ import annotations

import shutil

import pytest

from pia_site.build import build
from pia_site.pipeline import run
from pia_site.search import builder as builder_mod
from support import tree_bytes
from test_pipeline import small_site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return small_site(tmp_path_factory.mktemp("index-cache"))


@pytest.fixture()
def added(monkeypatch) -> list[str]:
    """The documents the index builder is given, by URL."""
    seen: list[str] = []
    real = builder_mod.IndexBuilder.add

    def add(self, doc):
        seen.append((doc.doc if isinstance(doc, builder_mod.Prepared) else doc).url)
        return real(self, doc)

    monkeypatch.setattr(builder_mod.IndexBuilder, "add", add)
    return seen


def _index(out) -> dict[str, bytes]:
    return {p: b for p, b in tree_bytes(out).items() if p.startswith("search/data/")}


def test_an_unchanged_rebuild_uses_the_index_again_and_an_edit_makes_it_again(site, tmp_path, added):
    content = tmp_path / "content"
    shutil.copytree(site, content)
    cache = tmp_path / "cache"
    first = build(content, tmp_path / "out", jobs=1, cache=cache)
    assert len(added) == 6
    added.clear()
    again = build(content, tmp_path / "out", jobs=1, cache=cache)
    assert added == []  # nothing given to the index builder: the kept index was used
    clean = build(content, tmp_path / "clean", jobs=1)
    assert tree_bytes(tmp_path / "out") == tree_bytes(tmp_path / "clean")
    assert again.diagnostics == clean.diagnostics == first.diagnostics
    assert again.written.files == clean.written.files and again.written.bytes == clean.written.bytes
    # one edited assessment: the index is made again, from every document
    edited = content / "zz" / "b0.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("写し10", "写し10（改）", 1), encoding="utf-8")
    added.clear()
    build(content, tmp_path / "out", jobs=1, cache=cache)
    assert len(added) == 6
    build(content, tmp_path / "clean2", jobs=1)
    assert tree_bytes(tmp_path / "out") == tree_bytes(tmp_path / "clean2")
    assert _index(tmp_path / "out") != _index(tmp_path / "clean")
    assert len(list((cache / "index").iterdir())) == 1  # the cache keeps the index of one site


def test_a_damaged_kept_index_is_made_again(site, tmp_path, added):
    cache = tmp_path / "cache"
    build(site, tmp_path / "out", jobs=1, cache=cache)
    build(site, tmp_path / "clean", jobs=1)
    index = _index(tmp_path / "out")
    pack = next(p for p in index if p.endswith(".bin"))
    (tmp_path / "out" / pack).write_bytes(b"x" * len(index[pack]))  # the output shares the kept file
    added.clear()
    build(site, tmp_path / "out", jobs=1, cache=cache)
    assert len(added) == 6
    assert tree_bytes(tmp_path / "out") == tree_bytes(tmp_path / "clean")


def test_a_file_changed_while_the_build_read_it_makes_the_index_again(site, tmp_path, added, monkeypatch):
    """The index is used again, and kept, only if the pages were made from the files its key was
    made from."""
    cache = tmp_path / "cache"
    build(site, tmp_path / "out", jobs=1, cache=cache)
    build(site, tmp_path / "clean", jobs=1)
    real = run._job_keys
    calls = []

    def keys(p, shared):
        calls.append(1)
        k = real(p, shared)
        return ["another"] + k[1:]  # as if the first file had been read before an edit

    monkeypatch.setattr(run, "_job_keys", keys)
    entries = sorted((cache / "index").iterdir())
    added.clear()
    build(site, tmp_path / "out", jobs=1, cache=cache)
    assert len(calls) == 1 and len(added) == 6
    assert tree_bytes(tmp_path / "out") == tree_bytes(tmp_path / "clean")
    assert sorted((cache / "index").iterdir()) == []  # kept under no key: it names other content
    assert entries  # (the first build had kept one)


def test_a_kept_index_is_not_used_when_a_page_was_made_from_another_read_of_its_file(site, tmp_path, added, monkeypatch):
    """The kept index matches the files as the build first read them, but a worker read one of
    them again differently (an edit in between): the index is made again from what the pages
    were made from."""
    from pia_site.pipeline import worker

    cache = tmp_path / "cache"
    build(site, tmp_path / "out", jobs=1, cache=cache)
    build(site, tmp_path / "clean", jobs=1)
    real = worker.job_key
    monkeypatch.setattr(worker, "job_key", lambda job, shared, data: real(job, shared, data + b"\n"
                                                                              if job.path.name == "b0.yaml" else data))
    added.clear()
    build(site, tmp_path / "out", jobs=1, cache=cache)
    assert len(added) == 6  # given again, every document
    assert tree_bytes(tmp_path / "out") == tree_bytes(tmp_path / "clean")
    assert sorted((cache / "index").iterdir()) == []
