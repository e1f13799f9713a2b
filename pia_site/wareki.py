"""和暦: the one era table, and parsing and formatting of Japanese-era dates.

The site's display (filters), the importer (dates in a converted document) and the change-log
table reader all use this module, so they agree on every era boundary.

Eras start on the day the new era took effect.  明治 is counted from its proclamation
(1868-10-23, 慶応4年9月8日); Japan used the lunisolar calendar until 明治5年12月2日, so a
Gregorian date is only shown in 和暦 from 明治6年1月1日 (1873-01-01, ``FIRST_GREGORIAN``) on.

Written forms read: ``令和6年10月1日``, ``令和元年5月``, ``平成 31 年 4 月 30 日``,
``R6.10.1``, ``H31/4/30``, ``令和6.10.1``.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Era:
    name: str  # 令和
    letter: str  # R
    first: dt.date  # first day of the era
    last: dt.date | None  # last day (None: the current era)

    def year(self, date: dt.date) -> int:
        """The era year of a date in this era (1 for 元年)."""
        return date.year - self.first.year + 1

    def gregorian_year(self, era_year: int) -> int:
        return self.first.year + era_year - 1


def _table(rows: tuple[tuple[str, str, dt.date], ...]) -> tuple[Era, ...]:
    out = []
    for i, (name, letter, first) in enumerate(rows):
        last = rows[i + 1][2] - dt.timedelta(days=1) if i + 1 < len(rows) else None
        out.append(Era(name, letter, first, last))
    return tuple(out)


# oldest first; each era ends the day before the next one starts
ERAS: tuple[Era, ...] = _table((
    ("明治", "M", dt.date(1868, 10, 23)),
    ("大正", "T", dt.date(1912, 7, 30)),
    ("昭和", "S", dt.date(1926, 12, 25)),
    ("平成", "H", dt.date(1989, 1, 8)),
    ("令和", "R", dt.date(2019, 5, 1)),
))
BY_NAME = {e.name: e for e in ERAS}
BY_LETTER = {e.letter: e for e in ERAS}
FIRST_GREGORIAN = dt.date(1873, 1, 1)  # 明治6年1月1日: the first day shown in 和暦

_NAMES = "|".join(e.name for e in ERAS)
_LETTERS = "".join(e.letter for e in ERAS)
# ``令和6年10月1日`` / ``令和元年5月`` (day optional)
NAMED = rf"({_NAMES})\s*(\d{{1,2}}|元)\s*年\s*(\d{{1,2}})\s*月(?:\s*(\d{{1,2}})\s*日)?"
# ``R6.10.1`` / ``H31/4/30`` / ``令和6.10`` (day optional)
DOTTED = rf"({_NAMES}|[{_LETTERS}])\s*(\d{{1,2}}|元)\s*[.．/]\s*(\d{{1,2}})\s*(?:[.．/]\s*(\d{{1,2}}))?(?![\d.])"
DATE_RE = re.compile(f"{NAMED}|{DOTTED}")
# an era year and month, as in a form's edition (``令和6年10月``)
YEAR_MONTH_RE = re.compile(rf"({_NAMES})\s*(\d{{1,2}}|元)\s*年\s*(\d{{1,2}})\s*月")


@dataclass(frozen=True)
class Parsed:
    """One 和暦 date found in a text."""
    text: str  # the matched text
    span: tuple[int, int]
    era: Era
    date: dt.date | None  # None: no such day (令和3年2月30日)
    precision: str  # "day" | "month"

    @property
    def before_era(self) -> bool:
        """The day is earlier than the era's first day (平成31年…  is fine, 令和元年4月30日 is not)."""
        return self.date is not None and self.precision == "day" and self.date < self.era.first

    @property
    def after_era(self) -> bool:
        """The day is later than the era's last day (平成31年5月1日)."""
        last = self.era.last
        return self.date is not None and self.precision == "day" and last is not None and self.date > last

    @property
    def iso(self) -> str:
        assert self.date is not None
        return self.date.isoformat() if self.precision == "day" else self.date.isoformat()[:7]


def _parsed(m: re.Match) -> Parsed:
    if m.group(1):
        name, y, mo, d = m.group(1), m.group(2), m.group(3), m.group(4)
    else:
        name, y, mo, d = m.group(5), m.group(6), m.group(7), m.group(8)
    era = BY_NAME.get(name) or BY_LETTER[name]
    year = era.gregorian_year(1 if y == "元" else int(y))
    try:
        date: dt.date | None = dt.date(year, int(mo), int(d) if d else 1)
    except ValueError:
        date = None
    return Parsed(m.group(0), m.span(), era, date, "day" if d else "month")


def search(text: str) -> Parsed | None:
    """The first 和暦 date in a text."""
    m = DATE_RE.search(text)
    return _parsed(m) if m else None


def fullmatch(text: str) -> Parsed | None:
    """The text is one 和暦 date and nothing else (surrounding whitespace aside)."""
    m = DATE_RE.fullmatch(text.strip())
    return _parsed(m) if m else None


def year_month_key(text: str) -> tuple[int, int]:
    """Sort key of an era year and month (``令和6年10月`` -> (2024, 10)); (0, 0) if none."""
    m = YEAR_MONTH_RE.search(text)
    if not m:
        return (0, 0)
    y = 1 if m.group(2) == "元" else int(m.group(2))
    return (BY_NAME[m.group(1)].gregorian_year(y), int(m.group(3)))


def era_of(date: dt.date) -> tuple[Era, int]:
    """(era, era year) of a Gregorian date; ValueError before ``FIRST_GREGORIAN``."""
    if date < FIRST_GREGORIAN:
        raise ValueError(f"date before 明治6年 (the Gregorian calendar): {date}")
    for era in reversed(ERAS):
        if date >= era.first:
            return era, era.year(date)
    raise AssertionError("unreachable: FIRST_GREGORIAN is inside 明治")


def can_format(year: int, month: int, day: int | None = None) -> bool:
    return dt.date(year, month, day or 1) >= FIRST_GREGORIAN


def format_date(year: int, month: int, day: int | None = None, gannen: bool = True, seireki: str = "after") -> str:
    """``2026, 1, 26`` -> ``令和8年1月26日(2026年)``; a month without a day is read as its 1st.

    ``gannen``: write the first year as 元年 (else 1年).  ``seireki``: the Western year
    ``after`` or ``before`` the 和暦, or ``none``.
    """
    era, n = era_of(dt.date(year, month, day or 1))
    y = "元" if (n == 1 and gannen) else str(n)
    body = f"{era.name}{y}年{month}月" + (f"{day}日" if day else "")
    if seireki == "after":
        return f"{body}({year}年)"
    if seireki == "before":
        return f"{year}年({body})"
    return body
