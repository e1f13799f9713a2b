"""The per-assessment pipeline: --jobs 1 and --jobs 2 write the same bytes, and a cached
rebuild redoes only what changed and writes what a clean build writes; the cache trusts
nothing it reads."""
from __future__ import annotations

import hashlib
import pickle
import shutil
from pathlib import Path

import pytest

from pia_site.build import build, check
from pia_site.pipeline import cache as cache_mod
from pia_site.pipeline import worker
from support import REPO, tree_bytes

SAMPLES = ("koshigaya/keijidosha-fuka.yaml", "saitama/kokuho-fuka-shuno.yaml")


def small_site(root: Path) -> Path:
    """content/ plus copies of its assessments under other names and titles, in two more folders."""
    content = root / "content"
    shutil.copytree(REPO / "content", content)
    for n, (folder, code) in enumerate((("aaa-x", "131016"), ("zz", "132012"))):
        (content / folder).mkdir()
        (content / folder / "municipality.yaml").write_text(
            f'name: 試験市{n}\nprefecture: 東京都\ncode: "{code}"\nbodies: [試験市{n}長]\n', encoding="utf-8")
        for i, src in enumerate(SAMPLES):
            text = (REPO / "content" / src).read_text(encoding="utf-8")
            text = text.replace("title: ", f"title: 写し{n}{i} ", 1)
            (content / folder / f"b{i}.yaml").write_text(text, encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return small_site(tmp_path_factory.mktemp("pipeline"))


def test_jobs_1_and_jobs_2_write_the_same_bytes(site, tmp_path):
    one = build(site, tmp_path / "one", jobs=1)
    two = build(site, tmp_path / "two", jobs=2)
    again = build(site, tmp_path / "again", jobs=2)
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "two") == tree_bytes(tmp_path / "again")
    assert one.diagnostics == two.diagnostics and one.written.files == two.written.files
    assert any(p.startswith("search/data/") for p in tree_bytes(tmp_path / "two"))
    assert check(site, jobs=2) == check(site, jobs=1)


def test_the_sample_content_jobs_1_and_2(tmp_path):
    build(REPO / "content", tmp_path / "one", jobs=1)
    build(REPO / "content", tmp_path / "two", jobs=2)
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "two")


def _counting(monkeypatch) -> list[str]:
    done: list[str] = []
    real = worker._work

    def counted(job, shared):
        done.append(job.path.name if job.path.parent.name != "aaa-x" else "aaa-x/" + job.path.name)
        return real(job, shared)

    monkeypatch.setattr(worker, "_work", counted)
    return done


