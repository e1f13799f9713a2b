"""Postings in bounded memory: (gram, chunk id) pairs collected in a buffer, spilled to
``spill_dir`` as sorted runs, and merged at the end into one entry per gram.

Pairs are ordered by (bit-reversed FNV-1a of the gram, gram key, chunk id).  The bit
reversal puts the grams of one shard together for every power-of-two shard count, so the
shards can be cut from the merged stream once the count is known (it depends on the
total size of the entries).  The merge reads the runs memory-mapped, one range of hash
values at a time (``range_pairs`` pairs at most, whatever the number of runs), so memory
stays bounded however many documents there are; the merged entries go to a file again.
The result does not depend on where the runs were cut.
"""
from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import Iterator

import numpy as np

from .grams import key_fnv, key_gram, reverse_bits
from .postings import encode_entry

# s: sort key, the reversed hash in the high 32 bits and the gram key's low 32 bits below;
# k: gram key; c: chunk id.  Pairs are sorted by s (stable: chunk ids stay ascending); the
# rare grams with equal s and different k are put in order by a lexsort.
PAIR = np.dtype([("s", "<u8"), ("k", "<u8"), ("c", "<u4")])
_LOW = np.uint64(0xFFFFFFFF)
_32 = np.uint64(32)
SPILL_PAIRS = 4_000_000  # ≈ 64 MB of pairs before a run is written
RANGE_PAIRS = 8_000_000  # pairs merged at a time
_REC = struct.Struct("<II")  # reversed hash, entry length


class PostingsSpill:
    def __init__(self, spill_dir: Path, *, spill_pairs: int = SPILL_PAIRS, range_pairs: int = RANGE_PAIRS):
        self.dir = Path(spill_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.spill_pairs = spill_pairs
        self.range_pairs = range_pairs
        self.buffer: list[np.ndarray] = []
        self.buffered = 0
        self.runs: list[Path] = []

    def add(self, chunk_id: int, keys: np.ndarray) -> None:
        """The gram keys of one chunk (repeats allowed: a run keeps each pair once)."""
        if not len(keys):
            return
        self.buffer.append((chunk_id, keys))
        self.buffered += len(keys)
        if self.buffered >= self.spill_pairs:
            self._spill()

    def _spill(self) -> None:
        if not self.buffered:
            return
        keys = np.concatenate([k for _c, k in self.buffer])
        pairs = np.empty(len(keys), PAIR)
        pairs["k"] = keys
        pairs["s"] = (reverse_bits(key_fnv(keys)).astype(np.uint64) << _32) | (keys & _LOW)
        pairs["c"] = np.repeat(np.array([c for c, _k in self.buffer], np.uint32), [len(k) for _c, k in self.buffer])
        pairs = _sorted(pairs)
        keep = np.ones(len(pairs), bool)
        keep[1:] = (pairs["k"][1:] != pairs["k"][:-1]) | (pairs["c"][1:] != pairs["c"][:-1])
        if not keep.all():
            pairs = pairs[keep]
        path = self.dir / f"run-{len(self.runs):05d}.npy"
        np.save(path, pairs)
        self.runs.append(path)
        self.buffer, self.buffered = [], 0

    def merge(self) -> tuple[Path, int, int]:
        """Write the merged entries (``_REC`` header + ``encode_entry`` bytes, in pair order) to a
        file; returns it, the number of grams and the total bytes of the entries."""
        self._spill()
        # a run is mapped only to find a range's bounds (a few pages each); the range itself is read
        # into memory and dropped, so the build's memory holds one range, not every run it touched
        runs = [np.load(p, mmap_mode="r") for p in self.runs]
        files = [open(p, "rb") for p in self.runs]
        total_pairs = sum(len(r) for r in runs)
        parts = max(1, -(-total_pairs // self.range_pairs))
        bounds = [((1 << 32) * i // parts) << 32 for i in range(parts + 1)]
        out = self.dir / "entries.bin"
        try:
            grams, total = self._merge_ranges(runs, files, bounds, out)
        finally:
            for fh in files:
                fh.close()
        del runs
        for p in self.runs:
            os.unlink(p)
        self.runs = []
        return out, grams, total

    @staticmethod
    def _merge_ranges(runs, files, bounds, out: Path) -> tuple[int, int]:
        grams = total = 0
        with open(out, "wb") as f:
            for lo, hi in zip(bounds, bounds[1:]):
                chunks = []
                for r, fh in zip(runs, files):
                    a = _first_at_least(r, lo)
                    b = len(r) if hi >> 64 else _first_at_least(r, hi)
                    if b > a:
                        chunks.append(_read_rows(fh, r, a, b))
                if not chunks:
                    continue
                pairs = _sorted(np.concatenate(chunks))
                keys, revs, cids = pairs["k"], (pairs["s"] >> _32).astype(np.uint32), pairs["c"]
                starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
                ends = np.append(starts[1:], len(keys))
                cl = cids.tolist()
                for s, e, k, rv in zip(starts.tolist(), ends.tolist(), keys[starts].tolist(), revs[starts].tolist()):
                    entry = encode_entry(key_gram(k), cl[s:e] if e - s < 64 else cids[s:e])
                    f.write(_REC.pack(rv, len(entry)))
                    f.write(entry)
                    grams += 1
                    total += len(entry)
        return grams, total


def _first_at_least(run: np.memmap, value: int) -> int:
    """The first row of a run whose ``s`` is ≥ ``value``, by bisection on the mapping: a few pages
    read (``np.searchsorted`` on the strided field would copy the whole column first)."""
    lo, hi = 0, len(run)
    while lo < hi:
        mid = (lo + hi) // 2
        if int(run[mid]["s"]) < value:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _read_rows(fh, run: np.memmap, a: int, b: int) -> np.ndarray:
    """Rows ``a:b`` of a mapped run, read from its file (not through the mapping)."""
    size = run.dtype.itemsize
    fh.seek(run.offset + a * size)
    return np.frombuffer(fh.read((b - a) * size), dtype=run.dtype)


def _sorted(pairs: np.ndarray) -> np.ndarray:
    """Pairs by (reversed hash, gram key), chunk ids ascending within a gram (the input holds
    each gram's pairs in chunk order: one buffer, or sorted runs in run order)."""
    pairs = pairs[np.argsort(pairs["s"], kind="stable")]
    s, k = pairs["s"], pairs["k"]
    if ((s[1:] == s[:-1]) & (k[1:] < k[:-1])).any():  # two grams share s: order them by key
        pairs = pairs[np.lexsort((pairs["c"], k, s))]
    return pairs


def read_entries(path: Path) -> Iterator[tuple[int, bytes]]:
    """(reversed hash, entry) from a merged entries file, in order."""
    with open(path, "rb") as f:
        while True:
            head = f.read(_REC.size)
            if not head:
                return
            rv, n = _REC.unpack(head)
            yield rv, f.read(n)
