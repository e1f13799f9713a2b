"""Patching the search index for changed documents gives the bytes of a full build."""
from __future__ import annotations

import random
from dataclasses import replace

from pia_site.search.index import PREFIX, build_index
from pia_site.search.update import update_index

SMALL = {"chunk_chars": 300, "shard_bytes": 512}  # many chunks and shards from the sample


def edit_text(rnd: random.Random, text: str) -> str:
    """A small edit of the kind an author makes: replace, insert or delete a few characters."""
    i = rnd.randrange(len(text) + 1)
    kind = rnd.choice(["replace", "insert", "delete"])
    word = rnd.choice(["委託先", "サーバー", "個人情報", "X", "（略）", "番号"])
    if kind == "replace" and text:
        return text[:i] + word + text[i + len(word):]
    if kind == "insert":
        return text[:i] + word + text[i:]
    return text[:i] + text[i + rnd.randint(1, 4):]


def edit_doc(rnd: random.Random, doc, edits: int):
    units = list(doc.units)
    for _ in range(edits):
        k = rnd.randrange(len(units))
        units[k] = replace(units[k], text=edit_text(rnd, units[k].text))
    return replace(doc, units=tuple(units))


def apply(files: dict[str, bytes], upd) -> dict[str, bytes]:
    out = dict(files)
    out.update(upd.files)
    for p in upd.removed:
        del out[p]
    return out


def test_patched_index_is_byte_identical_to_a_full_build(site, docs):
    rnd = random.Random(20261123)
    cur_docs = list(docs)
    cur = build_index(site, cur_docs, **SMALL)
    files = dict(cur.files)
    patched = fallbacks = 0
    for _step in range(30):
        d = rnd.randrange(len(cur_docs))
        new_docs = list(cur_docs)
        new_docs[d] = edit_doc(rnd, cur_docs[d], rnd.randint(1, 3))
        full = build_index(site, new_docs, **SMALL)
        upd = update_index(site, cur.state, cur_docs, new_docs, [d], lambda p: files.get(p))
        if upd is None:
            fallbacks += 1
            files = dict(full.files)
        else:
            patched += 1
            files = apply(files, upd)
            assert files == full.files
            assert upd.state == full.state
        cur, cur_docs = full, new_docs
    assert patched >= 15, (patched, fallbacks)  # most small edits keep every chunk id


def test_removing_the_last_chunk_of_a_gram_drops_it(site, docs):
    cur = build_index(site, list(docs), **SMALL)
    doc = docs[0]
    marker = "鬱鬱鬱"  # in no sample text
    units = list(doc.units)
    units[0] = replace(units[0], text=units[0].text + marker)
    with_marker = [replace(doc, units=tuple(units))] + list(docs[1:])
    upd = update_index(site, cur.state, list(docs), with_marker, [0], lambda p: cur.files.get(p))
    assert upd is not None
    files = apply(cur.files, upd)
    assert files == build_index(site, with_marker, **SMALL).files
    back = update_index(site, upd.state, with_marker, list(docs), [0], lambda p: files.get(p))
    assert back is not None
    assert apply(files, back) == cur.files


def test_structural_changes_ask_for_a_rebuild(site, docs):
    cur = build_index(site, list(docs), **SMALL)
    read = cur.files.get
    longer = list(docs)
    units = list(docs[0].units)
    units[0] = replace(units[0], text=units[0].text + "長い追記。" * 200)  # more chunks
    longer[0] = replace(docs[0], units=tuple(units))
    assert update_index(site, cur.state, list(docs), longer, [0], read) is None
    assert update_index(site, cur.state, list(docs), list(reversed(docs)), [0, 1], read) is None
    assert update_index(site, cur.state, list(docs), list(docs[:1]), [0], read) is None


def test_paths_are_under_the_index_prefix(site, docs):
    cur = build_index(site, list(docs), **SMALL)
    new = [edit_doc(random.Random(3), docs[0], 2)] + list(docs[1:])
    upd = update_index(site, cur.state, list(docs), new, [0], cur.files.get)
    assert upd is not None
    assert all(p.startswith(PREFIX) for p in list(upd.files) + list(upd.removed))
