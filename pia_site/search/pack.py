"""Packs: many small deflated blobs (chunks, shards, document pages) in a few big files.

``blobs.idx`` holds 12 bytes per blob id, big-endian: pack number, offset in the pack and
length (0: no such blob).  ``p/<pack>.bin`` are the blobs back to back, each a complete
zlib stream, so a pack can also be read without the table.  A client reads the table a
page of ``TABLE_PAGE`` entries at a time (one HTTP range request, kept for later blobs on
that page), then the blob: blobs it wants at once that lie back to back in a pack come in
one range request.  It falls back to whole files where ranges are not served.  Packs are cut at blob boundaries once they would pass
``pack_bytes`` (16 MiB by default, under the per-file limits of common static hosts).

Blobs are spilled to one file as they come and cut into packs at the end: the writer
holds only their positions.
"""
from __future__ import annotations

import os
import struct
from array import array
from pathlib import Path
from typing import Iterator

ENTRY = struct.Struct(">III")
PACK_BYTES = 16 << 20
TABLE = "blobs.idx"
TABLE_PAGE = 64  # table entries a client reads at a time (768 bytes; search.js: the same)


def pack_path(n: int) -> str:
    return f"p/{n}.bin"


class PackWriter:
    def __init__(self, spill_dir: Path, pack_bytes: int = PACK_BYTES):
        self.path = Path(spill_dir) / "blobs.bin"
        self.file = open(self.path, "wb")
        self.pack_bytes = pack_bytes
        self.kinds = array("b")  # kind and index of each blob, in write order
        self.index = array("q")
        self.lengths = array("q")

    def add(self, kind: int, index: int, data: bytes) -> None:
        """A blob; its id will be ``bases[kind] + index`` (the bases are known at the end)."""
        self.file.write(data)
        self.kinds.append(kind)
        self.index.append(index)
        self.lengths.append(len(data))

    def finish(self, bases, blob_count: int, prefix: str) -> Iterator[tuple[str, bytes]]:
        """The packs and the table, as (output path, bytes)."""
        self.file.close()
        table = bytearray(ENTRY.size * blob_count)
        try:
            with open(self.path, "rb") as f:
                pack, buf = 0, bytearray()
                for kind, i, n in zip(self.kinds, self.index, self.lengths):
                    bid = bases[kind] + i
                    if buf and len(buf) + n > self.pack_bytes:
                        yield f"{prefix}{pack_path(pack)}", bytes(buf)
                        pack, buf = pack + 1, bytearray()
                    ENTRY.pack_into(table, bid * ENTRY.size, pack, len(buf), n)
                    buf += f.read(n)
                if buf:
                    yield f"{prefix}{pack_path(pack)}", bytes(buf)
        finally:
            os.unlink(self.path)
        yield f"{prefix}{TABLE}", bytes(table)


def read_entry(table: bytes, blob_id: int) -> tuple[int, int, int]:
    return ENTRY.unpack_from(table, blob_id * ENTRY.size)
