"""pia-site import: seeds 001 and 003 imported, checked, built and measured; synthetic
conversion variants import to the same values; broken sources fail cleanly."""
from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pia_site.build import build, check
from pia_site.cli import main
from pia_site.diagnostics import has_errors
from pia_site.importer import ImportFailure, import_source
from pia_site.importer.changelog import parse_changes
from pia_site.importer.clean import clean_lines, sanitize_html
from pia_site.importer.emit import emit, verify
from pia_site.importer.labels import LabelIndex
from pia_site.importer.values import find_date, parse_check, parse_choice
from pia_site.catalog import find_form

from support import REPO, fidelity, seed

SITE_YAML = "title: テストサイト\ngannen: false\nseireki: after\n"
MUNIS = {
    "koshigaya": 'name: 越谷市\nprefecture: 埼玉県\ncode: "112224"\nbodies: [越谷市長]\n',
    "saitama": 'name: さいたま市\nprefecture: 埼玉県\ncode: "111007"\nbodies: [さいたま市長]\n',
}
SEED_CASES = [
    ("003_9cb340eda5728da8.txt", "koshigaya", "keijidosha-fuka", 53),
    ("001_c176883cc507a412.txt", "saitama", "kokuho-fuka-shuno", 130),
]

@functools.lru_cache(maxsize=None)
def imported(name: str):
    """A seed imported once per session (the result is not modified by the tests)."""
    return import_source(seed(name).read_bytes())


