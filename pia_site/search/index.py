"""Index: Site -> {output path: bytes} of the static search index.

Layout (all under ``search/data/``, every file zlib-deflated, bytes depend only on
the site):

``meta.z``
    JSON: format version, normalisation id, shard count, chunk and document
    counts, prefectures, municipalities and forms.  Small at any site size: every
    query reads it.
``docs.z``
    JSON: the facet columns of every assessment (municipality, form, 事務, 公表日,
    first chunk) and the 事務 names.  Read only when a query has filters (and for
    the 事務 suggestions), since it grows with the number of assessments.
``g/<shard>.z``
    Postings: every gram (characters, bigrams and trigrams of normalised text,
    see ``grams.py``) whose FNV-1a hash falls in the shard, with the
    sorted ids of the chunks that contain it (delta varints, or a bitmap when
    that is smaller).  A query downloads only the shards of its own grams.
``t/<chunk>.z``
    JSON: one chunk of consecutive units of one assessment (≈ ``chunk_chars``
    characters): anchor, title, section path, display text and normalised text.
    Fetched only for candidate chunks; the client checks each candidate unit's
    normalised text for the query, so every result contains it: precision 1.0.
    Every unit containing the query is in a chunk containing all its grams, so
    no result is missed: recall 1.0.
"""
from __future__ import annotations

import json
import zlib
from dataclasses import dataclass

from ..model import Site
from .grams import fnv1a, query_grams, text_grams  # noqa: F401 (re-exported)
from .normalise import SEPARATOR, VERSION, normalise_text
from .units import Doc, site_docs

FORMAT = 3
PREFIX = "search/data/"
CHUNK_CHARS = 2000
SHARD_BYTES = 8192
SECTION_JOIN = " › "


def shard_of(gram: str, shards: int) -> int:
    return fnv1a(gram) % shards


def varint(n: int, out: bytearray) -> None:
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """The varint at ``pos`` and the position after it."""
    n = shift = 0
    while True:
        x = data[pos]
        pos += 1
        n |= (x & 0x7F) << shift
        shift += 7
        if not x & 0x80:
            return n, pos


def _delta(ids) -> bytes:
    gaps = [b - a for a, b in zip(ids, ids[1:])]
    gaps.insert(0, ids[0])
    if max(gaps) < 0x80:
        return bytes(gaps)
    out = bytearray()
    for g in gaps:
        varint(g, out)
    return bytes(out)


def encode_postings(ids, out: bytearray) -> None:
    """``count<<1 | kind``; kind 0: first id then gaps as varints; kind 1: bitmap from byte ``base``.
    Whichever is smaller (a delta list costs at least a byte an id)."""
    base = ids[0] >> 3
    nbytes = (ids[-1] >> 3) - base + 1
    delta = _delta(ids) if len(ids) <= nbytes + 4 else None
    if delta is None or nbytes + 4 < len(delta):
        bits = bytearray(nbytes)
        for i in ids:
            bits[(i >> 3) - base] |= 1 << (i & 7)
        varint(len(ids) << 1 | 1, out)
        varint(base, out)
        varint(nbytes, out)
        out += bits
    else:
        varint(len(ids) << 1, out)
        out += delta


def encode_entry(gram: str, ids: list[int]) -> bytes:
    """One gram's entry in a shard: varint length, UTF-8 gram, postings."""
    buf = bytearray()
    gb = gram.encode("utf-8")
    varint(len(gb), buf)
    buf += gb
    encode_postings(ids, buf)
    return bytes(buf)


def encode_shard(entries: dict[str, bytes]) -> bytes:
    """A shard file from its entries (``encode_entry``), in UTF-8 byte order of the grams."""
    buf = bytearray()
    varint(len(entries), buf)
    for _k, data in sorted((g.encode("utf-8"), data) for g, data in entries.items()):
        buf += data
    return _deflate(bytes(buf))


def shard_count(total: int, shard_bytes: int) -> int:
    """Shards for ``total`` bytes of entries: the least power of two keeping each under ``shard_bytes``."""
    shards = 1
    while total / shards > shard_bytes and shards < 1 << 16:
        shards <<= 1
    return shards


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, 15, 9)
    return c.compress(data) + c.flush()


