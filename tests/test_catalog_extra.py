"""A form is added with catalog files alone: the made-up 試験項目評価書 (tests/catalog_testform,
added through PIA_SITE_CATALOG) validates, builds, scaffolds, has a JSON Schema, is detected by
the importer, resolves change rows and is offered by the search page's form facet."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pia_site import catalog as cat
from pia_site.build import build, check
from pia_site.cli import main
from pia_site.diagnostics import has_errors
from pia_site.importer.clean import clean_lines
from pia_site.importer.detect import detect
from pia_site.load import load_document
from pia_site.schema import all_schemas
from pia_site.validate import validate_assessment

from support import make_content, write

TESTFORM = Path(__file__).resolve().parent / "catalog_testform"

TRIAL = """\
form: 試験項目
edition: 令和8年4月
cover:
  number: "9"
  title: 試験事務 試験項目評価書
  assessor: 越谷市長
  published: "2026-04-01"
trial:
  outline:
    name: 試験の事務
    method: 試験の**方法**を書きます。
    scale: 大規模
    started: "2019-05-01"
changes:
  - date: "2026-04-01"
    item: I 試験の概要 1. 試験の内容 ②試験の方法
    before: 旧
    after: 試験の方法を書きます。
    timing: 事後
    timing_note: 軽微な変更
