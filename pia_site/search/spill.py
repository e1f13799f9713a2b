"""Postings in bounded memory: (gram, chunk id) pairs collected in a buffer, spilled to
``spill_dir`` as sorted runs, and merged at the end into one entry per gram.

Pairs are ordered by (bit-reversed FNV-1a of the gram, gram key, chunk id).  The bit
reversal puts the grams of one shard together for every power-of-two shard count, so the
shards can be cut from the merged stream once the count is known (it depends on the
total size of the entries).  The merge reads the runs one range of hash values at a time
(``range_pairs`` pairs at most, whatever the number of runs), finding each range's bounds in
each run by bisection with single-record reads, so memory stays bounded however many
documents there are; the merged entries go to a file again.  (The runs are not mapped: the
bisections' page faults, with the kernel's fault-around, would map most of every run into
the process and count it as resident.)
The result does not depend on where the runs were cut.
"""
from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import Iterator

import numpy as np

from .grams import key_fnv, reverse_bits
from .batch import encode_entries

# s: sort key, the reversed hash in the high 32 bits and the gram key's low 32 bits below;
# k: gram key; c: chunk id.  Pairs are sorted by s (stable: chunk ids stay ascending; one
# ``np.sort`` of s's high bits over the pair's position, ``_sorted``); the rare grams that share
# those bits are put in order by a lexsort.  The merge encodes a range's entries at once (``batch``).
PAIR = np.dtype([("s", "<u8"), ("k", "<u8"), ("c", "<u4")])
_LOW = np.uint64(0xFFFFFFFF)
_32 = np.uint64(32)
SPILL_PAIRS = 4_000_000  # ≈ 64 MB of pairs before a run is written
RANGE_PAIRS = 2_000_000  # pairs merged at a time (≈ 250 MB while a range is merged)
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
            pairs = np.compress(keep, pairs)  # (a structured array: compress and take copy faster than indexing)
        path = self.dir / f"run-{len(self.runs):05d}.npy"
        np.save(path, pairs)
        self.runs.append(path)
        self.buffer, self.buffered = [], 0

    def merge(self) -> tuple[Path, int, int]:
        """Write the merged entries (``_REC`` header + ``encode_entry`` bytes, in pair order) to a
        file; returns it, the number of grams and the total bytes of the entries."""
        self._spill()
        runs = [_Run(p) for p in self.runs]
        try:
            total_pairs = sum(r.rows for r in runs)
            parts = max(1, -(-total_pairs // self.range_pairs))
            bounds = [((1 << 32) * i // parts) << 32 for i in range(parts + 1)]
            out = self.dir / "entries.bin"
            grams, total = self._merge_ranges(runs, bounds, out)
        finally:
            for r in runs:
                r.close()
        for p in self.runs:
            os.unlink(p)
        self.runs = []
        return out, grams, total

    @staticmethod
    def _merge_ranges(runs: list["_Run"], bounds, out: Path) -> tuple[int, int]:
        grams = total = 0
        with open(out, "wb") as f:
            for lo, hi in zip(bounds, bounds[1:]):
                chunks = []
                for r in runs:
                    a = r.first_at_least(lo)
                    b = r.rows if hi >> 64 else r.first_at_least(hi)
                    if b > a:
                        chunks.append(r.read(a, b))
                if not chunks:
                    continue
                pairs = np.concatenate(chunks)
                del chunks
                pairs = _sorted(pairs)
                keys = pairs["k"]
                starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
                data, size = encode_entries(keys[starts], pairs["s"][starts] >> _32, pairs["c"], starts)
                del pairs, keys
                f.write(data)
                grams += len(starts)
                total += size
        return grams, total


class _Run:
    """A sorted run on disk (``np.save`` of ``PAIR`` rows), read with ``pread``."""

    def __init__(self, path: Path):
        self.fh = open(path, "rb")
        version = np.lib.format.read_magic(self.fh)
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _fortran, dtype = read_header(self.fh)
        assert dtype == PAIR and len(shape) == 1, "not a run of pairs"
        self.offset, self.rows = self.fh.tell(), shape[0]

    def s_at(self, row: int) -> int:
        return int.from_bytes(os.pread(self.fh.fileno(), 8, self.offset + row * PAIR.itemsize), "little")

    def first_at_least(self, value: int) -> int:
        """The first row whose ``s`` is ≥ ``value``, by bisection (a few 8-byte reads)."""
        lo, hi = 0, self.rows
        while lo < hi:
            mid = (lo + hi) // 2
            if self.s_at(mid) < value:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def read(self, a: int, b: int) -> np.ndarray:
        """Rows ``a:b``."""
        size = PAIR.itemsize
        data = os.pread(self.fh.fileno(), (b - a) * size, self.offset + a * size)
        return np.frombuffer(data, dtype=PAIR)

    def close(self) -> None:
        self.fh.close()


def _sorted(pairs: np.ndarray) -> np.ndarray:
    """Pairs by (reversed hash, gram key), chunk ids ascending within a gram (the input holds
    each gram's pairs in chunk order: one buffer, or sorted runs in run order).

    One ``np.sort`` of uint64 words: the high bits of ``s`` above each pair's position, the
    position below (so equal high bits keep the input order: a stable sort by them).  Pairs
    whose high bits are equal but whose ``s`` or gram differ are then out of order only if
    two grams met there; then (rarely) a lexsort puts the whole lot in order."""
    n = len(pairs)
    if n < 2:
        return pairs
    bits = np.uint64((n - 1).bit_length())
    words = pairs["s"] >> bits
    words <<= bits
    words |= np.arange(n, dtype=np.uint64)
    words.sort()
    order = (words & ((np.uint64(1) << bits) - np.uint64(1))).astype(np.intp)
    pairs = np.take(pairs, order)
    s, k = pairs["s"], pairs["k"]
    if ((s[1:] < s[:-1]) | ((s[1:] == s[:-1]) & (k[1:] < k[:-1]))).any():  # two grams share the high bits
        pairs = np.take(pairs, np.lexsort((pairs["c"], k, s)))
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
