"""`pia-site new` then `pia-site check`: every empty required item is pointed out."""
import re
import subprocess
import sys

from pia_site.catalog import find_form



def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "pia_site", *args], capture_output=True, text=True, cwd=cwd)


def test_new_then_check_guides_through_every_empty_required_item(tmp_path):
    assert run("new", "--municipality", "town", "--form", "重点項目", "--name", "jimu", cwd=tmp_path).returncode == 0
    (tmp_path / "content" / "site.yaml").write_text("title: t\n", encoding="utf-8")
    (tmp_path / "content" / "town" / "municipality.yaml").write_text('name: 町\nprefecture: 県\ncode: "112224"\n', encoding="utf-8")
    proc = run("check", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    warned = set(re.findall(r"警告\[\w+\] (\S+) 「", proc.stderr))
    form = find_form("juten", "令和6年10月")
    # every required value item of the form is named once (group leaves in their first instance)
    expected = set()
    for node in form.walk():
        if node.kind in ("text", "rich", "choice", "check", "date", "period") and not node.optional:
            expected.add(node.id.split(".")[-1])
    named = {p.split(".")[-1] for p in warned}
    assert expected <= named, sorted(expected - named)
    assert "basic_info.jimu.subjects" in warned and "cover.published" in warned
    assert "files.file1.overview.acquisition_use.sources" in warned


def test_new_refuses_to_overwrite_and_checks_names(tmp_path):
    assert run("new", "--municipality", "town", "--form", "全項目", "--name", "a", cwd=tmp_path).returncode == 0
    again = run("new", "--municipality", "town", "--form", "全項目", "--name", "a", cwd=tmp_path)
    assert again.returncode == 1 and "--force" in again.stderr
    bad = run("new", "--municipality", "Town", "--form", "全項目", "--name", "a", cwd=tmp_path)
    assert bad.returncode == 2 and "半角英小文字" in bad.stderr
    assert run("new", "--municipality", "town", "--form", "計画管理書", cwd=tmp_path).returncode == 2
    text = (tmp_path / "content" / "town" / "a.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../_schema/zenkoumoku-r07-05.schema.json")
    assert (tmp_path / "content" / "_schema" / "zenkoumoku-r07-05.schema.json").is_file()
    assert "# ③対象人数 — 選択肢: 1) 1,000人未満" in text


def test_new_in_an_empty_folder_makes_a_site_that_builds(tmp_path):
    made = run("new", "mysite", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    site = tmp_path / "mysite"
    content = site / "content"
    assert (content / "site.yaml").is_file() and (content / "mihon" / "municipality.yaml").is_file()
    assessment = content / "mihon" / "new-assessment.yaml"
    assert assessment.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=../_schema/juten-")
    assert "cd mysite && pia-site serve" in made.stderr
    built = run("build", cwd=site)
    assert built.returncode == 0, built.stderr
    assert (site / "build" / "mihon" / "new-assessment" / "index.html").is_file()
    assert "見本市" in (site / "build" / "index.html").read_text(encoding="utf-8")
    # a second `new` there changes nothing
    before = {p: p.read_bytes() for p in content.rglob("*") if p.is_file()}
    again = run("new", "mysite", cwd=tmp_path)
    assert again.returncode == 1 and "すでにサイトがあります" in again.stderr
    assert {p: p.read_bytes() for p in content.rglob("*") if p.is_file()} == before


def test_new_without_arguments_uses_the_current_folder_and_the_chosen_form(tmp_path):
    made = run("new", "--form", "全項目", "--name", "jimu", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "form: 全項目評価書" in (tmp_path / "content" / "mihon" / "jimu.yaml").read_text(encoding="utf-8")
    checked = run("check", cwd=tmp_path)
    assert checked.returncode == 0 and "エラー[" not in checked.stderr
    (tmp_path / "other" / "content").mkdir(parents=True)
    (tmp_path / "other" / "content" / "notes.txt").write_text("x", encoding="utf-8")
    refused = run("new", "other", cwd=tmp_path)
    assert refused.returncode == 1 and "すでにファイルがあります" in refused.stderr
    assert sorted(p.name for p in (tmp_path / "other" / "content").iterdir()) == ["notes.txt"]


def test_new_assessment_in_an_empty_folder_adds_site_yaml_and_keeps_an_existing_one(tmp_path):
    assert run("new", "--municipality", "town", "--form", "重点項目", cwd=tmp_path).returncode == 0
    assert "title:" in (tmp_path / "content" / "site.yaml").read_text(encoding="utf-8")
    (tmp_path / "content" / "site.yaml").write_text("title: 自分のサイト\n", encoding="utf-8")
    assert run("new", "--municipality", "town", "--form", "全項目", "--name", "b", cwd=tmp_path).returncode == 0
    assert (tmp_path / "content" / "site.yaml").read_text(encoding="utf-8") == "title: 自分のサイト\n"
    missing = run("new", "--municipality", "town", cwd=tmp_path)
    assert missing.returncode == 2 and "--form" in missing.stderr
