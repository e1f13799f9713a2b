"""Open data under data/: JSON per assessment valid against the published JSON Schema, CSVs that
parse back to the YAML's values, the dataset description and licence, determinism, the
personal-data guard, and links from every page."""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from pia_site.build import build, load_site
from pia_site.diagnostics import DiagnosticsError
from pia_site.opendata import assessment_open_data, open_data, publication_state, site_open_data
from pia_site.schema import all_schemas, schema_filename

from support import REPO, tree_bytes
from conftest import working_directory


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, so Excel reads it as UTF-8"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def yaml_tree(path: Path):
    """The assessment YAML as written (strict loader: every scalar a string)."""
    from pia_site.load import YMap, YSeq, load_document

    def plain(node):
        if isinstance(node, YMap):
            return {k.value: plain(v) for k, v in node.entries}
        if isinstance(node, YSeq):
            return [plain(v) for v in node.items]
        return None if node is None else node.value

    doc, diags = load_document(path)
    assert not diags
    return plain(doc.root)


@pytest.fixture(scope="module")
def built(sample_build: Path) -> Path:
    return sample_build


def test_every_assessment_has_a_json_valid_against_its_published_schema(site, built):
    schemas = {name: json.loads(text) for name, text in all_schemas().items()}
    for a in site.assessments:
        data = json.loads((built / f"data/assessments/{a.municipality}/{a.slug}.json").read_text(encoding="utf-8"))
        # the schema published beside the data is the one `pia-site schema` writes
        published = json.loads((built / f"data/schema/{schema_filename(a.form)}").read_text(encoding="utf-8"))
        assert published == schemas[schema_filename(a.form)]
        errors = list(jsonschema.Draft7Validator(published).iter_errors(data))
        assert errors == [], [(list(e.path), e.message[:120]) for e in errors[:3]]
        assert data["form"] == a.form.name and data["edition"] == a.form.edition


def test_the_json_holds_the_values_as_written(site, built):
    a = next(x for x in site.assessments if x.slug == "keijidosha-fuka")
    data = json.loads((built / "data/assessments/koshigaya/keijidosha-fuka.json").read_text(encoding="utf-8"))
    src = yaml_tree(REPO / "content/koshigaya/keijidosha-fuka.yaml")
    assert data["cover"]["title"] == src["cover"]["title"]
    assert data["cover"]["published"] == "2026-01-26"
    assert data["basic_info"]["jimu"]["description"] == src["basic_info"]["jimu"]["description"]
    assert [s["name"] for s in data["basic_info"]["systems"]] == [s["name"] for s in src["basic_info"]["systems"]]
    assert len(data["changes"]) == len(src["changes"]) == len(a.changes)
    for got, want in zip(data["changes"], src["changes"]):
        assert got["item"] == want["item"] and (got["before"] or None) == (want.get("before") or None)


def test_assessments_csv_parses_back_to_the_yaml(site, built):
    rows = read_csv((built / "data/assessments.csv").read_bytes())
    assert len(rows) == len(site.assessments)
    munis = {m.slug: m for m in site.municipalities}
    by_title = {r["評価書名"]: r for r in rows}
    for a in site.assessments:
        src = yaml_tree(REPO / f"content/{a.municipality}/{a.slug}.yaml")
        muni = yaml_tree(REPO / f"content/{a.municipality}/municipality.yaml")
        r = by_title[src["cover"]["title"]]
        assert r["団体名"] == muni["name"] and r["全国地方公共団体コード"] == muni["code"] == munis[a.municipality].code
        assert r["都道府県"] == muni["prefecture"]
        assert r["評価書番号"] == src["cover"]["number"]
        assert r["評価実施機関名"] == src["cover"]["assessor"]
        assert r["公表日"] == (src["cover"].get("published") or "")
        assert r["評価書の種類"] == src["form"] and r["様式の版"] == src["edition"]
        assert r["状態"] == publication_state(a) == a.status.state
        assert r["状態"] == (src.get("status") or {}).get("state", r["状態"])  # as the YAML declares it
        assert r["評価書のURL"] == f"{a.municipality}/{a.slug}/index.html"
        assert r["データ（JSON）のURL"] == f"data/assessments/{a.municipality}/{a.slug}.json"
        for key in ("評価書のURL", "変更箇所のURL", "データ（JSON）のURL", "JSON SchemaのURL"):
            assert (built / r[key]).is_file(), key
    assert {"作成中", "公表"} <= {r["状態"] for r in rows}  # the sample's さいたま市 draft is not listed as 公表
    # 団体コード order: さいたま市 111007 before 越谷市 112224
    assert [r["全国地方公共団体コード"] for r in rows] == sorted(r["全国地方公共団体コード"] for r in rows)


