"""The streaming index builder: one document at a time, postings spilled to disk.

    b = IndexBuilder(IndexMeta.from_site(site), spill_dir)
    for doc in docs:            # search.units.Doc, in index order
        b.add(doc)
    for path, data in b.finish():
        ...                     # output path (relative to the site root), bytes

``add`` takes a document as ``prepare`` cuts it (chunks, each with its blob and its grams as
numpy keys: ``grams.gram_keys``; the build's workers prepare their documents, so the parent
only numbers the chunks) and writes each chunk's blob to the pack spill and its grams to the
postings spill; every 32 documents it writes a document page.  A chunk's blob does not say
which document it belongs to (``firstChunk`` in docs.z does), so it is the same wherever the
document falls in the index.  ``finish`` indexes the form text of every edition met (once per
edition, ``formtext``), merges the postings into shards and cuts the packs.  Memory holds
the per-document facet columns (a few integers each) and one buffer of pairs; the bytes
depend only on the documents and their order.  The layout is described in ``index.py``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

import numpy as np

from ..catalog import all_forms, find_form
from ..compare.items import item_table
from ..model import STATES, Site
from ..views.state import LABELS as STATE_LABELS, state_labels
from .formtext import form_units
from .grams import gram_keys, item_key
from .normalise import SEPARATOR, VERSION, normalise_text
from .pack import PACK_BYTES, TABLE_PAGE, PackWriter
from .postings import deflate, shard_count
from .spill import RANGE_PAIRS, SPILL_PAIRS, PostingsSpill, read_entries
from .units import Doc, Unit

FORMAT = 7  # 5: item keys, itemKinds, a unit's item position; 6: no "doc" in a chunk; 7: pages of lengths
PREFIX = "search/data/"
CHUNK_CHARS = 2000
SHARD_BYTES = 8192
DOC_PAGE = 32  # documents per document page
SECTION_JOIN = " › "
CHUNK, FORM, SHARD, DOCS = range(4)  # blob kinds, in blob id order


@dataclass(frozen=True)
class IndexMeta:
    """Site-level facts of the index: the municipalities as (団体コード, slug, name, prefecture)."""

    municipalities: tuple[tuple[str, str, str, str], ...]

    @classmethod
    def from_site(cls, site: Site) -> "IndexMeta":
        return cls(tuple((m.code, m.slug, m.name, m.prefecture) for m in site.municipalities))

    def ordered(self) -> list[tuple[str, str, str, str]]:
        return sorted(self.municipalities, key=lambda m: (m[0], m[1]))

    def prefectures(self) -> list[str]:
        out: list[str] = []
        for m in self.ordered():
            if m[3] not in out:
                out.append(m[3])
        return out


def json_bytes(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def date_int(iso: str) -> int:
    if not iso:
        return 0
    parts = iso.split("-")
    return int(parts[0]) * 10000 + int(parts[1]) * 100 + (int(parts[2]) if len(parts) > 2 else 1)


def chunk_units(units, chunk_chars: int) -> list[list[tuple[Unit, str]]]:
    """Consecutive units, ≈ ``chunk_chars`` normalised characters a chunk; empty ones dropped."""
    chunks: list[list[tuple[Unit, str]]] = []
    cur: list[tuple[Unit, str]] = []
    size = 0
    for u in units:
        n = normalise_text(u.text)
        if not n.replace(SEPARATOR, ""):
            continue
        if cur and size + len(n) > chunk_chars:
            chunks.append(cur)
            cur, size = [], 0
        cur.append((u, n))
        size += len(n)
    if cur:
        chunks.append(cur)
    return chunks


def _sections(units, items: dict[str, int] | None = None) -> tuple[list[str], list[list]]:
    """The chunk's section paths and unit rows: [anchor, title, section, text, normalised text], and
    for a unit of an item written in words, its position in the form's item table (``items``)."""
    sections: list[str] = []
    sidx: dict[str, int] = {}
    rows = []
    for u, n in units:
        path = SECTION_JOIN.join(u.section)
        if path not in sidx:
            sidx[path] = len(sections)
            sections.append(path)
        row = [u.anchor, u.title, sidx[path], u.text, n]
        if items is not None and u.item in items:
            row.append(items[u.item])
        rows.append(row)
    return sections, rows


def item_kinds() -> list[str]:
    """The form kinds whose items the index lists by item, in key order (meta.z ``itemKinds``)."""
    return sorted({f.kind for f in all_forms()})


