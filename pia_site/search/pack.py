"""Packs: many small deflated blobs (chunks, shards, document pages) in a few big files.

``p/<pack>.bin`` are the blobs back to back in blob-id order, each a complete zlib stream,
so a pack can also be read without the table.  ``blobs.idx`` is read a page at a time: page
``p`` covers blob ids ``p * TABLE_PAGE`` … and is ``PAGE_HEAD`` (the pack holding that page's
blobs, the offset of its first blob there) followed by each blob's length, 3 bytes
big-endian (0: no such blob); a blob's offset is the page's offset plus the lengths before
it, since a page's blobs lie back to back in one pack.  Every page but the last is
``page_size()`` bytes; meta.z gives ``TABLE_PAGE`` as ``tablePage``.  A page of lengths costs 3 bytes a blob, a quarter of (pack, offset,
length) entries, so a page read once places a thousand blobs: a visitor's later queries
mostly find their shards' and chunks' places in pages read before.  A client reads a page
(one HTTP range request, kept), then the blob: blobs it wants at once that lie back to back
in a pack come in one range request.  It falls back to whole files where ranges are not
served.  Packs are cut at page boundaries once they would pass ``pack_bytes`` (16 MiB by
default, under the per-file limits of common static hosts); a page larger than that is a
pack of its own.

Blobs are spilled to one file as they come and cut into packs at the end: the writer
holds only their positions.
"""
from __future__ import annotations

import os
import struct
from array import array
from pathlib import Path
from typing import Iterator

PAGE_HEAD = struct.Struct(">II")
LENGTH_BYTES = 3
MAX_BLOB = 1 << (8 * LENGTH_BYTES)
PACK_BYTES = 16 << 20
TABLE = "blobs.idx"
TABLE_PAGE = 1024  # blobs a page of the table places (search.js: the same)


def page_size(table_page: int = TABLE_PAGE) -> int:
    """Bytes of a full page of the table."""
    return PAGE_HEAD.size + LENGTH_BYTES * table_page


def pack_path(n: int) -> str:
    return f"p/{n}.bin"


class PackWriter:
    def __init__(self, spill_dir: Path, pack_bytes: int = PACK_BYTES, table_page: int = TABLE_PAGE):
        self.path = Path(spill_dir) / "blobs.bin"
        self.file = open(self.path, "wb")
        self.pack_bytes = pack_bytes
        self.table_page = table_page
        self.kinds = array("b")  # kind and index of each blob, in write order
        self.index = array("q")
        self.lengths = array("q")

    def add(self, kind: int, index: int, data: bytes) -> None:
        """A blob; its id will be ``bases[kind] + index`` (the bases are known at the end)."""
        if len(data) >= MAX_BLOB:
            raise ValueError(f"a search-index blob of {len(data)} bytes (at most {MAX_BLOB - 1})")
        self.file.write(data)
        self.kinds.append(kind)
        self.index.append(index)
        self.lengths.append(len(data))

    def finish(self, bases, blob_count: int, prefix: str) -> Iterator[tuple[str, bytes]]:
        """The packs and the table, as (output path, bytes)."""
        self.file.close()
        at = array("q", [-1]) * blob_count  # blob id -> its offset in the spill (-1: none)
        size = array("q", [0]) * blob_count
        pos = 0
        for kind, i, n in zip(self.kinds, self.index, self.lengths):
            bid = bases[kind] + i
            at[bid], size[bid] = pos, n
            pos += n
        table = bytearray()
        try:
            with open(self.path, "rb") as f:
                pack, buf = 0, bytearray()
                for start in range(0, blob_count, self.table_page):
                    ids = range(start, min(start + self.table_page, blob_count))
                    page_bytes = sum(size[b] for b in ids)
                    if buf and len(buf) + page_bytes > self.pack_bytes:
                        yield f"{prefix}{pack_path(pack)}", bytes(buf)
                        pack, buf = pack + 1, bytearray()
                    table += PAGE_HEAD.pack(pack, len(buf))
                    for b in ids:
                        table += size[b].to_bytes(LENGTH_BYTES, "big")
                        if size[b]:
                            f.seek(at[b])
                            buf += f.read(size[b])
                if buf:
                    yield f"{prefix}{pack_path(pack)}", bytes(buf)
        finally:
            os.unlink(self.path)
        yield f"{prefix}{TABLE}", bytes(table)


def page_entries(page: bytes) -> list[tuple[int, int, int]]:
    """The (pack, offset, length) of each blob a page of the table places, in id order."""
    pack, off = PAGE_HEAD.unpack_from(page)
    out = []
    for i in range(PAGE_HEAD.size, len(page) - LENGTH_BYTES + 1, LENGTH_BYTES):
        n = int.from_bytes(page[i:i + LENGTH_BYTES], "big")
        out.append((pack, off, n))
        off += n
    return out


def table_entries(table: bytes, table_page: int = TABLE_PAGE) -> list[tuple[int, int, int]]:
    """Every blob's (pack, offset, length), by blob id."""
    n = page_size(table_page)
    return [e for p in range(0, len(table), n) for e in page_entries(table[p:p + n])]

