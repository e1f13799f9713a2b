"""A pure-Python reference of ``assets/search.js``'s query algorithm.

It reads the same files the browser does (from a build directory or the
``{path: bytes}`` that ``build_search_index`` returns), step by step as the
client does: normalise the query, fetch the shards of its grams, intersect
their postings, drop chunks of assessments the filters exclude, fetch the
candidate chunks in order and keep the units whose normalised text contains the
query.  Tests and benchmarks use it to check recall and precision against a
brute-force scan and to count the bytes a query downloads.
"""
from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from .grams import fnv1a, query_grams
from .index import PREFIX, read_varint
from .normalise import normalise_query

BATCH = 6  # candidate chunks fetched at a time (search.js: the same)
# The search page's bytes budget per page of results (search.js: ``PAGE_BYTES``, the same).
# A page stops early, with a "more" link, once the chunks it would fetch next would take the
# bytes this call downloaded past the budget; every call verifies at least one batch of chunks
# it had not fetched before, so "more" always makes progress.
PAGE_BYTES = 250_000

@dataclass(frozen=True)
class Hit:
    doc: int
    chunk: int
    url: str  # site-relative, with #anchor
    title: str
    section: str
    text: str


class Results(list):
    """Hits in order, and how far the candidates were checked."""

    more: bool = False  # unchecked candidates remain, or more results than wanted
    checked: int = 0  # candidate chunks checked
    candidates: int = 0  # candidate chunks in all
    budget_hit: bool = False  # stopped by the bytes budget before ``limit`` results


