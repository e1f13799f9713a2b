"""The streaming index builder (pia_site/search/builder.py): spilled runs merge to the bytes
of an in-memory build, the output is deterministic and packed into a few files, and the
form's own text, indexed once per edition, leads to the item in every document on it."""
from __future__ import annotations

import random

import pytest

from pia_site.catalog import find_form
from pia_site.search import IndexBuilder, IndexMeta, build_search_index
from pia_site.search.client import ANSWER, FORM, IndexReader
from pia_site.search.formtext import form_units, resolve
from pia_site.search.index import PREFIX, index_docs
from pia_site.search.pack import table_entries
from pia_site.search.normalise import SEPARATOR, normalise_query, normalise_text
from pia_site.search.update import update_index

RISK = "リスク2：権限のない者(元職員、アクセス権限のない職員等)によって不正に使用されるリスク"


@pytest.fixture(scope="module")
def files(site):
    return build_search_index(site)


def test_spilled_runs_merge_to_the_in_memory_bytes(site, docs, files):
    """Tiny buffers (a run per chunk or so, many merge ranges) give the very same files."""
    spilled = index_docs(site, docs, spill_pairs=500, range_pairs=700)
    assert spilled == files


def test_streaming_api_equals_the_site_wrapper(site, docs, files, tmp_path):
    b = IndexBuilder(IndexMeta.from_site(site), tmp_path / "spill")
    for d in docs:
        b.add(d)
    out = list(b.finish())
    assert dict(out) == files
    assert len(out) == len(dict(out))
    assert list((tmp_path / "spill").iterdir()) == []  # the spill files are gone
    with pytest.raises(RuntimeError):
        list(b.finish())


def test_output_is_deterministic(site, docs, files):
    assert build_search_index(site) == files
    assert index_docs(site, list(docs)) == files


def test_small_packs_keep_every_result(site, docs, files):
    small = index_docs(site, docs, pack_bytes=20_000, table_page=8)
    packs = [p for p in small if p.startswith(f"{PREFIX}p/")]
    assert len(packs) > 10
    table = table_entries(small[f"{PREFIX}blobs.idx"], 8)
    per_pack: dict[int, int] = {}
    for n, _off, size in table:
        if size:
            per_pack[n] = per_pack.get(n, 0) + 1
    assert sorted(per_pack) == list(range(len(packs)))
    # packs are cut between pages of the table: over the limit only when a page alone is
    pages = [table[i:i + 8] for i in range(0, len(table), 8)]
    assert all(len({e[0] for e in pg}) == 1 for pg in pages)
    biggest = max(sum(e[2] for e in pg) for pg in pages)
    assert all(len(small[f"{PREFIX}p/{n}.bin"]) <= max(20_000, biggest) for n in per_pack)
    for q in ("委託先", "評価書番号", RISK[:12], "個人情報"):
        assert [h.url for h in IndexReader.from_files(small).search(q)] == [h.url for h in IndexReader.from_files(files).search(q)]


def test_a_handful_of_files_whatever_the_number_of_documents(site, docs):
    from dataclasses import replace

    many = [replace(docs[i % len(docs)], url=f"x{i}/index.html") for i in range(12)]
    assert len(index_docs(site, many)) == 4  # meta.z, docs.z, blobs.idx, one pack


def test_form_text_is_indexed_once_per_edition(site, docs):
    """Twice the documents on the same editions: the form chunks stay as they are."""
    from dataclasses import replace

    one = IndexReader.from_files(index_docs(site, docs)).meta()
    twice = IndexReader.from_files(index_docs(site, list(docs) + [replace(d, url="y/" + d.url) for d in docs])).meta()
    assert one["formChunks"] == twice["formChunks"] > 0
    assert [e[:3] for e in one["editions"]] == [e[:3] for e in twice["editions"]]
    assert twice["chunks"] == 2 * one["chunks"]


def test_a_label_query_finds_the_item_in_every_document_on_the_edition(docs, files, sample_build):
    reader = IndexReader.from_files(files)
    hits = reader.search(RISK, {"match": FORM})
    assert {h.url.split("#")[0] for h in hits} == {d.url for d in docs}
    for h in hits:
        assert h.match == FORM and h.title == RISK
        page, anchor = h.url.split("#")
        html = (sample_build / page).read_text("utf-8")
        assert f'id="{anchor}"' in html
        assert RISK in html[html.index(f'id="{anchor}"'):][:2000]
    # an option text and a label of one edition only
    for d in docs:
        form = find_form(*d.edition.split("/", 1))
        label = next(u for u in form_units(form) if u.anchor.endswith(".number"))
        urls = [h.url for h in reader.search(label.text, {"match": FORM})]
        assert f"{d.url}#{resolve(label.anchor, d.parts, d.ids)}" in urls


