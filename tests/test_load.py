from pathlib import Path

import pytest

from pia_site.load import decode_text, load_content, load_document, parse_yaml

from support import make_content, write


def codes(diags):
    return [d.code for d in diags]


def test_scalars_stay_strings():
    node, diags = parse_yaml("code: 013005\nflag: no\nnum: 1e3\nd: 2026-01-26\nempty:\nq: ''\n", "t.yaml")
    assert diags == []
    assert node.get("code").value == "013005"
    assert node.get("flag").value == "no"
    assert node.get("num").value == "1e3"
    assert node.get("d").value == "2026-01-26"
    assert node.get("empty").value is None
    assert node.get("q").value == ""  # quoted empty string is not null


def test_positions_are_one_based_line_and_column():
    node, _ = parse_yaml("a:\n  b: 値\n", "t.yaml")
    b = node.get("a").get("b")
    assert (b.loc.line, b.loc.column) == (2, 6)
    assert node.get("a").key_node("b").loc.column == 3


@pytest.mark.parametrize("src,code,line", [
    ("a: &x 1\nb: *x\n", "Y002", 2),
    ("a: &x 1\n", "Y003", 1),
    ("a: !!int 5\n", "Y004", 1),
    ("a: !custom x\n", "Y004", 1),
    ("a:\n  <<: {b: 1}\n", "Y008", 2),
    ("a: 1\nb: 2\na: 3\n", "Y009", 3),
])
def test_unsafe_constructs_are_rejected_with_location(src, code, line):
    _, diags = parse_yaml(src, "t.yaml")
    hit = [d for d in diags if d.code == code]
    assert hit, diags
    assert hit[0].location.line == line
    assert hit[0].location.path == "t.yaml"


def test_all_problems_reported_in_one_pass():
    _, diags = parse_yaml("a: 1\na: 2\nb: &x 3\nc: *x\nd: !!str q\n", "t.yaml")
    assert sorted(codes(diags)) == ["Y002", "Y003", "Y004", "Y009"]


def test_syntax_error_is_located_and_japanese():
    _, diags = parse_yaml("a: [1, 2\nb: 3\n", "t.yaml")
    assert codes(diags) == ["Y001"]
    assert diags[0].location.line >= 2
    assert "YAML" in diags[0].message and "「]」" in diags[0].message
    assert "expected" not in diags[0].message  # PyYAML's English text is not shown for a known problem


def test_depth_limit():
    src = "a: " + "[" * 60 + "]" * 60 + "\n"
    _, diags = parse_yaml(src, "t.yaml")
    assert "Y005" in codes(diags)


def test_shift_jis_file_gets_resave_advice(tmp_path):
    p = tmp_path / "a.yaml"
    p.write_bytes("name: 越谷市\n".encode("cp932"))
    doc, diags = load_document(p)
    assert doc.root is None
    assert codes(diags) == ["E002"]
    assert "UTF-8" in diags[0].message and "Shift_JIS" in diags[0].message
    assert diags[0].location.line == 1 and diags[0].location.column == 7


def test_utf16_file_gets_resave_advice(tmp_path):
    p = tmp_path / "a.yaml"
    p.write_bytes("name: 越谷市\n".encode("utf-16"))
    _, diags = load_document(p)
    assert codes(diags) == ["E001"]


def test_utf8_bom_is_accepted():
    text, diags = decode_text("\ufeffa: 1".encode("utf-8"), "t.yaml")
    assert text == "a: 1" and diags == []


def test_oversized_file_is_refused(tmp_path, monkeypatch):
    import pia_site.load as load

    monkeypatch.setattr(load, "MAX_FILE_BYTES", 10)
    p = write(tmp_path / "a.yaml", "a: 12345678901\n")
    doc, diags = load.load_document(p)
    assert doc.root is None and codes(diags) == ["E004"]


def test_load_content_finds_municipalities_and_assessments(tmp_path):
    content = make_content(tmp_path, {"b": "form: x\n", "a": "form: y\n"})
    write(content / "koshigaya" / "notes.txt", "ignored")
    write(content / ".hidden" / "municipality.yaml", "name: x\n")
    src, diags = load_content(content)
    assert diags == []
    assert [m.slug for m in src.municipalities] == ["koshigaya"]
    assert [Path(d.path).name for d in src.municipalities[0].assessments] == ["a.yaml", "b.yaml"]


def test_missing_site_and_municipality_files_are_reported(tmp_path):
    (tmp_path / "content" / "town").mkdir(parents=True)
    _, diags = load_content(tmp_path / "content")
    assert sorted(codes(diags)) == ["E011", "E012"]


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("text, line, col, code_point", [
    ("a: b\n" * 60 + "c: d\x07e\n", 61, 5, "U+0007"),  # past the reader's first look at the text
    ("\x01a: b\n", 1, 1, "U+0001"),
])
def test_control_characters_are_located_not_raised(fast, text, line, col, code_point):
    node, diags = parse_yaml(text, "x.yaml", fast=fast)
    assert node is None
    assert [(d.code, d.location.line, d.location.column) for d in diags] == [("Y010", line, col)]
    assert code_point in diags[0].message
