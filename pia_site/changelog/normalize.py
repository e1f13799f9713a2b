"""Normalization of 変更箇所 項目 text (changelog.md §6.2 step 2).

Order matters:

1. strip HTML tags (known tag names only: ``<中間サーバー…における措置>`` is text), then unescape;
2. protect the circled numbers ①–⑳, which NFKC would turn into plain digits;
3. NFKC (``Ⅲ`` -> ``III``, full-width punctuation -> ASCII, NBSP -> space), ``〜`` -> ``~``;
4. delete ``※(…)`` annotations and lone ``※``; turn ``「」『』`` into spaces; record continuation
   markers ``(… 続き)`` (their inner text is kept as context);
5. collapse whitespace.

``compact()`` gives the comparison key used for labels: ``pia_site.labels.label_key``, the same
key the importer uses (no whitespace, no ``、。・,.:``, a few variant code points folded).
Content text is never rewritten with it.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from ..labels import CIRCLED, label_key, nfkc

_TAGS = ("p|br|li|ul|ol|b|i|u|s|em|strong|span|div|a|table|thead|tbody|tfoot|tr|td|th|input|font|"
         "sup|sub|hr|h[1-6]|small|big|center|img|col|colgroup|caption|label|section|blockquote|pre|code")
TAG_RE = re.compile(rf"</?(?:{_TAGS})(?:\s[^<>]*)?/?>", re.IGNORECASE)
# a heading annotation such as ※(7. リスク1⑨を除く。) — not "※ (その必要性)", a sub-row after a ※ label
ANNOTATION_RE = re.compile(r"※\s*\((?=[^()]*(?:除く|\d))[^()]*\)")
CONTINUATION_RE = re.compile(r"\(\s*([^()]*?)\s*続き\s*\)")
WS_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class Normalized:
    text: str  # normalized, circled numbers intact, single spaces
    continuation: bool = False  # a "(… 続き)" marker was found
    context: str = ""  # the marker's inner text (e.g. "III リスク対策")


def strip_html(text: str) -> str:
    """Known tags become spaces; entities are unescaped afterwards (``&lt;選択肢&gt;`` stays text)."""
    return html.unescape(TAG_RE.sub(" ", text or ""))


def circled_value(ch: str) -> int | None:
    i = CIRCLED.find(ch)
    return i + 1 if i >= 0 else None


def to_circled(n: int) -> str:
    return CIRCLED[n - 1] if 1 <= n <= 20 else f"({n})"


compact = label_key  # the one label comparison key, shared with the importer


def normalize(text: str, circled_labels: Iterable[str] | None = None) -> Normalized:
    """Normalize a 項目 cell.

    ``circled_labels``: compact labels of circled form items.  ``(5)`` written directly before one
    of them is read as ``⑤`` (003 L369 ``(5)移転する情報の対象となる本人の範囲``).
    """
    s = strip_html(text)
    s = nfkc(s)
    s = ANNOTATION_RE.sub(" ", s)
    s = s.replace("※", " ")
    for q in "「」『』":
        s = s.replace(q, " ")
    continuation = False
    context = ""
    m = CONTINUATION_RE.search(s)
    if m:
        continuation = True
        context = WS_RE.sub(" ", m.group(1)).strip()
        s = s[: m.start()] + " " + context + " " + s[m.end():]
    elif "続き" in s and re.search(r"\(\s*続き\s*\)", s):
        continuation = True
        s = re.sub(r"\(\s*続き\s*\)", " ", s)
    if circled_labels:
        labels = tuple(sorted({c for c in circled_labels if c}, key=len, reverse=True))

        def repl(mm: re.Match) -> str:
            n = int(mm.group(1))
            rest = compact(s[mm.end():])
            if 1 <= n <= 20 and any(rest.startswith(lb) for lb in labels):
                return to_circled(n)
            return mm.group(0)

        s = re.sub(r"\((\d{1,2})\)\s*", repl, s)
    s = WS_RE.sub(" ", s).strip()
    return Normalized(s, continuation, context)


@lru_cache(maxsize=1024)  # a value is compared with every row that names its item
def normalize_content(text: str | None) -> str:
    """Content text for comparisons (value chaining, text matching): tags out, NFKC, compact."""
    if not text:
        return ""
    plain = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", strip_html(text))  # Markdown escapes: 1\. -> 1.
    return compact(nfkc(plain))
