"""Search index (pia_site/search): normalisation, grams, shards, determinism, and
recall = precision = 1.0 of the client's query algorithm (its pure-Python
reference, pia_site.search.client) against a brute-force scan of the units."""
from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from pia_site.search import build_search_index
from pia_site.search.client import BATCH, MAX_BATCH, PAGE_BYTES, IndexReader, affordable, batch_size, parse_shard
from pia_site.search.grams import MAX_QUERY, fnv1a, query_grams, text_grams
from pia_site.search.index import PREFIX, encode_entry, encode_postings, index_docs, shard_of, varint
from pia_site.search.normalise import SEPARATOR, normalise_query, normalise_text
from pia_site.search.pack import PAGE_HEAD, TABLE, TABLE_PAGE, page_size, table_entries
from pia_site.catalog import find_form
from pia_site.search.formtext import form_units, resolve
from pia_site.search.units import html_text

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def files(site):
    return build_search_index(site)


# --- normalisation ------------------------------------------------------------------------


@pytest.mark.parametrize("a, b", [
    ("ＩＣカード", "ICカード"),
    ("ＩＣカード", "icカード"),
    ("サーバー", "サーバ"),
    ("ｻｰﾊﾞｰ", "サーバ"),
    ("ｶﾞｲﾄﾞ", "ガイド"),
    ("コンピューター", "コンピュータ"),
    ("個人 情報", "個人情報"),
    ("個人\u3000情報", "個人情報"),
    ("①入手元", "1入手元"),
    ("ＡＢＣ１２３", "abc123"),
    ("Ａ－Ｂ", "a‐b"),
    ("1〜3", "1～3"),
])
def test_normalisation_folds(a, b):
    assert normalise_query(a) == normalise_query(b)


@pytest.mark.parametrize("a, b", [("ひらがな", "ヒラガナ"), ("高", "髙"), ("サーバ", "サーブ")])
def test_normalisation_keeps_apart(a, b):
    assert normalise_query(a) != normalise_query(b)


def test_normalisation_separator_only_in_text_mode():
    assert normalise_text("a b\nc") == "ab\nc"
    assert normalise_query("a b\nc") == "abc"
    assert SEPARATOR not in normalise_query("x\ny")


def test_normalised_substring_stays_substring(docs):
    """The folds are context-free: a substring of a text normalises to a substring of its normalisation."""
    rnd = random.Random(7)
    texts = [u.text for d in docs for u in d.units]
    for _ in range(2000):
        t = rnd.choice(texts)
        i = rnd.randrange(len(t))
        q = t[i:i + rnd.randint(1, 12)]
        if SEPARATOR in q:
            continue
        assert normalise_query(q) in normalise_text(t), (q, t)


def test_html_text_strips_tags_and_unescapes():
    assert html_text("<p>a&lt;b&gt;</p> <ul><li>x</li><li>y</li></ul>") == "a<b> x y"


# --- grams and shards ---------------------------------------------------------------------


def test_grams():
    assert text_grams("abcd") == {"a", "b", "c", "d", "ab", "bc", "cd", "abc", "bcd"}
    assert text_grams("ab\ncd") == {"a", "b", "c", "d", "ab", "cd"}
    assert query_grams("") == []
    assert query_grams("個") == ["個"]
    assert query_grams("個人") == ["個人"]
    assert query_grams("個人情") == ["個人情"]
    assert query_grams("個人情報") == ["人情報", "個人情"]
    assert query_grams("ああああ") == ["あああ"]
    assert len(query_grams("あいうえおか" * 20)) == 6
    assert all(len(g) == 3 for g in query_grams("x" * (MAX_QUERY + 50) + "y"))


def test_query_grams_are_keys_of_any_text_containing_the_query(docs):
    rnd = random.Random(9)
    texts = [normalise_text(u.text) for d in docs for u in d.units]
    for _ in range(1500):
        t = rnd.choice(texts)
        piece = rnd.choice(t.split(SEPARATOR))
        if not piece:
            continue
        i = rnd.randrange(len(piece))
        q = piece[i:i + rnd.randint(1, 14)]
        qg = query_grams(q)
        assert qg and set(qg) <= text_grams(t), (q, qg)