def _json(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


@dataclass(frozen=True)
class Chunk:
    doc: int
    units: tuple  # (Unit, normalised text) pairs


def chunk_docs(docs: list[Doc], chunk_chars: int) -> list[Chunk]:
    chunks: list[Chunk] = []
    for d, doc in enumerate(docs):
        cur: list = []
        size = 0
        for u in doc.units:
            n = normalise_text(u.text)
            if not n.replace(SEPARATOR, ""):
                continue
            if cur and size + len(n) > chunk_chars:
                chunks.append(Chunk(d, tuple(cur)))
                cur, size = [], 0
            cur.append((u, n))
            size += len(n)
        if cur:
            chunks.append(Chunk(d, tuple(cur)))
    return chunks


def _date_int(iso: str) -> int:
    if not iso:
        return 0
    parts = iso.split("-")
    return int(parts[0]) * 10000 + int(parts[1]) * 100 + (int(parts[2]) if len(parts) > 2 else 1)


def build_search_index(site: Site, *, chunk_chars: int = CHUNK_CHARS, shard_bytes: int = SHARD_BYTES,
                       prefix: str = PREFIX) -> dict[str, bytes]:
    """The search index of a site as ``{output path: bytes}`` for ``write_site(extra=…)``."""
    return index_docs(site, site_docs(site), chunk_chars=chunk_chars, shard_bytes=shard_bytes, prefix=prefix)


@dataclass
class IndexState:
    """What an update of the index needs to know about the files it last wrote."""

    shard_bytes: int
    chunk_chars: int
    prefix: str
    shards: int
    total: int  # bytes of all shard entries before deflating (decides ``shards``)
    urls: tuple[str, ...]  # the documents, in index order
    first: tuple[int, ...]  # each document's first chunk id
    chunks: int
    units: int


@dataclass
class SearchIndex:
    files: dict[str, bytes]
    state: IndexState


def index_docs(site: Site, docs: list[Doc], *, chunk_chars: int = CHUNK_CHARS, shard_bytes: int = SHARD_BYTES,
               prefix: str = PREFIX) -> dict[str, bytes]:
    return build_index(site, docs, chunk_chars=chunk_chars, shard_bytes=shard_bytes, prefix=prefix).files


def chunk_grams(chunk: Chunk) -> set[str]:
    """A chunk's characters, bigrams and trigrams."""
    return text_grams(SEPARATOR.join(n for _u, n in chunk.units))


def build_index(site: Site, docs: list[Doc], *, chunk_chars: int = CHUNK_CHARS, shard_bytes: int = SHARD_BYTES,
                prefix: str = PREFIX) -> SearchIndex:
    files: dict[str, bytes] = {}
    chunks = chunk_docs(docs, chunk_chars)

    # Postings: gram -> ascending chunk ids.
    postings: dict[str, list[int]] = {}
    for cid, ch in enumerate(chunks):
        for g in chunk_grams(ch):
            try:
                postings[g].append(cid)
            except KeyError:
                postings[g] = [cid]

    encoded = {g: encode_entry(g, ids) for g, ids in postings.items()}
    total = sum(map(len, encoded.values()))
    shards = shard_count(total, shard_bytes)
    by_shard: dict[int, dict[str, bytes]] = {}
    for g, data in encoded.items():
        by_shard.setdefault(shard_of(g, shards), {})[g] = data
    for sid, entries in by_shard.items():
        files[f"{prefix}g/{sid:x}.z"] = encode_shard(entries)

    for cid, ch in enumerate(chunks):
        files[f"{prefix}t/{cid}.z"] = chunk_file(docs, ch)

    first = []
    for cid, ch in enumerate(chunks):
        while len(first) <= ch.doc:
            first.append(cid)
    while len(first) < len(docs):
        first.append(len(chunks))
    units = sum(len(c.units) for c in chunks)
    state = IndexState(shard_bytes, chunk_chars, prefix, shards, total, tuple(d.url for d in docs), tuple(first),
                       len(chunks), units)
    files.update(meta_files(site, docs, state))
    return SearchIndex(files, state)


def chunk_file(docs: list[Doc], ch: Chunk) -> bytes:
    """``t/<chunk>.z``: the chunk's units as shown and as normalised, with their sections."""
    doc = docs[ch.doc]
    sections: list[str] = []
    sidx: dict[str, int] = {}
    units = []
    for u, n in ch.units:
        path = SECTION_JOIN.join(u.section)
        if path not in sidx:
            sidx[path] = len(sections)
            sections.append(path)
        units.append([u.anchor, u.title, sidx[path], u.text, n])
    return _deflate(_json({"doc": ch.doc, "url": doc.url, "title": doc.title, "sections": sections, "units": units,
                           "municipality": doc.municipality, "form": doc.form, "jimu": doc.jimu,
                           "published": _date_int(doc.published), "state": doc.state}))


def meta_files(site: Site, docs: list[Doc], state: IndexState) -> dict[str, bytes]:
    """``meta.z`` and ``docs.z``."""
    munis = sorted(site.municipalities, key=lambda m: (m.code, m.slug))
    prefs: list[str] = []
    for m in munis:
        if m.prefecture not in prefs:
            prefs.append(m.prefecture)
    midx = {m.slug: i for i, m in enumerate(munis)}
    forms = sorted({d.form for d in docs})
    form_idx = {f: i for i, f in enumerate(forms)}
    jimu = sorted({d.jimu for d in docs})
    jimu_idx = {j: i for i, j in enumerate(jimu)}
    meta = {
        "format": FORMAT, "norm": VERSION, "hash": "fnv1a32", "gram": 3, "shards": state.shards, "chunks": state.chunks,
        "units": state.units, "docs": len(docs),
        "prefectures": prefs,
        "municipalities": [[m.slug, m.name, prefs.index(m.prefecture)] for m in munis],
        "forms": forms,
    }
    table = {
        "jimu": jimu,
        "municipality": [midx.get(d.municipality, -1) for d in docs],
        "form": [form_idx[d.form] for d in docs],
        "jimuOf": [jimu_idx[d.jimu] for d in docs],
        "published": [_date_int(d.published) for d in docs],
        "firstChunk": list(state.first),
    }
    return {f"{state.prefix}meta.z": _deflate(_json(meta)), f"{state.prefix}docs.z": _deflate(_json(table))}
