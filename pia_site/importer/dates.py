"""Dates, periods and counts from source text (和暦, western dates, Excel date serials)."""
from __future__ import annotations

import datetime as dt
import re

from .. import wareki
from .parsed import Parsed, _plain, is_dash

WESTERN_RE = re.compile(r"((?:19|20)\d{2})\s*[年/\-.]\s*(\d{1,2})\s*(?:[月/\-.]\s*(?:(\d{1,2})\s*日?)?)?")


def _era_notes(p: wareki.Parsed) -> list[str]:
    if p.date is None:
        return [f"「{p.text}」は存在しない日付です。"]
    if p.before_era:
        return [f"「{p.text}」は{p.era.name}が始まる前の日付です（原本の誤りの可能性）。"]
    if p.after_era:
        return [f"「{p.text}」は{p.era.name}が終わった後の日付です（原本の誤りの可能性）。"]
    return []


def excel_serial(text: str) -> dt.date | None:
    t = text.strip()
    if re.fullmatch(r"\d{5}(\.0+)?", t):
        n = int(float(t))
        if 20000 <= n <= 80000:
            return dt.date(1899, 12, 30) + dt.timedelta(days=n)
    return None


def find_date(text: str) -> tuple[str | None, str, list[str], tuple[int, int]]:
    """(ISO, precision, notes, span) of the first date in a plain text (spans index ``text``)."""
    plain = text
    p = wareki.search(plain)
    if p:
        notes = _era_notes(p)
        if p.date is None:
            return None, "", notes, p.span
        return p.iso, p.precision, notes, p.span
    serial = excel_serial(plain)
    if serial:
        return serial.isoformat(), "day", [f"Excel の日付シリアル値「{plain.strip()}」を {serial.isoformat()} と読みました。"], (0, len(plain))
    m = WESTERN_RE.search(plain)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), m.group(3)
        try:
            date = dt.date(y, mo, int(d) if d else 1)
        except ValueError:
            return None, "", [f"「{m.group(0)}」は存在しない日付です。"], m.span()
        return (date.isoformat() if d else date.isoformat()[:7]), ("day" if d else "month"), [], m.span()
    return None, "", [], (0, 0)


def _start(text: str) -> tuple[Parsed, str | None]:
    """Plain text of a cell, or a finished result for an empty cell or a dash (「—」)."""
    out = Parsed()
    plain = _plain(text)
    if plain and is_dash(plain):
        out.value = "—"
    return out, (plain if plain and out.value is None else None)


def parse_date(text: str, month_ok: bool) -> Parsed:
    out, plain = _start(text)
    if plain is None:
        return out
    iso, prec, notes, span = find_date(plain)
    out.notes += notes
    if iso is None:
        out.notes.append(f"日付「{plain[:40]}」を読み取れません。空欄にしました。")
        out.residue = plain
        return out
    if prec == "month" and not month_ok:
        out.notes.append(f"日付「{plain[span[0]:span[1]]}」に日がありません。空欄にしました。")
        out.residue = plain
        return out
    out.value = iso
    out.residue = (plain[: span[0]] + " " + plain[span[1]:]).strip()
    return out


def parse_period(text: str) -> Parsed:
    out, plain = _start(text)
    if plain is None:
        return out
    dates = []
    rest = plain
    for _ in range(2):
        iso, prec, notes, span = find_date(rest)
        if iso is None:
            break
        out.notes += notes
        dates.append(iso)
        rest = rest[: span[0]] + " " + rest[span[1]:]
    if not dates:
        out.notes.append(f"期間「{plain[:40]}」を読み取れません。空欄にしました。")
        out.residue = plain
        return out
    out.value = {"start": dates[0], "end": dates[1] if len(dates) > 1 else None}
    residue = re.sub(r"から|まで|～|~|〜|－|-", " ", rest)
    out.residue = re.sub(r"\s+", " ", residue).strip()
    return out


def parse_count(text: str) -> Parsed:
    out, plain = _start(text)
    if plain is None:
        return out
    m = re.search(r"\d[\d,]*", plain)
    if not m:
        out.notes.append(f"件数「{plain[:40]}」を読み取れません。")
        out.residue = plain
        return out
    out.value = m.group()
    out.residue = (plain[: m.start()] + plain[m.end():]).replace("件", "").strip(" ()（）")
    return out
