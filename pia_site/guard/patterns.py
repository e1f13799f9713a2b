"""Personal-data patterns: pure functions from text to matches.

Text is compared after NFKC (full-width digits, ＠, U+3000 …), with spaces and
hyphens removed from the matched value, so ``１２３４ ５６７８-９０１８`` and
``123456789018`` are the same number.  Offsets in a ``Match`` are offsets in the
original text, so a caller can point at the exact characters.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from enum import Enum
from itertools import accumulate, chain, compress, repeat


class Kind(str, Enum):
    MYNUMBER = "mynumber"              # valid check digit, keyword nearby: an error
    MYNUMBER_NO_KEYWORD = "mynumber-nokw"  # valid check digit, no keyword nearby
    MYNUMBER_BAD_CHECK = "mynumber-bad"    # 12 digits next to a keyword, check digit wrong
    PHONE = "phone"
    EMAIL = "email"
    BIRTH_DATE = "birth"
    ADDRESS = "address"


@dataclass(frozen=True)
class Match:
    kind: Kind
    start: int  # offsets in the original text
    end: int
    value: str  # the matched text, normalised (see ``normalise_value``)
    shown: str  # the matched text after NFKC, as an author would recognise it (mask it before showing)

    @property
    def is_error(self) -> bool:
        return self.kind is Kind.MYNUMBER


# Characters that may separate digit groups of one number: white space and the
# hyphens and dashes people type between groups (after NFKC: "－" is "-", "ｰ" is "ー").
DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\u2500"
_SEP = rf"[\s{DASHES}]"
_STRIP = re.compile(rf"[\s{DASHES}]+")

# Words that make a 12-digit number a 個人番号 rather than some other number.  "番号"
# covers 個人番号 and 番号 alone; a 法人番号 has 13 digits, so it never matches.
MYNUMBER_KEYWORDS = re.compile(r"番号|マイナンバー|まいなんばー|my ?number|個人番", re.IGNORECASE)
KEYWORD_BEFORE = 20  # a keyword ending at most this many characters before the number …
KEYWORD_AFTER = 10   # … or starting at most this many characters after it

# A maximal run of digits, each group joined by at most one separator, not glued to
# Latin letters (an alphanumeric code is not a 個人番号).
_DIGIT_RUN = re.compile(rf"(?<![0-9A-Za-z])[0-9](?:{_SEP}?[0-9])*(?![0-9A-Za-z])")

PHONE_KEYWORDS = re.compile(r"電話|携帯|tel|fax|ファクス|ファックス|☎|連絡先", re.IGNORECASE)
# 0 + area code, optionally in parentheses, then two groups; separators optional here,
# the digit count (10 or 11) and the separator/keyword rule are checked afterwards.
_PHONE = re.compile(r"(?<![0-9A-Za-z\-])\(?0[0-9]{1,4}\)?[\s\-(]?\(?[0-9]{1,4}\)?[\s\-)]?[0-9]{3,4}(?![0-9A-Za-z]|-[0-9])")
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9])")

BIRTH_KEYWORDS = re.compile(r"生年月日|誕生日|生まれ|出生日")
BIRTH_BEFORE = 12
_BIRTH_BREAK = re.compile(r"[。、，,;；等及並又]|から|まで")
_ERA = r"(?:明治|大正|昭和|平成|令和)"
_DATE = re.compile(
    rf"{_ERA}\s?(?:[0-9]{{1,2}}|元)\s?年\s?[0-9]{{1,2}}\s?月\s?[0-9]{{1,2}}\s?日"
    r"|(?:18|19|20)[0-9]{2}\s?年\s?[0-9]{1,2}\s?月\s?[0-9]{1,2}\s?日"
    r"|(?<![0-9])(?:18|19|20)[0-9]{2}[/.\-][0-9]{1,2}[/.\-][0-9]{1,2}(?![0-9])"
    r"|(?<![A-Za-z0-9])[MTSHR]\s?[0-9]{1,2}[/.\-][0-9]{1,2}[/.\-][0-9]{1,2}(?![0-9])"
)
_DATE_THEN_BORN = re.compile(r"\s?(?:生まれ|生)(?!活|産|成|徒|涯|存|命|計|息|態|物)")

_KANJI_NUM = "一二三四五六七八九十〇"
_ADDRESS = re.compile(
    # 1丁目2番3号, 四丁目2番1号, 1丁目2番地3, 1丁目2-3
    rf"(?:[0-9]{{1,3}}|[{_KANJI_NUM}]{{1,3}})\s?丁目\s?[0-9]{{1,4}}\s?(?:番地?|[{DASHES}])\s?(?:の\s?)?[0-9]{{1,4}}(?:\s?号)?"
    # 123番地4, 123番地の4, 12番3号
    r"|(?<![0-9])[0-9]{1,5}\s?番地(?:\s?の)?\s?[0-9]{1,4}(?:\s?号)?"
    r"|(?<![0-9第])[0-9]{1,5}\s?番\s?[0-9]{1,4}\s?号"
    # 1-2-3 right after a place name (a kana or kanji that does not end a citation or a date)
    rf"|(?<=[\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fff々ヶケ])(?<![第表図式紙条項号章節版年月日様付])"
    rf"[0-9]{{1,4}}[{DASHES}][0-9]{{1,4}}[{DASHES}][0-9]{{1,4}}(?![0-9{DASHES}])"
)

_CANDIDATE = re.compile(r"[\d@＠]")

# the 個人番号's check digit: weights Qn and modulus 11, see ``mynumber_check_digit``
_WEIGHTS = tuple(n + 1 if n <= 6 else n - 5 for n in range(1, 12))


def mynumber_check_digit(first11: str) -> int:
    """Check digit of a 個人番号 from its first 11 digits.

    Source: 行政手続における特定の個人を識別するための番号の利用等に関する法律の規定による
    通知カード及び個人番号カード並びに情報提供ネットワークシステムによる特定個人情報の提供等に
    関する省令（平成26年総務省令第85号）第5条 (the formula 令第8条 refers to):
    check = 11 − (Σ_{n=1..11} Pn × Qn mod 11), and 0 when that remainder is ≤ 1, where Pn
    is the n-th digit counted from the lowest of the 11 digits and Qn = n + 1 for
    1 ≤ n ≤ 6, n − 5 for 7 ≤ n ≤ 11.
    """
    digits = [int(c) for c in reversed(first11)]
    r = sum(p * q for p, q in zip(digits, _WEIGHTS)) % 11
    return 0 if r <= 1 else 11 - r


def is_mynumber(digits: str) -> bool:
    """12 ASCII digits whose last one is the 個人番号 check digit of the others."""
    return len(digits) == 12 and digits.isdigit() and mynumber_check_digit(digits[:11]) == int(digits[11])


def normalise_value(s: str) -> str:
    """How matched text and allowlist entries are compared: NFKC, no spaces or hyphens, lower case."""
    return _STRIP.sub("", unicodedata.normalize("NFKC", s)).lower()


def mask(shown: str, keep: int = 4) -> str:
    """``shown`` with every letter and digit after the first ``keep`` characters replaced by
    ``*`` (e.g. ``1234********``), so a message never repeats the personal data it reports."""
    head, tail = shown[:keep], shown[keep:]
    return head + re.sub(r"[0-9A-Za-z]", "*", tail)


_SOUND_MARKS = "\uff9e\uff9f\u3099\u309a"  # (semi-)voiced sound marks that compose with the kana before them


def _nfkc_with_offsets(text: str) -> tuple[str, list[int]]:
    """NFKC of ``text`` and, for every character of the result (and its end), the offset of
    the original character it came from.  A base character and the combining marks after it
    (e.g. half-width ﾊ + ﾞ) are normalised together so that they compose."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text, list(range(len(text) + 1))
    chars = set(text)
    if not any(unicodedata.combining(c) or c in _SOUND_MARKS for c in chars):
        # every character is a piece of its own: each distinct one is normalised once
        nfkc = {c: unicodedata.normalize("NFKC", c) for c in chars}
        pieces = list(map(nfkc.__getitem__, text))
        norm = "".join(pieces)
        if len(norm) == len(text):
            return norm, list(range(len(text) + 1))
        offsets = list(chain.from_iterable(map(repeat, range(len(text)), map(len, pieces))))
        offsets.append(len(text))
        return norm, offsets
    out: list[str] = []
    offsets: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and (unicodedata.combining(text[j]) or text[j] in _SOUND_MARKS):
            j += 1
        piece = unicodedata.normalize("NFKC", text[i:j])
        out.append(piece)
        offsets.extend([i] * len(piece))
        i = j
    offsets.append(n)
    return "".join(out), offsets