def content_dir(tmp_path: Path, slug: str | None = None) -> Path:
    content = tmp_path / "content"
    content.mkdir(parents=True, exist_ok=True)
    (content / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    if slug:
        (content / slug).mkdir(exist_ok=True)
        (content / slug / "municipality.yaml").write_text(MUNIS[slug], encoding="utf-8")
    return content


def run_import(capsys, *args) -> tuple[int, str, str]:
    rc = main(["import", *map(str, args)])
    out = capsys.readouterr()
    return rc, out.out, out.err


# ---------------------------------------------------------------------------
# the seeds, end to end

@pytest.mark.parametrize("seed_name,slug,name,rows", SEED_CASES)
def test_seed_imports_checks_builds_and_keeps_the_text(tmp_path, capsys, seed_name, slug, name, rows):
    content = content_dir(tmp_path, slug)
    rc, out, err = run_import(capsys, seed(seed_name), "--municipality", slug, "--content", content, "--name", name)
    assert rc == 0, err
    target = content / slug / f"{name}.yaml"
    assert target.is_file()
    assert "記入された項目" in out and "空欄の項目" in out and "未配置の記載" in out and f"変更箇所: {rows} 行" in out
    diags = check(content)
    assert not has_errors(diags), "\n".join(str(d) for d in diags if d.is_error)[:3000]
    site = tmp_path / "site"
    build(content, site)
    page = site / slug / name / "index.html"
    assert page.is_file()
    seen, total, report = fidelity(seed(seed_name), page, show=40)
    assert total > 2000 and 100 * seen / total >= 99.0, report
    placed = float(re.search(r"配置率 ([\d.]+)%", out).group(1))
    assert placed >= 95.0, out
    tree = yaml.load(target.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert len(tree["changes"]) == rows


@pytest.mark.parametrize("seed_name,slug,name,rows", SEED_CASES)
def test_importing_twice_gives_identical_yaml(tmp_path, seed_name, slug, name, rows):
    outs = []
    for k, hashseed in enumerate(("0", "12345")):
        content = content_dir(tmp_path / str(k), slug)
        env = dict(os.environ, PYTHONHASHSEED=hashseed, TZ="Asia/Tokyo" if k else "UTC")
        proc = subprocess.run([sys.executable, "-m", "pia_site", "import", str(seed(seed_name)), "--municipality", slug,
                               "--content", str(content), "--name", name], capture_output=True, text=True, env=env, cwd=REPO)
        assert proc.returncode == 0, proc.stderr
        outs.append((content / slug / f"{name}.yaml").read_bytes())
    assert outs[0] == outs[1]


def test_seed_003_values(tmp_path):
    tree = imported("003_9cb340eda5728da8.txt").tree
    basic = tree["basic_info"]
    assert tree["form"] == "重点項目評価書" and tree["edition"] == "令和6年10月"
    assert tree["cover"]["number"] == "7" and tree["cover"]["published"] == "2026-01-26"
    assert basic["jimu"]["subjects"] == "10万人以上30万人未満"
    assert [s["name"] for s in basic["systems"]] == ["軽自動車税(種別割)システム", "税宛名システム",
                                                      "団体内統合宛名システム(以下「統合宛名システム」という。)", "中間サーバー"]
    # 〔 ○ 〕 marks, the OCR variant 府内連携システム and a scrambled option order
    assert basic["systems"][0]["connections"] == ["庁内連携システム", "宛名システム等", "税務システム"]
    # bracketed radio glyphs and その他 with its text
    assert basic["systems"][2]["connections"][-1] == {"その他": "中間サーバ"}
    f = tree["files"][0]
    ov = f["overview"]
    assert f["name"] == "軽自動車税の申告及び賦課に関する事務"
    assert ov["basic"]["file_type"] == "システム用ファイル"  # glyph + text inside the bracket
    assert ov["basic"]["main_record_items"] is None  # every box is a bare glyph: state lost, no guess
    assert ov["basic"]["holding_start"] == "2015-10"
    assert ov["acquisition_use"]["user_count"] == "50人以上100人未満"
    assert ov["entrust"]["entrusted"] == "委託する" and ov["entrust"]["entrust_count"] == "1"
    assert ov["transfer"]["status"] == [{"移転を行っている": "215,000"}]
    assert ov["transfer"]["provisions"] == []  # the empty 提供先1 template
    assert ov["transfer"]["transfers"][0]["subject_count"] is None  # selection lost
    assert ov["transfer"]["transfers"][1]["subject_count"] == "10万人以上100万人未満"  # bracket after the list
    assert ov["transfer"]["transfers"][1]["methods"] == ["庁内連携システム", "紙"]
    assert [g["name"] for g in f["record_items"]["groups"]][:2] == ["軽自テーブル", "軽自課税マスターべル"]
    assert f["record_items"]["groups"][-2]["items"] == ["個人番号", "情報提供用個人番号識別符号", "団体内宛名番号"]
    rm = tree["risk_measures"][0]
    assert rm["files"] == [f["id"]]
    assert rm["nws_connection"]["r1"]["sufficiency"] == "十分である"  # label lost, broken bracket
    assert rm["entrust"]["no_entrust"] is False and rm["nws_connection"]["no_connection_provide"] is False
    assert rm["storage"]["risk"]["incident_procedure"] == "十分に行っている"
    assert rm["audit"]["conducted"] == ["自己点検", "外部監査"]
    assert tree["procedures"]["threshold"] if False else tree["procedures"]["basic_assessment"]["threshold"] == "基礎項目評価及び重点項目評価の実施が義務付けられる"
    changes = tree["changes"]
    assert changes[0]["date"] == "2016-04-01" and changes[0]["timing"] == "事後"
    assert changes[11]["date"] == "2019-06-26"  # 令和1年
    # L343: a continuation row inherits date, timing and reason of L342
    assert changes[13]["date"] == changes[12]["date"] == "2021-02-04"
    assert changes[13]["timing"] == "事後" and changes[13]["item"].startswith("II 特定個人情報ファイルの概 要")
    assert "unplaced" not in tree


def test_seed_001_values(tmp_path):
    tree = imported("001_c176883cc507a412.txt").tree
    assert tree["form"] == "全項目評価書" and tree["edition"] == "平成30年5月"
    basic = tree["basic_info"]
    # the value starts unlabelled at L43, the label is stranded at L95
    assert basic["jimu"]["description"].startswith("<p><b>【賦課業務概要】</b>")
    assert "1\\. 調定登録" in basic["jimu"]["description"]
    assert [s.get("no") for s in basic["systems"]] == ["1", "2", "3", "6", "7", "8", "9"]
    sys7 = basic["systems"][4]
    assert sys7["name"] == "個人住民税システム" and sys7["function"].startswith("<p>1 課税準備事務向け機能</p>")
    assert "5 調査事務向け機能" in sys7["function"]
    assert basic["systems"][1]["connections"][0] == "庁内連携システム"  # bracketed radio = selected
    files = tree["files"]
    assert [f["name"] for f in files] == ["国保賦課特定個人情報ファイル", "国保収納特定個人情報ファイル"]
    assert files[0]["overview"]["acquisition_use"]["sources"] is None  # bare unchecked glyphs: lost
    assert files[1]["overview"]["entrust"]["entrust_count"] == "9"
    assert [e["no"] for e in files[1]["overview"]["entrust"]["entries"]] == ["1", "2", "3", "4", "5", "6", "8", "9"]
    assert files[1]["overview"]["storage"]["retention_period"] == "20年以上"
    assert "地方税法18条" in files[1]["overview"]["storage"]["retention_validity"]
    assert files[0]["record_items"]["groups"][0]["items"][:2] == ["賦課世帯情報", "市区町村コード"]
    assert len(files[0]["record_items"]["groups"][0]["items"]) == 922
    block = tree["risk_measures"][0]
    assert block["files"] == ["file1", "file2"]
    assert block["nws_connection"]["r1"]["sufficiency"] == "十分である"  # scrambled option order
    assert tree["disclosure"]["request"]["fee"] == "無料"
    assert tree["procedures"]["public_comment"]["period"] == {"start": "2020-02-18", "end": "2020-03-19"}
    changes = tree["changes"]
    assert changes[-1]["date"] is None and changes[-1]["timing"] == "事前"  # L1364: date cell missing
    assert changes[-1]["item"].startswith("Ⅱ 別添2")
    unplaced = {u["line"] for u in tree["unplaced"]}
    assert {"369", "370"} <= unplaced  # ⑧/⑨ whose 委託事項 header was lost: kept, not guessed


# ---------------------------------------------------------------------------
# conversion variants import to the same values

def _variant(text: str, kind: str) -> str:
    lines = text.split("\n")
    changelog_at = max(i for i, ln in enumerate(lines) if "変更箇所" in ln)
    if kind == "input":
        return text.replace("[○]", '<input checked="" type="checkbox"/>').replace("〔 ○ 〕", '[ <input checked="" type="checkbox"/> ]')
    if kind == "headings":
        return "\n".join(re.sub(r"^(#+) ", lambda m: "#" * (7 - len(m.group(1))) + " ", ln) for ln in lines)
    if kind == "pipes":
        out, prev = [], False
        for ln in lines:
            if "\t" in ln:
                cells = ln.split("\t")
                out.append("| " + " | ".join(cells) + " |")
                if not prev:
                    out.append("|" + "---|" * len(cells))
                prev = True
            else:
                out.append(ln)
                prev = False
        return "\n".join(out)
    if kind == "split":
        out = []
        for i, ln in enumerate(lines):
            cells = ln.split("\t")
            if i < changelog_at and len(cells) >= 2 and re.match(r"^[①-⑳]", cells[0]) and any(c.strip() for c in cells[1:]):
                out += [cells[0], "\t".join(cells[1:]).strip("\t")]
            else:
                out.append(ln)
        return "\n".join(out)
    if kind == "crlf_nbsp":
        return text.replace("\t", "\t\u00a0").replace("\n", "\r\n")
    if kind == "gfm":
        # pipe tables without the outer pipes
        out, prev = [], False
        for ln in lines:
            if "\t" in ln:
                cells = ln.split("\t")
                out.append(" | ".join(c if c.strip() else " " for c in cells))
                if not prev:
                    out.append("|".join(["---"] * len(cells)))
                prev = True
            else:
                out.append(ln)
                prev = False
        return "\n".join(out)
    if kind == "glued":
        # no separator between a numbered label and a text value
        return "\n".join(re.sub(r"^([①-⑳][^\t<\[]{1,20})\t([^\t\[<〔]{2})", r"\1\2", ln) if i < changelog_at else ln
                         for i, ln in enumerate(lines))
    if kind == "check_glyphs":
        return text.replace("[○]", "[レ]").replace("〔 ○ 〕", "[ x ]")
    if kind == "no_instance_headers":
        return "\n".join(ln for ln in lines if not re.fullmatch(r"システム[2-4]\t?", ln))
    if kind == "page_furniture":
        # a page number and the form title between rows, also inside the table of contents
        title = next(ln for ln in lines if "特定個人情報保護評価書(" in ln).lstrip("# ")
        out, page = [], 1
        for i, ln in enumerate(lines):
            out.append(ln)
            if 30 < i < changelog_at - 2 and not ln.strip() and i % 3:
                page += 1
                out += [f"- {page} -", "", title, ""]
        return "\n".join(out)
    if kind == "bold_labels":
        return "\n".join(re.sub(r"^([①-⑳][^\t<]{1,20})\t", r"<b>\1</b>\t", ln) for ln in lines)
    raise ValueError(kind)


def _without_lines(tree: dict) -> dict:
    t = dict(tree)
    t.pop("unplaced", None)
    return t


@pytest.mark.parametrize("kind", ["input", "headings", "pipes", "gfm", "split", "glued", "crlf_nbsp", "bold_labels",
                                  "check_glyphs", "no_instance_headers", "page_furniture"])
def test_003_variants_import_to_the_same_values(kind):
    text = seed("003_9cb340eda5728da8.txt").read_text(encoding="utf-8")
    base = imported("003_9cb340eda5728da8.txt").tree
    var = import_source(_variant(text, kind).encode("utf-8")).tree
    assert _without_lines(var) == _without_lines(base)


@pytest.mark.parametrize("kind", ["headings", "pipes", "split", "page_furniture"])
def test_001_variants_import_to_the_same_values(kind):
    text = seed("001_c176883cc507a412.txt").read_text(encoding="utf-8")
    base = imported("001_c176883cc507a412.txt").tree
    var = import_source(_variant(text, kind).encode("utf-8")).tree
    assert _without_lines(var) == _without_lines(base)
    assert [u["text"] for u in var.get("unplaced", [])] == [u["text"] for u in base.get("unplaced", [])]


def test_without_stamp_the_title_decides_the_form():
    text = seed("003_9cb340eda5728da8.txt").read_text(encoding="utf-8").replace("[令和6年10月 様式3]", "")
    res = import_source(text.encode("utf-8"))
    assert res.tree["edition"] == "令和6年10月"
    assert any("様式の版" in n for n in res.summary.notes)


# ---------------------------------------------------------------------------
# sources that cannot be imported: a clear message, exit status 1, no traceback

def _broken_sources(tmp_path: Path) -> dict[str, Path]:
    out = {}
    data = seed("003_9cb340eda5728da8.txt").read_bytes()
    out["truncated"] = data[: data.rfind(b"\n", 0, len(data) * 2 // 5)]
    out["cut_in_a_character"] = data[: len(data) // 2 + 1] if (data[len(data) // 2] & 0xC0) == 0x80 else data[: len(data) // 2] + "軽".encode()[:2]
    out["garbled"] = data.decode("utf-8").encode("utf-8").decode("latin-1").encode("utf-8")
    out["shift_jis"] = data.decode("utf-8").encode("cp932", errors="replace")
    out["changelog_only"] = seed("000_6e4cd2c96a742aa4.txt").read_bytes()
    out["empty"] = b"\n  \n"
    out["binary"] = bytes(range(256)) * 20
    out["not_an_assessment"] = "吾輩は猫である。名前はまだ無い。\n".encode() * 40
    paths = {}
    for name, data in out.items():
        p = tmp_path / f"{name}.txt"
        p.write_bytes(data)
        paths[name] = p
    return paths


def test_broken_sources_fail_with_a_message(tmp_path, capsys):
    content = content_dir(tmp_path)
    for name, path in _broken_sources(tmp_path).items():
        rc, out, err = run_import(capsys, path, "--municipality", "x", "--content", content, "--name", "a")
        assert rc == 1, (name, err)
        assert "取り込めませんでした" in err and "Traceback" not in err, (name, err)
        assert not (content / "x" / "a.yaml").exists(), name


def test_truncated_and_garbled_messages_in_a_real_process(tmp_path):
    paths = _broken_sources(tmp_path)
    expect = {"truncated": "途中で終わって", "garbled": "認識できませんでした", "changelog_only": "変更箇所の表だけ"}
    for name, words in expect.items():
        proc = subprocess.run([sys.executable, "-m", "pia_site", "import", str(paths[name]), "--municipality", "x",
                               "--content", str(tmp_path / "content")], capture_output=True, text=True, cwd=REPO)
        assert proc.returncode == 1, proc.stderr
        assert words in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_missing_source_is_a_message(tmp_path, capsys):
    rc, out, err = run_import(capsys, tmp_path / "nope.txt", "--municipality", "x", "--content", tmp_path / "c")
    assert rc == 1 and "見つかりません" in err


# ---------------------------------------------------------------------------
# writing: --force, municipality.yaml, atomic

def test_force_and_municipality_yaml(tmp_path, capsys):
    content = content_dir(tmp_path)
    src = seed("003_9cb340eda5728da8.txt")
    rc, _, err = run_import(capsys, src, "--municipality", "koshigaya", "--content", content, "--name", "k")
    assert rc == 0, err
    muni = content / "koshigaya" / "municipality.yaml"
    assert "municipality.yaml を作りました" in err
    m = yaml.safe_load(muni.read_text(encoding="utf-8"))
    assert m["name"] is None and m["code"] == "" and m["bodies"] == ["越谷市長"]
    target = content / "koshigaya" / "k.yaml"
    target.write_text("# edited by hand\n", encoding="utf-8")
    muni.write_text(MUNIS["koshigaya"], encoding="utf-8")
    rc, _, err = run_import(capsys, src, "--municipality", "koshigaya", "--content", content, "--name", "k")
    assert rc == 1 and "--force" in err
    assert target.read_text(encoding="utf-8") == "# edited by hand\n"
    rc, _, err = run_import(capsys, src, "--municipality", "koshigaya", "--content", content, "--name", "k", "--force")
    assert rc == 0, err
    assert target.read_text(encoding="utf-8").startswith("# 重点項目評価書")
    assert muni.read_text(encoding="utf-8") == MUNIS["koshigaya"]  # never overwritten
    assert sorted(p.name for p in (content / "koshigaya").iterdir()) == ["k.yaml", "municipality.yaml"]  # no temp files


def test_bad_names_are_usage_errors(tmp_path, capsys):
    rc, _, err = run_import(capsys, tmp_path / "x.txt", "--municipality", "越谷", "--content", tmp_path)
    assert rc == 2 and "半角英小文字" in err
    rc, _, err = run_import(capsys, tmp_path / "x.txt", "--municipality", "x", "--name", "Bad Name", "--content", tmp_path)
    assert rc == 2 and "--name" in err


# ---------------------------------------------------------------------------
# units: values, change log, emitter, cleaning, nothing lost

JUTEN = find_form("juten", "令和6年10月")
ZEN = find_form("zenkoumoku", "平成30年5月")


def _node(form, path: str):
    return form.nodes[path]


@pytest.mark.parametrize("text,expected", [
    ("[ 十分である ] <選択肢> 1) 特に力を入れている 2) 十分である 3) 課題が残されている", "十分である"),
    ("<p>〔 十分である 〕 &lt;選択肢&gt;</p> <p>1) 特に力を入れている 2) 十分である 3) 課題が残されている</p>", "十分である"),
    ("<p>[ ] 十分である ] &lt;選択肢&gt;</p> <p>1) 特に力を入れている 2) 十分である</p> <p>3) 課題が残されている</p>", "十分である"),
    ("[ 十分である ]\t<選択肢> 1) 特に力を入れている 3) 課題が残されている\t2) 十分である", "十分である"),
    ("<選択肢> 1) 特に力を入れている 2) 十分である 3) 課題が残されている [ 特に力を入れている ]", "特に力を入れている"),
    ('<input type="checkbox"/> 課題が残されている <選択肢> 1) 特に力を入れている 2) 十分である 3) 課題が残されている', "課題が残されている"),
    ("<選択肢> 1) 特に力を入れている 2) 十分である 3) 課題が残されている", None),
    ("[ 十分である ] [ 課題が残されている ] <選択肢> 1) 特に力を入れている 2) 十分である 3) 課題が残されている", None),
    ("十分である", "十分である"),
    ("—", "—"),
])
def test_choice_values(text, expected):
    node = _node(JUTEN, "risk_measures.use.r1.sufficiency")
    assert parse_choice(text, node).value == expected


def test_choice_alias_and_count():
    node = _node(JUTEN, "risk_measures.storage.risk.incident_procedure")
    p = parse_choice("[ 十分に行ってない ] <選択肢> 1) 特に力を入れて行っている 2) 十分に行っている 3) 十分に行ってない", node)
    assert p.value == "十分に行っていない" and p.variants == [("十分に行ってない", "十分に行っていない")] and not p.residue
    node = _node(JUTEN, "overview.entrust.entrusted")
    assert parse_choice("[ 委託する ]\t<選択肢> 1) 委託する 2) 委託しない ( 1 ) 件", node).value == ("委託する", "1")


@pytest.mark.parametrize("text,expected", [
    ("[○] 紙 [ ] 電子メール [○] 専用線", ["紙", "専用線"]),
    ("〔 ○ 〕紙 〔 〕電子メール 〔 ○ 〕専用線", ["紙", "専用線"]),
    ('[ <input checked="" type="checkbox"/> ] 紙 [ ] 電子メール', ["紙"]),
    ('<input checked="" type="checkbox"/> 紙 <input type="checkbox"/> 電子メール', ["紙"]),
    ('[ <input type="radio"/> ] 紙 [ ] 電子メール [ <input type="radio"/> ] その他 ( 窓口 )', ["紙", {"その他": "窓口"}]),
    ("[ ] 専用線 [○] 紙", ["紙"]),  # order scrambled by columns
    ('<input type="checkbox"/> 紙 <input type="checkbox"/> 電子メール', None),  # state lost
    ('[ <input type="checkbox"/> ] 紙 [ <input type="checkbox"/> ] 電子メール', None),
    ("☑紙 ☐電子メール", ["紙"]),
])
def test_check_values(text, expected):
    node = _node(JUTEN, "overview.acquisition_use.methods")
    assert parse_check(text, node).value == expected


def test_check_keeps_texts_of_a_lost_state():
    node = _node(ZEN, "overview.acquisition_use.sources")
    p = parse_check('<input type="checkbox"/> 本人又は本人の代理人 <input type="checkbox"/> 評価実施機関内の他部署（介護保険課）', node)
    assert p.value is None and "介護保険課" in p.residue


@pytest.mark.parametrize("text,iso", [
    ("令和1年6月21日", "2019-06-21"), ("令和元年6月21日", "2019-06-21"), ("平成27年10月", "2015-10"),
    ("平成31年3月28日", "2019-03-28"), ("令和８年１月２６日", "2026-01-26"), ("43646", "2019-06-30"),
    ("R3.2.4", "2021-02-04"), ("2020年2月18日", "2020-02-18"),
])
def test_dates(text, iso):
    assert find_date(text)[0] == iso


def test_impossible_era_date_is_flagged():
    iso, _, notes, _ = find_date("令和1年4月1日")
    assert iso == "2019-04-01" and notes


def _changes(text: str):
    return parse_changes(clean_lines(text), LabelIndex(ZEN))


def test_changelog_rows():
    header = "変更日\t項目\t変更前の記載\t変更後の記載\t提出時期\t提出時期に係る説明"
    text = "\n".join([
        "(別添3)変更箇所", "", header,
        "令和1年6月21日\tI 基本情報 ①部署\tA課\tB課\t事後\t組織改正",
        "\tII ファイルの概要 ⑥事務担当部署\tA課\tB課\t\t",          # continuation: inherits
        "令和2年6月8日\t再発防止策の内容\t—\t—\t新しい記載\t事後\t説明",  # 7 cells
        "令和2年6月8日\t委託事項2\t古い\t別の断片\t新しい\t事後\t",      # 7 cells, cell 4 differs
        "",
        header,  # repeated on the next page
        "\t「委託事項10」\t記載なし\t追加\t事前\t",                      # undated: the pending edition
        "<p>Ⅱ 別添2</p>\t<p>なし</p>\t<p>なし</p>\t<p>新表</p>\t<p>事前</p>",  # the date cell is missing
        "-----------\t------\t---",
        "43646\tV 開示請求\t前\t後\t事後\t",                              # Excel serial date
    ])
    res = _changes(text)
    rows = res.rows
    assert len(rows) == 7
    assert rows[0] == {"date": "2019-06-21", "item": "I 基本情報 ①部署", "before": "A課", "after": "B課", "timing": "事後", "timing_note": "組織改正"}
    assert rows[1]["date"] == "2019-06-21" and rows[1]["timing"] == "事後" and rows[1]["timing_note"] == "組織改正"
    assert rows[2]["before"] == "—" and rows[2]["after"] == "新しい記載" and rows[2]["timing_note"] == "説明"
    assert rows[3]["after"] == "新しい" and [t for _, t in res.unplaced] == ["別の断片"]
    assert rows[4]["date"] is None and rows[4]["timing"] == "事前"
    assert rows[5]["date"] is None and rows[5]["item"] == "Ⅱ 別添2" and rows[5]["after"] == "<p>新表</p>" and rows[5]["timing"] == "事前"
    assert rows[6]["date"] == "2019-06-30"


def test_changelog_row_split_by_a_page_break_is_joined():
    text = "令和3年2月4日\t項目A\t前の記載\t後の記載\t事後\t説明\n\n\t項目Aの続き\t前の続き\t後の続き\t\t"
    rows = _changes(text).rows
    assert len(rows) == 1
    assert rows[0]["item"] == "項目A\n項目Aの続き" and rows[0]["before"] == "前の記載\n前の続き"


@pytest.mark.parametrize("value", [
    "plain", "7", "2026-01-26", "true", "null", "- 箇条", "a: b", "#x", "「引用」", "[ ] 委託しない", "x #y",
    "行1\n行2", " 先頭の空白\n次", "1\\. 行政手続", 'quote "x" and \\ back', "タブ\tあり", "", "〜", "@at", "*star",
])
def test_emit_round_trips(value):
    tree = {"a": value, "b": [value, {"c": value, "d": None}], "e": {}, "f": [], "g": True, "h": None}
    text = emit(tree, ["見出し"])
    verify(text, tree)
    assert text.startswith("# 見出し\n")


def test_emit_keeps_key_order_and_uses_block_scalars():
    tree = {"zz": "1", "aa": {"yy": "行1\n\n行3", "bb": "x"}}
    text = emit(tree)
    assert text.index("zz:") < text.index("aa:") and text.index("yy:") < text.index("bb:")
    assert "yy: |-\n    行1\n\n    行3\n" in text


@pytest.mark.parametrize("raw,clean", [
    ("<中間サーバー・プラットフォームにおける措置>", "<中間サーバー・プラットフォームにおける措置>"),
    ("<ISMAP> a < b", "&lt;ISMAP&gt; a &lt; b"),
    ('<p style="text-align: center;" onclick="x()">t</p>', '<p style="text-align: center;">t</p>'),
    ('<table border="0" style="margin-left: 20px;"><tr><td colspan="2">t</td></tr></table>',
     '<table style="margin-left: 20px;"><tr><td colspan="2">t</td></tr></table>'),
    ("<small>&lt;選択肢&gt;</small>", "&lt;選択肢&gt;"),
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ('<a href="javascript:x">t</a>', "<a>t</a>"),
    ('<a href="&#106;avascript:x">t</a>', "<a>t</a>"),  # decoded before the scheme check
    ('<div style="display: flex; justify-content: space-between;">t</div>', "<div>t</div>"),  # a page keeps neither
    ('<span style="COLOR: red; font-size: 9pt">t</span>', '<span style="color: red">t</span>'),
    ("A & B", "A &amp; B"),
])
def test_sanitize_html(raw, clean):
    assert sanitize_html(raw) == clean


def test_a_stray_line_is_kept_in_unplaced_with_its_line(tmp_path):
    text = seed("003_9cb340eda5728da8.txt").read_text(encoding="utf-8")
    lines = text.split("\n")
    at = lines.index("## IV 開示請求、問合せ") + 1
    lines.insert(at, "どこにも属さない謎の記載がここにある")
    res = import_source("\n".join(lines).encode("utf-8"))
    entries = [u for u in res.tree["unplaced"] if "謎の記載" in u["text"]]
    assert entries and entries[0]["line"] == str(at + 1)
    assert res.summary.unplaced_entries >= 1


def test_every_unit_of_the_source_lands_somewhere():
    """The ledger's promise, checked independently: each unit is in the YAML or is form text."""
    from pia_site.importer.ledger import form_text, haystack, rendered, strings, units

    for name in ("003_9cb340eda5728da8.txt", "001_c176883cc507a412.txt"):
        res = imported(name)
        form = find_form("juten" if name.startswith("003") else "zenkoumoku", res.tree["edition"])
        hay = haystack(list(strings(res.tree)) + rendered(res.tree) + form_text(form) + [v for _, v, _ in res.summary.variants])
        lost = [u for ln in clean_lines(seed(name).read_text(encoding="utf-8")) for u in units(ln.text)
                if re.sub(r"[\[\]〔〕［］○◯●☑☐*#\s]", "", u) not in hay]
        assert lost == [], lost[:10]


def test_failure_is_importfailure_not_a_crash():
    with pytest.raises(ImportFailure):
        import_source(b"")
    with pytest.raises(ImportFailure):
        import_source("特定個人情報保護評価書(重点項目評価書)\n[令和6年10月 様式3]\n".encode())


# ---------------------------------------------------------------------------
# the output is what the rest of the tool chain expects



@pytest.mark.parametrize("seed_name", [c[0] for c in SEED_CASES])
def test_imported_yaml_passes_the_json_schema(tmp_path, seed_name):
    import jsonschema

    from pia_site import schema as schema_mod
    from pia_site.load import load_document
    from support import as_editor_sees_it

    path = tmp_path / "a.yaml"
    path.write_text(imported(seed_name).yaml_text, encoding="utf-8")
    doc, diags = load_document(path)
    assert not diags
    data = as_editor_sees_it(doc.root)
    kind = "juten" if data["form"] == "重点項目評価書" else "zenkoumoku"
    schema = schema_mod.form_schema(find_form(kind, data["edition"]))
    errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(data))
    assert errors == [], [(list(e.path), e.message[:120]) for e in errors[:5]]


def test_damaged_sources_import_validly_or_fail_cleanly():
    """Deleted, shuffled, duplicated, cut or re-separated lines never crash the importer, and
    whatever it writes passes validation."""
    import random

    from pia_site.load import SourceDocument, parse_yaml
    from pia_site.validate import validate_assessment

    texts = [seed(n).read_text(encoding="utf-8") for n, *_ in SEED_CASES]
    rnd = random.Random(7)
    for _ in range(12):
        lines = rnd.choice(texts).split("\n")
        op = rnd.choice(["delete", "shuffle", "dup", "cut", "seps", "chop"])
        if op == "delete":
            for _ in range(rnd.randint(1, 40)):
                del lines[rnd.randrange(len(lines))]
        elif op == "shuffle":
            i = rnd.randrange(len(lines))
            part = lines[i:i + rnd.randint(2, 30)]
            rnd.shuffle(part)
            lines[i:i + len(part)] = part
        elif op == "dup":
            for _ in range(rnd.randint(1, 20)):
                lines.insert(rnd.randrange(len(lines)), lines[rnd.randrange(len(lines))])
        elif op == "cut":
            lines = lines[: rnd.randrange(len(lines))]
        elif op == "seps":
            sep = rnd.choice(["  ", " | ", "\t\t"])
            lines = [ln.replace("\t", sep) for ln in lines]
        else:
            for _ in range(30):
                i = rnd.randrange(len(lines))
                lines[i] = lines[i][: rnd.randrange(len(lines[i]) + 1)]
        try:
            res = import_source("\n".join(lines).encode("utf-8"))
        except ImportFailure:
            continue
        root, diags = parse_yaml(res.yaml_text, "a.yaml")
        _, diags = validate_assessment(SourceDocument("a.yaml", root), "m")
        assert not [d for d in diags if d.is_error], (op, [str(d) for d in diags if d.is_error][:3])


# ---------------------------------------------------------------------------
# bounded input: a file far larger than any 評価書 is refused before it is read

def test_oversized_source_is_refused_before_reading(tmp_path, capsys, monkeypatch):
    from pia_site.cli import importing

    content = content_dir(tmp_path)
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:  # sparse: 9 MB on paper, nothing on disk
        fh.truncate(9 * 1024 * 1024)
    opened = []
    real_open = Path.open
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: opened.append(self) or real_open(self, *a, **k))
    monkeypatch.setattr(Path, "read_bytes", lambda self: opened.append(self) or b"")
    rc, out, err = run_import(capsys, big, "--municipality", "koshigaya", "--content", content)
    assert rc == 2
    assert big not in opened  # refused from its size alone
    assert "9,437,184 バイト" in err and f"{importing.MAX_IMPORT_BYTES:,} バイト" in err and "--max-bytes" in err
    assert not (content / "koshigaya").exists()  # nothing written, not even municipality.yaml


def test_max_bytes_sets_the_limit(tmp_path, capsys):
    content = content_dir(tmp_path)
    src = tmp_path / "small.txt"
    src.write_text("評価書ではない文章。\n" * 200, encoding="utf-8")  # 6,200 bytes
    rc, _, err = run_import(capsys, src, "--municipality", "koshigaya", "--content", content, "--max-bytes", "4K")
    assert rc == 2 and "4,096 バイト" in err and "6,200 バイト" in err
    rc, _, err = run_import(capsys, src, "--municipality", "koshigaya", "--content", content, "--max-bytes", "1M")
    assert rc == 1 and "大きすぎ" not in err  # past the size check: refused for what it says
    with pytest.raises(SystemExit):
        main(["import", str(src), "--municipality", "koshigaya", "--max-bytes", "lots"])
    assert "--max-bytes" in capsys.readouterr().err


def test_a_pipe_is_cut_off_at_the_limit(tmp_path):
    from pia_site.cli.importing import _TooLarge, _read_bounded

    fifo = tmp_path / "in.fifo"
    os.mkfifo(fifo)
    import threading

    def feed():
        with open(fifo, "wb") as fh:
            try:
                fh.write(b"x" * 100_000)
            except BrokenPipeError:
                pass
    t = threading.Thread(target=feed)
    t.start()
    with pytest.raises(_TooLarge) as exc:
        _read_bounded(fifo, 10_000)
    t.join()
    assert exc.value.size is None  # only "more than the limit" is known
