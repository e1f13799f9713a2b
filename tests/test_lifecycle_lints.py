"""The life-cycle rules and procedure lints (R0xx), each with a failing and a passing fixture
(tests/fixtures/lifecycle/lints.yaml): a 全項目評価書 scaffold with a few values set."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pia_site.build import check
from pia_site.load import load_document
from pia_site.model import DateValue
from pia_site.validate.procedure import ThresholdInputs, dated_diagnostics, threshold_diagnostics

from support import FIXTURES, MUNI_YAML, REPO, as_editor_sees_it, fill, scaffold_text, write

CASES_FILE = FIXTURES / "lifecycle" / "lints.yaml"


def _load_cases() -> dict:
    doc, diags = load_document(CASES_FILE)
    assert not diags
    return as_editor_sees_it(doc.root)


DATA = _load_cases()
CASES = [(c["code"], c.get("as_of"), c["fail"], c["pass"]) for c in DATA["cases"]]


def content_with(tmp_path: Path, values: dict, as_of=None, name: str = "a") -> Path:
    content = tmp_path / "content"
    site = "title: テスト\n" + (f"as_of: {as_of}\n" if as_of else "")
    write(content / "site.yaml", site)
    write(content / "koshigaya" / "municipality.yaml", MUNI_YAML)
    text = fill(scaffold_text("zenkoumoku", "令和7年5月"), {**DATA["base"], **values})
    (content / "koshigaya" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return content


def codes(content: Path) -> list[str]:
    return [d.code for d in check(content)]


@pytest.mark.parametrize("code,as_of,fail,passing", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_each_rule_fails_its_failing_fixture_and_passes_its_passing_one(tmp_path, code, as_of, fail, passing, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    got_fail = codes(content_with(tmp_path / "fail", fail, as_of))
    got_pass = codes(content_with(tmp_path / "pass", passing, as_of))
    assert code in got_fail, sorted(set(got_fail))
    assert code not in got_pass, sorted(set(got_pass))


def test_the_base_fixture_has_no_procedure_finding(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    found = {c for c in codes(content_with(tmp_path, {}, "2024-06-01")) if c.startswith("R")}
    assert found == {"R005"}  # the scaffold's other items are empty


def test_a_warning_is_located_names_its_rule_and_is_japanese(tmp_path):
    content = content_with(tmp_path, {"procedures.public_comment.period": "{start: 2024-01-15, end: 2024-01-24}"})
    (d,) = [d for d in check(content) if d.code == "R022"]
    assert not d.is_error and d.key_path == "procedures.public_comment.period"
    text = (content / "koshigaya" / "a.yaml").read_text(encoding="utf-8").split("\n")
    assert text[d.location.line - 1].strip().startswith("period:")
    assert "10 日" in d.message and "（指針 第5の3）" in d.message


def test_dates_are_judged_by_as_of_or_source_date_epoch_never_the_clock(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    content = content_with(tmp_path, {})
    assert "R026" not in codes(content)  # no as_of: no deadline is judged (the wall clock is not read)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1893456000")  # 2030-01-01 00:00 UTC = 09:00 in Japan
    assert "R026" in codes(content)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    assert "R040" in codes(content)
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "as_of: 2024-06-01\n", encoding="utf-8")
    assert "R026" not in codes(content)  # site.yaml's as_of wins over the environment


def test_the_threshold_is_exact_with_a_basic_assessment_partner(tmp_path):
    """The 様式2 hook: 取扱者数 and 重大事故 decide between 重点 and 全項目 at 10万–30万人."""
    from pia_site.build import load_site

    site, _ = load_site(content_with(tmp_path, {"basic_info.jimu.subjects": "10万人以上30万人未満"}))
    (a,) = site.assessments  # obligated 全項目
    assert threshold_diagnostics(a) == []  # without a partner both are possible
    assert threshold_diagnostics(a, ThresholdInputs(handlers_500=True, serious_accident=False)) == []
    (d,) = threshold_diagnostics(a, ThresholdInputs(handlers_500=False, serious_accident=False))
    assert d.code == "R020" and "重点項目評価" in d.message


def test_a_result_above_the_form_filed_is_reported(tmp_path):
    """R021: a form below the obligated level (a 重点 record whose result asks for 全項目)."""
    from pia_site.build import load_site

    site, _ = load_site(content_with(tmp_path, {}))
    (a,) = site.assessments
    juten = replace(a, form=replace(a.form, kind="juten"))
    assert [d.code for d in threshold_diagnostics(juten)] == ["R021"]
    assert threshold_diagnostics(a) == []


def test_a_rerun_is_due_five_years_after_the_last_one_typed_rerun(tmp_path):
    from pia_site.build import load_site

    rows = "[{date: 2027-06-01, item: I 基本情報 7. 評価実施機関における担当部署 ①部署, before: 甲課, after: 乙課, timing: 事後}]"
    site, _ = load_site(content_with(tmp_path, {"changes": rows, "status": "{state: 公表, revisions: {2027-06-01: 再実施}}"}))
    (a,) = site.assessments
    assert "R026" not in [d.code for d in dated_diagnostics(a, DateValue("2030-01-01"))]
    site, _ = load_site(content_with(tmp_path / "b", {"changes": rows, "status": "{state: 公表, revisions: {2027-06-01: 修正}}"}))
    (a,) = site.assessments
    assert "R026" in [d.code for d in dated_diagnostics(a, DateValue("2030-01-01"))]


def test_blank_items_in_a_published_document_are_listed(tmp_path):
    """R005 on the sample 越谷市 document (three items left empty by the conversion)."""
    text = (REPO / "content" / "koshigaya" / "keijidosha-fuka.yaml").read_text(encoding="utf-8")
    content = tmp_path / "content"
    write(content / "site.yaml", "title: テスト\n")
    write(content / "koshigaya" / "municipality.yaml", MUNI_YAML)
    (content / "koshigaya" / "k.yaml").write_text(text, encoding="utf-8")
    (d,) = [d for d in check(content) if d.code == "R005"]
    assert "files.keiji.overview.basic.main_record_items" in d.message and "3 件" in d.message
    (content / "koshigaya" / "k.yaml").write_text(text.replace("  state: 公表\n", "  state: 作成中\n"), encoding="utf-8")
    assert "R005" not in [d.code for d in check(content)]


def test_a_replaced_document_and_its_successor_name_each_other(tmp_path):
    old = {"status": "{state: 置き換え, replaced_by: b}"}
    content = content_with(tmp_path, old)
    got = check(content)
    assert [d.code for d in got if d.code in ("R009", "R010")] == ["R009"]  # no b.yaml
    content_with(tmp_path, {"status": "{state: 公表}"}, name="b")
    assert [d.code for d in check(content) if d.code in ("R009", "R010")] == ["R010"]  # b does not name a back
    content_with(tmp_path, {"status": "{state: 公表, replaces: a}"}, name="b")
    assert [d.code for d in check(content) if d.code.startswith("R0") and d.code in ("R009", "R010")] == []
    content_with(tmp_path, {"status": "{state: 公表}"}, name="a")  # a no longer says it was replaced
    (d,) = [d for d in check(content) if d.code == "R010"]
    assert d.location.path.endswith("b.yaml") and "replaced_by: b" in d.message


@pytest.mark.parametrize("handlers,reported", [("500人以上", True), ("500人未満", False)])
def test_the_threshold_uses_the_basic_assessment_partner_in_a_site(tmp_path, handlers, reported):
    """R020 through link.partner_threshold_diagnostics: the 基礎項目評価書 (様式2) names 取扱者数."""
    kiso_site = FIXTURES / "kiso" / "site" / "amagasaki"
    content = tmp_path / "content"
    write(content / "site.yaml", "title: テスト\n")
    write(content / "amagasaki" / "municipality.yaml", (kiso_site / "municipality.yaml").read_text(encoding="utf-8"))
    kiso = (kiso_site / "boshi-fushi-kafu.yaml").read_text(encoding="utf-8")
    kiso += f"threshold:\n  subjects: 1万人以上10万人未満\n  handlers: {handlers}\n  accident: 発生なし\n"
    (content / "amagasaki" / "boshi-fushi-kafu.yaml").write_text(kiso, encoding="utf-8")
    values = {**DATA["base"], "basic_info.jimu.subjects": "1万人以上10万人未満", "kiso": "boshi-fushi-kafu",
              "procedures.basic_assessment.threshold": "基礎項目評価の実施が義務付けられる(任意に全項目評価を実施)"}
    (content / "amagasaki" / "z.yaml").write_text(fill(scaffold_text("zenkoumoku", "令和7年5月"), values), encoding="utf-8")
    got = [d for d in check(content) if d.code == "R020"]
    assert bool(got) == reported, [d.message for d in got]
    if reported:
        assert got[0].location.path.endswith("z.yaml") and "重点項目評価" in got[0].message
