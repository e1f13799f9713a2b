"""A pure-Python reference of ``assets/search.js``'s query algorithm.

It reads the same bytes the browser does (from a build directory or the ``{path: bytes}``
that ``build_search_index`` returns), step by step as the client does: normalise the
query, read the shards of its grams, intersect their postings, drop chunks of
assessments the filters exclude, read the candidate chunks in order and keep the units
whose normalised text contains the query; a unit of a form chunk (the form's wording,
``formtext.py``) becomes one result per document on its edition, at the anchor its
template resolves to there.  A blob costs its own bytes, and the table page placing it
(``tablePage`` blobs, ``pack.py``) is paid for by the first blob that needs it.  Tests and benchmarks use it to check recall and precision against a
brute-force scan and to count the bytes a query downloads.
"""
from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from .grams import fnv1a, item_gram, query_grams
from .index import PREFIX
from .normalise import normalise_query
from .pack import TABLE, pack_path, page_entries, page_size
from .postings import read_varint
from .slots import resolve

BATCH = 20  # candidate chunks fetched at a time at first (search.js: the same): most pages need about as many
MAX_BATCH = 20  # … and at most, once the hits per chunk are known
# The search page's bytes budget per page of results (search.js: ``PAGE_BYTES``, the same).
PAGE_BYTES = 250_000
FORM, ANSWER = "form", "answer"  # where a result matched: 様式の文言 / 記載内容
FACETS = ("prefecture", "municipality", "form", "jimu", "from", "to", "state")


@dataclass(frozen=True)
class Hit:
    page: str  # the assessment's page, site-relative
    chunk: int
    url: str  # site-relative, with #anchor
    title: str
    section: str
    text: str
    match: str = ANSWER


class Results(list):
    """Hits in order, and how far the candidates were checked."""

    more: bool = False
    checked: int = 0
    candidates: int = 0
    budget_hit: bool = False