def test_a_slot_header_of_a_repeated_group_is_found_at_its_group(docs, files, sample_build):
    """The headers the form prints between a repeated group's slots (委託事項2～5 …) are form
    wording like its labels: a query for one finds, in every document printing it, the group
    whose box holds it."""
    import re

    reader = IndexReader.from_files(files)
    printed = {d.url: re.findall(r'<p class="bucket">([^<]+)</p>', (sample_build / d.url).read_text("utf-8")) for d in docs}
    headers = sorted({h for hs in printed.values() for h in hs})
    assert len(headers) >= 4  # the sample prints several (システム2～5, 委託事項6～10, …)
    for header in headers:
        hits = [h for h in reader.search(header, {"match": FORM}) if h.title == header]
        pages = {h.url.split("#")[0] for h in hits}
        assert pages == {u for u, hs in printed.items() if header in hs}, header
        for h in hits:
            page, anchor = h.url.split("#")
            assert f'<p class="bucket">{header}</p>' in _section(sample_build / page, anchor), (header, anchor)


def _section(page, anchor: str) -> str:
    """The HTML of the <section> whose id is ``anchor`` on ``page``, nested sections included."""
    import re

    html = page.read_text("utf-8")
    start = html.rindex("<section", 0, html.index(f'id="{anchor}"'))
    depth = 0
    for m in re.finditer(r"<(/?)section\b", html[start:]):
        depth += -1 if m[1] else 1
        if depth == 0:
            return html[start:start + m.end()]
    raise AssertionError(f"unclosed section {anchor}")


def test_match_filter_splits_form_wording_from_answers(files):
    reader = IndexReader.from_files(files)
    for q in ("委託", "アクセス権限", "評価"):
        every = reader.search(q)
        form = reader.search(q, {"match": FORM})
        answer = reader.search(q, {"match": ANSWER})
        assert form and answer
        assert all(h.match == FORM for h in form) and all(h.match == ANSWER for h in answer)
        assert [h.url for h in every] == [h.url for h in answer] + [h.url for h in form]


def test_substrings_of_the_form_text_are_found(docs, files):
    reader = IndexReader.from_files(files)
    rnd = random.Random(3)
    texts = [u.text for ed in sorted({d.edition for d in docs}) for u in form_units(find_form(*ed.split("/", 1)))]
    for _ in range(120):
        t = rnd.choice(texts)
        piece = rnd.choice(t.split(SEPARATOR))
        if len(piece) < 2:
            continue
        i = rnd.randrange(len(piece) - 1)
        q = piece[i:i + rnd.randint(2, 12)]
        nq = normalise_query(q)
        if not nq:
            continue
        hits = reader.search(q)
        assert any(h.match == FORM for h in hits), q
        assert all(nq in normalise_text(h.text) for h in hits), q


def test_change_log_rows_are_searchable(docs, files):
    reader = IndexReader.from_files(files)
    rows = [(d, u) for d in docs for u in d.units if u.anchor.startswith("changes.")]
    assert rows
    for d, u in rows[:: max(1, len(rows) // 10)]:
        q = u.text.split(SEPARATOR)[0][:15]
        assert f"{d.url}#{u.anchor}" in [h.url for h in reader.search(q)], q


def test_the_preview_rebuilds_instead_of_patching(site, docs, files):
    assert update_index(site, None, docs, docs, [0], lambda p: None) is None


def test_a_run_is_bisected_like_searchsorted(tmp_path):
    """The merge finds a range's bounds in a run on disk by bisection (no copy of the column, no
    mapping), and reads the rows between them."""
    import numpy as np

    from pia_site.search.spill import PAIR, _Run

    rnd = np.random.default_rng(7)
    run = np.zeros(5000, PAIR)
    run["s"] = np.sort(rnd.integers(0, 1 << 40, 5000, dtype=np.uint64) // 1000 * 1000)  # repeats too
    run["k"] = rnd.integers(0, 1 << 60, 5000, dtype=np.uint64)
    run["c"] = np.arange(5000, dtype=np.uint32)
    np.save(tmp_path / "run.npy", run)
    on_disk = _Run(tmp_path / "run.npy")
    assert on_disk.rows == 5000
    probes = [0, 1, int(run["s"][0]), int(run["s"][-1]), int(run["s"][-1]) + 1, 1 << 63] + \
        [int(x) for x in run["s"][::97]] + [int(x) + 1 for x in run["s"][::89]]
    for v in probes:
        assert on_disk.first_at_least(v) == int(np.searchsorted(run["s"], np.uint64(v), side="left")), v
    assert (on_disk.read(123, 4567) == run[123:4567]).all()
    on_disk.close()