def chunk_blob(doc: Doc, units, items: dict[str, int] | None = None) -> bytes:
    """A document chunk: its units as shown and as normalised, with their sections."""
    sections, rows = _sections(units, items)
    return deflate(json_bytes({"url": doc.url, "title": doc.title, "sections": sections, "units": rows,
                               "municipality": doc.municipality, "form": doc.form, "jimu": doc.jimu,
                               "published": date_int(doc.published), "state": STATE_LABELS.get(doc.state, "")}))


def _item_table(edition: str, kinds: list[str]) -> tuple[int, dict[str, int] | None]:
    """The document's kind number and its form's item positions (None: no items listed)."""
    kind = edition.partition("/")[0]
    if kind not in kinds:
        return -1, None
    return kinds.index(kind), item_table(kind).index


@dataclass(frozen=True, slots=True)
class Prepared:
    """A document cut into chunks for the index: each chunk's blob, its unit count and its gram keys
    (``keys[bounds[i]:bounds[i + 1]]``, item keys included), with the facts of the document."""

    doc: Doc  # without its units
    chunk_chars: int
    blobs: tuple[bytes, ...]
    units: tuple[int, ...]
    keys: np.ndarray
    bounds: tuple[int, ...]


def prepare(doc: Doc, chunk_chars: int = CHUNK_CHARS) -> Prepared:
    kind_no, items = _item_table(doc.edition, item_kinds())
    blobs, counts, keys, bounds = [], [], [], [0]
    for units in chunk_units(doc.units, chunk_chars):
        k = gram_keys(SEPARATOR.join(n for _u, n in units))
        if items is not None:
            listed = {items[u.item] for u, _n in units if u.item in items}
            if listed:  # the chunk is listed under each item written in words that it holds
                k = np.concatenate([k, np.array([item_key(kind_no, i) for i in sorted(listed)], np.uint64)])
        keys.append(k)
        bounds.append(bounds[-1] + len(k))
        blobs.append(chunk_blob(doc, units, items))
        counts.append(len(units))
    return Prepared(replace(doc, units=()), chunk_chars, tuple(blobs), tuple(counts),
                    np.concatenate(keys) if keys else np.zeros(0, np.uint64), tuple(bounds))