@dataclass
class IndexReader:
    fetch: Callable[[str], bytes]  # path under search/data/ -> raw (deflated) bytes
    cache: dict[str, object] = field(default_factory=dict)
    fetched: list[tuple[str, int]] = field(default_factory=list)  # (path, bytes) in fetch order
    bytes_fetched: int = 0  # the sum of ``fetched``'s bytes

    @classmethod
    def from_files(cls, files: Mapping[str, bytes], prefix: str = PREFIX) -> "IndexReader":
        return cls(lambda p: files[prefix + p])

    @classmethod
    def from_dir(cls, out_dir: Path, prefix: str = PREFIX) -> "IndexReader":
        return cls(lambda p: (Path(out_dir) / prefix / p).read_bytes())

    def _load(self, path: str) -> bytes:
        raw = self.fetch(path)
        self.fetched.append((path, len(raw)))
        self.bytes_fetched += len(raw)
        return zlib.decompress(raw)

    def _cached(self, path: str, parse):
        if path not in self.cache:
            self.cache[path] = parse(self._load(path))
        return self.cache[path]

    def meta(self) -> dict:
        return self._cached("meta.z", json.loads)

    def docs(self) -> dict:
        """The facet columns of every assessment (read only for filtered queries)."""
        def parse(b: bytes) -> dict:
            t = json.loads(b)
            chunks = self.meta()["chunks"]
            chunk_doc = [0] * chunks
            first = t["firstChunk"]
            for d, start in enumerate(first):
                end = first[d + 1] if d + 1 < len(first) else chunks
                for c in range(start, end):
                    chunk_doc[c] = d
            t["chunkDoc"] = chunk_doc
            return t
        return self._cached("docs.z", parse)

    def shard(self, sid: int) -> dict[str, list[int]]:
        return self._cached(f"g/{sid:x}.z", parse_shard)

    def query_grams(self, q: str) -> list[str]:
        return query_grams(q)

    def postings(self, gram: str) -> list[int]:
        """The ids of the chunks containing ``gram``."""
        return self.shard(fnv1a(gram) % self.meta()["shards"]).get(gram, [])

    def candidates(self, q: str) -> list[int]:
        """Chunks containing every key of the normalised query (every chunk containing it), in id order."""
        lists = sorted((self.postings(g) for g in self.query_grams(q)), key=len)
        cand = lists[0]
        for other in lists[1:]:
            s = set(other)
            cand = [c for c in cand if c in s]
        return list(cand)

    def chunk(self, cid: int) -> dict:
        return self._cached(f"t/{cid}.z", json.loads)

    def allowed(self, filters: Mapping[str, str] | None) -> list[bool] | None:
        if not filters:
            return None
        m = self.meta()
        docs = self.docs()
        jimu = normalise_query(filters.get("jimu", ""))
        ok = []
        for d in range(len(docs["form"])):
            mi = docs["municipality"][d]
            muni = m["municipalities"][mi] if mi >= 0 else ["", "", -1]
            pub = docs["published"][d]
            form = m["forms"][docs["form"][d]]
            good = True
            if filters.get("prefecture") and (mi < 0 or m["prefectures"][muni[2]] != filters["prefecture"]):
                good = False
            if filters.get("municipality") and muni[0] != filters["municipality"]:
                good = False
            if filters.get("form") and not form.startswith(filters["form"]):
                good = False
            if jimu and jimu not in normalise_query(docs["jimu"][docs["jimuOf"][d]]):
                good = False
            if filters.get("from") and (not pub or pub < _date_int(filters["from"])):
                good = False
            if filters.get("to") and (not pub or pub > _date_int(filters["to"])):
                good = False
            ok.append(good)
        return ok

    def search(self, query: str, filters: Mapping[str, str] | None = None, limit: int | None = None,
               offset: int = 0, budget: int | None = None) -> Results:
        """Results ``offset`` .. ``offset + limit`` in candidate order (search.js: ``search``).

        ``budget``: bytes this call may download (files already fetched cost nothing); the
        search stops before a batch of chunks whose estimated bytes (the average of the chunks
        this call downloaded) would exceed it, once it has downloaded at least one chunk.
        """
        results = Results()
        q = normalise_query(query)
        if not q:
            return results
        spent0 = self.bytes_fetched
        self.meta()
        cand = self.candidates(q)
        ok = self.allowed(filters)
        if ok is not None:
            chunk_doc = self.docs()["chunkDoc"]
            cand = [c for c in cand if ok[chunk_doc[c]]]
        results.candidates = len(cand)
        want = None if limit is None else offset + limit
        found = start = 0
        new_chunks = chunk_bytes = 0
        while start < len(cand):
            if want is not None and found >= want:
                break
            size = BATCH if want is None else max(1, min(BATCH, want - found))
            batch = cand[start:start + size]  # fetched together, as the client does
            fresh = [c for c in batch if f"t/{c}.z" not in self.cache]
            if budget is not None and new_chunks and fresh:
                if self.bytes_fetched - spent0 + len(fresh) * chunk_bytes / new_chunks > budget:
                    results.budget_hit = True
                    break
            start += len(batch)
            before = self.bytes_fetched
            for cid in batch:
                self.chunk(cid)
            new_chunks += len(fresh)
            chunk_bytes += self.bytes_fetched - before
            for cid in batch:
                ch = self.chunk(cid)
                for anchor, title, sidx, text, norm in ch["units"]:
                    if q not in norm:
                        continue
                    if want is not None and found >= want:
                        results.more = True
                        continue
                    found += 1
                    if found > offset:
                        results.append(Hit(ch["doc"], cid, f"{ch['url']}#{anchor}", title, ch["sections"][sidx], text))
        results.checked = start
        results.more = results.more or start < len(cand)
        return results


def _date_int(s: str) -> int:
    y, m, *rest = (s.split("-") + ["1"])[:3]
    return int(y) * 10000 + int(m) * 100 + int(rest[0] or 1)


def parse_shard(data: bytes) -> dict[str, list[int]]:
    """A decompressed shard: gram -> chunk ids."""
    pos = 0

    def v() -> int:
        nonlocal pos
        n, pos = read_varint(data, pos)
        return n

    out: dict[str, list[int]] = {}
    for _ in range(v()):
        n = v()
        gram = data[pos:pos + n].decode("utf-8")
        pos += n
        head = v()
        count = head >> 1
        ids: list[int] = []
        if head & 1:
            base, nbytes = v(), v()
            for j in range(nbytes):
                x = data[pos + j]
                for bit in range(8):
                    if x >> bit & 1:
                        ids.append((base + j) * 8 + bit)
            pos += nbytes
        else:
            prev = 0
            for _ in range(count):
                prev += v()
                ids.append(prev)
        assert len(ids) == count, "corrupt shard"
        out[gram] = ids
    assert pos == len(data), "corrupt shard"
    return out
