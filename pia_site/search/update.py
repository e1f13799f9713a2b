"""Update a written search index for a few changed documents, without rebuilding it.

``build_index`` numbers chunks in document order, so an edit that keeps the
documents and the number of chunks of each changed document leaves every chunk
id where it was.  Then only the grams whose presence changed in a changed chunk
need new postings: their shards are
read back, patched and re-encoded, and the changed chunk files and the meta files
are made again.  The result is byte for byte what ``build_index`` makes of the
new documents (tests/test_index.py checks this).

Anything else (a document added, removed or moved, a chunk more or fewer, a
shard count that would change) returns ``None``: the caller rebuilds the index.
"""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, replace
from typing import Callable, Iterable

from ..model import Site
from .client import parse_shard
from .index import (Chunk, IndexState, chunk_docs, chunk_file, chunk_grams, encode_entry, encode_shard,
                    meta_files, read_varint, shard_count, shard_of)
from .units import Doc

_VARINTS = {}  # count -> compiled pattern matching that many varints


def _skip_varints(data: bytes, pos: int, count: int) -> int:
    """The position after ``count`` varints from ``pos`` (at C speed: a varint ends at a byte < 0x80)."""
    if count == 0:
        return pos
    pat = _VARINTS.get(count)
    if pat is None:
        pat = _VARINTS[count] = re.compile(rb"(?:[\x80-\xff]*[\x00-\x7f]){%d}" % count)
    m = pat.match(data, pos)
    if m is None:
        raise ValueError("corrupt shard")
    return m.end()


def split_shard(data: bytes) -> dict[str, bytes]:
    """A decompressed shard as gram -> its encoded entry, without decoding the postings."""
    out: dict[str, bytes] = {}
    n, pos = read_varint(data, 0)
    for _ in range(n):
        start = pos
        glen, pos = read_varint(data, pos)
        gram = data[pos:pos + glen].decode("utf-8")
        pos += glen
        head, pos = read_varint(data, pos)
        count = head >> 1
        if head & 1:
            _base, pos = read_varint(data, pos)
            nbytes, pos = read_varint(data, pos)
            pos += nbytes
        else:
            pos = _skip_varints(data, pos, count)
        out[gram] = data[start:pos]
    if pos != len(data):
        raise ValueError("corrupt shard")
    return out


def _decode_entry(entry: bytes) -> list[int]:
    (ids,) = parse_shard(b"\x01" + entry).values()
    return ids


@dataclass
class IndexUpdate:
    files: dict[str, bytes]  # output path -> new bytes (unchanged files may be among them)
    removed: tuple[str, ...]  # shard files left without entries
    state: IndexState


def update_index(site: Site, state: IndexState, old_docs: list[Doc], new_docs: list[Doc], changed: Iterable[int],
                 read: Callable[[str], bytes | None]) -> IndexUpdate | None:
    """Patch the index ``state`` describes for the documents at the positions ``changed``;
    ``read(path)`` gives the current bytes of a shard file (None if there is none)."""
    if len(old_docs) != len(new_docs) or state.urls != tuple(d.url for d in new_docs):
        return None
    prefix = state.prefix
    delta: dict[str, dict[int, bool]] = {}  # gram -> chunk id -> now in it (True) or gone (False)
    files: dict[str, bytes] = {}
    units = state.units
    for d in sorted(set(changed)):
        old = chunk_docs([old_docs[d]], state.chunk_chars)
        new = chunk_docs([new_docs[d]], state.chunk_chars)
        end = state.first[d + 1] if d + 1 < len(state.first) else state.chunks
        if len(old) != len(new) or end - state.first[d] != len(old):
            return None
        for k, (o, n) in enumerate(zip(old, new)):
            cid = state.first[d] + k
            before, after = chunk_grams(o), chunk_grams(n)
            for g in before - after:
                delta.setdefault(g, {})[cid] = False
            for g in after - before:
                delta.setdefault(g, {})[cid] = True
            files[f"{prefix}t/{cid}.z"] = chunk_file(new_docs, Chunk(d, n.units))
        units += sum(len(c.units) for c in new) - sum(len(c.units) for c in old)

    by_shard: dict[int, list[str]] = {}
    for g in delta:
        by_shard.setdefault(shard_of(g, state.shards), []).append(g)
    total = state.total
    removed: list[str] = []
    for sid, grams in sorted(by_shard.items()):
        path = f"{prefix}g/{sid:x}.z"
        raw = read(path)
        encoded = split_shard(zlib.decompress(raw)) if raw else {}
        for g in grams:
            ids = set(_decode_entry(encoded[g])) if g in encoded else set()
            for cid, present in delta[g].items():
                if present:
                    ids.add(cid)
                else:
                    ids.discard(cid)
            total -= len(encoded.pop(g, b""))
            if ids:
                encoded[g] = encode_entry(g, sorted(ids))
                total += len(encoded[g])
        if encoded:
            files[path] = encode_shard(encoded)
        else:
            removed.append(path)
    if shard_count(total, state.shard_bytes) != state.shards:
        return None
    new_state = replace(state, total=total, units=units)
    files.update(meta_files(site, new_docs, new_state))
    return IndexUpdate(files, tuple(removed), new_state)
