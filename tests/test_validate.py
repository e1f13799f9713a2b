"""Validation: typed by the catalog, every problem located, Japanese, all in one run."""
import re
import subprocess
import sys
import pytest

from pia_site.build import check
from pia_site.load import load_document
from pia_site.outdir import MARKER, MARKER_TEXT
from pia_site.validate import code_check_digit, validate_assessment

from support import REPO, make_content, scaffold_text, tree_bytes, write

KOSHIGAYA = REPO / "content" / "koshigaya" / "keijidosha-fuka.yaml"


def validate_text(tmp_path, text, name="a"):
    p = write(tmp_path / "koshigaya" / f"{name}.yaml", text)
    doc, diags = load_document(p)
    record, more = validate_assessment(doc, "koshigaya")
    return record, diags + more


def errors(diags):
    return [d for d in diags if d.is_error]


def test_sample_koshigaya_validates_without_errors(tmp_path):
    record, diags = validate_text(tmp_path, KOSHIGAYA.read_text(encoding="utf-8"))
    assert errors(diags) == []
    assert record.form.id == "juten/令和6年10月"
    assert record.cover("number") == "7"  # a string, never an int
    assert len(record.changes) == 53


def test_scaffold_passes_with_warnings_only(tmp_path):
    for kind, edition in (("juten", "令和6年10月"), ("zenkoumoku", "平成30年5月"), ("zenkoumoku", "令和7年5月")):
        record, diags = validate_text(tmp_path, scaffold_text(kind, edition), name=kind)
        assert record is not None and errors(diags) == [], errors(diags)[:3]
        assert len(diags) > 50  # every empty required item is pointed out


PLANTED = [
    # (description, old text, new text, expected code, key path fragment)
    ("unknown key", "  number: \"7\"\n", "  number: \"7\"\n  nmae: x\n", "V001", "cover.nmae"),
    ("missing required item", "  assessor: 越谷市長\n", "", "V002", "cover.assessor"),
    ("choice outside the options", "    subjects: 10万人以上30万人未満\n", "    subjects: 30万人以上\n", "V031", "basic_info.jimu.subjects"),
    ("impossible date", "  published: 2026-01-26\n", "  published: 2026-02-30\n", "V022", "cover.published"),
    ("era date instead of ISO", "        use_start: 2016-01-01\n", "        use_start: 平成28年1月1日\n", "V020", "use_start"),
    ("unknown checkbox option", "        - 宛名システム等\n", "        - 宛名システム\n", "V036", "basic_info.systems.1.connections"),
    ("script in rich text", "    name: 軽自動車税(種別割)の賦課に関する事務\n    description: |-\n", "    name: 軽自動車税(種別割)の賦課に関する事務\n    description: |-\n      <script>alert(1)</script>\n", "H001", "basic_info.jimu.description"),
    ("duplicate key", "    head_title: 課長\n", "    head_title: 課長\n    head_title: 部長\n", "Y009", ""),
    ("alias", "  number: \"7\"\n", "  number: &n \"7\"\n", "Y003", ""),
    ("bad submission timing", "    timing: 事後\n", "    timing: 事中\n", "V050", "timing"),
]


