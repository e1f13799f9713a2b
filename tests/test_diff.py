"""Readable diffs (pia_site/diff.py) on rows of the sample's 変更箇所, and how the page shows them."""
from __future__ import annotations

import re
from difflib import SequenceMatcher

import pytest

from pia_site.build import build
from pia_site.diff import DELETE, EQUAL, INSERT, Piece, tokens, visible_text, word_diff

from support import REPO


def row(site, slug: str, n: int):
    a = next(x for x in site.assessments if x.slug == slug)
    return a.changes[n - 1]


def changed(pieces):
    return [(p.op, p.text) for p in pieces if p.op != EQUAL]


def test_numbers_stay_whole(site):
    # さいたま市 row 71: 56件 → 62件 (a character diff shows 5̶6̶6̲2̲ or worse)
    r = row(site, "kokuho-fuka-shuno", 71)
    assert (r.before, r.after) == ("56件", "62件")
    assert word_diff(r.before, r.after) == [(DELETE, "56"), (INSERT, "62"), (EQUAL, "件")]
    # 16 → 13 is never 1~~6~~3
    assert changed(word_diff("第16条", "第13条")) == [(DELETE, "16"), (INSERT, "13")]
    # 越谷市 row 47: a phone number changes in its last digit; the number is replaced whole
    r = row(site, "keijidosha-fuka", 47)
    assert changed(word_diff(r.before, r.after)) == [(DELETE, "048-963-9145"), (INSERT, "048-963-9144")]
    # 越谷市 row 14: (198,468)件 → (215,000)件
    r = row(site, "keijidosha-fuka", 14)
    assert (DELETE, "198,468") in changed(word_diff(r.before, r.after))


def test_dates_and_wareki_stay_whole(site):
    # 越谷市 row 48: V-1 ①実施日 令和2年3月18日 → 令和8年1月26日
    r = row(site, "keijidosha-fuka", 48)
    assert word_diff(r.before, r.after) == [(DELETE, "令和2年3月18日"), (INSERT, "令和8年1月26日")]
    assert changed(word_diff("令和元年10月1日から", "令和6年10月1日から")) == [(DELETE, "令和元年10月1日"), (INSERT, "令和6年10月1日")]
    assert changed(word_diff("2024年4月1日", "2024年10月1日")) == [(DELETE, "2024年4月1日"), (INSERT, "2024年10月1日")]
    assert "令和6年10月1日" in tokens("施行日は令和6年10月1日です")


def test_japanese_text_is_compared_by_phrase(site):
    # さいたま市 row 22: 2)発生なし → 1)発生あり
    r = row(site, "kokuho-fuka-shuno", 22)
    assert word_diff(r.before, r.after) == [(DELETE, "2"), (INSERT, "1"), (EQUAL, ")発生"), (DELETE, "なし"), (INSERT, "あり")]
    # BudouX phrases: a changed word is replaced as a word, not letter by letter
    r = row(site, "keijidosha-fuka", 5)  # 市民税務部(市民税課、…) → 行財政部(市民税課)、市民協働部(…)
    assert word_diff(r.before, r.after) == [
        (DELETE, "市民税務"), (INSERT, "行財政"), (EQUAL, "部(市民税課"), (INSERT, ")"), (EQUAL, "、"),
        (INSERT, "市民協働部("), (EQUAL, "北部出張所、南部出張所)")]
    toks = tokens("行財政部(市民税課)、市民協働部(北部出張所、南部出張所)")
    assert "".join(toks) == "行財政部(市民税課)、市民協働部(北部出張所、南部出張所)"
    assert "市民協働部" in toks and "(" in toks and "、" in toks


def test_no_markdown_escape_leaks(site):
    # 越谷市 row 14 and さいたま市 row 8 start with "1\\." / "6\\." (Markdown for a literal "1.")
    for slug, n in (("keijidosha-fuka", 14), ("kokuho-fuka-shuno", 8)):
        r = row(site, slug, n)
        assert "\\." in (r.before or "") + (r.after or "")
        text = "".join(p.text for p in word_diff(r.before, r.after))
        assert "\\" not in text
    assert word_diff(None, row(site, "kokuho-fuka-shuno", 8).after)[0].text.startswith("6. お知らせ機能")
    # a Markdown list keeps its numbers
    assert visible_text("1. 調定登録\n2. 収納消込事務") == "1. 調定登録\n2. 収納消込事務"