def _nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``; ``is_normalized`` answers the usual text (already
    NFKC) ten times faster than ``normalize`` returns it."""
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def _near(pattern: re.Pattern, text: str, start: int, end: int, before: int, after: int) -> bool:
    """A match of ``pattern`` ending at most ``before`` characters before ``start`` or
    starting at most ``after`` characters after ``end``."""
    for m in pattern.finditer(text, max(0, start - before - 12), start):
        if start - m.end() <= before:
            return True
    m = pattern.search(text, end, min(len(text), end + after + 12))
    return bool(m and m.start() - end <= after)


def _labels_date(text: str, start: int) -> bool:
    """A birth keyword shortly before ``start`` that labels the date (生年月日：…, 生年月日は…),
    not one item of a list or a sentence that ends before the date (生年月日等を入手する。…)."""
    lo = max(0, start - BIRTH_BEFORE - 4)
    for k in BIRTH_KEYWORDS.finditer(text, lo, start):
        between = text[k.end():start]
        if len(between) <= BIRTH_BEFORE and not _BIRTH_BREAK.search(between):
            return True
    return False


def _possible(norm: str) -> bool:
    """Whether any pattern of ``scan_text`` can match ``norm`` (the text's NFKC, taken whole:
    it differs from the piecewise one only where conjoining jamo compose, which no pattern
    reads).  Every regular expression runs in C; most text has no candidate at all."""
    for m in _DIGIT_RUN.finditer(norm):
        if len(_STRIP.sub("", m.group())) == 12:
            return True
    return bool(("@" in norm and _EMAIL.search(norm)) or _PHONE.search(norm)
                or ("生" in norm and _DATE.search(norm)) or _ADDRESS.search(norm))


_JOIN = "\x00"  # no pattern reads it, it does not change under NFKC, and no character composes with it
# Necessary for a match: twelve digits with at most one separator between two (a _DIGIT_RUN
# of 12 digits), and a piece every _ADDRESS alternative holds.  Cheap to search for.
_TWELVE = re.compile(rf"[0-9](?:{_SEP}?[0-9]){{11}}")
_ADDRESS_HINT = re.compile(rf"丁目|[0-9]\s?番|[0-9][{DASHES}][0-9]{{1,4}}[{DASHES}][0-9]")


_VERDICTS: dict[str, bool] = {}  # text -> may_match's answer: a page, its open data and its YAML share texts
_VERDICTS_MAX = 20_000  # an assessment's pages, open data and YAML: about 6,000 distinct candidates


def may_match(texts: list[str]) -> list[int]:
    """The indexes, in order, of the texts ``_possible`` passes, the only ones in which
    ``scan_text`` can find something.  The usual text has nothing, so the patterns run once
    over all the texts joined by NUL.  No pattern reads NUL, so no match spans two texts and
    each text is bounded by it as by the ends of a string: a pattern matches in the joined
    text inside a text exactly when it matches that text.  Answers are remembered by text."""
    idx = [i for i in compress(range(len(texts)), map(_CANDIDATE.search, texts)) if len(texts[i]) >= 4]
    verdicts = {t: _VERDICTS.get(t) for t in (texts[i] for i in idx)}
    new = [t for t, v in verdicts.items() if v is None]
    if new:
        hit = _possible_texts([_nfkc(t) for t in new])
        fresh = {t: k in hit for k, t in enumerate(new)}
        verdicts.update(fresh)
        if len(_VERDICTS) + len(fresh) > _VERDICTS_MAX:
            _VERDICTS.clear()
        _VERDICTS.update(fresh)
    return [i for i in idx if verdicts[texts[i]]]


def _possible_texts(norms: list[str]) -> set[int]:
    """The indexes of the normalised texts ``_possible`` passes."""
    joined = _JOIN.join(norms)
    starts = list(accumulate((len(t) + 1 for t in norms[:-1]), initial=0))

    def owners(pattern: re.Pattern) -> set[int]:
        return {bisect_right(starts, m.start()) - 1 for m in pattern.finditer(joined)}

    hit = owners(_PHONE)
    hit.update(k for k in owners(_TWELVE) - hit
               if any(len(_STRIP.sub("", r.group())) == 12 for r in _DIGIT_RUN.finditer(norms[k])))
    hit.update(k for k in owners(_ADDRESS_HINT) - hit if _ADDRESS.search(norms[k]))
    if "@" in joined:
        hit.update(k for k, t in enumerate(norms) if k not in hit and "@" in t and _EMAIL.search(t))
    if "生" in joined:
        hit.update(k for k, t in enumerate(norms) if k not in hit and "生" in t and _DATE.search(t))
    return hit


def scan_text(text: str, allow: frozenset[str] | set[str] = frozenset()) -> list[Match]:
    """Every personal-data match in ``text``, in order.  ``allow`` holds normalised
    allowlist entries: a warning whose value lies inside one is dropped (an error never is)."""
    if len(text) < 4 or not _CANDIDATE.search(text):
        return []  # every pattern needs a digit or an "@" (full-width ones included)
    if not _possible(_nfkc(text)):
        return []  # the usual case: the exact, offset-keeping normalisation below is not needed
    norm, offsets = _nfkc_with_offsets(text)
    found: list[tuple[Kind, int, int]] = []
    taken: list[tuple[int, int]] = []

    for m in _DIGIT_RUN.finditer(norm):
        digits = _STRIP.sub("", m.group())
        if len(digits) != 12:
            continue  # a 法人番号 (13 digits) or any other length is not a 個人番号
        keyword = _near(MYNUMBER_KEYWORDS, norm, m.start(), m.end(), KEYWORD_BEFORE, KEYWORD_AFTER)
        if is_mynumber(digits):
            kind = Kind.MYNUMBER if keyword else Kind.MYNUMBER_NO_KEYWORD
        elif keyword:
            kind = Kind.MYNUMBER_BAD_CHECK
        else:
            continue
        found.append((kind, m.start(), m.end()))
        taken.append((m.start(), m.end()))

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    for m in _EMAIL.finditer(norm) if "@" in norm else ():
        found.append((Kind.EMAIL, m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for m in _PHONE.finditer(norm):
        raw = m.group()
        n_digits = sum(c.isdigit() for c in raw)
        if n_digits not in (10, 11) or not free(m.start(), m.end()):
            continue
        separated = not raw.isdigit()
        if separated or _near(PHONE_KEYWORDS, norm, m.start(), m.end(), 12, 4):
            found.append((Kind.PHONE, m.start(), m.end()))
            taken.append((m.start(), m.end()))
    for m in _DATE.finditer(norm) if "生" in norm else ():  # every birth keyword has 生
        if not free(m.start(), m.end()):
            continue
        born_after = _DATE_THEN_BORN.match(norm, m.end())
        if born_after or _labels_date(norm, m.start()):
            found.append((Kind.BIRTH_DATE, m.start(), m.end()))
            taken.append((m.start(), m.end()))
    for m in _ADDRESS.finditer(norm):
        if free(m.start(), m.end()):
            found.append((Kind.ADDRESS, m.start(), m.end()))

    out = []
    for kind, s, e in sorted(found, key=lambda f: (f[1], f[2])):
        value = normalise_value(norm[s:e])
        if kind is not Kind.MYNUMBER and any(value in a for a in allow):
            continue
        out.append(Match(kind, offsets[s], offsets[e], value, norm[s:e]))
    return out
