"""Items written in words on the compare pages: each body's answer, listed from the search index by item.

The index lists every chunk under a key per item written in words (``grams.item_gram``), and each
unit of such an item carries the item's position in its form kind's table.  These tests check the
reference client's listing (``IndexReader.item``, the algorithm of ``piaSearch.item``) against the
units of every assessment, that each listed answer opens an item that exists, that the prefecture
filter and paging cut the same list, and that the compare page names the item the index knows.
"""
from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urldefrag

import pytest

from pia_site import urls
from pia_site.compare import item_table
from pia_site.search.client import IndexReader
from pia_site.search.grams import item_gram, text_grams
from pia_site.search.normalise import normalise_text

ENTRUST = "overview.entrust.entries.content"  # 全項目評価書 委託事項n ①委託内容: once per file and 委託事項


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.attrs: dict[str, dict] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
            self.attrs[a["id"]] = a


def _page(path) -> _Ids:
    p = _Ids()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def _expected(docs, kind: str, item_id: str) -> list[str]:
    return [f"{d.url}#{u.anchor}" for d in docs if d.edition.startswith(kind + "/") for u in d.units if u.item == item_id]


def test_every_item_written_in_words_lists_exactly_its_answers_in_site_order(sample_build, docs):
    reader = IndexReader.from_dir(sample_build)
    listed = 0
    for kind in ("juten", "zenkoumoku"):
        for pos, item in enumerate(item_table(kind).items):
            got = [h.url for h in reader.item(kind, pos)]
            assert got == ([] if item.distribution else _expected(docs, kind, item.id)), (kind, item.id)
            listed += len(got)
    assert listed > 200  # the sample's two assessments answer most items written in words
    # every answer opens an item of the assessment page, and its text is that unit's text
    for h in reader.item("zenkoumoku", item_table("zenkoumoku").index[ENTRUST]):
        page, anchor = urldefrag(h.url)
        assert anchor in _page(sample_build / page).ids
        assert h.text and h.title == "①委託内容"


def test_the_item_key_meets_no_gram_of_any_text(docs):
    key = item_gram(0, 0)
    assert all(key not in text_grams(normalise_text(u.text)) for d in docs for u in d.units)
    assert key.startswith("\n") and len(key) == 3


def test_the_listing_is_filtered_by_prefecture_and_paged_like_search(sample_build):
    reader = IndexReader.from_dir(sample_build)
    pos = item_table("zenkoumoku").index[ENTRUST]
    every = [h.url for h in reader.item("zenkoumoku", pos)]
    assert len(every) > 8
    assert [h.url for h in reader.item("zenkoumoku", pos, {"prefecture": "埼玉県"})] == every
    assert list(reader.item("zenkoumoku", pos, {"prefecture": "東京都"})) == []
    pages = []
    for offset in range(0, len(every), 4):
        res = reader.item("zenkoumoku", pos, limit=4, offset=offset)
        pages.extend(h.url for h in res)
        assert res.more == (offset + 4 < len(every))
    assert pages == every
    assert list(reader.item("kiso", 0)) == [] and list(reader.item("no-such-kind", 0)) == []


def test_the_compare_page_of_an_item_written_in_words_names_the_item_the_index_lists(sample_build):
    path = sample_build / urls.compare_page("zenkoumoku", ENTRUST)
    page = _page(path)
    box = page.attrs["pia-compare"]
    assert box["data-kind"] == "zenkoumoku" and int(box["data-item"]) == item_table("zenkoumoku").index[ENTRUST]
    assert "hidden" in box and "pia-compare-fallback" in page.ids  # without script: the link to the search page
    html = path.read_text(encoding="utf-8")
    assert 'src="../../../assets/search.js"' in html and 'integrity="sha384-' in html
    choice = (sample_build / urls.compare_page("zenkoumoku", "basic_info.jimu.subjects")).read_text(encoding="utf-8")
    assert "search.js" not in choice and "pia-compare" not in choice  # choice items: static tables only


@pytest.mark.parametrize("kind", ["juten", "zenkoumoku"])
def test_answer_units_carry_their_item_only_for_items_written_in_words(docs, kind):
    table = item_table(kind)
    ids = {u.item for d in docs if d.edition.startswith(kind + "/") for u in d.units if u.item}
    assert ids and all(table.item(i) is not None and not table.item(i).distribution for i in ids)
