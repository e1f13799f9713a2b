"""Index: documents -> {output path: bytes} of the static search index (format 7).

Layout (all under ``search/data/``; bytes depend only on the documents and their order):

``meta.z``
    Deflated JSON: format, normalisation id, shard count, chunk counts, blob id bases
    (``blobs``: document chunks, form chunks, shards, document pages), the blobs a page of
    ``blobs.idx`` places (``tablePage``), pack count, the
    form editions indexed (``editions``: id, form name, edition, first and end form chunk),
    prefectures, municipalities, forms, document states and the form kinds whose items are
    listed by item (``itemKinds``).  Small at any site size: every query reads it.
``docs.z``
    Deflated JSON: the facet columns of every assessment (municipality, form, 事務, 公表日,
    first chunk, form edition) and the 事務 names.  Read by filtered queries and by queries
    that hit the form's wording (to find the documents on an edition).
``blobs.idx``
    Pages of ``tablePage`` blob lengths (3 bytes each) after the pack and offset of the page's
    first blob (``pack.py``).
``p/<n>.bin``
    The blobs in id order, each a zlib stream, packs of ≤ 16 MiB:

    * document chunk ``c``: JSON, consecutive units of one assessment (≈ ``CHUNK_CHARS``
      characters): anchor, title, section path, display text, normalised text, and for a unit
      of an item written in words its position in the form kind's item table, with the
      document's URL, title and facets (not its number: ``firstChunk`` gives it).  The client
      checks each candidate unit's normalised text for the query: precision 1.0;
    * form chunk: the same for the form units of one edition (``formtext.py``), whose
      anchors are templates resolved per document (``slots.py``);
    * shard ``s``: the postings of every gram (characters, bigrams, trigrams of normalised
      text, ``grams.py``) whose FNV-1a hash is ``s`` modulo the shard count: the sorted
      ids of the chunks containing it (``postings.py``).  Every unit containing the query
      is in a chunk containing all its grams: recall 1.0.  A shard also holds the item keys
      (``grams.item_gram``): the chunks holding answers to one item written in words, which
      the compare pages list (``piaSearch.item``);
    * document page ``p``: JSON, url, title, facets and slots of documents ``32p …
      32p+31`` (for the results of form hits).

``builder.IndexBuilder`` makes them in bounded memory; ``build_search_index`` is the whole-
site wrapper the build and the tests use.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass

from ..model import Site
from .builder import CHUNK_CHARS, FORMAT, PREFIX, SECTION_JOIN, SHARD_BYTES, IndexBuilder, IndexMeta  # noqa: F401
from .grams import fnv1a, query_grams, text_grams  # noqa: F401 (re-exported)
from .pack import PACK_BYTES
from .postings import encode_entry, encode_postings, encode_shard, read_varint, shard_count, varint  # noqa: F401
from .units import Doc, site_docs


def shard_of(gram: str, shards: int) -> int:
    return fnv1a(gram) % shards


@dataclass
class IndexState:
    """What the preview keeps about the index it last wrote."""

    prefix: str
    urls: tuple[str, ...]  # the documents, in index order


@dataclass
class SearchIndex:
    files: dict[str, bytes]
    state: IndexState


def build_index(site: Site, docs: list[Doc], *, chunk_chars: int = CHUNK_CHARS, shard_bytes: int = SHARD_BYTES,
                prefix: str = PREFIX, pack_bytes: int = PACK_BYTES, **spill) -> SearchIndex:
    with tempfile.TemporaryDirectory(prefix="pia-search-") as tmp:
        b = IndexBuilder(IndexMeta.from_site(site), tmp, chunk_chars=chunk_chars, shard_bytes=shard_bytes,
                         prefix=prefix, pack_bytes=pack_bytes, **spill)
        for d in docs:
            b.add(d)
        files = dict(b.finish())
    return SearchIndex(files, IndexState(prefix, tuple(d.url for d in docs)))


def index_docs(site: Site, docs: list[Doc], **kw) -> dict[str, bytes]:
    return build_index(site, docs, **kw).files


def build_search_index(site: Site, **kw) -> dict[str, bytes]:
    """The search index of a site as ``{output path: bytes}`` for ``write_site(extra=…)``."""
    return index_docs(site, site_docs(site), **kw)
