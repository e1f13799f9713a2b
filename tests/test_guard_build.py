"""Personal-data guard, end to end: `pia-site check` and `pia-site build` on planted data."""
import re
from pathlib import Path

import pytest

from pia_site import cli
from pia_site.build import build, check
from pia_site.diagnostics import DiagnosticsError
from pia_site.guard import OutputScanner
from pia_site.theme import DEFAULT_TEMPLATES

from conftest import working_directory
from support import REPO, SITE_YAML, make_content, tree_bytes, write

SAMPLE = (REPO / "content" / "koshigaya" / "keijidosha-fuka.yaml").read_text(encoding="utf-8")
NOTES = "    軽自動車税(種別割)賦課に関する事務では、"  # line 12 of the sample, inside cover.notes
TITLE = "  title: 軽自動車税(種別割)賦課に関する事務 重点項目評価\n"  # line 8
VALID = "123456789018"
# the sample's public office addresses and numbers, as content/site.yaml allows them
OFFICES = ("personal_data_allow:\n  - 埼玉県越谷市越ヶ谷四丁目2番1号\n  - 048-963-9136\n"
           "  - 048-963-9144\n  - 048-963-9145\n")
SITE = SITE_YAML + OFFICES


def planted(tmp_path: Path, old: str, new: str, site: str = SITE) -> Path:
    assert old in SAMPLE
    content = make_content(tmp_path, {"x": SAMPLE.replace(old, new, 1)})
    write(content / "site.yaml", site)
    return content


def run(*argv) -> int:
    return cli.main([str(a) for a in argv])


def p_codes(diags) -> list[tuple[str, str]]:
    return [(d.code, f"{Path(d.location.path).name}:{d.location.line}") for d in diags if d.code.startswith("P")]


@pytest.mark.parametrize("written", ["123456789018", "１２３４５６７８９０１８", "1234 5678 9018", "1234-5678-9018"])
def test_a_planted_mynumber_stops_check_and_build_and_names_its_line(tmp_path, capsys, written):
    content = planted(tmp_path, NOTES, f"    本人の個人番号 {written} 。軽自動車税(種別割)賦課に関する事務では、")
    out = tmp_path / "out"
    with working_directory(tmp_path):
        assert run("check", "--content", "content") == 1
        err = capsys.readouterr().err
        assert "content/koshigaya/x.yaml:12:13: エラー[P001] cover.notes" in err
        assert "1234" in err and VALID not in err.replace(" ", "").replace("-", "")  # masked
        assert run("build", "--content", "content", "--out", "out") == 1
        err = capsys.readouterr().err
        assert "content/koshigaya/x.yaml:12:13: エラー[P001]" in err
    assert not out.exists()


def test_a_blocked_build_leaves_the_previous_site_untouched(tmp_path):
    content = planted(tmp_path, NOTES, NOTES)
    out = tmp_path / "out"
    build(content, out)
    before = tree_bytes(out)
    x = content / "koshigaya" / "x.yaml"
    x.write_text(x.read_text(encoding="utf-8").replace(NOTES, f"    マイナンバー：{VALID}。", 1), encoding="utf-8")
    with pytest.raises(DiagnosticsError):
        build(content, out)
    assert tree_bytes(out) == before


def test_a_bad_check_digit_is_a_warning_and_a_corporate_number_is_nothing(tmp_path):
    content = planted(tmp_path, NOTES, "    個人番号 123456789019、法人番号 1234567890123。" + NOTES.strip())
    assert p_codes(check(content)) == [("P003", "x.yaml:12")]
    report = build(content, tmp_path / "out")
    assert p_codes(report.diagnostics) == [("P003", "x.yaml:12")]
    assert not any(d.is_error for d in report.diagnostics if d.code.startswith("P"))


