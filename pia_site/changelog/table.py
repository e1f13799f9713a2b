"""Read a tab-separated 変更箇所 table as converted from the PDFs (changelog.md §8).

* rows start after the first header row (``変更日<TAB>項目<TAB>…``); the header repeats at
  page breaks and is skipped, as are blank lines and markdown separator rows (``-----``);
* seven-cell rows carry a spurious copy column: before = cell 3, after = cell 5, timing = cell 6,
  reason = cell 7 (001 L1253–1275);
* a row whose first cell is not a date lost its date cell (001 L1364);
* ``<p>事前</p>`` is 事前; 和暦 dates (``令和1年`` / ``令和元年``, ``R1.6.21``) become ISO (``pia_site.wareki``).

Line numbers are the physical lines of the file (1-based).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import wareki
from ..model import ChangeRow, DateValue
from .normalize import nfkc, strip_html

TIMINGS = ("事前", "事後")


@dataclass(frozen=True)
class TableRow:
    row: ChangeRow
    raw_date: str
    date_problem: str = ""  # e.g. an impossible 和暦 date


def parse_wareki(text: str) -> tuple[DateValue | None, str]:
    """``令和1年6月21日`` -> DateValue('2019-06-21'); problems are reported, not fatal."""
    s = nfkc(strip_html(text or "")).strip()
    if not s:
        return None, ""
    p = wareki.fullmatch(s)
    if p is None or p.precision != "day":
        return None, f"not a date: {s}"
    if p.date is None:
        return None, f"impossible date: {s}"
    problem = ""
    if p.before_era:
        problem = f"{p.era.name} date before {p.era.first.isoformat()}: {s}"
    elif p.after_era:
        problem = f"{p.era.name} date after {p.era.last.isoformat()}: {s}"
    return DateValue(p.date.isoformat()), problem


def _plain(cell: str) -> str:
    return nfkc(strip_html(cell)).strip()


def _is_header(cells: list[str]) -> bool:
    return len(cells) >= 2 and _plain(cells[0]) == "変更日" and _plain(cells[1]) == "項目"


def _is_separator(cells: list[str]) -> bool:
    return all(re.fullmatch(r"\s*:?-{2,}:?\s*", c) or not c.strip() for c in cells) and any(c.strip() for c in cells)


def _cells(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|") and s.endswith("|") and "\t" not in s:  # a Markdown pipe table
        return [c.strip() for c in s[1:-1].split("|")]
    return line.split("\t")


def parse_table(text: str, start: int = 1, end: int | None = None) -> list[TableRow]:
    """Rows of the 変更箇所 table in ``text`` (optionally limited to lines start..end).

    Rows start after the first header row; a text without any header row is read as rows only.
    """
    lines = text.split("\n")
    last = min(end if end is not None else len(lines), len(lines))
    numbered = [(n, _cells(lines[n - 1].rstrip("\r"))) for n in range(max(1, start), last + 1) if lines[n - 1].strip()]
    in_table = not any(_is_header(cells) for _, cells in numbered)
    out: list[TableRow] = []
    for lineno, cells in numbered:
        if _is_header(cells):
            in_table = True
            continue
        if not in_table or _is_separator(cells):
            continue
        if len(cells) < 2 and not _plain(cells[0]):
            continue
        if len(cells) < 2 and not out:
            continue  # a title line such as "(別添3)変更箇所"
        out.append(_row(lineno, cells))
    return out


def _row(lineno: int, cells: list[str]) -> TableRow:
    cells = [c.strip() for c in cells]
    first = _plain(cells[0]) if cells else ""
    date, problem = parse_wareki(first)
    if first and date is None and not problem.startswith("impossible"):
        cells = [""] + cells  # the date cell is missing (001 L1364)
        problem = ""
    while len(cells) < 6:
        cells.append("")
    timing_idx = next((i for i in range(4, len(cells)) if _plain(cells[i]) in TIMINGS), None)
    if timing_idx is not None and timing_idx >= 5:
        # a spurious copy column (4th cell) before the after-text
        before, after = cells[2], cells[timing_idx - 1]
        timing = _plain(cells[timing_idx])
        note = cells[timing_idx + 1] if timing_idx + 1 < len(cells) else ""
    else:
        before, after = cells[2], cells[3]
        timing = _plain(cells[4]) if _plain(cells[4]) in TIMINGS else ""
        note = cells[5] if len(cells) > 5 else ""
        if not timing and cells[4].strip():
            note = (cells[4] + " " + note).strip()
    row = ChangeRow(lineno, date, cells[1], before or None, after or None, timing or None, _plain(note) and note or None)
    return TableRow(row, first, problem)
