"""Postings encoding: varints, one gram's chunk ids, shard files.

A shard (decompressed) is ``varint count`` then, per gram in UTF-8 byte order of the
grams: ``varint len``, the gram's UTF-8 bytes, ``varint (count<<1 | kind)`` and the ids:
kind 0, the first id then the gaps as varints; kind 1, a bitmap from byte ``base``
(``varint base``, ``varint nbytes``, the bytes, bit ``i & 7`` of byte ``i >> 3``), whichever
is smaller.  Long lists are encoded with numpy, with the same bytes as the loop would make.
"""
from __future__ import annotations

import zlib

import numpy as np

NUMPY_FROM = 64  # lists at least this long are encoded with numpy


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


def _varints_np(values: np.ndarray) -> bytes:
    """Varints of non-negative integers (< 2**35), concatenated."""
    v = values.astype(np.uint64)
    nbytes = np.ones(len(v), np.int64)
    for k in range(1, 5):
        nbytes += v >= (1 << (7 * k))
    out = np.zeros(int(nbytes.sum()), np.uint8)
    starts = np.concatenate(([0], np.cumsum(nbytes)[:-1]))
    for k in range(5):
        sel = nbytes > k
        if not sel.any():
            break
        byte = (v[sel] >> np.uint64(7 * k)) & np.uint64(0x7F)
        more = nbytes[sel] > k + 1
        out[starts[sel] + k] = (byte | (more.astype(np.uint64) << np.uint64(7))).astype(np.uint8)
    return out.tobytes()


def _delta(ids) -> bytes:
    if len(ids) >= NUMPY_FROM:
        a = np.asarray(ids, np.int64)
        gaps = np.diff(a, prepend=0)
        if int(gaps.max()) < 0x80:
            return gaps.astype(np.uint8).tobytes()
        return _varints_np(gaps)
    gaps = [b - a for a, b in zip(ids, ids[1:])]
    gaps.insert(0, ids[0])
    if max(gaps) < 0x80:
        return bytes(gaps)
    out = bytearray()
    for g in gaps:
        varint(g, out)
    return bytes(out)


def _bitmap(ids, base: int, nbytes: int) -> bytes:
    if len(ids) >= NUMPY_FROM:
        a = np.asarray(ids, np.int64) - base * 8
        bits = np.zeros(nbytes * 8, np.uint8)
        bits[a] = 1
        return np.packbits(bits, bitorder="little").tobytes()
    bits = bytearray(nbytes)
    for i in ids:
        bits[(i >> 3) - base] |= 1 << (i & 7)
    return bytes(bits)


def encode_postings(ids, out: bytearray) -> None:
    """``count<<1 | kind``; kind 0: first id then gaps as varints; kind 1: bitmap from byte ``base``.
    Whichever is smaller (a delta list costs at least a byte an id)."""
    ids0, ids1 = int(ids[0]), int(ids[-1])
    base = ids0 >> 3
    nbytes = (ids1 >> 3) - base + 1
    delta = _delta(ids) if len(ids) <= nbytes + 4 else None
    if delta is None or nbytes + 4 < len(delta):
        varint(len(ids) << 1 | 1, out)
        varint(base, out)
        varint(nbytes, out)
        out += _bitmap(ids, base, nbytes)
    else:
        varint(len(ids) << 1, out)
        out += delta


def encode_entry(gram: str, ids) -> bytes:
    """One gram's entry in a shard: varint length, UTF-8 gram, postings."""
    buf = bytearray()
    gb = gram.encode("utf-8")
    varint(len(gb), buf)
    buf += gb
    encode_postings(ids, buf)
    return bytes(buf)


def entry_gram(entry: bytes) -> bytes:
    """The UTF-8 gram an entry starts with."""
    n, pos = read_varint(entry, 0)
    return entry[pos:pos + n]


def encode_shard(entries) -> bytes:
    """A shard file from its entries (``encode_entry``; a dict gram -> entry or an iterable of
    entries), in UTF-8 byte order of the grams."""
    items = entries.values() if isinstance(entries, dict) else entries
    ordered = sorted(items, key=entry_gram)
    buf = bytearray()
    varint(len(ordered), buf)
    for data in ordered:
        buf += data
    return deflate(bytes(buf))


def shard_count(total: int, shard_bytes: int) -> int:
    """Shards for ``total`` bytes of entries: the least power of two keeping each under ``shard_bytes``."""
    shards = 1
    while total / shards > shard_bytes and shards < 1 << 16:
        shards <<= 1
    return shards


def deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, 15, 9)
    return c.compress(data) + c.flush()


def shard_grams(data: bytes) -> list[str]:
    """The grams of a decompressed shard, in order, without decoding their postings: a delta
    list is skipped by counting the bytes that end a varint (high bit clear), a bitmap by its
    length.  Raises ``ValueError`` when ``data`` is not a shard."""
    ends = np.flatnonzero(np.frombuffer(data, np.uint8) < 0x80)  # the last byte of every varint
    n = len(data)

    def skip(pos: int, count: int) -> int:
        """The position after ``count`` varints from ``pos``."""
        i = int(np.searchsorted(ends, pos)) + count - 1
        if count < 1 or i >= len(ends):
            raise ValueError("corrupt shard")
        return int(ends[i]) + 1

    try:
        count, pos = read_varint(data, 0)
        grams = []
        for _ in range(count):
            size, pos = read_varint(data, pos)
            grams.append(data[pos:pos + size].decode("utf-8"))
            head, pos = read_varint(data, pos + size)
            if head & 1:
                _base, pos = read_varint(data, pos)
                nbytes, pos = read_varint(data, pos)
                pos += nbytes
            else:
                pos = skip(pos, head >> 1)
            if pos > n:
                raise ValueError("corrupt shard")
    except (IndexError, UnicodeDecodeError) as exc:
        raise ValueError("corrupt shard") from exc
    if pos != n:
        raise ValueError("corrupt shard")
    return grams
