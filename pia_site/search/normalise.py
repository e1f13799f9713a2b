"""Search normalisation: the one place where its rules are declared.

Both the index (Python, here) and the client (``assets/search.js``, function
``normalise``) apply exactly these steps, in this order, to a whole string:

1. Unicode NFKC.  Full-width ASCII becomes ASCII (``ＩＣ`` → ``IC``), half-width
   katakana becomes full-width (``ｻｰﾊﾞ`` → ``サーバ``, voiced marks composed),
   circled and parenthesised numbers become digits (``①`` → ``1``), ``㈱`` → ``(株)``.
2. Lower case (``str.lower`` / ``String.prototype.toLowerCase``): ``IC`` → ``ic``.
3. Character folds (``FOLD`` below, one character to one or none):
   - the katakana long vowel mark ``ー`` (U+30FC; half-width ``ｰ`` is already
     U+30FC after NFKC) is removed everywhere, so ``サーバー``, ``サーバ`` and
     ``サーバ―`` all read ``サバ``; this is what makes the JIS Z 8301 spelling
     (サーバ, コンピュータ) and the common one (サーバー, コンピューター) match.
     It is context-free on purpose: a substring of a text still normalises to a
     substring of the normalised text.  The price is that ``サーバ`` also finds
     a literal ``サバ``, which does not occur in these documents;
   - dashes and minus signs (``‐ ‑ ‒ – — ― − ﹣``) become ``-``, and the wave dash
     ``〜`` becomes ``~`` (``～`` already is after NFKC);
   - white space is removed (Japanese has no word spaces; spaces in these
     texts are layout).  In *text* mode (the index side) the line feed is kept as
     a hard separator between distinct values of one unit (e.g. two cells of a
     change-log row), so a query never matches across two values; a query never
     contains one, because in *query* mode it is removed like any white space.

Hiragana and katakana are not folded into each other, nor kanji variants
(髙/高): a search for one does not find the other.
"""
from __future__ import annotations

import unicodedata

VERSION = "nfkc-lower-fold-1"

SEPARATOR = "\n"  # hard separator between values inside one unit (text mode only)

# White space removed by normalisation (after NFKC, which has already turned
# U+00A0, U+2000–U+200A, U+3000 … into U+0020).  Mirrored in search.js.
WHITESPACE = "\t\n\x0b\x0c\r \x1c\x1d\x1e\x1f\x85\u1680\u2028\u2029\u200b\u200c\u200d\u2060\ufeff"
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63"
LONG_VOWEL = "\u30fc"
WAVE_DASH = "\u301c"


def _table(keep_separator: bool) -> dict[int, str | None]:
    t: dict[int, str | None] = {ord(c): None for c in WHITESPACE}
    if keep_separator:
        t[ord(SEPARATOR)] = SEPARATOR
    t[ord(LONG_VOWEL)] = None
    for c in DASHES:
        t[ord(c)] = "-"
    t[ord(WAVE_DASH)] = "~"
    return t


_TEXT = _table(True)
_QUERY = _table(False)


def normalise_text(s: str) -> str:
    """Normalised text of a unit, as stored and indexed (keeps the hard separator)."""
    return unicodedata.normalize("NFKC", s).lower().translate(_TEXT)


def normalise_query(s: str) -> str:
    """Normalised query: what search.js's ``normalise`` returns."""
    return unicodedata.normalize("NFKC", s).lower().translate(_QUERY)
