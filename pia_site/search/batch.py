"""Many grams' entries at once, with numpy: the bytes ``postings.encode_entry`` makes, gram
after gram, each after a record header (the merge's entries file, ``spill._REC``).

The merge holds a range of pairs sorted by gram, chunk ids ascending within a gram; the
loop over its grams cost more than the sort.  Here every part of an entry is made for all
the range's grams together (the gram's UTF-8 bytes, the varints, the gaps, the bitmaps),
each as one array of bytes in gram order with each gram's length, and ``interleave`` puts
the parts of each gram one after the other.  The choice between a delta list and a bitmap
is ``encode_postings``'s: a bitmap when the delta list's bytes pass ``nbytes + 4``.
"""
from __future__ import annotations

import numpy as np

_BITS = 21
_MASK = np.uint64((1 << _BITS) - 1)
_U7 = np.uint64(7)


def varint_lengths(values: np.ndarray) -> np.ndarray:
    """Bytes of each value's varint (values < 2**35)."""
    v = values.astype(np.uint64, copy=False)
    n = np.ones(len(v), np.int64)
    for k in range(1, 5):
        n += v >= np.uint64(1 << (7 * k))
    return n


def varints(values: np.ndarray, lengths: np.ndarray | None = None) -> np.ndarray:
    """The varints of non-negative integers (< 2**35), concatenated (uint8)."""
    v = values.astype(np.uint64, copy=False)
    if lengths is None:
        lengths = varint_lengths(v)
    out = np.empty(int(lengths.sum()), np.uint8)
    if not len(out):
        return out
    starts = np.cumsum(lengths) - lengths
    if len(out) == len(v):  # every value under 0x80: the values are the bytes
        out[:] = v
        return out
    for k in range(int(lengths.max())):
        sel = np.flatnonzero(lengths > k)
        byte = (v[sel] >> np.uint64(7 * k)) & np.uint64(0x7F)
        byte |= (lengths[sel] > k + 1).astype(np.uint64) << _U7
        out[starts[sel] + k] = byte
    return out


def interleave(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Parts given as (bytes in gram order, each gram's length) -> (all the bytes, gram by gram
    with its parts in the order given; each gram's length)."""
    total = sum(lens for _b, lens in parts)
    ends = np.cumsum(total)
    out = np.empty(int(ends[-1]) if len(ends) else 0, np.uint8)
    at = ends - total  # where each gram's next part goes
    for data, lens in parts:
        if len(data):
            # byte i of the part goes to at[g] + (i - first byte of gram g in the part)
            dest = np.repeat(at - (np.cumsum(lens) - lens), lens)
            dest += np.arange(len(data))
            out[dest] = data
        at = at + lens
    return out, total


def utf8_grams(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The UTF-8 bytes of the grams of ``keys`` (``grams.key_gram``), concatenated, and their lengths."""
    keys = keys.astype(np.uint64, copy=False)
    cols, lens = [], []
    for shift in (2 * _BITS, _BITS, 0):
        cp = ((keys >> np.uint64(shift)) & _MASK).astype(np.int64)
        n = (cp > 0).astype(np.int64) + (cp >= 0x80) + (cp >= 0x800) + (cp >= 0x10000)
        lead = np.select([n == 1, n == 2, n == 3], [cp, 0xC0 | (cp >> 6), 0xE0 | (cp >> 12)], 0xF0 | (cp >> 18))
        cols.append(lead)
        lens.append(n)
        for b in (1, 2, 3):  # byte b of an n-byte character: 0x80 | six bits
            cols.append(0x80 | ((cp >> (6 * np.maximum(n - 1 - b, 0))) & 0x3F))
            lens.append(n)
    table = np.stack(cols, axis=1)  # per gram: 3 characters × 4 byte slots
    valid = np.stack([n > b for n, b in zip(lens, [0, 1, 2, 3] * 3)], axis=1)
    return table[valid].astype(np.uint8), valid.sum(axis=1)


def encode_entries(keys: np.ndarray, revs: np.ndarray, cids: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, int]:
    """Record header (``rev``, entry length; ``<II``) and ``encode_entry(key_gram(k), ids)`` of every
    gram, back to back: gram ``g`` has key ``keys[g]``, reversed hash ``revs[g]`` and the chunk
    ids ``cids[starts[g]:starts[g + 1]]`` (ascending; the last to the end).  Returns the bytes
    and the entries' total length (headers not counted)."""
    grams = len(starts)
    if not grams:
        return np.zeros(0, np.uint8), 0
    c = cids.astype(np.int64)
    count = np.diff(np.append(starts, len(c)))
    first, last = c[starts], c[np.append(starts[1:], len(c)) - 1]
    base = first >> 3
    nbytes = (last >> 3) - base + 1

    gaps = np.empty(len(c), np.int64)
    gaps[0] = c[0]
    np.subtract(c[1:], c[:-1], out=gaps[1:])
    gaps[starts] = first
    glen = varint_lengths(gaps)
    dlen = np.add.reduceat(glen, starts)
    bitmap = dlen > nbytes + 4
    in_bitmap = np.repeat(bitmap, count)

    # delta lists: the gaps' varints, the grams' own
    dsel = ~in_bitmap
    delta = varints(gaps[dsel], glen[dsel])
    # bitmaps: bit (id - 8 base) from the gram's first byte, bit i & 7 of byte i >> 3
    bbytes = np.where(bitmap, nbytes, 0)
    boff = np.cumsum(bbytes) - bbytes
    pos = (c + np.repeat((boff - base) * 8, count))[in_bitmap]
    bits = np.zeros(int(bbytes.sum()) * 8, np.uint8)
    bits[pos] = 1
    bitmaps = np.packbits(bits, bitorder="little")

    gram_bytes, gram_lens = utf8_grams(keys)
    zero = np.zeros(grams, np.int64)

    def some(values, which):
        lens = np.where(which, varint_lengths(values), 0)
        return varints(values[which], lens[which]), lens

    heads = count << 1 | bitmap
    parts = [
        (np.zeros(grams * 8, np.uint8), np.full(grams, 8, np.int64)),  # the record header, filled below
        (varints(gram_lens), varint_lengths(gram_lens)),
        (gram_bytes, gram_lens),
        (varints(heads), varint_lengths(heads)),
        some(base, bitmap),
        some(nbytes, bitmap),
        (bitmaps, bbytes),
        (delta, np.where(bitmap, zero, dlen)),
    ]
    out, lens = interleave(parts)
    entry = lens - 8
    header = np.empty(grams, np.dtype([("rev", "<u4"), ("len", "<u4")]))
    header["rev"] = revs
    header["len"] = entry
    at = np.cumsum(lens) - lens
    out[(at[:, None] + np.arange(8)).ravel()] = header.view(np.uint8)
    return out, int(entry.sum())