def test_changes_csv_has_a_row_per_change_row_with_item_and_label_path(site, built):
    rows = read_csv((built / "data/changes.csv").read_bytes())
    assert len(rows) == sum(len(a.changes) for a in site.assessments)
    for a in site.assessments:
        src = yaml_tree(REPO / f"content/{a.municipality}/{a.slug}.yaml")["changes"]
        title = a.title
        mine = [r for r in rows if r["評価書名"] == title]
        assert [int(r["行"]) for r in mine] == list(range(1, len(src) + 1))
        for r, want in zip(mine, src):
            assert r["項目"] == want["item"]
            assert r["変更前の記載"] == (want.get("before") or "")
            assert r["変更後の記載"] == (want.get("after") or "")
            assert r["提出時期"] == (want.get("timing") or "")
            assert r["提出時期に係る説明"] == (want.get("timing_note") or "")
            assert r["変更日"] == (want.get("date") or "")
        for r, targets in zip(mine, a.change_links):
            assert r["対象箇所ID"].split("\n") == list(targets) if targets else r["対象箇所ID"] == ""
    r = next(r for r in rows if r["評価書名"].startswith("軽自動車税") and r["行"] == "2")
    assert r["対象箇所ID"] == "files.keiji.overview.basic.department"
    assert r["様式の項目ID"] == "overview.basic.department"
    assert r["対象箇所"] == "II 特定個人情報ファイルの概要 › 2. 基本情報 › ⑥事務担当部署"
    assert r["対象箇所のURL"] == "koshigaya/keijidosha-fuka/index.html#files.keiji.overview.basic.department"
    # a continuation row has no 変更日 of its own but belongs to the previous row's revision
    cont = next(r for r in rows if r["評価書名"].startswith("軽自動車税") and r["変更日"] == "")
    prev = next(r for r in rows if r["評価書名"] == cont["評価書名"] and int(r["行"]) == int(cont["行"]) - 1)
    assert cont["改訂日"] == prev["改訂日"] == prev["変更日"] != ""