def test_a_number_in_a_title_is_found_in_feed_listing_attributes_and_search_index(tmp_path):
    content = planted(tmp_path, TITLE, f"  title: 軽自動車税 受付{VALID}\n")
    assert p_codes(check(content)) == [("P002", "x.yaml:8")]
    out = tmp_path / "out"
    report = build(content, out)
    assert p_codes(report.diagnostics) == [("P002", "x.yaml:8")]  # output findings map back to the scalar
    scanner = OutputScanner(frozenset())
    for path, data in tree_bytes(out).items():
        scanner.file(path, data)
    places = {f.path for f in scanner.findings if f.value == VALID}
    assert "feed.xml" in places and "koshigaya/index.html" in places
    assert any(p.startswith("search/data/p/") and p.endswith(".bin") for p in places)  # a pack of the index


def test_a_mynumber_only_a_template_publishes_stops_the_build_at_the_output_file(tmp_path, capsys):
    content = planted(tmp_path, NOTES, NOTES, SITE + "theme_dir: ..\n")
    base = (DEFAULT_TEMPLATES / "base.html").read_text(encoding="utf-8")
    write(tmp_path / "templates" / "base.html",
          base.replace('<meta charset="utf-8">', f'<meta charset="utf-8">\n<meta name="author" content="個人番号 {VALID}">'))
    with working_directory(tmp_path):
        assert run("check", "--content", "content") == 0  # check does not render
        capsys.readouterr()
        assert run("build", "--content", "content", "--out", "out") == 1
        err = capsys.readouterr().err
    assert re.search(r"^out/[\w/]+\.html: エラー\[P001\].*テンプレート", err, re.M), err
    assert not (tmp_path / "out").exists()


def test_a_site_asset_is_scanned_too(tmp_path):
    content = planted(tmp_path, NOTES, NOTES, SITE + "theme_dir: ..\n")
    write(tmp_path / "assets" / "extra.css", "/* 担当: taro.yamada@example.jp */\n")
    report = build(content, tmp_path / "out")
    (d,) = [d for d in report.diagnostics if d.code.startswith("P")]
    assert d.code == "P011" and d.location.path.endswith("out/assets/extra.css")


@pytest.mark.parametrize("text, code", [
    ("担当者の携帯 090-1234-5678", "P010"),
    ("担当 taro.yamada@example.jp", "P011"),
    ("申請者の生年月日：昭和50年1月2日", "P012"),
    ("申請者 越谷市大沢1丁目2番3号", "P013"),
])
def test_neighbours_are_located_warnings(tmp_path, text, code):
    content = planted(tmp_path, NOTES, f"    {text}。" + NOTES.strip())
    (d,) = [d for d in check(content) if d.code.startswith("P")]
    assert (d.code, d.is_error, d.location.line, d.key_path) == (code, False, 12, "cover.notes")
    assert d.location.column > 5


def test_the_allowlist_silences_a_public_office_number(tmp_path):
    text = "    問合せ先 電話: 048-963-9100。" + NOTES.strip()
    content = planted(tmp_path, NOTES, text)
    assert p_codes(check(content)) == [("P010", "x.yaml:12")]
    content = planted(tmp_path, NOTES, text, SITE + "  - \"０４８ ９６３ ９１００\"\n")
    assert p_codes(check(content)) == []
    assert p_codes(build(content, tmp_path / "out").diagnostics) == []


def test_an_empty_allowlist_entry_is_an_error(tmp_path):
    content = planted(tmp_path, NOTES, NOTES, SITE + "  - \"\"\n  - \"－\"\n")
    assert [(d.code, d.key_path) for d in check(content) if d.code.startswith("P")] == [
        ("P090", "personal_data_allow[4]"), ("P090", "personal_data_allow[5]")]


def test_the_sample_site_builds_with_no_personal_data_findings(tmp_path):
    assert p_codes(check(REPO / "content")) == []
    assert p_codes(build(REPO / "content", tmp_path / "out").diagnostics) == []


def test_without_the_sample_allowlist_its_office_numbers_would_be_reported(tmp_path):
    content = planted(tmp_path, NOTES, NOTES, SITE_YAML)
    found = [d for d in check(content) if d.code.startswith("P")]
    assert {d.code for d in found} == {"P010", "P013"} and not any(d.is_error for d in found)


