"""Grams: what the index is keyed by, for texts and for queries.

A normalised text is keyed by every character, bigram and trigram of it, none
across a separator.  A query of one to three characters is looked up by itself;
a longer one by its trigrams.  A chunk containing the query contains each of
them, so no result is missed; a chunk containing all of them may still not
contain the query (the trigrams elsewhere in the chunk), which the client finds
when it checks the chunk's text, so no wrong result is shown.

Trigrams rather than bigrams only: in ≈2,000-character chunks, the common
bigrams of these documents (情報, 個人, システム…) nearly all co-occur, and a
query made of them would fetch most chunks to find a few results.

The builder extracts grams with numpy (``gram_keys``): a gram is a 63-bit key, its code
points 21 bits each (``c1<<42 | c2<<21 | c3``, shorter grams with leading zeros; U+0000
is treated as a separator so no character is 0); ``key_fnv`` hashes keys as ``fnv1a``
hashes the gram's code points.
"""
from __future__ import annotations

from operator import add

import numpy as np

from .normalise import SEPARATOR

LONGEST = 3
MAX_QUERY = 64  # a longer query is looked up by the trigrams of its first MAX_QUERY characters
FNV_BASIS = 0x811C9DC5
FNV_PRIME = 0x01000193
_BITS = 21
_MASK = (1 << _BITS) - 1


def fnv1a(gram: str) -> int:
    """32-bit FNV-1a over the code points of a gram (mirrored in search.js)."""
    h = FNV_BASIS
    for ch in gram:
        h ^= ord(ch)
        h = (h * FNV_PRIME) & 0xFFFFFFFF
    return h


def text_grams(text: str) -> set[str]:
    """Every character, bigram and trigram of a normalised text, none across a separator."""
    out: set[str] = set()
    for piece in text.split(SEPARATOR):
        out.update(piece)
        bg = list(map(add, piece, piece[1:]))
        out.update(bg)
        out.update(map(add, bg, piece[2:]))
    return out


def gram_keys(text: str, distinct: bool = True) -> np.ndarray:
    """The grams of ``text`` (as ``text_grams``) as uint64 keys: sorted and distinct, or with
    repeats and unsorted (``distinct=False``, for callers that sort anyway)."""
    a = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if not len(a):
        return np.zeros(0, np.uint64)
    sep = (a == ord(SEPARATOR)) | (a == 0)
    parts = [a[~sep]]
    if len(a) > 1:
        ok = ~(sep[:-1] | sep[1:])
        parts.append(((a[:-1] << np.uint64(_BITS)) | a[1:])[ok])
    if len(a) > 2:
        ok = ~(sep[:-2] | sep[1:-1] | sep[2:])
        parts.append(((a[:-2] << np.uint64(2 * _BITS)) | (a[1:-1] << np.uint64(_BITS)) | a[2:])[ok])
    keys = np.concatenate(parts)
    return _distinct(keys) if distinct else keys


def _distinct(keys: np.ndarray) -> np.ndarray:
    """Sorted, each key once: ``np.unique``'s result, by a sort and a neighbour mask (about 7× faster
    than its hash-based path on a chunk's few thousand keys)."""
    keys = np.sort(keys)
    keep = np.empty(len(keys), bool)
    keep[:1] = True
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    return keys[keep]


ITEM_BASE = 0x10000  # item keys: "\n", then the kind's and the item's numbers as supplementary-plane characters


def item_gram(kind_no: int, item_no: int) -> str:
    """The key that lists the chunks holding item ``item_no`` of form kind ``kind_no`` (search.js: the same).

    It starts with the separator, which no gram of a text contains, so it never meets one."""
    return SEPARATOR + chr(ITEM_BASE + kind_no) + chr(ITEM_BASE + item_no)


def item_key(kind_no: int, item_no: int) -> int:
    """``item_gram`` as a gram key (``gram_keys``)."""
    return (ord(SEPARATOR) << 2 * _BITS) | ((ITEM_BASE + kind_no) << _BITS) | (ITEM_BASE + item_no)


def key_gram(key: int) -> str:
    """The gram of a key."""
    return "".join(chr(c) for c in ((key >> 2 * _BITS) & _MASK, (key >> _BITS) & _MASK, key & _MASK) if c)


def key_fnv(keys: np.ndarray) -> np.ndarray:
    """``fnv1a`` of the grams of ``keys`` (uint32)."""
    n = len(keys)
    h = np.full(n, FNV_BASIS, np.uint32)
    c, step, some = np.empty(n, np.uint32), np.empty(n, np.uint32), np.empty(n, bool)
    for shift in (2 * _BITS, _BITS, 0):
        np.copyto(c, keys >> np.uint64(shift), casting="unsafe")  # the low 32 bits
        c &= np.uint32(_MASK)
        np.not_equal(c, 0, out=some)
        np.bitwise_xor(h, c, out=step)
        step *= np.uint32(FNV_PRIME)
        np.copyto(h, step, where=some)
    return h


def reverse_bits(x: np.ndarray) -> np.ndarray:
    """Bit-reversed uint32: sorting by it groups the hashes of every power-of-two shard together."""
    x = x.astype(np.uint32)
    for s, m in ((1, 0x55555555), (2, 0x33333333), (4, 0x0F0F0F0F), (8, 0x00FF00FF)):
        x = ((x >> np.uint32(s)) & np.uint32(m)) | ((x & np.uint32(m)) << np.uint32(s))
    return (x >> np.uint32(16)) | (x << np.uint32(16))


def query_grams(q: str) -> list[str]:
    """The keys a normalised query is looked up by (sorted, distinct)."""
    q = q[:MAX_QUERY]
    if len(q) <= LONGEST:
        return [q] if q else []
    return sorted({q[i:i + LONGEST] for i in range(len(q) - LONGEST + 1)})