"""


@pytest.fixture
def testform(monkeypatch):
    """The catalog with the made-up form's folder on PIA_SITE_CATALOG (each search path is
    loaded once: the built-in forms of the other tests stay the same objects)."""
    monkeypatch.setenv(cat.PATH_ENV, str(TESTFORM))
    return cat.find_form("testform", "令和8年4月")


def test_without_the_search_path_the_form_does_not_exist():
    assert cat.form_kind("試験項目") is None
    assert "試験項目評価書" not in cat.form_names()


def test_the_form_and_its_names_come_from_its_catalog_file(testform):
    assert testform is not None and testform.name == "試験項目評価書" and testform.yoshiki == "様式9"
    info = cat.kind_info("testform")
    assert info.editions == ("令和8年4月",)
    assert info.names == ("試験項目評価書", "試験項目", "testform", "様式9")
    for name in info.names:
        assert cat.form_kind(name) == "testform"
    assert testform.families["F-試験の規模"].texts == ("小規模", "大規模")
    # the built-in forms are still there, and keep their own names
    assert cat.form_kind("重点") == "juten" and cat.form_kind("様式4") == "zenkoumoku"
    assert "「試験項目評価書」" in cat.form_names_ja()


def test_an_assessment_of_the_form_validates(testform, tmp_path):
    path = write(tmp_path / "trial.yaml", TRIAL)
    doc, diags = load_document(path)
    a, more = validate_assessment(doc, "koshigaya")
    assert not has_errors(list(diags) + list(more)), more
    assert a.form is testform
    assert a.parts["trial"]["outline"]["scale"] == "大規模"
    assert [r.item for r in a.changes] == ["I 試験の概要 1. 試験の内容 ②試験の方法"]


def test_messages_list_the_form_and_its_editions(testform, tmp_path):
    doc, _ = load_document(write(tmp_path / "bad.yaml", TRIAL.replace("edition: 令和8年4月", "edition: 令和9年1月")))
    diags = validate_assessment(doc, "koshigaya")[1]
    assert [d.message for d in diags if d.code == "V006"] == ["試験項目評価書の様式の版「令和9年1月」は未対応です。対応している版: 令和8年4月"]
    doc, _ = load_document(write(tmp_path / "bad2.yaml", TRIAL.replace("form: 試験項目", "form: 計画管理書")))
    v005 = [d.message for d in validate_assessment(doc, "koshigaya")[1] if d.code == "V005"]
    assert len(v005) == 1 and "「試験項目評価書」" in v005[0] and "「重点項目評価書」" in v005[0]


def test_a_site_with_the_form_builds_and_renders_it(testform, tmp_path):
    content = make_content(tmp_path, {"trial": TRIAL})
    assert not has_errors(check(content))
    out = tmp_path / "out"
    build(content, out)
    page = (out / "koshigaya" / "trial" / "index.html").read_text(encoding="utf-8")
    for text in ("試験項目評価書", "[令和8年4月 様式9]", "試験の名称", "試験の事務", "大規模", "令和元年5月1日", "<strong>方法</strong>"):
        assert text in page, text
    # the change row resolved to the item it names, which links to it
    assert 'id="trial.outline.method"' in page
    changes = (out / "koshigaya" / "trial" / "changes" / "index.html").read_text(encoding="utf-8")
    assert "#trial.outline.method" in changes
    # the search page's form facet offers the form, as the catalog orders it
    search = (out / "search" / "index.html").read_text(encoding="utf-8")
    assert ('<option value="">すべて</option><option>試験項目評価書</option>'
            '<option>全項目評価書</option><option>重点項目評価書</option><option>基礎項目評価書</option></select>') in search


def test_new_scaffolds_the_form_and_the_scaffold_checks(testform, tmp_path):
    content = make_content(tmp_path)
    assert main(["new", "--municipality", "koshigaya", "--form", "試験項目", "--name", "trial", "--content", str(content)]) == 0
    text = (content / "koshigaya" / "trial.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../_schema/testform-r08-04.schema.json\n")
    assert "form: 試験項目評価書\nedition: 令和8年4月\n" in text
    assert "# ③試験の規模 — 選択肢: 1) 小規模 2) 大規模" in text
    assert "files:" not in text  # the form has no 特定個人情報ファイル parts
    assert (content / "_schema" / "testform-r08-04.schema.json").is_file()
    diags = check(content)
    assert not has_errors(diags)
    assert {d.key_path for d in diags} >= {"trial.outline.name", "trial.outline.scale", "cover.published"}


def test_the_command_line_takes_the_search_path_from_the_environment(tmp_path):
    env = {**os.environ, cat.PATH_ENV: str(TESTFORM)}
    proc = subprocess.run([sys.executable, "-m", "pia_site", "new", "--help"], capture_output=True, text=True, env=env)
    assert "試験項目評価書（試験項目）" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "pia_site", "new", "--municipality", "koshigaya", "--form", "様式9"],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "（試験項目評価書 令和8年4月）" in proc.stderr
    missing = {**os.environ, cat.PATH_ENV: str(tmp_path / "nowhere")}
    proc = subprocess.run([sys.executable, "-m", "pia_site", "schema", "--out", str(tmp_path / "s")],
                          capture_output=True, text=True, env=missing, cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"環境変数 {cat.PATH_ENV} のフォルダ「{tmp_path / 'nowhere'}」がありません。" in proc.stderr


def test_the_json_schema_covers_the_form(testform, tmp_path):
    schemas = all_schemas()
    schema = json.loads(schemas["testform-r08-04.schema.json"])
    assert schema["properties"]["form"]["enum"] == ["試験項目評価書", "試験項目", "testform", "様式9"]
    assert schema["properties"]["edition"]["const"] == "令和8年4月"
    scale = schema["properties"]["trial"]["properties"]["outline"]["properties"]["scale"]
    assert "大規模" in json.dumps(scale, ensure_ascii=False)
    row = schema["properties"]["changes"]["items"]["properties"]
    assert row["timing_note"]["title"] == "提出時期に係る説明" and row["target"]["title"] == "対象箇所"
    assert main(["schema", "--out", str(tmp_path / "schema")]) == 0
    assert (tmp_path / "schema" / "testform-r08-04.schema.json").is_file()


def test_the_importer_detects_the_form(testform):
    stamped = clean_lines("特定個人情報保護評価書(試験項目評価書)\n\n評価書番号\t9\n\n[令和8年4月 様式9]\n")
    found = detect(stamped)
    assert found.form is testform and found.notes == []
    by_title = detect(clean_lines("特定個人情報保護評価書(試験項目評価書)\n\n評価書番号\t9\n"))
    assert by_title.form is testform
    assert by_title.notes == ["様式の版の表示（[令和8年4月 様式9] など）が見つからないため、「令和8年4月」の様式として取り込みました。"]


def test_changelog_resolve_takes_the_form(testform, tmp_path):
    table = write(tmp_path / "table.txt", "変更日\t項目\t変更前の記載\t変更後の記載\t提出時期\t提出時期に係る説明\n"
                                          "令和8年4月1日\tI 試験の概要 1. 試験の内容 ③試験の規模\t小規模\t大規模\t事後\t\n")
    proc = subprocess.run([sys.executable, "-m", "pia_site", "changelog", "resolve", str(table), "--form", "試験項目"],
                          capture_output=True, text=True, env={**os.environ, cat.PATH_ENV: str(TESTFORM)})
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(r["status"], [t["path"] for t in r["targets"]]) for r in rows] == [("resolved", ["trial.outline.scale"])]


def test_catalog_files_are_checked(tmp_path, monkeypatch):
    """A form whose 変更箇所 lacks its column headings, or that reuses another form's name, is refused."""
    text = (TESTFORM / "testform-r08-04.yaml").read_text(encoding="utf-8")
    families = (TESTFORM / "families.yaml").read_text(encoding="utf-8")

    def folder(name: str, form_text: str) -> Path:
        write(tmp_path / name / "families.yaml", families)
        write(tmp_path / name / "testform-r08-04.yaml", form_text)
        return tmp_path / name

    monkeypatch.setenv(cat.PATH_ENV, str(folder("no-columns", text.replace("      timing_note: 提出時期に係る説明\n", ""))))
    with pytest.raises(cat.CatalogError, match="columns"):
        cat.all_forms()
    monkeypatch.setenv(cat.PATH_ENV, str(folder("alias-taken", text.replace("aliases: [試験項目]", "aliases: [重点]"))))
    with pytest.raises(cat.CatalogError, match="重点"):
        cat.form_kinds()
    monkeypatch.setenv(cat.PATH_ENV, os.pathsep.join([str(TESTFORM), str(folder("twice", text))]))
    with pytest.raises(cat.CatalogError, match="also in"):
        cat.all_forms()
