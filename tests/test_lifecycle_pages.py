"""Document states shown to citizens (issue 13.5): a draft, an ended and a superseded assessment
show their state on the assessment page, the municipality page, 更新履歴, both feeds and the
search index; undated revisions never head a site-wide listing nor borrow a date in a feed."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from pia_site.build import build
from pia_site.search.client import IndexReader

from support import MUNI_YAML, fill, scaffold_text, write

BASE = {
    "cover.published": "2024-04-01",
    "basic_info.jimu.subjects": "30万人以上",
    "procedures.basic_assessment.date": "2024-01-10",
    "procedures.basic_assessment.threshold": "基礎項目評価及び全項目評価の実施が義務付けられる",
    "procedures.public_comment.period": "{start: 2024-01-15, end: 2024-02-13}",
    "procedures.third_party.date": "2024-03-01",
}
ROW = "[{{date: {d}, item: I 基本情報 7. 評価実施機関における担当部署 ①部署, before: 甲課, after: 乙課, timing: 事後}}]"

DOCS = {
    # slug: (title, values)
    "draft": ("下書きの事務", {"cover.published": "", "status": "{state: 作成中}", "changes": ROW.format(d="2024-05-01")}),
    "ended": ("終わった事務【令和7年3月31日 終了】", {"status": "{state: 終了, ended: 2025-03-31}", "changes": ROW.format(d="2024-06-01")}),
    "old": ("置き換えられた事務", {"status": "{state: 置き換え, replaced_by: new}", "changes": ROW.format(d="2024-07-01")}),
    "new": ("後継の事務", {"status": "{state: 公表, replaces: old}", "changes": ROW.format(d="2024-08-01")}),
    "comment": ("意見を聴く事務", {"cover.published": "", "status": "{state: 意見聴取中}",
                                  "procedures.public_comment.period": "{start: 2024-09-01, end: 2024-09-30}",
                                  "procedures.third_party.date": "—",
                                  "changes": "[{item: I 基本情報 7. 評価実施機関における担当部署 ①部署, before: 乙課, after: 丙課, timing: 事前}]"}),
}
LABELS = {"draft": "作成中", "ended": "終了", "old": "再評価で置き換え", "new": "公表", "comment": "意見聴取中"}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("lifecycle")
    content = root / "content"
    write(content / "site.yaml", "title: テスト\n")
    write(content / "koshigaya" / "municipality.yaml", MUNI_YAML)
    for slug, (title, values) in DOCS.items():
        text = fill(scaffold_text("zenkoumoku", "令和7年5月"), {**BASE, "cover.title": title, **values})
        (content / "koshigaya" / f"{slug}.yaml").write_text(text, encoding="utf-8")
    out = root / "build"
    build(content, out)
    return out


def _read(out: Path, path: str) -> str:
    return (out / path).read_text(encoding="utf-8")


def _badge(html: str, label: str) -> bool:
    return re.search(rf'<span class="state state-\w+">{re.escape(label)}</span>', html) is not None


@pytest.mark.parametrize("slug", sorted(DOCS))
def test_the_assessment_page_shows_its_state(site, slug):
    html = _read(site, f"koshigaya/{slug}/index.html")
    assert _badge(html, LABELS[slug])


def test_the_states_carry_their_dates_and_the_successor_link(site):
    assert "令和7年3月31日(2025年) 事務終了" in _read(site, "koshigaya/ended/index.html")
    assert "令和6年9月1日(2024年)から令和6年9月30日(2024年)まで" in _read(site, "koshigaya/comment/index.html")
    old = _read(site, "koshigaya/old/index.html")
    assert '<a class="state-successor" href="../new/index.html">後継の評価書</a>' in old
    assert "未公表" in _read(site, "koshigaya/draft/index.html")


def test_the_municipality_page_lists_each_state(site):
    html = _read(site, "koshigaya/index.html")
    for slug, label in LABELS.items():
        row = next(r for r in html.split("<tr>") if f'href="{slug}/index.html"' in r)
        assert _badge(row, label), slug


def test_the_site_changes_page_shows_each_state(site):
    html = _read(site, "changes/index.html")
    for slug, label in LABELS.items():
        row = next(r for r in html.split("<tr>") if f"koshigaya/{slug}/changes/" in r)
        assert _badge(row, label), slug


@pytest.mark.parametrize("feed", ["feed.xml", "koshigaya/feed.xml"])
def test_both_feeds_name_each_state(site, feed):
    xml = _read(site, feed)
    entries = xml.split("<entry>")[1:]
    for slug, label in LABELS.items():
        if slug == "comment":
            continue  # its only revision is undated: not in a feed (see below)
        entry = next(e for e in entries if f"koshigaya/{slug}/changes/" in e)
        assert f"［{label}］" in entry and f"状態: {label}" in entry, slug


def test_an_undated_revision_never_heads_the_listing_nor_enters_a_feed(site):
    html = _read(site, "changes/index.html")
    rows = [r for r in html.split("<tbody>")[1].split("<tr>") if r.strip()]
    assert "今回の変更" not in rows[0] and "今回の変更" in rows[-1]
    for feed in ("feed.xml", "koshigaya/feed.xml"):
        xml = _read(site, feed)
        entries = xml.split("<entry>")[1:]
        assert len(entries) == 4 and all("koshigaya/comment/" not in e for e in entries)
        # each entry carries its own revision's date, never another's
        assert re.findall(r"<updated>([^<]+)</updated>\n<summary", xml) == [
            f"2024-0{m}-01T00:00:00+09:00" for m in (8, 7, 6, 5)]


def test_the_search_state_facet_keeps_only_documents_in_that_state(site):
    """The search page's 状態 facet (the packed index's docs table, read as search.js reads it)."""
    reader = IndexReader.from_dir(site)
    every = {h.url.split("/")[1] for h in reader.search("部署")}  # ①部署 is on every document's form
    assert every == set(DOCS)
    for slug, label in LABELS.items():
        hits = IndexReader.from_dir(site).search("部署", {"state": label})
        assert hits and {h.url.split("/")[1] for h in hits} == {slug}, label
    assert not IndexReader.from_dir(site).search("部署", {"state": "存在しない状態"})


def test_the_search_page_offers_every_state_as_a_facet(site):
    html = _read(site, "search/index.html")
    select = html.split('<select id="pia-state" name="state">')[1].split("</select>")[0]
    assert re.findall(r"<option>([^<]+)</option>", select) == ["作成中", "意見聴取中", "公表", "終了", "再評価で置き換え"]
