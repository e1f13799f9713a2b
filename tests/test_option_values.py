"""Forgiving option values (issue 14.7): full width and pasted numbering match their option with
a W090/W091 warning saying what was matched; a near miss gets a もしかして hint."""
from __future__ import annotations

import pytest

from pia_site.build import check
from pia_site.diagnostics import has_errors

from support import make_content, scaffold_text


def _check(tmp_path, subjects: str, methods: str = "[紙]"):
    text = scaffold_text("zenkoumoku", "令和7年5月")
    text = text.replace("    subjects:\n", f"    subjects: {subjects}\n", 1)
    text = text.replace("        methods:\n", f"        methods: {methods}\n", 1)
    content = make_content(tmp_path, {"doc": text})
    return [d for d in check(content) if d.key_path.endswith(("jimu.subjects", "methods")) or "methods." in d.key_path]


@pytest.mark.parametrize("written,what", [
    ("３０万人以上", "全角半角"),
    ('"5) 30万人以上"', "番号"),
    ('"５）３０万人以上"', "番号"),
    ("30万人 以上", "空白"),
])
def test_width_and_numbering_match_the_option_with_a_note(tmp_path, written, what):
    diags = _check(tmp_path, written)
    assert not has_errors(diags), [str(d) for d in diags]
    notes = [d for d in diags if d.code == "W090"]
    assert len(notes) == 1
    d = notes[0]
    assert "「30万人以上」" in d.message and what in d.message
    assert d.key_path == "basic_info.jimu.subjects" and d.location.line > 1


def test_a_wrong_pasted_number_is_named(tmp_path):
    (d,) = [d for d in _check(tmp_path, '"3) 30万人以上"') if d.code == "W090"]
    assert "3)" in d.message and "5)" in d.message


def test_the_exact_option_gives_no_note(tmp_path):
    assert not [d for d in _check(tmp_path, "30万人以上") if d.code in ("W090", "V031")]


def test_a_near_miss_is_an_error_with_a_suggestion(tmp_path):
    (d,) = [d for d in _check(tmp_path, "30万人以下") if d.code == "V031"]
    assert "もしかして" in d.message and "「30万人以上」" in d.message


def test_checkbox_items_forgive_width_and_numbering(tmp_path):
    diags = _check(tmp_path, "30万人以上", '["1) 紙", 専用線]')
    assert not has_errors(diags), [str(d) for d in diags]
    assert [d.code for d in diags if d.code == "W091"] == ["W091"]
    (miss,) = [d for d in _check(tmp_path, "30万人以上", "[専用腺]") if d.code == "V036"]
    assert "もしかして" in miss.message and "「専用線」" in miss.message
