"""The check marks that renditions of the forms print, in one place.

A checked box is drawn as a glyph (``○ 〇 ● ■ ✓ ✔ ☑ …``) or a letter (``O``, ``レ``, ``x``, ``v``),
alone or in brackets, with or without spaces: ``[ O ]``, ``[O]``, ``〔 ○ 〕``, ``［ｖ］``, ``☑``.
An unchecked one is an empty bracket or ``☐ □``.  Letters count only inside brackets (a bare
``x`` or ``レ`` is text); glyphs count bare too.

``marks_only`` tells a cell whose text is nothing but brackets and marks (``[ [ [ [``): what is
left of a checkbox column whose options and states were lost in conversion.  It is reported as
lost, never kept as text.
"""
from __future__ import annotations

import re
import unicodedata

# a mark inside brackets (checked); letters in any width (NFKC is not applied to source text)
CHECK_INNER = r"○|◯|〇|●|◉|☑|☒|✓|✔|■|レ|ﾚ|[xXｘＸ×✕✖]|[oOｏＯ]|[vVｖＶ]"
UNCHECK_INNER = r"☐|□"
# a bare glyph (no bracket) that checks the option after it / leaves it unchecked
BARE_CHECKED = "☑☒■○〇◯●✓✔"
BARE_UNCHECKED = "☐□"
OPEN, CLOSE = "[［〔【", "]］〕】"
# every character a mark-only cell may hold
_MARK_CHARS = set(OPEN + CLOSE + BARE_CHECKED + BARE_UNCHECKED + "◉レﾚxXｘＸ×✕✖oOｏＯvVｖＶ()（）|｜")
_STRUCTURAL = set(OPEN + CLOSE + BARE_CHECKED + BARE_UNCHECKED + "◉")


def marks_only(text: str | None) -> bool:
    """True for ``[ [ [ [``, ``[ ] [ ]``, ``○ □``: brackets and marks, no words."""
    if not text:
        return False
    t = re.sub(r"<input[^>]*>", "□", text)
    t = re.sub(r"<[^>]+>", " ", t)
    chars = [c for c in t if not c.isspace() and unicodedata.category(c) != "Zs"]
    return bool(chars) and all(c in _MARK_CHARS for c in chars) and any(c in _STRUCTURAL for c in chars)


LOST_MARKS_NOTE = ("記号だけの記載「{text}」は、チェック欄や選択肢の文字が変換で失われた跡です（値にも未配置にもしていません）。"
                   "原本（PDF）で確認して書き写してください。")
