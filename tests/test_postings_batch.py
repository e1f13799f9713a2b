"""The merge's numpy paths (pia_site/search/batch.py, spill._sorted, grams.key_fnv) give what the
plain per-gram code gives: the entries ``encode_entry`` makes, the order of a stable sort by
(reversed hash, gram key), the hash ``fnv1a`` makes; on random inputs and on the edges."""
from __future__ import annotations

import random
import struct

import numpy as np

from pia_site.search.batch import encode_entries, utf8_grams, varints
from pia_site.search.grams import fnv1a, key_fnv, key_gram
from pia_site.search.postings import encode_entry, varint
from pia_site.search.spill import PAIR, _sorted

CHARS = [1, 0x41, 0x7F, 0x80, 0x7FF, 0x800, 0x3042, 0xFFFF, 0x10000, 0x10FFFF]


def _key(chars: list[int]) -> int:
    k = 0
    for c in chars:
        k = k << 21 | c
    return k


def _keys(rnd: random.Random, n: int) -> np.ndarray:
    return np.array([_key([rnd.choice(CHARS) for _ in range(rnd.randint(1, 3))]) for _ in range(n)], np.uint64)


def test_varints_are_the_loop_s():
    rng = np.random.default_rng(1)
    v = rng.integers(0, 1 << 35, 2000, dtype=np.uint64)
    v[:10] = [0, 1, 127, 128, 16383, 16384, (1 << 21) - 1, 1 << 21, 1 << 28, (1 << 35) - 1]
    ref = bytearray()
    for x in v.tolist():
        varint(x, ref)
    assert varints(v).tobytes() == bytes(ref)
    assert varints(np.arange(100, dtype=np.uint64)).tobytes() == bytes(range(100))
    assert varints(np.zeros(0, np.uint64)).tobytes() == b""


def test_utf8_grams_are_the_grams_encoded():
    keys = _keys(random.Random(2), 3000)
    data, lens = utf8_grams(keys)
    grams = [key_gram(int(k)).encode("utf-8") for k in keys]
    assert data.tobytes() == b"".join(grams)
    assert lens.tolist() == [len(g) for g in grams]


def _lists(rnd: random.Random, count: int) -> list[list[int]]:
    """Chunk-id lists of every shape: sparse, dense (bitmaps), strided, with repeats, huge ids."""
    out = []
    for _ in range(count):
        top = rnd.choice([10, 300, 5000, 1 << 20, (1 << 32) - 1])
        n = rnd.randint(1, min(top, 150))
        shape = rnd.random()
        if shape < 0.3:
            ids = sorted(rnd.sample(range(top), n))
        elif shape < 0.6:
            step = rnd.randint(1, 12)
            first = rnd.randint(0, max(0, top - n * step))
            ids = list(range(first, first + n * step, step))
        elif shape < 0.8:
            ids = sorted(rnd.choices(range(top), k=n))
        else:
            first = rnd.randint(0, top - 1)
            ids = [first + i for i in range(min(n, 40))]  # runs, where bitmap and delta cost alike
        out.append(ids)
    return out


def test_encode_entries_are_encode_entry_with_their_headers():
    rnd = random.Random(3)
    rng = np.random.default_rng(3)
    for _trial in range(200):
        lists = _lists(rnd, rnd.randint(1, 30))
        keys = _keys(rnd, len(lists))
        revs = rng.integers(0, 1 << 32, len(lists), dtype=np.uint64)
        cids = np.array([i for ids in lists for i in ids], np.uint32)
        starts = np.cumsum([0] + [len(ids) for ids in lists[:-1]])
        data, total = encode_entries(keys, revs, cids, starts)
        ref, size = bytearray(), 0
        for k, rv, ids in zip(keys.tolist(), revs.tolist(), lists):
            entry = encode_entry(key_gram(k), ids if len(ids) < 64 else np.array(ids, np.uint32))
            ref += struct.pack("<II", rv, len(entry)) + entry
            size += len(entry)
        assert data.tobytes() == bytes(ref)
        assert total == size
    assert encode_entries(np.zeros(0, np.uint64), np.zeros(0, np.uint64), np.zeros(0, np.uint32),
                          np.zeros(0, np.int64))[1] == 0


def test_sorted_is_a_stable_sort_by_hash_then_gram():
    """Few distinct ``s`` values close together, so that grams share the high bits of ``s`` (and
    sometimes ``s`` itself): the order must still be the reference's."""
    rng = np.random.default_rng(4)
    for trial in range(300):
        n = int(rng.integers(1, 400))
        pairs = np.zeros(n, PAIR)
        grams = int(rng.integers(1, 30))
        gs = rng.integers(0, 1 << 40, grams, dtype=np.uint64) if trial % 2 else rng.integers(0, 64, grams).astype(np.uint64)
        gk = rng.integers(0, 1 << 62, grams, dtype=np.uint64)
        if trial % 3 == 0:
            gs[: grams // 2] = gs[0]  # grams sharing s
        which = rng.integers(0, grams, n)
        pairs["s"], pairs["k"] = gs[which], gk[which]
        pairs["c"] = np.sort(rng.integers(0, 50, n)).astype(np.uint32)  # chunk order, repeats too
        ref = pairs[np.argsort(pairs["s"], kind="stable")]
        ref = ref[np.lexsort((ref["c"], ref["k"], ref["s"]))]
        got = _sorted(pairs.copy())
        assert got.tobytes() == ref.tobytes(), trial


def test_key_fnv_is_fnv1a_of_the_gram():
    keys = _keys(random.Random(5), 3000)
    assert key_fnv(keys).tolist() == [fnv1a(key_gram(int(k))) for k in keys]
    assert key_fnv(np.zeros(0, np.uint64)).tolist() == []