def plant_all(text: str) -> str:
    for _, old, new, _, _ in PLANTED:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def test_ten_planted_mistakes_give_ten_located_japanese_messages(tmp_path):
    content = make_content(tmp_path, {"keijidosha-fuka": plant_all(KOSHIGAYA.read_text(encoding="utf-8"))})
    out = tmp_path / "build"
    write(out / "index.html", "previous build")
    (out / MARKER).write_bytes(MARKER_TEXT)  # a previous build is pia-site's
    before = tree_bytes(out)
    proc = subprocess.run([sys.executable, "-m", "pia_site", "build", "--content", str(content), "--out", str(out)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 1
    lines = [l for l in proc.stderr.splitlines() if "エラー[" in l]
    found = {re.search(r"エラー\[(\w+)\]", l).group(1) for l in lines}
    assert {code for *_, code, _ in PLANTED} <= found, proc.stderr
    assert len(lines) == len(PLANTED), proc.stderr
    for line in lines:
        assert re.match(r"^content/koshigaya/keijidosha-fuka\.yaml:\d+:\d+: エラー\[\w+\]", line), line
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", line.split(": ", 2)[-1]), line
    for desc, _, _, code, path in PLANTED:
        line = next(l for l in lines if f"[{code}]" in l)
        assert path in line, (desc, line)
    assert tree_bytes(out) == before  # nothing written


def test_choice_error_lists_the_allowed_options(tmp_path):
    text = KOSHIGAYA.read_text(encoding="utf-8").replace("    subjects: 10万人以上30万人未満\n", "    subjects: たくさん\n")
    _, diags = validate_text(tmp_path, text)
    (d,) = errors(diags)
    assert d.label == "③対象人数"
    assert "1) 1,000人未満" in d.message and "4) 10万人以上30万人未満" in d.message
    assert d.location.line == 21


def test_unknown_key_suggests_the_close_match(tmp_path):
    text = KOSHIGAYA.read_text(encoding="utf-8").replace("  assessor: 越谷市長\n", "  asessor: 越谷市長\n")
    _, diags = validate_text(tmp_path, text)
    msgs = [d.message for d in errors(diags)]
    assert any("もしかして: assessor" in m for m in msgs), msgs


def test_values_outside_catalog_kinds(tmp_path):
    base = KOSHIGAYA.read_text(encoding="utf-8")
    _, diags = validate_text(tmp_path, base.replace("  published: 2026-01-26\n", "  published: 2026-01\n"))
    assert [d.code for d in errors(diags)] == ["V021"]  # 公表日 needs a day
    record, diags = validate_text(tmp_path, base.replace("        use_start: 2016-01-01\n", "        use_start: —\n"))
    assert errors(diags) == []


def test_exclusive_checkbox_option(tmp_path):
    base = KOSHIGAYA.read_text(encoding="utf-8")
    assert "- 移転を行っている:" in base
    text = re.sub(r"(\n(\s*)- 移転を行っている: [^\n]*\n)", r"\1\2- 行っていない\n", base, count=1)
    _, diags = validate_text(tmp_path, text)
    assert [d.code for d in errors(diags)] == ["V039"]


def test_municipality_code_is_a_string_with_check_digit(tmp_path):
    assert code_check_digit("112224") and code_check_digit("111007") and code_check_digit("011002")
    assert not code_check_digit("112225") and not code_check_digit("11222")
    content = make_content(tmp_path, muni="name: 札幌市\nprefecture: 北海道\ncode: 011002\n")
    assert errors(check(content)) == []  # unquoted 011002 stays "011002"
    content = make_content(tmp_path / "b", muni="name: x\nprefecture: y\ncode: 112225\n")
    assert [d.code for d in errors(check(content))] == ["V060"]


def test_unsupported_form_or_edition(tmp_path):
    _, diags = validate_text(tmp_path, "form: 計画管理書\nedition: x\n")
    assert [d.code for d in diags] == ["V005"]
    _, diags = validate_text(tmp_path, "form: 全項目評価書\nedition: 平成25年4月\n")
    assert [d.code for d in diags] == ["V006"] and "平成26年4月、平成30年5月" in diags[0].message


@pytest.mark.parametrize("src,line,col", [
    ("  declaration: |-\n    ok <img src=x onerror=alert(1)>\n", 8, 8),
    ('  notes: "ab <img src=x>"\n', 7, 14),
    ("  notes: |\n    first line\n      second <script>x</script>\n", 9, 14),
])
def test_html_problems_point_at_the_tag(tmp_path, src, line, col):
    header = "form: 重点項目評価書\nedition: 令和6年10月\ncover:\n  number: '7'\n  title: t\n  assessor: a\n"
    _, diags = validate_text(tmp_path, header + src)
    h = [d for d in diags if d.code == "H001"]
    assert h, diags
    assert (h[0].location.line, h[0].location.column) == (line, col)
