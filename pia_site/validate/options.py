"""Forgiving option values: what an author pastes for a choice or a checkbox item.

The scaffold prints a choice's options as a comment, ``# 1) 1,000人未満 … 5) 30万人以上``, and
authors paste ``5) 30万人以上`` or type ``３０万人以上`` in full width.  Such a value matches its
option after NFKC and after the leading ``n)`` numbering is stripped; the caller keeps the option
and says what it matched (a warning with the printed option).  A value that matches nothing gets
the closest options as a もしかして hint, as unknown keys do.
"""
from __future__ import annotations

import difflib
import re
import unicodedata

from ..catalog import Family

# 5) / 5） / (5) / （5） / 5. / ⑤ before the option text (NFKC turns ⑤ into 5 and （ into ()
_NUMBERING = re.compile(r"^\s*(?:\(\s*(\d{1,2})\s*\)|(\d{1,2})\s*[).]|(\d{1,2})\s+(?=\D))\s*")


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def _strip_number(s: str) -> tuple[str, int | None]:
    t = unicodedata.normalize("NFKC", s).strip()
    m = _NUMBERING.match(t)
    if not m:
        return t, None
    return t[m.end():], int(next(g for g in m.groups() if g))


def forgiving_option(fam: Family, raw: str) -> tuple[str | None, str]:
    """(the printed option, a Japanese note on what was forgiven) for a value that is not the
    printed option itself; (None, "") when nothing matches."""
    text, number = _strip_number(raw)
    key = _norm(text)
    if not key:
        return None, ""
    names = [(o.text, o.text) for o in fam.options] + list(fam.aliases)
    for written, option in names:
        if _norm(written) == key:
            what = []
            if number is not None:
                what.append("番号")
            if unicodedata.normalize("NFKC", raw) != raw:
                what.append("全角半角")
            if re.sub(r"\s", "", text) != text.strip() or (number is None and raw != raw.strip()):
                what.append("空白")
            if written != option:
                what.append(f"古い表記「{written}」")
            note = f"「{raw}」を選択肢「{option}」として読みました（{'・'.join(what) or '表記'}の違いを除いて照合）。"
            opt = fam.option(option)
            if number is not None and opt is not None and number != opt.number:
                note += f"書かれた番号 {number}) は選択肢の番号 {opt.number}) と違います。"
            return option, note + f"様式の表記どおり「{option}」と書いてください。"
    return None, ""


def near_options(fam: Family, raw: str, n: int = 3) -> str:
    """``もしかして: 「…」。`` for a near miss, else ``""``."""
    text, _ = _strip_number(raw)
    by_key = {_norm(o.text): o.text for o in fam.options}
    close = difflib.get_close_matches(_norm(text), list(by_key), n=n, cutoff=0.6)
    return f"もしかして: {'、'.join(f'「{by_key[c]}」' for c in close)}。" if close else ""
