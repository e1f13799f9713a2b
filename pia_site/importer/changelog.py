"""変更箇所 rows: the change-log table, row by row.

Handles what conversions do to it (as seen in seeds 000, 001 and 003, tests/fixtures/seeds/):
repeated header rows and blank lines at page breaks; seven-cell rows with a
spurious copy column; a row whose date cell is missing; 和暦 dates (令和1年 / 元年)
and Excel serials; and the two meanings of a blank 変更日:

* 変更日, 提出時期 and 説明 all blank → a continuation of the previous row.  Right after
  a page break it is the rest of that row (joined); otherwise a separate entry
  that inherits the date, timing and reason;
* 変更日 blank but 提出時期 given → an undated entry of the edition being published.

The column names come from the validator's table of change-row keys.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..catalog import CHANGE_COLUMNS, Form
from .clean import Line, flat_plain, html_to_plain, markup_only, strip_heading
from .labels import LabelIndex, nkey
from .values import find_date

TIMINGS = ("事前", "事後")


@dataclass
class ChangeResult:
    rows: list[dict] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # source line of each row
    notes: list[tuple[int, str]] = field(default_factory=list)
    unplaced: list[tuple[int, str]] = field(default_factory=list)
    chrome: list[int] = field(default_factory=list)


def _header_keys(form: Form) -> set[str]:
    columns = form.change_columns
    return {nkey(columns[c]) for c in CHANGE_COLUMNS if c in columns}


def _date_cell(text: str) -> tuple[str | None, list[str]]:
    plain = flat_plain(text).strip()
    if not plain:
        return None, []
    iso, prec, notes, span = find_date(plain)
    if iso is None or prec != "day":
        return None, []
    rest = (plain[: span[0]] + plain[span[1]:]).strip()
    if rest:
        return None, []
    return iso, notes


def _timing(text: str) -> str | None:
    t = flat_plain(text).strip()
    return t if t in TIMINGS else None


def parse_changes(lines: list[Line], index: LabelIndex) -> ChangeResult:
    res = ChangeResult()
    headers = _header_keys(index.form)
    gap = False
    for ln in lines:
        if ln.blank:
            gap = True
            continue
        cells = [c.strip() for c in ln.cells]
        ne = [c for c in cells if c]
        if markup_only(ln.text):
            res.chrome.append(ln.no)
            continue
        if sum(1 for c in ne if nkey(flat_plain(c)) in headers) >= 3:
            res.chrome.append(ln.no)
            gap = False
            continue
        if len(ne) == 1 and index.match_part(strip_heading(ne[0])):
            res.chrome.append(ln.no)  # the heading repeated on a new page
            continue
        row, notes, extra = _row(cells, ln.no)
        res.notes += [(ln.no, n) for n in notes]
        for e in extra:
            res.unplaced.append((ln.no, e))
        blank_meta = not row["date"] and not row["timing"] and not row["timing_note"]
        if blank_meta and res.rows:
            prev = res.rows[-1]
            if gap:
                for k in ("item", "before", "after"):
                    if row[k]:
                        prev[k] = (prev[k] + "\n" + row[k]) if prev[k] else row[k]
                res.notes.append((ln.no, "改ページで分かれた行として、前の行に続けました。"))
                gap = False
                continue
            row["date"], row["timing"], row["timing_note"] = prev["date"], prev["timing"], prev["timing_note"]
            res.notes.append((ln.no, f"変更日・提出時期・説明が空欄の継続行です。前の行（{res.lines[-1]} 行目）の変更日・提出時期・説明を引き継ぎました。"))
        elif not row["date"] and row["timing"]:
            if not res.rows or res.rows[-1]["date"] or not res.rows[-1]["timing"]:
                res.notes.append((ln.no, "変更日が空欄で提出時期がある行（ここから続く行も同じ）は、公表する版（今回）の変更として変更日を空欄のままにしました。"))
        res.rows.append(row)
        res.lines.append(ln.no)
        gap = False
    return res


def _row(cells: list[str], no: int) -> tuple[dict, list[str], list[str]]:
    notes: list[str] = []
    extra: list[str] = []
    t_idx = None
    for k in range(len(cells) - 1, 0, -1):
        if _timing(cells[k]):
            t_idx = k
            break
    date, dnotes = _date_cell(cells[0]) if cells else (None, [])
    notes += dnotes
    if date is not None or not cells[0]:
        item = cells[1] if len(cells) > 1 else ""
        start = 2
    else:
        item = cells[0]
        start = 1
        notes.append("変更日の欄がない行です（項目が 1 列目にずれています）。変更日は空欄にしました。")
    if t_idx is not None and t_idx >= start:
        between = cells[start:t_idx]
        timing = _timing(cells[t_idx])
        note = " ".join(c for c in cells[t_idx + 1:] if c)
    else:
        between = cells[start:start + 2]
        timing = None
        tail = cells[start + 2:]
        if tail and tail[0]:
            # a 提出時期 cell that is neither 事前 nor 事後
            note_cells = tail
        else:
            note_cells = tail[1:]
        note = " ".join(c for c in note_cells if c)
    before, after = "", ""
    if len(between) == 1:
        before = between[0]
        notes.append("変更前と変更後の欄を区別できません。変更前の記載として取り込みました。")
    elif len(between) >= 2:
        before, after = between[0], between[-1]
        for mid in between[1:-1]:
            if mid and nkey(mid) not in (nkey(before), nkey(after)):
                extra.append(mid)
        if len(between) > 2:
            notes.append("変更前と変更後の間に余分な列がある行です。最初の列を変更前、最後の列を変更後として取り込みました。"
                         + ("余分な列にだけある記載は未配置にしました。" if extra else "余分な列は変更前か変更後の写しでした。"))
    row = {
        "date": date,
        "item": html_to_plain(item) or None,
        "before": before or None,
        "after": after or None,
        "timing": timing,
        "timing_note": note or None,
    }
    return row, notes, extra
