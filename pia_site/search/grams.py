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

Trigrams co-occur too (減免を行う。 in one sentence, う。( in another), so each
trigram posting also carries a *position mask*: bit ``p % 8`` is set for every
position ``p`` of the trigram in the chunk's text.  A chunk can hold the query
at position ``s`` only if, for every trigram ``g_i`` of the query at offset ``i``,
bit ``(s + i) % 8`` is set in ``g_i``'s mask, so the client ANDs the masks rotated
by their offsets and drops the chunk when nothing is left: fewer chunks
fetched in vain, none containing the query dropped.
"""
from __future__ import annotations

from operator import add

from .normalise import SEPARATOR

MASK_BITS = 8

LONGEST = 3
MAX_QUERY = 64  # a longer query is looked up by the trigrams of its first MAX_QUERY characters


def fnv1a(gram: str) -> int:
    """32-bit FNV-1a over the code points of a gram (mirrored in search.js)."""
    h = 0x811C9DC5
    for ch in gram:
        h ^= ord(ch)
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def short_grams(text: str) -> set[str]:
    """Every character and bigram of a normalised text, none across a separator."""
    out = set(text)
    out.update(map(add, text, text[1:]))
    out.discard(SEPARATOR)
    return {g for g in out if SEPARATOR not in g} if SEPARATOR in text else out


def text_grams(text: str) -> set[str]:
    """Every character, bigram and trigram of a normalised text, none across a separator."""
    return short_grams(text) | set(trigram_masks(text))


def trigram_masks(text: str) -> dict[str, int]:
    """Every trigram of a normalised text (none across a separator) with its position mask."""
    masks: dict[str, int] = {}
    get = masks.get
    tri = list(map(add, map(add, text, text[1:]), text[2:]))  # tri[p] starts at p
    for r in range(MASK_BITS):
        bit = 1 << r
        for g in set(tri[r::MASK_BITS]):
            masks[g] = get(g, 0) | bit
    if SEPARATOR in text:
        for g in [g for g in masks if SEPARATOR in g]:
            del masks[g]
    return masks


def rotate(mask: int, offset: int) -> int:
    """``mask`` with bit ``(r + offset) % 8`` moved to bit ``r``."""
    k = offset % MASK_BITS
    return ((mask >> k) | (mask << (MASK_BITS - k))) & ((1 << MASK_BITS) - 1)


def query_offsets(q: str) -> list[tuple[str, int]]:
    """The trigrams of a normalised query of four or more characters with their offsets
    (every occurrence; the first ``MAX_QUERY`` characters)."""
    q = q[:MAX_QUERY]
    return [(q[i:i + LONGEST], i) for i in range(len(q) - LONGEST + 1)] if len(q) > LONGEST else []


def query_grams(q: str) -> list[str]:
    """The keys a normalised query is looked up by (sorted, distinct)."""
    q = q[:MAX_QUERY]
    if len(q) <= LONGEST:
        return [q] if q else []
    return sorted({q[i:i + LONGEST] for i in range(len(q) - LONGEST + 1)})
