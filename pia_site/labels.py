"""The one comparison key for printed labels (catalog labels against source text).

The importer (cells of a converted document) and the change-log resolver (項目 breadcrumbs)
both match text against the catalog's labels with this key:

* the circled numbers ①–⑳ are kept (NFKC would turn them into plain digits);
* everything else is NFKC-normalised (``Ⅲ`` -> ``III``, full-width -> ASCII);
* whitespace, ``※``, ``#``, ``*``, ``「」『』`` and the list punctuation ``、。・,.:;`` are dropped;
* a few variants NFKC leaves alone are folded: ``〜``/``～`` -> ``~``, ``−``/``‐`` -> ``-``,
  and OCR code points such as ``揭`` -> ``掲``.

The key is computed character by character, so a caller can map key positions back to the
text (``key_char``).  ``nfkc`` is the same normalisation for text that is kept (circled numbers
protected, ``〜`` -> ``~``); content text is never rewritten with the key.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

CIRCLED = "".join(chr(c) for c in range(0x2460, 0x2474))  # ①..⑳
_CIRCLED_SET = frozenset(CIRCLED)
FOLD = {"〜": "~", "～": "~", "−": "-", "‐": "-", "揭": "掲", "单": "単", "图": "図", "隨": "随"}
DROP = frozenset("※#*「」『』、。・,.:;｡､･\u200b")


_PUA = 0xE000
_PROTECT = {ord(c): chr(_PUA + i) for i, c in enumerate(CIRCLED)}
_RESTORE = {_PUA + i: c for i, c in enumerate(CIRCLED)}
_CACHED_LEN = 200  # short strings (labels, 項目 cells) recur; long content values are not kept


def _nfkc(text: str) -> str:
    protected = text.translate(_PROTECT)
    out = unicodedata.normalize("NFKC", protected).translate(_RESTORE)
    return out.replace("〜", "~").replace("\u200b", "")


_nfkc_short = lru_cache(maxsize=1 << 16)(_nfkc)


def nfkc(text: str) -> str:
    """NFKC that keeps ①–⑳, plus ``〜`` -> ``~`` and no zero-width spaces."""
    return _nfkc_short(text) if len(text) <= _CACHED_LEN else _nfkc(text)


@lru_cache(maxsize=4096)
def key_char(ch: str) -> str:
    """The key of one character ('' when it is dropped)."""
    if ch in _CIRCLED_SET:
        return ch
    if ch in DROP or ch.isspace():
        return ""
    out = unicodedata.normalize("NFKC", FOLD.get(ch, ch))
    return "".join(FOLD.get(c, c) for c in out if c not in DROP and not c.isspace())


class _KeyTable(dict):
    """``key_char`` by code point, for ``str.translate``: each character's key is computed once."""

    def __missing__(self, code: int) -> str:
        key = self[code] = key_char(chr(code))
        return key


_KEY_TABLE = _KeyTable()


def _label_key(text: str) -> str:
    return text.translate(_KEY_TABLE)  # the keys of the characters one after the other


_label_key_short = lru_cache(maxsize=1 << 16)(_label_key)


def label_key(text: str) -> str:
    """``概 要`` == ``概要``; ``提供・移転`` == ``提供移転``; ``①`` stays ``①``."""
    return _label_key_short(text) if len(text) <= _CACHED_LEN else _label_key(text)