def test_a_number_split_by_markup_is_found_on_the_page_and_located_at_its_scalar(tmp_path):
    content = planted(tmp_path, NOTES, "    個人番号 **1234** 5678 9018 。" + NOTES.strip())
    assert p_codes(check(content)) == []  # the YAML text alone has no 12-digit run
    with pytest.raises(DiagnosticsError) as exc:
        build(content, tmp_path / "out")
    assert ("P001", "x.yaml:11") in p_codes(exc.value.diagnostics)  # cover.notes: |- starts on line 11
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_yaml_is_read_again_in_load_order_for_unexplained_findings(jobs):
    """Output findings no source finding explains are looked up in the YAML again: the build
    reads the documents (``run.source_holders``, the assessments in ``jobs`` processes) and
    finds their holders in the order ``load_content`` has them, for every value at once."""
    from pia_site.guard import holders_in
    from pia_site.guard.source import documents
    from pia_site.load import load_content
    from pia_site.pipeline.run import source_holders
    from pia_site.pipeline.tree import read_tree

    content = Path(__file__).resolve().parents[1] / "content"
    loaded = list(documents(load_content(content)[0]))
    assert len(loaded) >= 5
    values = ["0489639136", "越谷市", "さいたま市"]
    expected = holders_in(loaded, values)
    assert source_holders(read_tree(content), values, jobs) == expected
    assert all(expected[v] for v in values)
    assert len({loc.path for loc, _k in expected["越谷市"]}) >= 3  # several files, in their order


def test_unexplained_values_are_looked_up_in_one_pass():
    from pia_site.diagnostics import SourceLocation
    from pia_site.guard import Kind, OutputFinding, merged_diagnostics

    calls = []

    def holders(values):
        calls.append(values)
        return {v: [(SourceLocation("content/k/a.yaml", 3, 5), "cover.title")] for v in values[:1]}

    output = [OutputFinding(Kind.PHONE, v, v, "a.html") for v in ("0489639136", "0312345678")]
    diags = merged_diagnostics([], output, "build", holders)
    assert calls == [["0312345678", "0489639136"]]
    assert sorted(str(d.location) for d in diags) == ["build/a.html", "content/k/a.yaml:3:5"]


def test_the_new_index_files_are_read_back_and_scanned_by_two_processes(site, docs, tmp_path):
    """A number only the index holds is found in its pack by the processes that read the staged
    index back: the findings of a scan of each file in turn, in the same order with 1 and 2 jobs."""
    from dataclasses import replace

    from pia_site.guard import Kind
    from pia_site.pipeline.index_cache import write_index
    from pia_site.search import IndexBuilder, IndexMeta
    from pia_site.search.units import Unit
    from pia_site.write import Staging

    planted_doc = replace(docs[0], units=docs[0].units + (Unit("x", "備考", ("備考",), f"個人番号 {VALID}"),))
    found, staged = {}, {}
    for jobs in (1, 2):
        with Staging(tmp_path / f"out{jobs}") as stage:
            builder = IndexBuilder(IndexMeta.from_site(site), stage.scratch("search"), pack_bytes=4096)
            for d in [planted_doc] + list(docs[1:]):
                builder.add(d)
            with write_index(stage, lambda: builder, None, None, None, frozenset(), jobs) as pending:
                found[jobs] = pending.get()
            staged[jobs] = tree_bytes(stage.root)
    assert found[1] == found[2] and staged[1] == staged[2]
    scanner = OutputScanner(frozenset())
    for path, data in staged[2].items():
        scanner.file(path, data)
    assert sorted(found[2], key=repr) == sorted(scanner.findings, key=repr)
    packs = {f.path for f in found[2] if f.kind is Kind.MYNUMBER and f.value == VALID}
    assert packs and all(p.startswith("search/data/p/") for p in packs)