def test_csv_is_excel_friendly_and_dates_are_iso(built):
    for name in ("assessments.csv", "changes.csv"):
        data = (built / "data" / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
        header = data.decode("utf-8-sig").split("\r\n", 1)[0]
        assert "全国地方公共団体コード" in header or "変更日" in header
    for r in read_csv((built / "data/changes.csv").read_bytes()):
        for key in ("変更日", "改訂日"):
            assert r[key] == "" or (len(r[key]) == 10 and r[key][4] == r[key][7] == "-"), r[key]


def test_datapackage_describes_the_files_and_the_licence(built):
    dp = json.loads((built / "data/datapackage.json").read_text(encoding="utf-8"))
    assert dp["licenses"] == [{"title": "公共データ利用規約（第1.0版）",
                               "path": "https://www.digital.go.jp/resources/open_data/public_data_license_v1.0"}]
    for res in dp["resources"]:
        header = next(csv.reader(io.StringIO((built / "data" / res["path"]).read_bytes().decode("utf-8-sig"))))
        assert [f["name"] for f in res["schema"]["fields"]] == header
    about = (built / "data/index.html").read_text(encoding="utf-8")
    assert "公共データ利用規約（第1.0版）" in about
    for name in ("assessments.csv", "changes.csv", "datapackage.json", "juten-r06-10.schema.json"):
        assert f'href="{name}"' in about or f'href="schema/{name}"' in about


def test_the_licence_comes_from_site_yaml(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    site_yaml = content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8")
                         + "data_license: クリエイティブ・コモンズ 表示 4.0 国際\n"
                         + "data_license_url: https://creativecommons.org/licenses/by/4.0/deed.ja\n", encoding="utf-8")
    build(content, tmp_path / "out")
    dp = json.loads((tmp_path / "out/data/datapackage.json").read_text(encoding="utf-8"))
    assert dp["licenses"][0]["title"] == "クリエイティブ・コモンズ 表示 4.0 国際"
    assert "creativecommons.org/licenses/by/4.0/deed.ja" in (tmp_path / "out/data/index.html").read_text(encoding="utf-8")


def test_every_page_links_to_the_about_the_data_page(built):
    pages = sorted(built.rglob("*.html"))
    assert len(pages) >= 9
    for page in pages:
        html = page.read_text(encoding="utf-8")
        rel = Path(*([".."] * (len(page.relative_to(built).parts) - 1)), "data/index.html").as_posix()
        assert f'href="{rel}"' in html, page


def test_open_data_is_deterministic_and_the_site_step_only_needs_the_records(site):
    import pickle

    first = open_data(site)
    assert open_data(site) == first
    munis = {m.slug: m for m in site.municipalities}
    records = []
    for a in reversed(site.assessments):  # the order the per-assessment steps finish in does not matter
        files, record = assessment_open_data(site.config, munis[a.municipality], a)
        assert set(files) == {f"data/assessments/{a.municipality}/{a.slug}.json"}
        records.append(pickle.loads(pickle.dumps(record)))
    assert {**site_open_data(site.config, records)}.items() <= first.items()


def test_two_builds_write_the_same_data(tmp_path):
    build(REPO / "content", tmp_path / "a")
    build(REPO / "content", tmp_path / "b")
    a, b = tree_bytes(tmp_path / "a"), tree_bytes(tmp_path / "b")
    assert {k: v for k, v in a.items() if k.startswith("data/")} == {k: v for k, v in b.items() if k.startswith("data/")}
    assert any(k.startswith("data/") for k in a)


def test_the_personal_data_guard_reads_the_open_data(tmp_path, monkeypatch):
    """A 個人番号 that reaches only the open data (not any page) stops the build."""
    import pia_site.pipeline.run as run_module

    planted = "個人番号 1234 5678 9018"  # valid check digit, named as such: P001 (docs/personal-data-guard.md)
    real = run_module.write_tables

    def with_number(records, assessments, changes):
        n = real(records, assessments, changes)
        changes.write(f"x,{planted}\r\n".encode("utf-8"))
        return n

    monkeypatch.setattr(run_module, "write_tables", with_number)
    with working_directory(REPO), pytest.raises(DiagnosticsError) as exc:
        build(Path("content"), tmp_path / "out")
    found = [d for d in exc.value.diagnostics if d.is_error and "changes.csv" in d.message + str(d.location)]
    assert found, [str(d.message)[:100] for d in exc.value.diagnostics if d.is_error]
    assert not (tmp_path / "out").exists()


def test_the_json_read_back_as_assessment_yaml_is_the_same_assessment(site, tmp_path):
    """JSON is YAML: the published JSON, put in place of the YAML, validates to the same document."""
    from pia_site.opendata.document import assessment_document

    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    files = open_data(site)
    for a in site.assessments:
        (content / a.municipality / f"{a.slug}.yaml").write_bytes(files[f"data/assessments/{a.municipality}/{a.slug}.json"])
    again, diags = load_site(content)
    assert again is not None, [d.message for d in diags if d.is_error]
    for a, b in zip(site.assessments, again.assessments):
        assert (a.municipality, a.slug) == (b.municipality, b.slug)
        assert assessment_document(b) == assessment_document(a)
        assert b.parts == a.parts and b.files == a.files and b.ended == a.ended
        assert [(r.date, r.item, r.before, r.after, r.timing, r.timing_note, r.targets) for r in b.changes] == \
               [(r.date, r.item, r.before, r.after, r.timing, r.timing_note, r.targets) for r in a.changes]


def test_the_guard_reads_a_csv_cell_by_cell_and_finds_what_the_whole_text_holds(built):
    """The site CSVs are scanned per cell (a national changes.csv is hundreds of MB: one text
    would take minutes and gigabytes); the findings are those of the file read as one text."""
    from pia_site import guard
    from pia_site.guard.output import data_segments, scan_segments

    allow = guard.allowlist(())
    for name in ("data/changes.csv", "data/assessments.csv"):
        data = (built / name).read_bytes()
        cells = data_segments(name, data)
        assert len(cells) > 10 and all("\n" not in c or c.count(",") < 10 for c in cells)
        whole = scan_segments(name, [data.decode("utf-8")], allow)
        got = scan_segments(name, cells, allow)
        assert sorted((f.kind.value, f.value) for f in got) == sorted((f.kind.value, f.value) for f in whole), name
    # the sample's change rows do hold guard findings (telephone numbers of the offices)
    assert scan_segments("data/changes.csv", data_segments("data/changes.csv", (built / "data/changes.csv").read_bytes()), allow)