def test_a_cached_rebuild_redoes_only_the_edited_file_and_matches_a_clean_build(site, tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(site, content)
    cache = tmp_path / "cache"
    done = _counting(monkeypatch)
    build(content, tmp_path / "out", jobs=1, cache=cache)
    assert len(done) == 6
    done.clear()
    edited = content / "aaa-x" / "b1.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("写し01", "写し01（改）", 1), encoding="utf-8")
    report = build(content, tmp_path / "out", jobs=1, cache=cache)
    assert done == ["aaa-x/b1.yaml"]
    clean = build(content, tmp_path / "clean", jobs=1)
    assert tree_bytes(tmp_path / "out") == tree_bytes(tmp_path / "clean")
    assert report.diagnostics == clean.diagnostics
    assert "写し01（改）" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8") or \
        "写し01（改）" in (tmp_path / "out" / "aaa-x" / "index.html").read_text(encoding="utf-8")
    # an edit of site.yaml changes every key: everything is redone
    done.clear()
    (content / "site.yaml").write_text((content / "site.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    build(content, tmp_path / "out", jobs=1, cache=cache)
    assert len(done) == 6


def test_corrupt_entries_and_pages_are_ignored(site, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    build(site, tmp_path / "clean", jobs=1)
    build(site, tmp_path / "out", jobs=1, cache=cache)
    entries = sorted((cache / "entries").rglob("*"))
    pages = sorted(p for p in (cache / "pages").rglob("*") if p.is_file())
    entries = [p for p in entries if p.is_file()]
    data = bytearray(entries[0].read_bytes())
    data[-5] ^= 0xFF  # a flipped bit: the checksum no longer matches
    entries[0].write_bytes(bytes(data))
    entries[1].write_bytes(b"")
    pages[0].write_bytes(b"<p>not what was written</p>")  # a page that does not hash to its name
    done = _counting(monkeypatch)
    build(site, tmp_path / "out", jobs=1, cache=cache)
    assert 2 <= len(done) <= 4  # the damaged ones are redone, the others come from the cache
    assert tree_bytes(tmp_path / "out") == tree_bytes(tmp_path / "clean")


class Evil:
    def __reduce__(self):
        import os
        return (os.system, ("echo owned",))


def test_an_entry_naming_anything_but_pia_site_data_is_refused(tmp_path):
    c = cache_mod.Cache(tmp_path)
    key = "ab" * 32
    payload = pickle.dumps((key, Evil()))
    path = tmp_path / "entries" / key[:2] / key
    path.parent.mkdir(parents=True)
    path.write_bytes(cache_mod.MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    assert c.get(key) is None
    # a well-formed entry stored under another key is foreign too
    from pia_site.pipeline.summary import Result
    payload = pickle.dumps(("cd" * 32, Result("x.yaml", (), (), ())))
    path.write_bytes(cache_mod.MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    assert c.get(key) is None
    payload = pickle.dumps((key, Result("x.yaml", (), (), ())))
    path.write_bytes(cache_mod.MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    assert c.get(key) == Result("x.yaml", (), (), ())


def test_a_failed_build_leaves_the_previous_output_and_the_pool_writes_nothing_outside(site, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(site, content)
    out = tmp_path / "out"
    build(content, out, jobs=2)
    before = tree_bytes(out)
    (content / "zz" / "b0.yaml").write_text("form: 重点項目\ncover: [\n", encoding="utf-8")
    from pia_site.diagnostics import DiagnosticsError
    with pytest.raises(DiagnosticsError):
        build(content, out, jobs=2)
    assert tree_bytes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "out"]


def test_the_site_wide_pages_from_the_summaries_are_those_of_the_whole_records(tmp_path):
    """The parent renders listings, 更新履歴 and feeds from ``Summary``s (rows cut to what those
    pages show); they equal the pages rendered from the whole site, with items whose 60th and
    61st characters are spaces and rows whose 提出時期 note is all that marks a new revision."""
    from pia_site import render
    from pia_site.build import load_site
    from pia_site.theme import Theme

    content = small_site(tmp_path)
    path = content / "zz" / "b0.yaml"
    text = path.read_text(encoding="utf-8")
    long_item = "II 特定個人情報ファイルの概要 2. 基本情報 ⑥事務担当部署"
    pad = "あ" * (59 - len(long_item) - 1)
    text = text.replace(f"item: {long_item}\n", f"item: {long_item} {pad} 続き  の  語\n", 1)
    text = text.replace("timing: 事後\n", "timing: \n", 1)
    path.write_text(text, encoding="utf-8")
    build(content, tmp_path / "out", jobs=2)
    got = tree_bytes(tmp_path / "out")
    s, diags = load_site(content)
    assert s is not None, [d.message for d in diags if d.is_error]
    env = render.make_environment(Theme.for_config(s.config))
    site_wide = {spec.path: render.render_page(s, env, spec).encode("utf-8") for spec in render.page_specs(s, env)
                 if not spec.path.startswith(("compare/", "data/")) and spec.path.count("/") <= 1}
    assert len(site_wide) >= 8 and any(p.endswith(".xml") for p in site_wide)
    assert {p: got[p] for p in site_wide} == site_wide
    assert f"{long_item} {pad} ".encode() in got["zz/feed.xml"]


def test_summaries_kept_by_the_parent_share_items_and_keys_and_stay_equal(site):
    """The parent keeps a summary per assessment: ``Summary.shared`` makes two documents'
    equal row items, dates and dict keys one object each (as they arrive unpickled from the
    workers they are copies), and changes nothing they compare equal on."""
    from pia_site.build import load_site
    from pia_site.pipeline.summary import Summary

    s, _ = load_site(site)
    first, second = (a for a in s.assessments if a.slug == "b1")  # the same text in two folders
    a, b = (pickle.loads(pickle.dumps(Summary.of(x))) for x in (first, second))
    assert a.record.changes[0].item is not b.record.changes[0].item
    table: dict = {}
    sa, sb = a.shared(table), b.shared(table)
    assert (sa, sb) == (a, b)
    rows = [(x, y) for x, y in zip(sa.record.changes, sb.record.changes)]
    assert len(rows) > 20
    assert all(x.item is y.item and x.date is y.date for x, y in rows)
    ka, kb = list(sa.record.parts["procedures"]), list(sb.record.parts["procedures"])
    assert ka and all(x is y for x, y in zip(ka, kb))
    assert all(x is y for x, y in zip(sa.record.locations, sb.record.locations))


@pytest.mark.parametrize("workers", [1, 2])
def test_background_work_comes_back_in_order(workers):
    from pia_site.pipeline.pool import Background

    with Background(abs, [-3, 1, -2, 5, -8], workers) as work:
        assert work.get() == [3, 1, 2, 5, 8]
        assert work.get() == [3, 1, 2, 5, 8]  # kept


def test_background_work_left_unfinished_is_stopped():
    import time

    from pia_site.pipeline.pool import Background

    with Background(time.sleep, [30, 30], 2) as work:
        processes = list(work._pool._pool)
        assert processes and all(p.is_alive() for p in processes)
    assert not any(p.is_alive() for p in processes)
