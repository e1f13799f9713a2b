"""The compare pages (他団体の記載と比べる): one item of a form across every assessment on it.

Counts on the built pages are checked against counts recomputed from the YAML sources; the
links go from each item to its compare page and from a compare page back to each answer's
anchor; the pages work without script and stay bounded (``compare.PAGE_SIZE`` answers a page).
"""
from __future__ import annotations

import random
import re
import shutil
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import pytest

from support import REPO

from pia_site import urls
from pia_site.compare import PAGE_SIZE, compare_pages, compare_record, item_table, tally
from pia_site.compare.items import NOT_CHOSEN
from pia_site.compare.record import CompareRecord
from pia_site.yaml_strict import parse_yaml

sys.path.insert(0, str(REPO / "benchmarks"))
from synthetic import PREFECTURES, check_digit  # noqa: E402

SUBJECTS = "basic_info.jimu.subjects"  # ③対象人数: a choice item of the 重点項目評価書
FILE_TYPE = "overview.basic.file_type"  # ①ファイルの種類: a choice item once per file


class _Page(HTMLParser):
    """Links, ids, tables (caption, header cells with their scope, rows of cells) and scripts of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.tables: list[dict] = []
        self.scripts = 0
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self._row: list[tuple[str, str, str | None]] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "script":
            self.scripts += 1
        elif tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td"):
            self._cell = []
            self._kind = (tag, a.get("scope"))

    def handle_endtag(self, tag):
        if tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = "".join(self._caption).strip()
            self._caption = None
        elif tag in ("th", "td") and self._cell is not None and self._row is not None:
            self._row.append((self._kind[0], "".join(self._cell).strip(), self._kind[1]))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1]["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        for buf in (self._cell, self._caption):
            if buf is not None:
                buf.append(data)


def _page(path: Path) -> _Page:
    p = _Page()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def _counts(table: dict) -> dict[str, list[int]]:
    """{answer: [total, per edition…]} of a counts table (its header row left out)."""
    return {row[0][1]: [int(c[1]) for c in row[1:]] for row in table["rows"] if row[0][2] == "row"}


def _yaml(path: Path):
    tree, diags = parse_yaml(path.read_text(encoding="utf-8"), str(path))
    assert tree is not None and not diags
    return tree


def _scalar(node, *keys):
    for k in keys:
        node = node.get(k) if node is not None and hasattr(node, "get") else None
    return None if node is None else node.value


# -- a 1,000-assessment synthetic site ----------------------------------------------------------------

def _synthetic_content(root: Path, n: int, seed: int = 15) -> Path:
    """``n`` copies of the sample 重点項目評価書 over municipalities in random prefectures
    (benchmarks/synthetic.py's names and codes), each with a random edition, ③対象人数 and
    ①ファイルの種類."""
    rnd = random.Random(seed)
    content = root / "content"
    content.mkdir(parents=True)
    shutil.copy(REPO / "content" / "site.yaml", content / "site.yaml")
    base = (REPO / "content" / "koshigaya" / "keijidosha-fuka.yaml").read_text(encoding="utf-8")
    subjects = [k for k in item_table("juten").item(SUBJECTS).keys if not k.startswith(("（", "—"))]
    per = 10
    for m in range(n // per):
        pref = rnd.randrange(47)
        five = f"{pref + 1:02d}{200 + m:03d}"
        folder = content / f"m{m:03d}"
        folder.mkdir()
        (folder / "municipality.yaml").write_text(
            f'name: 試験市{m}\nprefecture: {PREFECTURES[pref]}\ncode: "{five}{check_digit(five)}"\nbodies: [試験市{m}長]\n',
            encoding="utf-8")
        for k in range(per):
            text = base.replace("title: 軽自動車税(種別割)賦課に関する事務 重点項目評価", f"title: 試験の事務 第{k + 1}号", 1)
            text = text.replace('number: "7"', f'number: "{k + 1}"', 1)
            text = text.replace("edition: 令和6年10月", f"edition: {rnd.choice(['令和6年10月', '平成26年4月'])}", 1)
            text = text.replace("    subjects: 10万人以上30万人未満", f"    subjects: {rnd.choice(subjects)}", 1)
            text = text.replace("        file_type: システム用ファイル",
                                f"        file_type: {rnd.choice(['システム用ファイル', 'その他の電子ファイル(表計算ファイル等)'])}", 1)
            (folder / f"a{k:02d}.yaml").write_text(text, encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def synthetic_build(tmp_path_factory):
    from pia_site.build import build

    root = tmp_path_factory.mktemp("compare-1000")
    content = _synthetic_content(root, 1000)
    build(content, root / "out", jobs=2)
    return content, root / "out"


def _from_yaml(content: Path, keys) -> tuple[Counter, dict[str, str]]:
    """(Counter of (prefecture code, edition, answer) over every assessment, prefecture code -> name)."""
    found: Counter = Counter()
    prefs = {}
    for muni in sorted(content.glob("m*/municipality.yaml")):
        mtree = _yaml(muni)
        code = _scalar(mtree, "code")[:2]
        prefs[code] = _scalar(mtree, "prefecture")
        for f in sorted(muni.parent.glob("a*.yaml")):
            tree = _yaml(f)
            edition = _scalar(tree, "edition")
            for answer in keys(tree):
                found[(code, edition, answer or NOT_CHOSEN)] += 1
    return found, prefs


@pytest.mark.slow
def test_the_compare_page_of_a_choice_item_on_1000_assessments_shows_the_counts_of_the_yaml(synthetic_build):
    content, out = synthetic_build
    found, prefs = _from_yaml(content, lambda t: [_scalar(t, "basic_info", "jimu", "subjects")])
    assert sum(found.values()) == 1000 and len({a for _, _, a in found}) == 4  # the answers do vary
    page = _page(out / urls.compare_page("juten", SUBJECTS))
    counts = _counts(page.tables[0])
    editions = ["平成26年4月", "令和6年10月"]
    for answer in {a for _, _, a in found}:
        total = sum(n for (_, _, a), n in found.items() if a == answer)
        per_edition = [sum(n for (_, e, a), n in found.items() if a == answer and e == ed) for ed in editions]
        assert counts[answer] == [total, *per_edition], answer
    # per prefecture: the nationwide page's table, then each prefecture's own page
    by_pref = {row[0][1]: int(row[1][1]) for row in page.tables[1]["rows"] if row[0][2] == "row"}
    assert by_pref == {prefs[c]: sum(n for (cc, _, _), n in found.items() if cc == c) for c in sorted(prefs)}
    for code, name in prefs.items():
        ppage = _page(out / urls.compare_prefecture_page("juten", SUBJECTS, code))
        pcounts = _counts(ppage.tables[0])
        for answer in {a for _, _, a in found}:
            expected = [sum(n for (c, e, a), n in found.items() if c == code and a == answer and (ed is None or e == ed))
                        for ed in (None, *editions)]
            assert pcounts[answer] == expected, (name, answer)


@pytest.mark.slow
def test_an_item_once_per_file_is_counted_per_file_and_its_answer_lists_are_paged(synthetic_build):
    content, out = synthetic_build

    def file_types(tree):
        return [_scalar(f, "overview", "basic", "file_type") for f in tree.get("files").items]

    found, prefs = _from_yaml(content, file_types)
    counts = _counts(_page(out / urls.compare_page("juten", FILE_TYPE)).tables[0])
    for answer in {a for _, _, a in found}:
        assert counts[answer][0] == sum(n for (_, _, a), n in found.items() if a == answer)
    # every answer is listed once, on pages of at most PAGE_SIZE answers, each linking to an anchor that exists
    listed = 0
    for code in prefs:
        first = out / urls.compare_prefecture_page("juten", FILE_TYPE, code)
        pages = [first] + sorted(first.parent.glob("*/index.html"), key=lambda p: int(p.parent.name))
        for p in pages:
            links = [h for h in _page(p).links if "#" in h and "/compare/" not in urljoin("/" + str(p.relative_to(out)), h)]
            assert 0 < len(links) <= PAGE_SIZE
            listed += len(links)
            target, anchor = urldefrag(urljoin(p.relative_to(out).as_posix(), links[0]))
            assert anchor in _page(out / target).ids
    assert listed == sum(found.values())


@pytest.mark.slow
def test_compare_pages_stay_small_on_1000_assessments(synthetic_build):
    _, out = synthetic_build
    pages = list((out / "compare").rglob("index.html"))
    assert max(p.stat().st_size for p in pages) < 200_000
    # the base template's scripts only, and search.js on the pages of items written in words
    table = item_table("juten")
    for p in pages:
        html = p.read_text(encoding="utf-8")
        item = table.item(p.parent.name) if p.parent.parent.name == "juten" else None  # an item's nationwide page
        words = item is not None and not item.distribution
        assert _page(p).scripts <= 2 + words, p
        assert ("assets/search.js" in html) == words, p


@pytest.mark.slow
def test_the_answers_of_an_item_written_in_words_come_from_the_index_on_1000_assessments(synthetic_build):
    from pia_site.search.client import PAGE_BYTES, IndexReader

    content, out = synthetic_build
    name = "basic_info.jimu.name"  # ②事務の名称: one answer per assessment
    pos = item_table("juten").index[name]
    expected = {}
    for f in content.glob("m*/a*.yaml"):
        expected[f"{urls.assessment_page(f.parent.name, f.stem)}#{name}"] = _scalar(_yaml(f), "basic_info", "jimu", "name")
    hits = IndexReader.from_dir(out).item("juten", pos)
    assert [h.url for h in hits] == sorted(expected)  # each answer once, at its anchor, in site order
    assert all(h.text == expected[h.url] for h in hits)
    # per prefecture: as many as the page's 記載あり column says
    page = _page(out / urls.compare_page("juten", name))
    filled = {row[0][1]: int(row[3][1]) for row in page.tables[1]["rows"] if row[0][2] == "row"}
    assert sum(filled.values()) == 1000
    reader = IndexReader.from_dir(out)
    for pref, n in filled.items():
        assert len(reader.item("juten", pos, {"prefecture": pref})) == n, pref
    # the first page, as the compare page asks for it: 20 answers within the page's budget
    cold = IndexReader.from_dir(out)
    first = cold.item("juten", pos, limit=20, budget=PAGE_BYTES)
    assert [h.url for h in first] == sorted(expected)[:20] and first.more
    assert cold.bytes_fetched <= PAGE_BYTES


# -- the sample site ---------------------------------------------------------------------------------------

def test_every_item_links_to_its_compare_page_and_that_page_back_to_the_answer(sample_build):
    page_path = urls.assessment_page("koshigaya", "keijidosha-fuka")
    page = _page(sample_build / page_path)
    compare_links = sorted({h for h in page.links if "compare/" in h})
    table = item_table("juten")
    # one compare page per item the assessment has, and each exists
    targets = {urljoin(page_path, h) for h in compare_links}
    assert urls.compare_page("juten", SUBJECTS) in targets
    assert all((sample_build / t).is_file() for t in targets)
    assert {t.split("/")[2] for t in targets} <= {it.id for it in table.items}
    # the item's prefecture page links back to the item's anchor on the assessment page
    back = _page(sample_build / urls.compare_prefecture_page("juten", SUBJECTS, "11"))
    answers = [urljoin(urls.compare_prefecture_page("juten", SUBJECTS, "11"), h) for h in back.links if "#" in h and not h.startswith("#")]
    assert answers == [f"{page_path}#{SUBJECTS}"]
    assert SUBJECTS in page.ids


def test_compare_pages_are_static_accessible_tables(sample_build):
    page = _page(sample_build / urls.compare_page("zenkoumoku", SUBJECTS))
    counts, prefectures = page.tables
    assert counts["caption"].startswith("選択肢ごとの件数") and prefectures["caption"].startswith("都道府県ごとの件数")
    header = counts["rows"][0]
    assert all(kind == "th" and scope == "col" for kind, _, scope in header)
    assert all(row[0][0] == "th" and row[0][2] == "row" for row in counts["rows"][1:])
    html = (sample_build / urls.compare_page("zenkoumoku", SUBJECTS)).read_text(encoding="utf-8")
    assert "<noscript" not in html and " hidden" not in html  # nothing waits for a script
    index = _page(sample_build / urls.compare_index())
    assert any(h.endswith(f"zenkoumoku/{SUBJECTS}/index.html") for h in index.links)


def test_an_item_written_in_words_is_counted_and_points_to_the_search_page(sample_build):
    path = urls.compare_page("juten", "basic_info.jimu.name")
    page = _page(sample_build / path)
    assert _counts(page.tables[0])["記載あり"][0] == 1
    search = [h for h in page.links if "search/index.html?" in h]
    assert len(search) == 1 and "match=form" in search[0]
    assert not list((sample_build / path).parent.glob("*/index.html"))  # no per-prefecture copies of the texts


# -- records, tallies, pages -----------------------------------------------------------------------------

def _record(i: int, answer: str, pref: str = "13") -> CompareRecord:
    table = item_table("juten")
    n = table.index[SUBJECTS]
    k = table.items[n].keys.index(answer)
    return CompareRecord(f"m{i:04d}", f"市{i}", "東京都", f"{pref}{i:04d}", "a", f"題{i}", "juten", "令和6年10月",
                         f"{n} {k} {SUBJECTS}")


def test_a_prefecture_list_is_paged_into_page_size_pages_in_code_order():
    records = [_record(i, "1,000人未満") for i in range(2 * PAGE_SIZE + 1)]
    random.Random(1).shuffle(records)
    pages = [p for p in compare_pages(tally(records)) if p.prefecture == "13" and p.item == item_table("juten").index[SUBJECTS]]
    assert [p.number for p in pages] == [1, 2, 3]
    assert [p.path for p in pages] == [urls.compare_prefecture_page("juten", SUBJECTS, "13", n) for n in (1, 2, 3)]
    assert [len(p.municipalities) for p in pages] == [PAGE_SIZE, PAGE_SIZE, 1]
    assert sorted(pages[0].municipalities) == [f"m{i:04d}" for i in range(PAGE_SIZE)]


def test_the_record_of_the_sample_assessment_holds_its_choices(site):
    a = next(x for x in site.assessments if x.form.kind == "juten")
    m = next(x for x in site.municipalities if x.slug == a.municipality)
    rec = compare_record(a, m)
    table = item_table("juten")
    line = next(x for x in rec.answers.split("\n") if x.startswith(f"{table.index[SUBJECTS]} "))
    assert table.items[table.index[SUBJECTS]].keys[int(line.split()[1])] == a.parts["basic_info"]["jimu"]["subjects"]


def test_compare_is_a_reserved_first_segment():
    assert "compare" in urls.RESERVED_TOP


def test_the_spots_of_records_read_with_one_memo_are_those_read_alone(site):
    from pia_site.compare.record import spots

    by_slug = {m.slug: m for m in site.municipalities}
    records = [compare_record(a, by_slug[a.municipality]) for a in site.assessments]
    records += records  # the second reading of each line comes from the memo
    memo: dict = {}
    assert [list(spots(r, memo=memo)) for r in records] == [list(spots(r)) for r in records]
    assert memo and list(spots(records[0], "")) == []


def test_relative_urls_are_posixpath_relpath():
    from posixpath import relpath

    parts = ["compare", "juten", "a.b", "13", "2", "index.html", "m0001", "", ".", "..", "x y"]
    rng = random.Random(7)
    for _ in range(20_000):
        here = "/".join(rng.choice(parts) for _ in range(rng.randint(1, 6)))
        to = "/".join(rng.choice(parts) for _ in range(rng.randint(1, 6)))
        start = here.rsplit("/", 1)[0] if "/" in here else "."
        try:
            expected = relpath(to, start)
        except ValueError:  # an empty path
            with pytest.raises(ValueError):
                urls.relative(here, to)
            continue
        assert urls.relative(here, to) == expected, (here, to)
    assert urls.relative("compare/juten/x/13/index.html", "m0001/a/index.html") == "../../../../m0001/a/index.html"
    assert urls.relative("index.html", "compare/index.html") == "compare/index.html"
    assert urls.relative("compare/index.html", "compare/juten/x/index.html") == "juten/x/index.html"
    assert urls.relative("compare/juten/x/13/2/index.html", "compare/juten/x/13/index.html") == "../index.html"
    assert urls.relative("a/index.html", "a") == "."
