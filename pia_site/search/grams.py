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
"""
from __future__ import annotations

from operator import add

from .normalise import SEPARATOR

LONGEST = 3
MAX_QUERY = 64  # a longer query is looked up by the trigrams of its first MAX_QUERY characters


def fnv1a(gram: str) -> int:
    """32-bit FNV-1a over the code points of a gram (mirrored in search.js)."""
    h = 0x811C9DC5
    for ch in gram:
        h ^= ord(ch)
        h = (h * 0x01000193) & 0xFFFFFFFF
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


def query_grams(q: str) -> list[str]:
    """The keys a normalised query is looked up by (sorted, distinct)."""
    q = q[:MAX_QUERY]
    if len(q) <= LONGEST:
        return [q] if q else []
    return sorted({q[i:i + LONGEST] for i in range(len(q) - LONGEST + 1)})