def test_fnv1a_vectors():
    # Standard 32-bit FNV-1a test vectors (ASCII: code points = bytes).
    assert fnv1a("") == 0x811C9DC5
    assert fnv1a("a") == 0xE40C292C
    assert fnv1a("foobar") == 0xBF9CF968
    assert shard_of("a", 16) == 0xE40C292C % 16


def test_postings_roundtrip_both_encodings():
    for ids in ([0], [5, 6, 900], list(range(0, 4000, 3)), list(range(100, 200)), [7, 8, 9, 10, 11, 12, 13, 14, 15, 16]):
        buf = bytearray()
        varint(1, buf)
        g = "ab".encode()
        varint(len(g), buf)
        buf += g
        encode_postings(ids, buf)
        assert parse_shard(bytes(buf)) == {"ab": ids}
    buf = bytearray()
    varint(2, buf)
    buf += encode_entry("ab", [1, 2]) + encode_entry("個人情", [3, 9, 4000])
    assert parse_shard(bytes(buf)) == {"ab": [1, 2], "個人情": [3, 9, 4000]}


def test_query_downloads_only_its_shards(files):
    reader = IndexReader.from_files(files)
    shards = reader.meta()["shards"]
    assert shards > 1
    reader.search("委託先")
    got = {p for p, _n in reader.fetched if p.startswith("g/")}
    assert got == {f"g/{shard_of(g, shards)}" for g in reader.query_grams(normalise_query("委託先"))}
    assert all(p in ("meta.z", "docs.z") or p.startswith(("g/", "t/", "d/")) for p, _n in reader.fetched)


