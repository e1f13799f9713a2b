"""Change-log pages: rows link to items, readable diffs (tests/test_diff.py), item histories, 更新履歴, feeds."""
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pia_site.build import build, load_site
from pia_site.diff import word_diff
from pia_site.views.changes import effective_rows, site_changes

from support import REPO

ATOM = {"a": "http://www.w3.org/2005/Atom"}


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("changes") / "site"
    build(REPO / "content", out)
    return out


def test_word_diff_keeps_the_common_start_and_end_of_a_phrase():
    assert word_diff("再委託しない", "再委託する") == [("equal", "再委託"), ("delete", "しない"), ("insert", "する")]
    assert word_diff("<p>市民税務部市民税課</p>", "行財政部市民税課") == [("delete", "市民税務"), ("insert", "行財政"), ("equal", "部市民税課")]
    assert word_diff("同じ", "同じ") == [("equal", "同じ")]
    assert word_diff(None, "追加") == [("insert", "追加")]


def test_continuation_rows_inherit_date_and_timing():
    site, _ = load_site(REPO / "content")
    a = next(x for x in site.assessments if x.slug == "keijidosha-fuka")
    rows = effective_rows(a)
    cont = [r for r in rows if r[1].is_continuation]
    assert len(cont) == 1
    i = cont[0][0]
    assert cont[0][2] == rows[i - 2][2] and cont[0][3] == rows[i - 2][3]


def test_koshigaya_change_page_links_every_row_and_shows_diffs(site_dir):
    html = (site_dir / "koshigaya/keijidosha-fuka/changes/index.html").read_text(encoding="utf-8")
    assert html.count('class="change"') == 53
    first = html[html.index('id="change-1"'):html.index('id="change-2"')]
    assert 'href="../index.html#basic_info.department.name"' in first
    assert re.search(r"<del>(<span[^>]*>[^<]*</span>)?市民税務(<span[^>]*>[^<]*</span>)?</del>"
                     r"<ins>(<span[^>]*>[^<]*</span>)?行財政(<span[^>]*>[^<]*</span>)?</ins>", first)
    # revisions newest first
    dates = re.findall(r'<h2 id="rev-([\d-]+|current)-h">', html)
    assert dates == sorted(dates, reverse=True) and dates[0] == "2026-01-26"


def test_unresolved_rows_keep_their_text_without_a_link(site_dir):
    site, _ = load_site(REPO / "content")
    a = next(x for x in site.assessments if x.slug == "kokuho-fuka-shuno")
    unlinked = [i for i, links in enumerate(a.change_links, 1) if not links]
    assert unlinked, "the sample has rows that need an explicit target"
    html = (site_dir / "saitama/kokuho-fuka-shuno/changes/index.html").read_text(encoding="utf-8")
    n = unlinked[0]
    block = html[html.index(f'id="change-{n}"'):]
    block = block[:block.index("</article>")]
    assert "対象箇所未特定" in block and "<h3><a" not in block


def test_items_show_their_history(site_dir):
    html = (site_dir / "koshigaya/keijidosha-fuka/index.html").read_text(encoding="utf-8")
    row = html[html.index('id="basic_info.department.name"'):]
    row = row[:row.index("</tr>")]
    assert "変更履歴（" in row
    assert 'href="changes/index.html#change-1"' in row


def test_site_wide_history_is_newest_first(site_dir):
    site, _ = load_site(REPO / "content")
    changes = site_changes(site)
    keys = [c.sort_key for c in changes]
    assert keys == sorted(keys, reverse=True)
    html = (site_dir / "changes/index.html").read_text(encoding="utf-8")
    assert html.count("<tr>") == len(changes) + 1


def test_feeds_are_atom_with_entries(site_dir):
    for path, minimum in (("feed.xml", 10), ("koshigaya/feed.xml", 7), ("saitama/feed.xml", 10)):
        root = ET.parse(site_dir / path).getroot()
        assert root.tag == "{http://www.w3.org/2005/Atom}feed"
        entries = root.findall("a:entry", ATOM)
        assert len(entries) >= minimum, path
        ids = [e.find("a:id", ATOM).text for e in entries]
        assert len(set(ids)) == len(ids)
        for e in entries:
            href = e.find("a:link", ATOM).get("href")
            target = (site_dir / Path(path).parent / href.split("#")[0]).resolve()
            assert target.is_file(), href
            assert re.match(r"^\d{4}-\d{2}-\d{2}T00:00:00\+09:00$", e.find("a:updated", ATOM).text)


def test_an_assessment_without_changes_builds_without_history(tmp_path):
    from support import make_content, scaffold_text

    content = make_content(tmp_path, {"a": scaffold_text()})
    out = tmp_path / "out"
    build(content, out)
    html = (out / "koshigaya/a/index.html").read_text(encoding="utf-8")
    assert "変更履歴（" not in html and "変更はありません。" in html
    assert not (out / "koshigaya/a/changes").exists()


def test_site_wide_history_shows_the_newest_revisions_and_says_how_many_there_are(tmp_path, monkeypatch):
    import pia_site.render as render
    from pia_site.build import build

    site, _ = load_site(REPO / "content")
    total = len(site_changes(site))
    monkeypatch.setattr(render, "SITE_CHANGES_SHOWN", 3)
    build(REPO / "content", tmp_path / "out")
    html = (tmp_path / "out/changes/index.html").read_text(encoding="utf-8")
    assert html.count("<tr>") == 3 + 1
    assert f"新しい 3 件を表示。全 {total} 件の改訂" in html
    newest = site_changes(site)[0]
    assert newest.href in html and "変更箇所" in html
