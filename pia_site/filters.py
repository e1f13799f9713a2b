"""Pure formatting helpers (和暦 dates, numbering), usable without Jinja."""
from __future__ import annotations

import datetime as dt

from .model import DateValue, Period

# (era, first day) newest first
ERAS = (("令和", dt.date(2019, 5, 1)), ("平成", dt.date(1989, 1, 8)), ("昭和", dt.date(1926, 12, 25)))


def era_of(year: int, month: int, day: int | None) -> tuple[str, int]:
    d = dt.date(year, month, day or 1)
    if day is None and month == 5 and year == 2019:
        d = dt.date(2019, 5, 1)
    for name, start in ERAS:
        if d >= start:
            return name, year - start.year + 1
    raise ValueError(f"date before 昭和: {d}")


def wareki(value: DateValue | None, gannen: bool = True, seireki: str = "after") -> str:
    """``2026-01-26`` -> ``令和8年1月26日(2026年)`` (or as the site settings say)."""
    if value is None:
        return ""
    era, n = era_of(value.year, value.month, value.day)
    year = "元" if (n == 1 and gannen) else str(n)
    body = f"{era}{year}年{value.month}月" + (f"{value.day}日" if value.day else "")
    if seireki == "after":
        return f"{body}({value.year}年)"
    if seireki == "before":
        return f"{value.year}年({body})"
    return body


def period_ja(value: Period, gannen: bool = True, seireki: str = "after") -> str:
    start = wareki(value.start, gannen, seireki) if value.start else ""
    end = wareki(value.end, gannen, seireki) if value.end else ""
    if start and end:
        return f"{start}から{end}まで"
    return f"{start}から" if start else (f"{end}まで" if end else "")


def file_ordinal_names(names: list[str]) -> list[str]:
    """File-name lists as printed (I-3, III-1): ``(1) …`` when there are several."""
    if len(names) == 1:
        return names
    return [f"({i}) {n}" for i, n in enumerate(names, 1)]
