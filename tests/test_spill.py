"""The build keeps each assessment's open-data and compare records on disk (pipeline.spill), not
in the parent's memory: what it writes from them is what the in-memory path makes from the
whole site, the parent holds none of them, and no spill file outlives the build."""
from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest

from pia_site import render
from pia_site.build import build, load_site
from pia_site.compare import CompareRecord, compare_record
from pia_site.diagnostics import DiagnosticsError
from pia_site.opendata import CHANGES_CSV, open_data, site_open_data, write_tables
from pia_site.opendata.tables import ASSESSMENT_FIELDS, CHANGE_FIELDS, csv_bytes
from pia_site.pipeline import run as run_module
from pia_site.pipeline import spill
from pia_site.pipeline.summary import Result
from pia_site.theme import Theme
from support import tree_bytes
from test_pipeline import small_site


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return small_site(tmp_path_factory.mktemp("spill"))


@pytest.fixture
def own_tmp(tmp_path, monkeypatch) -> Path:
    """The build's temporary folders go here (``tempfile``'s default folder)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _in_memory(content: Path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The open-data files and the compare pages as the in-memory path makes them from the site."""
    s, diags = load_site(content)
    assert s is not None, [d.message for d in diags if d.is_error]
    env = render.make_environment(Theme.for_config(s.config))
    pages = {spec.path: render.render_page(s, env, spec).encode("utf-8")
             for spec in render.page_specs(s, env) if spec.path.startswith("compare/")}
    return open_data(s), pages


def test_the_spilled_records_give_the_in_memory_open_data_and_compare_pages(site, tmp_path, own_tmp, monkeypatch):
    held = []
    real = run_module._diagnostics

    def diagnostics(p, results):
        held.extend((r.data, r.compare) for r in results)
        return real(p, results)

    monkeypatch.setattr(run_module, "_diagnostics", diagnostics)
    build(site, tmp_path / "out", jobs=2)
    got = tree_bytes(tmp_path / "out")
    data, compare = _in_memory(site)
    assert {k: v for k, v in got.items() if k.startswith("data/") and not k.endswith(".html")} == data
    assert {k: v for k, v in got.items() if k.startswith("compare/")} == compare
    assert len(compare) > 100 and got[CHANGES_CSV].count(b"\r\n") > 100
    assert held and all(d is None and c is None for d, c in held), "the parent keeps the records on disk only"
    assert list(own_tmp.iterdir()) == []


def test_no_spill_file_is_left_when_the_site_wide_step_fails(site, tmp_path, own_tmp, monkeypatch):
    seen = []
    real = spill.Records.__init__

    def init(self, folder):
        seen.append(Path(folder))
        real(self, folder)

    def fail(*args, **kwargs):
        assert (seen[-1] / spill.FILE).stat().st_size > 0
        raise RuntimeError("stop in the site-wide step")

    monkeypatch.setattr(spill.Records, "__init__", init)
    monkeypatch.setattr(run_module, "compare_page_specs", fail)
    with pytest.raises(RuntimeError):
        build(site, tmp_path / "out", jobs=2)
    assert seen and not seen[-1].exists()
    assert list(own_tmp.iterdir()) == []
    assert not (tmp_path / "out").exists()


def test_no_spill_file_is_left_when_the_content_has_errors(site, tmp_path, own_tmp):
    import shutil

    content = tmp_path / "content"
    shutil.copytree(site, content)
    (content / "zz" / "b0.yaml").write_text("form: 重点項目\ncover: [\n", encoding="utf-8")
    with pytest.raises(DiagnosticsError):
        build(content, tmp_path / "out", jobs=2)
    assert list(own_tmp.iterdir()) == []


def test_records_come_back_in_the_in_memory_order_and_a_later_result_replaces_an_earlier(tmp_path):
    s, _ = load_site(small_site(tmp_path))
    munis = {m.slug: m for m in s.municipalities}
    from pia_site.opendata import assessment_open_data

    made = []
    for a in s.assessments:
        _, rec = assessment_open_data(s.config, munis[a.municipality], a)
        made.append((rec, compare_record(a, munis[a.municipality])))
    with spill.Records(tmp_path) as records:
        for i, (rec, cmp) in enumerate(made):
            r = records.keep(i, Result(f"{i}", (), (), (), data=rec, compare=cmp))
            assert r.data is None and r.compare is None and r.source == f"{i}"
        # job 0 done again (as the partner pass does): the later records count, once
        again = made[1][0]
        records.keep(0, Result("0", (), (), (), data=again, compare=made[0][1]))
        expected = [again] + [rec for rec, _ in made[1:]]
        assert list(records.data()) == sorted(expected, key=lambda r: r.sort_key)
        assert records.data_count() == len(made)
        slim = records.compare()
        assert all(isinstance(c, CompareRecord) and c.answers == "" for c in slim)
        assert [records.answers(c) for c in slim] == [cmp.answers for _, cmp in made]
        assert [c.slug for c in slim] == [cmp.slug for _, cmp in made]
    streamed = io.BytesIO(), io.BytesIO()
    ordered = sorted((rec for rec, _ in made), key=lambda r: r.sort_key)
    assert write_tables(ordered, *streamed) == len(made)
    assert streamed[0].getvalue() == csv_bytes((f[0] for f in ASSESSMENT_FIELDS), (r.assessment for r in ordered))
    assert streamed[1].getvalue() == csv_bytes((f[0] for f in CHANGE_FIELDS), (row for r in ordered for row in r.changes))
    assert site_open_data(s.config, reversed([rec for rec, _ in made]))[CHANGES_CSV] == streamed[1].getvalue()