def test_deleted_white_space_is_shown_only_when_it_is_all_that_changed(site):
    # 越谷市 row 14 also removes spaces that PDF line wrapping left ("特定の個人 を識別"): a
    # character diff strikes them through (they look like dashes); they are not shown
    r = row(site, "keijidosha-fuka", 14)
    pieces = word_diff(r.before, r.after)
    old = SequenceMatcher(None, visible_text(r.before), visible_text(r.after), autojunk=False)
    a = visible_text(r.before)
    assert any(op == "delete" and not a[i1:i2].strip() for op, i1, i2, _, _ in old.get_opcodes())
    assert not any(p.blank for p in pieces)
    assert "".join(p.text for p in pieces if p.op != DELETE) == visible_text(r.after)
    # in every sample row, a blank piece appears only where white space is all that changed
    for a_ in site.assessments:
        for r in a_.changes:
            ps = [p for p in word_diff(r.before, r.after) if p.op != EQUAL]
            assert not any(p.blank for p in ps) or all(p.blank for p in ps), r.line
    # 越谷市 row 1's 「①部 署」 with the stray space removed and nothing else: that is shown
    r = row(site, "keijidosha-fuka", 1)
    only = word_diff(r.before, r.before.replace("部 署", "部署"))
    assert changed(only) == [(DELETE, " ")] and only[1].blank and only[1].marks == "␣"


def test_the_after_text_is_the_equal_and_inserted_pieces(site):
    for a in site.assessments:
        for r in a.changes:
            pieces = word_diff(r.before, r.after)
            after = "".join(p.text for p in pieces if p.op != DELETE)
            before = "".join(p.text for p in pieces if p.op != INSERT)
            assert after == visible_text(r.after), r.line
            if not any(p.blank for p in pieces):
                assert re.sub(r"\s", "", before) == re.sub(r"\s", "", visible_text(r.before)), r.line


def test_identical_rows_say_so(site):
    # さいたま市 row 76: 誤字修正 whose corrected character was lost in conversion
    r = row(site, "kokuho-fuka-shuno", 76)
    assert word_diff(r.before, r.after) == [Piece(EQUAL, visible_text(r.before))]


@pytest.fixture(scope="module")
def changes_html(tmp_path_factory):
    out = tmp_path_factory.mktemp("diff") / "site"
    build(REPO / "content", out)
    return {p: (out / p).read_text(encoding="utf-8") for p in
            ("koshigaya/keijidosha-fuka/changes/index.html", "saitama/kokuho-fuka-shuno/changes/index.html")}


def test_page_has_a_legend_and_a_non_colour_cue(changes_html):
    html = changes_html["koshigaya/keijidosha-fuka/changes/index.html"]
    assert 'class="diff-legend"' in html and "取り消し線" in html and "下線" in html
    block = html[html.index('id="change-48"'):html.index('id="change-49"')]
    # screen readers hear 削除／追加 around each piece (strike-through and underline are not read out)
    assert '<del><span class="sr-only">［削除：</span>令和2年3月18日<span class="sr-only">］</span></del>' in block
    assert '<ins><span class="sr-only">［追加：</span>令和8年1月26日<span class="sr-only">］</span></ins>' in block
    css = (REPO / "assets/style.css").read_text(encoding="utf-8")
    assert re.search(r"\.diff del[^{]*\{[^}]*background[^}]*line-through", css)
    assert re.search(r"\.diff ins[^{]*\{[^}]*background[^}]*underline", css)


def test_headings_and_identical_rows_read_well(changes_html):
    html = changes_html["saitama/kokuho-fuka-shuno/changes/index.html"]
    assert "今回の変更の変更" not in html
    assert re.search(r'<h2 id="rev-current-h">今回の変更[^<]*（\d+件）</h2>', html)
    block = html[html.index('id="change-76"'):html.index('id="change-77"')]
    assert "変更前と変更後の記載は同じです" in block and "<del" not in block


def test_detail_tables_have_the_same_column_widths_in_every_revision():
    css = (REPO / "assets/style.css").read_text(encoding="utf-8")
    assert re.search(r"table\.change-detail\s*\{[^}]*table-layout:\s*fixed", css)
    assert re.search(r"table\.change-detail th\s*\{[^}]*width:\s*\d", css)


def _visible_by_parser(rich):
    """visible_text as read by html.parser on every cell (before the one-paragraph shortcut)."""
    import re

    from pia_site.diff import _Visible
    from pia_site.markup import render_rich

    if not rich:
        return ""
    p = _Visible()
    p.feed(render_rich(rich))
    p.close()
    lines = (re.sub(r"[^\S\n]+", " ", line).strip() for line in "".join(p.out).split("\n"))
    return "\n".join(line for line in lines if line)


@pytest.mark.parametrize("rich", [
    "委託先は株式会社ABCである。", "  前後に空白  ", "1\\. 項目", "a  b\u3000c", "電話 048-963-9136",
    "A & B", "<b>太字</b>", "- 一\n- 二", "1. 一\n2. 二", "段落一\n\n段落二", "x > y", "**強調**",
    "改行\nあり", "&amp;", "\u00a0NBSP", "タブ\tあり",
])
def test_visible_text_of_a_plain_paragraph_is_what_the_parser_reads(rich):
    from pia_site.diff import visible_text

    assert visible_text(rich) == _visible_by_parser(rich)


def test_visible_text_of_every_sample_cell_is_what_the_parser_reads(site):
    from pia_site.diff import visible_text

    cells = [c for a in site.assessments for r in a.changes for c in (r.before, r.after)]
    assert len(cells) > 100
    for c in cells:
        assert visible_text(c) == _visible_by_parser(c)
