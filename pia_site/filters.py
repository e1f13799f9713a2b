"""Pure formatting helpers (和暦 dates, numbering), usable without Jinja."""
from __future__ import annotations

from . import wareki as _wareki
from .model import DateValue, Period


def wareki(value: DateValue | None, gannen: bool = True, seireki: str = "after") -> str:
    """``2026-01-26`` -> ``令和8年1月26日(2026年)`` (or as the site settings say)."""
    if value is None:
        return ""
    return _wareki.format_date(value.year, value.month, value.day, gannen, seireki)


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
