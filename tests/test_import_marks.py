"""Importer (issue 14.6): the check marks real renditions print, cells of marks only reported as
lost, and the places to check written into the YAML as comments that the strict loader reads."""
from __future__ import annotations

import re

import pytest

from pia_site.catalog import find_form
from pia_site.importer import import_source
from pia_site.importer.glyphs import marks_only
from pia_site.importer.values import parse_check, parse_choice
from pia_site.yaml_strict import parse_yaml

from support import seed

JUTEN = find_form("juten", "令和6年10月")
METHODS = JUTEN.nodes["overview.acquisition_use.methods"]
SEED_003 = "003_9cb340eda5728da8.txt"

CHECKED = ["[ O ]", "[O]", "[o]", "［ Ｏ ］", "○", "〇", "[〇]", "〔 〇 〕", "●", "[●]", "■", "✓", "[ ✓ ]", "✔", "☑",
           "[レ]", "[ レ ]", "[x]", "[ X ]", "[ｘ]", "[v]", "[ V ]", "【○】"]
UNCHECKED = ["[ ]", "[]", "〔 〕", "［ ］", "☐", "□", "【 】"]


@pytest.mark.parametrize("mark", CHECKED)
@pytest.mark.parametrize("blank", UNCHECKED)
def test_every_checked_mark_beside_every_unchecked_one(mark, blank):
    p = parse_check(f"{mark} 紙 {blank} 電子メール {mark}専用線", METHODS)
    assert p.value == ["紙", "専用線"], (mark, blank, p.notes, p.residue)
    assert not p.residue


@pytest.mark.parametrize("text", ["[ [ [ [", "[ ] [ ] [ ]", "［ ［ 〔", "[ [ ]"])
def test_marks_only_is_lost_not_text(text):
    assert marks_only(text)
    p = parse_check(text, METHODS)
    assert p.value is None and not p.residue and "失われた" in p.notes[0]
    c = parse_choice(text, JUTEN.nodes["risk_measures.use.r1.sufficiency"])
    assert c.value is None and not c.residue and "失われた" in c.notes[0]


@pytest.mark.parametrize("text", ["—", "紙", "[ ] 紙", "x", "2) 十分である", "( )"])
def test_words_are_not_marks_only(text):
    assert not marks_only(text)


def _import_003(edit=lambda t: t):
    return import_source(edit(seed(SEED_003).read_text(encoding="utf-8")).encode("utf-8"))


def test_a_lost_checkbox_column_is_reviewed_not_kept():
    res = _import_003(lambda t: t.replace("[○]自己点検 [ ] 内部監査 [○]外部監査", "[ [ [").replace(
        "③法令による特別の手続\t—\n", "③法令による特別の手続\t[ [ [ [\n"))
    tree = res.tree
    assert tree["risk_measures"][0]["audit"]["conducted"] is None
    assert not tree["disclosure"]["request"]["special_procedure"]
    lost = [r for r in res.summary.reviews if "記号だけの記載" in r.message]
    assert {r.line for r in lost} == {294, 306}
    values = [u["text"] for u in tree.get("unplaced", [])]
    assert not any("[ [" in v for v in values)
    # the only place the marks appear in the YAML is the comment quoting them
    assert all(ln.lstrip().startswith("#") for ln in res.yaml_text.splitlines() if "[ [" in ln)


def test_places_to_check_are_comments_above_their_keys():
    res = _import_003()
    text = res.yaml_text
    lines = text.splitlines()
    comments = [i for i, ln in enumerate(lines) if ln.lstrip().startswith("# 確認（")]
    assert len(comments) == len({(r.line, r.message) for r in res.summary.reviews}) > 3
    for r in res.summary.reviews:
        assert any(f"原本 {r.line} 行目" in lines[i] and r.message[:20] in lines[i] for i in comments), r
    # each comment stands on its own line at the indentation of the key (or list item) below it
    for i in comments:
        j = i
        while lines[j].lstrip().startswith("#"):
            j += 1
        indent = len(lines[i]) - len(lines[i].lstrip())
        nxt = lines[j]
        assert len(nxt) - len(nxt.lstrip()) == indent and re.match(r"\s*(- )?[a-z_0-9]+:", nxt), (lines[i], nxt)
    # 移転先1 ④ lost its selected value (003 L157): the comment sits above that key
    k = next(i for i in comments if "原本 157 行目" in lines[i])
    assert lines[k + 1].strip().startswith("subject_count:")
    node, diags = parse_yaml(text, "imported.yaml")
    assert node is not None and diags == []
