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

PAIR = np.dtype([("r", "<u4"), ("k", "<u8"), ("c", "<u4")])
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
        """The distinct gram keys of one chunk (chunk ids must arrive in ascending order)."""
        if not len(keys):
            return
        pairs = np.empty(len(keys), PAIR)
        pairs["k"] = keys
        pairs["r"] = reverse_bits(key_fnv(keys))
        pairs["c"] = chunk_id
        self.buffer.append(pairs)
        self.buffered += len(pairs)
        if self.buffered >= self.spill_pairs:
            self._spill()

    def _spill(self) -> None:
        if not self.buffered:
            return
        pairs = np.concatenate(self.buffer)
        pairs = pairs[np.lexsort((pairs["c"], pairs["k"], pairs["r"]))]
        path = self.dir / f"run-{len(self.runs):05d}.npy"
        np.save(path, pairs)
        self.runs.append(path)
        self.buffer, self.buffered = [], 0

    def merge(self) -> tuple[Path, int, int]:
        """Write the merged entries (``_REC`` header + ``encode_entry`` bytes, in pair order) to a
        file; returns it, the number of grams and the total bytes of the entries."""
        self._spill()
        runs = [np.load(p, mmap_mode="r") for p in self.runs]
        total_pairs = sum(len(r) for r in runs)
        parts = max(1, -(-total_pairs // self.range_pairs))
        bounds = [(1 << 32) * i // parts for i in range(parts + 1)]
        out = self.dir / "entries.bin"
        grams = total = 0
        with open(out, "wb") as f:
            for lo, hi in zip(bounds, bounds[1:]):
                chunks = []
                for r in runs:
                    a, b = np.searchsorted(r["r"], [lo, hi])
                    if b > a:
                        chunks.append(np.asarray(r[a:b]))
                if not chunks:
                    continue
                pairs = np.concatenate(chunks)
                pairs = pairs[np.lexsort((pairs["c"], pairs["k"], pairs["r"]))]
                keys, revs, cids = pairs["k"], pairs["r"], pairs["c"]
                starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
                ends = np.append(starts[1:], len(keys))
                cl = cids.tolist()
                for s, e, k, rv in zip(starts.tolist(), ends.tolist(), keys[starts].tolist(), revs[starts].tolist()):
                    entry = encode_entry(key_gram(k), cl[s:e] if e - s < 64 else cids[s:e])
                    f.write(_REC.pack(rv, len(entry)))
                    f.write(entry)
                    grams += 1
                    total += len(entry)
        del runs
        for p in self.runs:
            os.unlink(p)
        self.runs = []
        return out, grams, total


def read_entries(path: Path) -> Iterator[tuple[int, bytes]]:
    """(reversed hash, entry) from a merged entries file, in order."""
    with open(path, "rb") as f:
        while True:
            head = f.read(_REC.size)
            if not head:
                return
            rv, n = _REC.unpack(head)
            yield rv, f.read(n)