@dataclass
class IndexReader:
    read: Callable[[str, int | None, int | None], bytes]  # (path under search/data/, start, end) -> bytes
    cache: dict[str, object] = field(default_factory=dict)
    fetched: list[tuple[str, int]] = field(default_factory=list)  # (name, bytes) in fetch order
    bytes_fetched: int = 0
    table_pages: dict[int, list[tuple[int, int, int]]] = field(default_factory=dict)  # page -> its entries

    @classmethod
    def from_files(cls, files: Mapping[str, bytes], prefix: str = PREFIX) -> "IndexReader":
        return cls(lambda p, a, b: files[prefix + p][a:b])

    @classmethod
    def from_dir(cls, out_dir: Path, prefix: str = PREFIX) -> "IndexReader":
        def read(p: str, a: int | None, b: int | None) -> bytes:
            with open(Path(out_dir) / prefix / p, "rb") as f:
                if a is None:
                    return f.read()
                f.seek(a)
                return f.read(b - a)
        return cls(read)

    def _cached(self, name: str, load):
        if name not in self.cache:
            data, n = load()
            self.fetched.append((name, n))
            self.bytes_fetched += n
            self.cache[name] = data
        return self.cache[name]

    def _file(self, path: str, parse):
        def load():
            raw = self.read(path, None, None)
            return parse(zlib.decompress(raw)), len(raw)
        return self._cached(path, load)

    def blob(self, name: str, blob_id: int) -> bytes | None:
        """A blob's inflated bytes (None: no such blob), as ``name`` in ``fetched``."""
        def load():
            (pack, off, n), paid = self._entry(blob_id)
            if not n:
                return None, paid
            return zlib.decompress(self.read(pack_path(pack), off, off + n)), paid + n
        return self._cached(name, load)

    def _entry(self, blob_id: int) -> tuple[tuple[int, int, int], int]:
        """A blob's (pack, offset, length), and the bytes of its table page if this read fetched it."""
        per = self.meta()["tablePage"]
        page, at = divmod(blob_id, per)
        paid = 0
        if page not in self.table_pages:
            raw = self.read(TABLE, page * page_size(per), (page + 1) * page_size(per))
            self.table_pages[page] = page_entries(raw) if raw else []
            paid = len(raw)
        entries = self.table_pages[page]
        return (entries[at] if at < len(entries) else (0, 0, 0)), paid

    def meta(self) -> dict:
        return self._file("meta.z", json.loads)

    def docs(self) -> dict:
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
        return self._file("docs.z", parse)

    def shard(self, sid: int) -> dict[str, list[int]]:
        data = self.blob(f"g/{sid}", self.meta()["blobs"][2] + sid)
        return parse_shard(data) if data is not None else {}

    def chunk(self, cid: int) -> dict:
        return json.loads(self.blob(f"t/{cid}", cid))

    def doc_row(self, d: int) -> list:
        m = self.meta()
        page = d // m["docPage"]
        return json.loads(self.blob(f"d/{page}", m["blobs"][3] + page))["docs"][d % m["docPage"]]

    def query_grams(self, q: str) -> list[str]:
        return query_grams(q)

    def postings(self, gram: str) -> list[int]:
        return self.shard(fnv1a(gram) % self.meta()["shards"]).get(gram, [])

    def candidates(self, q: str) -> list[int]:
        lists = sorted((self.postings(g) for g in self.query_grams(q)), key=len)
        cand = lists[0]
        for other in lists[1:]:
            s = set(other)
            cand = [c for c in cand if c in s]
        return list(cand)

    def allowed(self, filters: Mapping[str, str] | None) -> list[bool] | None:
        if not filters or not any(filters.get(k) for k in FACETS):
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
            st = docs["state"][d]
            if filters.get("state") and (st < 0 or m["states"][st] != filters["state"]):
                good = False
            ok.append(good)
        return ok

    def search(self, query: str, filters: Mapping[str, str] | None = None, limit: int | None = None,
               offset: int = 0, budget: int | None = None) -> Results:
        """Results ``offset`` .. ``offset + limit`` in candidate order (search.js: ``search``).
        ``filters["match"]``: ``"form"`` (様式の文言) or ``"answer"`` (記載内容) only."""
        q = normalise_query(query)
        if not q:
            return Results()
        spent0 = self.bytes_fetched
        m = self.meta()
        cand = self.candidates(q)
        match = (filters or {}).get("match")
        if match == FORM:
            cand = [c for c in cand if c >= m["chunks"]]
        elif match == ANSWER:
            cand = [c for c in cand if c < m["chunks"]]
        return self._scan(cand, lambda u: q in u[4], q, filters, limit, offset, budget, spent0)

    def item(self, kind: str, item_no: int, filters: Mapping[str, str] | None = None, limit: int | None = None,
             offset: int = 0, budget: int | None = None) -> Results:
        """Every answer to item ``item_no`` (its position in ``compare.items.item_table(kind)``) of an
        item written in words, in site order, from the chunks its key lists (search.js: ``item``)."""
        spent0 = self.bytes_fetched
        m = self.meta()
        kinds = m.get("itemKinds", [])
        if kind not in kinds:
            return Results()
        cand = [c for c in self.postings(item_gram(kinds.index(kind), item_no)) if c < m["chunks"]]
        return self._scan(cand, lambda u: len(u) > 5 and u[5] == item_no, "", filters, limit, offset, budget, spent0)

    def _scan(self, cand: list[int], wanted, q: str, filters, limit, offset: int, budget, spent0: int) -> Results:
        """Read the candidate chunks in order, a batch at a time within the budget, and keep the
        units ``wanted`` picks (a form chunk's units containing ``q`` expand to their documents)."""
        results = Results()
        m = self.meta()
        ok = self.allowed(filters)
        if ok is not None:
            chunk_doc = self.docs()["chunkDoc"]
            cand = [c for c in cand if c >= m["chunks"] or ok[chunk_doc[c]]]
        results.candidates = len(cand)
        want = None if limit is None else offset + limit
        found = start = 0
        new_chunks = chunk_bytes = 0
        while start < len(cand):
            if want is not None and found >= want:
                break
            size = BATCH if want is None else batch_size(want - found, found, start)
            batch = cand[start:start + size]
            fresh = [c for c in batch if f"t/{c}" not in self.cache]
            if budget is not None and new_chunks and fresh:
                fits = affordable(budget - (self.bytes_fetched - spent0), chunk_bytes / new_chunks, batch, fresh)
                if not fits:
                    results.budget_hit = True
                    break
                batch = batch[:fits]
                fresh = [c for c in batch if f"t/{c}" not in self.cache]
            start += len(batch)
            before = self.bytes_fetched
            for cid in batch:
                self.chunk(cid)
            new_chunks += len(fresh)
            chunk_bytes += self.bytes_fetched - before
            if any(c >= m["chunks"] for c in batch):
                self.docs()  # search.js fetches it with a batch holding a form chunk
            for cid in batch:
                ch = self.chunk(cid)
                if cid >= m["chunks"]:
                    found = self._form_hits(ch, cid, q, ok, want, offset, found, results)
                    continue
                for unit in ch["units"]:
                    if not wanted(unit):
                        continue
                    if want is not None and found >= want:
                        results.more = True
                        continue
                    found += 1
                    if found > offset:
                        anchor, title, sidx, text = unit[:4]
                        results.append(Hit(ch["url"], cid, f"{ch['url']}#{anchor}", title, ch["sections"][sidx], text))
        results.checked = start
        results.more = results.more or start < len(cand)
        return results

    def _form_hits(self, ch: dict, cid: int, q: str, ok, want, offset: int, found: int, results: Results) -> int:
        """One result per document on the chunk's edition for each of its units containing ``q``."""
        units = [u for u in ch["units"] if q in u[4]]
        if not units:
            return found
        editions = self.docs()["edition"]
        docs = [d for d, e in enumerate(editions) if e == ch["edition"] and (ok is None or ok[d])]
        for template, title, sidx, text, *_rest in units:
            for d in docs:
                if want is not None and found >= want:
                    results.more = True
                    return found
                row = self.doc_row(d)
                anchor = resolve(template, row[6], row[7].items())
                if anchor is None:
                    continue
                found += 1
                if found > offset:
                    results.append(Hit(row[0], cid, f"{row[0]}#{anchor}", title, ch["sections"][sidx], text, FORM))
        return found


def affordable(left: float, per_chunk: float, batch: list, fresh: list) -> int:
    """How many chunks of ``batch`` the bytes ``left`` pay for, at ``per_chunk`` a chunk not
    fetched before (``fresh``); 0: not even the first."""
    fresh_set, cost, n = set(fresh), 0.0, 0
    for c in batch:
        if c in fresh_set:
            cost += per_chunk
            if cost > left:
                break
        n += 1
    return n


def batch_size(need: int, found: int, checked: int) -> int:
    """Chunks to read next for a page that still needs ``need`` results: ``BATCH`` at first, then
    as many as the hits per chunk so far say it takes, at most ``MAX_BATCH``."""
    if not checked:
        return max(1, min(BATCH, need))
    if not found:
        return MAX_BATCH
    return max(1, min(MAX_BATCH, -(-need * checked // found)))


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