class IndexBuilder:
    def __init__(self, meta: IndexMeta, spill_dir, *, chunk_chars: int = CHUNK_CHARS, shard_bytes: int = SHARD_BYTES,
                 prefix: str = PREFIX, pack_bytes: int = PACK_BYTES, spill_pairs: int = SPILL_PAIRS,
                 range_pairs: int = RANGE_PAIRS, table_page: int = TABLE_PAGE):
        self.meta = meta
        self.dir = Path(spill_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.chunk_chars, self.shard_bytes, self.prefix = chunk_chars, shard_bytes, prefix
        self.spill = PostingsSpill(self.dir, spill_pairs=spill_pairs, range_pairs=range_pairs)
        self.packs = PackWriter(self.dir, pack_bytes, table_page)
        self.chunks = 0
        self.units = 0
        self.cols: dict[str, list] = {k: [] for k in ("municipality", "form", "jimu", "published", "first", "edition", "state")}
        self.page: list[list] = []
        self.pages = 0
        self.finished = False
        self.kinds = item_kinds()

    def add(self, doc: Doc | Prepared) -> None:
        """The next document, as it is or as ``prepare`` cut it (with this builder's chunk size)."""
        if not isinstance(doc, Prepared):
            doc = prepare(doc, self.chunk_chars)
        if doc.chunk_chars != self.chunk_chars:
            raise ValueError(f"a document cut into chunks of {doc.chunk_chars} characters, not {self.chunk_chars}")
        prepared, doc = doc, doc.doc
        self.cols["first"].append(self.chunks)
        for k, v in (("municipality", doc.municipality), ("form", doc.form), ("jimu", doc.jimu),
                     ("published", date_int(doc.published)), ("edition", doc.edition),
                     ("state", STATES.index(doc.state) if doc.state in STATES else -1)):
            self.cols[k].append(v)
        for i, blob in enumerate(prepared.blobs):
            self.spill.add(self.chunks, prepared.keys[prepared.bounds[i]:prepared.bounds[i + 1]])
            self.packs.add(CHUNK, self.chunks, blob)
            self.chunks += 1
            self.units += prepared.units[i]
        self.page.append([doc.url, doc.title, doc.municipality, doc.form, doc.jimu, date_int(doc.published),
                          list(doc.parts), dict(doc.ids), self.cols["state"][-1]])
        if len(self.page) == DOC_PAGE:
            self._flush_page()

    def _flush_page(self) -> None:
        if self.page:
            self.packs.add(DOCS, self.pages, deflate(json_bytes({"docs": self.page})))
            self.pages += 1
            self.page = []

    def _form_chunks(self) -> list[list]:
        """Index every edition's form units once; returns the editions' rows for meta.z."""
        editions = []
        k = 0
        for e, ed in enumerate(sorted({x for x in self.cols["edition"] if x})):
            kind, _, edition = ed.partition("/")
            form = find_form(kind, edition)
            if form is None:
                continue
            start = k
            for units in chunk_units(form_units(form), self.chunk_chars):
                self.spill.add(self.chunks + k, gram_keys(SEPARATOR.join(n for _u, n in units)))
                sections, rows = _sections(units)
                self.packs.add(FORM, k, deflate(json_bytes({"edition": e, "form": form.name, "sections": sections,
                                                            "units": rows})))
                k += 1
            editions.append([ed, form.name, form.edition, start, k])
        return editions

    def finish(self) -> Iterator[tuple[str, bytes]]:
        """The index files as (output path, bytes): the packs, ``blobs.idx``, ``meta.z``, ``docs.z``."""
        if self.finished:
            raise RuntimeError("IndexBuilder.finish() was called already")
        self.finished = True
        self._flush_page()
        editions = self._form_chunks()
        form_chunks = editions[-1][4] if editions else 0
        entries, grams, total = self.spill.merge()
        shards = shard_count(total, self.shard_bytes)
        batch: list[bytes] = []
        sid = -1
        for rv, entry in read_entries(entries):
            s = _unreverse(rv) & (shards - 1)
            if s != sid and batch:
                self._shard(sid, batch)
                batch = []
            sid = s
            batch.append(entry)
        if batch:
            self._shard(sid, batch)
        entries.unlink()
        bases = [0, self.chunks, self.chunks + form_chunks, self.chunks + form_chunks + shards]
        packs = 0
        for path, data in self.packs.finish(bases, bases[3] + self.pages, self.prefix):
            packs += path.endswith(".bin")
            yield path, data
        yield from self._meta(editions, shards, packs, bases)

    def _shard(self, sid: int, entries: list[bytes]) -> None:
        from .postings import encode_shard

        self.packs.add(SHARD, sid, encode_shard(entries))

    def _meta(self, editions, shards: int, packs: int, bases) -> Iterator[tuple[str, bytes]]:
        munis = self.meta.ordered()
        prefs = self.meta.prefectures()
        midx = {m[1]: i for i, m in enumerate(munis)}
        forms = sorted(set(self.cols["form"]))
        form_idx = {f: i for i, f in enumerate(forms)}
        jimu = sorted(set(self.cols["jimu"]))
        jimu_idx = {j: i for i, j in enumerate(jimu)}
        ed_idx = {row[0]: i for i, row in enumerate(editions)}
        meta = {
            "format": FORMAT, "norm": VERSION, "hash": "fnv1a32", "gram": 3, "shards": shards, "chunks": self.chunks,
            "formChunks": bases[2] - bases[1], "units": self.units, "docs": len(self.cols["first"]),
            "docPage": DOC_PAGE, "packs": packs, "blobs": bases, "tablePage": self.packs.table_page,
            "editions": editions,
            "prefectures": prefs,
            "municipalities": [[m[1], m[2], prefs.index(m[3])] for m in munis],
            "forms": forms,
            "states": state_labels(),  # the document states as the pages show them
            "itemKinds": self.kinds,  # form kinds in item-key order (grams.item_gram)
        }
        table = {
            "jimu": jimu,
            "municipality": [midx.get(x, -1) for x in self.cols["municipality"]],
            "form": [form_idx[x] for x in self.cols["form"]],
            "jimuOf": [jimu_idx[x] for x in self.cols["jimu"]],
            "published": self.cols["published"],
            "firstChunk": self.cols["first"],
            "edition": [ed_idx.get(x, -1) for x in self.cols["edition"]],
            "state": self.cols["state"],  # index into meta's states (-1: none)
        }
        yield f"{self.prefix}meta.z", deflate(json_bytes(meta))
        yield f"{self.prefix}docs.z", deflate(json_bytes(table))


def _unreverse(rv: int) -> int:
    return int(f"{rv:032b}"[::-1], 2)