def test_index_files_layout(files):
    """A fixed handful of files: meta.z, docs.z, the blob table and the packs (concatenated zlib
    streams in blob-id order: the table's lengths place every blob, back to back)."""
    assert set(files) == {f"{PREFIX}meta.z", f"{PREFIX}docs.z", f"{PREFIX}blobs.idx", f"{PREFIX}p/0.bin"}
    meta = json.loads(zlib.decompress(files[f"{PREFIX}meta.z"]))
    zlib.decompress(files[f"{PREFIX}docs.z"])
    table = files[f"{PREFIX}blobs.idx"]
    n_blobs = meta["blobs"][3] + -(-meta["docs"] // meta["docPage"])
    assert meta["tablePage"] == TABLE_PAGE and len(table) == PAGE_HEAD.size + 3 * n_blobs  # one page
    pack = files[f"{PREFIX}p/0.bin"]
    at = 0
    for p, off, n in table_entries(table):
        assert (p, off) == (0, at)
        if n:
            zlib.decompress(pack[off:off + n])
        at += n
    assert at == len(pack)


# --- recall and precision -----------------------------------------------------------------


def brute_force(docs, q: str, match: str | None = None) -> list[str]:
    """Every unit whose normalised text contains the normalised query, in index order: the
    answers in site order (several units of the 取り込み時に配置できなかった記載 share one
    anchor), then each form unit of each edition (editions by id) in every document on it."""
    nq = normalise_query(q)
    if not nq:
        return []
    answers = [f"{d.url}#{u.anchor}" for d in docs for u in d.units if nq in normalise_text(u.text)]
    forms = []
    for ed in sorted({d.edition for d in docs}):
        form = find_form(*ed.split("/", 1))
        for u in form_units(form):
            if nq in normalise_text(u.text):
                for d in docs:
                    anchor = resolve(u.anchor, d.parts, d.ids) if d.edition == ed else None
                    if anchor is not None:
                        forms.append(f"{d.url}#{anchor}")
    return {None: answers + forms, "answer": answers, "form": forms}[match]


def substring_queries(docs, n: int, lengths=range(1, 11), seed: int = 5) -> list[str]:
    rnd = random.Random(seed)
    texts = [u.text for d in docs for u in d.units if len(u.text) >= 1]
    out = []
    while len(out) < n:
        t = rnd.choice(texts)
        k = rnd.choice(list(lengths))
        if len(t) < k:
            continue
        i = rnd.randrange(len(t) - k + 1)
        q = t[i:i + k]
        if SEPARATOR in q or not normalise_query(q):
            continue
        out.append(q)
    return out


def test_units_have_unique_anchors(docs):
    for d in docs:
        anchors = [u.anchor for u in d.units if u.anchor != "unplaced"]
        assert len(anchors) == len(set(anchors)), d.url


def test_unit_anchors_exist_on_pages(docs, sample_build):
    for d in docs:
        page = (sample_build / d.url).read_text("utf-8")
        for u in d.units:
            assert f'id="{u.anchor}"' in page, (d.url, u.anchor)


def test_recall_and_precision_on_substring_queries(docs, files):
    reader = IndexReader.from_files(files)
    queries = substring_queries(docs, 400) + ["個人情報", "委託先", "サーバ", "サーバー", "ＩＣカード", "税", "の", "ー"]
    for q in queries:
        truth = brute_force(docs, q)
        got = [h.url for h in reader.search(q)]
        assert got == truth, q
        assert truth or q in ("ー",), q  # taken from the text, so found (ー alone normalises to nothing)


def test_known_queries(docs, files):
    reader = IndexReader.from_files(files)
    for q in ("個人情報", "委託先", "サーバ", "ＩＣカード"):
        assert reader.search(q), q
    assert {h.url for h in reader.search("サーバ")} == {h.url for h in reader.search("サーバー")}
    assert {h.url for h in reader.search("ＩＣカード")} == {h.url for h in reader.search("icカード")}


def test_limit_returns_the_first_results_in_order(files):
    reader = IndexReader.from_files(files)
    full = reader.search("個人情報")
    assert [h.url for h in IndexReader.from_files(files).search("個人情報", limit=7)] == [h.url for h in full[:7]]


def test_filters(docs, files, site):
    reader = IndexReader.from_files(files)
    all_hits = reader.search("情報")
    by_url = {d.url: d for d in docs}
    for d_index, d in enumerate(docs):
        muni = d.municipality
        hits = reader.search("情報", {"municipality": muni})
        assert {h.url for h in hits} == {h.url for h in all_hits if h.url.startswith(muni + "/")}
        form = d.form
        assert {h.url for h in reader.search("情報", {"form": form[:3]})} == {
            h.url for h in all_hits if by_url[h.page].form == form}
    assert reader.search("情報", {"from": "2100-01-01"}) == []
    assert reader.search("情報", {"jimu": "存在しない事務"}) == []
    assert "docs.z" in {p for p, _n in reader.fetched}


def test_meta_read_by_every_query_does_not_grow_with_the_assessments(site, docs):
    """meta.z is read by every query; the per-assessment columns are in docs.z, read only with filters."""
    many = [replace(docs[i % len(docs)], url=f"x{i}/", jimu=f"事務{i}") for i in range(40)]
    small, large = index_docs(site, list(docs)), index_docs(site, many)
    assert abs(len(large[f"{PREFIX}meta.z"]) - len(small[f"{PREFIX}meta.z"])) < 16
    assert len(large[f"{PREFIX}docs.z"]) > 1.5 * len(small[f"{PREFIX}docs.z"])  # grows with them instead
    reader = IndexReader.from_files(large)
    assert reader.search("委託先", limit=5)
    assert "docs.z" not in {p for p, _n in reader.fetched}


def test_small_chunks_and_many_shards_keep_recall(site, docs):
    files = index_docs(site, docs, chunk_chars=300, shard_bytes=512)
    reader = IndexReader.from_files(files)
    assert reader.meta()["shards"] >= 64
    for q in substring_queries(docs, 150, seed=11):
        assert [h.url for h in reader.search(q)] == brute_force(docs, q), q


# --- determinism --------------------------------------------------------------------------


def _build(out: Path, seed: str, tz: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONHASHSEED=seed, TZ=tz)
    subprocess.run([sys.executable, "-m", "pia_site", "build", "--content", str(REPO / "content"), "--out", str(out)],
                   check=True, env=env, cwd=REPO, capture_output=True)
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def test_build_is_byte_identical_across_hash_seeds(tmp_path):
    a = _build(tmp_path / "a", "1", "UTC")
    b = _build(tmp_path / "b", "4242", "Asia/Tokyo")
    assert any(k.startswith(PREFIX) for k in a)
    assert a == b


# --- the bytes budget of a page of results ----------------------------------------------------


def test_a_page_stops_at_its_bytes_budget_and_more_pages_lose_nothing(files):
    """A small budget cuts the first page short (fewer than ``limit`` results, ``more``), and
    paging on with ``offset`` on the same reader (files already fetched cost nothing) yields
    exactly the complete result list, each call making progress."""
    q = "情報"
    LIMIT = 200  # more than the hits of the first batch of chunks (BATCH of them), whichever document the index holds first
    full = [h.url for h in IndexReader.from_files(files).search(q)]
    assert len(full) > 2 * LIMIT
    reader = IndexReader.from_files(files)
    budget = 9_000
    got: list[str] = []
    pages = 0
    while True:
        before_chunks = {p for p, _n in reader.fetched if p.startswith("t/")}
        before = reader.bytes_fetched
        res = reader.search(q, limit=LIMIT, offset=len(got), budget=budget)
        pages += 1
        new_chunks = {p for p, _n in reader.fetched if p.startswith("t/")} - before_chunks
        assert len(res) <= LIMIT
        if res.more:
            assert res or new_chunks, "a call makes progress: results, or chunks it had not fetched"
        if res.budget_hit:
            assert len(res) < LIMIT and res.more and res.checked < res.candidates
            # it stopped before a batch the budget could not pay for: one batch more at most
            assert reader.bytes_fetched - before <= budget + MAX_BATCH * max(n for p, n in reader.fetched if p.startswith("t/"))
        got += [h.url for h in res]
        if not res.more:
            break
        assert pages < 500
    assert got == full
    first = IndexReader.from_files(files).search(q, limit=LIMIT, budget=budget)
    assert first.budget_hit and len(first) < LIMIT, "the budget was meant to cut the first page"
    unbounded = IndexReader.from_files(files).search(q, limit=LIMIT)
    assert not unbounded.budget_hit and [h.url for h in unbounded] == full[:LIMIT]


def test_a_budget_large_enough_changes_nothing(files):
    for q in ("委託先", "サーバ", "個人情報"):
        a = IndexReader.from_files(files).search(q, limit=20)
        b = IndexReader.from_files(files).search(q, limit=20, budget=PAGE_BYTES)
        assert [h.url for h in a] == [h.url for h in b] and not b.budget_hit
        assert (a.more, a.checked, a.candidates) == (b.more, b.checked, b.candidates)
        assert b.checked <= b.candidates


def test_the_client_accepts_the_format_the_builder_writes():
    """search.js refuses an index of another format; it must name the one the builder writes."""
    import re

    from pia_site.search.builder import FORMAT

    js = (Path(__file__).resolve().parents[1] / "assets" / "search.js").read_text(encoding="utf-8")
    assert re.findall(r"m\.format !== (\d+)", js) == [str(FORMAT)]


# --- reading blobs ------------------------------------------------------------------------------


def test_the_table_is_read_a_page_at_a_time_and_paid_for_once(site, docs, files, repo_root):
    """A blob's place comes with its page of the table (``tablePage`` blobs), read once and paid
    for by the first blob that needs it; a blob on a page read before costs only its own bytes.
    (Pages of 8 blobs here, so that the sample's table has several; the same search results.)"""
    import re

    js = (repo_root / "assets" / "search.js").read_text("utf-8")
    assert "var size = 8 + 3 * per;" in js and PAGE_HEAD.size == 8  # search.js reads pages as the reference does
    PAGE = 8
    small = index_docs(site, docs, table_page=PAGE)
    assert json.loads(zlib.decompress(small[f"{PREFIX}meta.z"]))["tablePage"] == PAGE
    assert {p: b for p, b in small.items() if "/p/" in p} == {p: b for p, b in files.items() if "/p/" in p}
    table = small[f"{PREFIX}{TABLE}"]
    entries = table_entries(table, PAGE)
    assert entries == table_entries(files[f"{PREFIX}{TABLE}"])  # the same places, in smaller pages
    reads: list[tuple[str, int | None, int | None]] = []

    def read(path, a, b):
        reads.append((path, a, b))
        return small[PREFIX + path][a:b]

    reader = IndexReader(read)
    n_blobs = len(entries)
    assert n_blobs > PAGE  # the sample index has more than one page
    first, second, other = 0, PAGE - 1, PAGE
    reader.blob("a", first)
    reader.blob("b", second)
    reader.blob("c", other)
    page = page_size(PAGE)
    assert [r for r in reads if r[0] == TABLE] == [(TABLE, 0, page), (TABLE, page, 2 * page)]
    assert reader.fetched == [("meta.z", len(small[f"{PREFIX}meta.z"])),  # it says how many blobs a page places
                              ("a", page + entries[first][2]), ("b", entries[second][2]),
                              ("c", min(page, len(table) - page) + entries[other][2])]
    # the last page is shorter than PAGE entries: an id past the table is no blob
    last = IndexReader.from_files(small)
    assert last.blob("x", n_blobs) is None and last.blob("y", n_blobs - 1) is not None
    for q in ("委託先", "個人情報", "評価書番号"):
        assert ([h.url for h in IndexReader.from_files(small).search(q)]
                == [h.url for h in IndexReader.from_files(files).search(q)])
    assert re.search(r"m\.tablePage", js)


def test_a_batch_is_as_large_as_the_hits_per_chunk_say_the_page_needs():
    assert batch_size(20, 0, 0) == BATCH and batch_size(3, 0, 0) == 3
    assert batch_size(14, 6, 6) == 14  # one hit per chunk so far, 14 still needed
    assert batch_size(10, 10, 5) == 5  # two per chunk
    assert batch_size(19, 1, 6) == MAX_BATCH  # few hits: as many as allowed
    assert batch_size(5, 0, 6) == MAX_BATCH  # none yet
    assert batch_size(1, 40, 6) == 1


def test_a_check_item_whose_states_were_lost_is_found_by_what_its_page_says(site, docs, files, sample_build):
    """A check item imported without its boxes' states prints （チェックの状態は記載されていません）:
    the search finds that text at each such item, as it finds everything else the page prints."""
    from pia_site.views.assessment import UNKNOWN_CHECKS

    units = [(d.url, u) for d in docs for u in d.units if UNKNOWN_CHECKS in u.text]
    assert len(units) >= 2  # the sample has imported check items whose states were lost
    for url, unit in units:
        page = (sample_build / url).read_text("utf-8")
        row = page[page.index(f'id="{unit.anchor}"'):]
        assert row.index(UNKNOWN_CHECKS) < row.index("</tr>"), unit.anchor
    printed = sum(p.read_text("utf-8").count(UNKNOWN_CHECKS) for p in sample_build.rglob("*.html"))
    assert printed == len(units)  # every note the site prints is in a unit
    hits = IndexReader.from_files(files).search("チェックの状態は記載されて")
    assert sorted(h.url for h in hits) == sorted(f"{url}#{u.anchor}" for url, u in units)


def test_the_grams_of_a_shard_are_read_without_its_postings(files):
    """The guard reads a shard's grams (``shard_grams``) without decoding the postings: the same
    grams as ``parse_shard`` on every shard of the sample, and ``ValueError`` for what is not
    one (a chunk, a cut shard, a shard with bytes after its end)."""
    from pia_site.search.postings import shard_grams

    shards = chunks = 0
    for pack, off, n in table_entries(files[f"{PREFIX}{TABLE}"]):
        if not n:
            continue
        raw = zlib.decompress(files[f"{PREFIX}p/{pack}.bin"][off:off + n])
        try:
            grams = list(parse_shard(raw))
        except Exception:  # a chunk or a document page (JSON)
            with pytest.raises(ValueError):
                shard_grams(raw)
            chunks += 1
            continue
        assert shard_grams(raw) == grams
        shards += 1
        if len(raw) > 8:
            with pytest.raises(ValueError):
                shard_grams(raw[:-3])
            with pytest.raises(ValueError):
                shard_grams(raw + b"\x00")
    assert shards > 10 and chunks > 10


def test_a_batch_is_cut_to_what_the_bytes_left_pay_for():
    """Chunks fetched before cost nothing; the others cost the mean so far; the longest start of
    the batch that fits is fetched, none if not even its first chunk does."""
    assert affordable(10_000, 3_000, [1, 2, 3, 4], [1, 2, 3, 4]) == 3
    assert affordable(10_000, 3_000, [1, 2, 3, 4], [2, 4]) == 4  # 1 and 3 were fetched before
    assert affordable(2_000, 3_000, [1, 2], [1, 2]) == 0
    assert affordable(2_000, 3_000, [1, 2, 3], [2, 3]) == 1  # the first is paid for already
