"""Typed values from source text: choices, checkbox sets, flags, dates, periods, counts.

Marks understood (inline HTML is read before tags are dropped):

* checked: ``[○]``, ``[ ○ ]``, ``〔 ○ 〕``, ``【○】``, ``<input checked …>`` (bare or bracketed),
  and a *bracketed* radio glyph ``[ <input type="radio"/> ]`` (the converter drew the
  selected radio without ``checked``);
* unchecked: ``[ ]``, ``〔 〕``, ``[ <input type="checkbox"/> ]``;
* unknown: bare ``<input type="checkbox"/>`` glyphs when none is checked — the state
  was lost in conversion.

A choice's selected value is the bracketed text (``[ 十分である ]``, ``〔 … 〕``, or a
bracket wrapping the whole option list), or a glyph + text before ``<選択肢>``.  The
option list that follows is form text.  Nothing is guessed: a missing or
contradictory selection gives ``None`` and a review note.
"""
from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ..catalog import Family, Form, Node
from .clean import TAG_RE
from .. import wareki
from ..labels import nfkc
from .labels import nkey

CHECKED, UNCHECKED, UNKNOWN = "checked", "unchecked", "unknown"
MARK_RE = re.compile(
    r"(?P<br>[\[［〔【]\s*(?P<inner>○|◯|●|◉|☑|☒|✓|✔|■|レ|[xX×✕✖]|☐|□|\u25cb|<input[^>]*>)?\s*[\]］〕】])"
    r"|(?P<glyph><input[^>]*>)|(?P<box>[☑☒■☐□])")
SELECT_WORD = re.compile(r"[<＜〈〔\[]?\s*選択肢\s*[>＞〉〕\]]?")
ENUM_RE = re.compile(r"(?<![\d,])(\d{1,2})\s*[)）]\s*")
COUNT_RE = re.compile(r"[(（]\s*([\d,，]*)\s*[)）]\s*件")
WESTERN_RE = re.compile(r"((?:19|20)\d{2})\s*[年/\-.]\s*(\d{1,2})\s*(?:[月/\-.]\s*(?:(\d{1,2})\s*日?)?)?")
DASHES = {"—", "―", "－", "-", "ー", "‐", "–", "-"}


@dataclass
class Parsed:
    value: Any = None
    residue: str = ""  # visible text not consumed (kept elsewhere, never dropped)
    notes: list[str] = field(default_factory=list)  # Japanese review notes
    variants: list[tuple[str, str]] = field(default_factory=list)  # (source spelling, the form's option)


def _plain(text: str) -> str:
    """Visible text with glyph inputs kept as tokens (for mark parsing)."""
    t = re.sub(r"<\s*(br|/p|/li|/div|/tr|/td)\b[^>]*>", " ", text, flags=re.I)
    t = TAG_RE.sub(lambda m: m.group(0) if m.group(2).lower() == "input" else " ", t)
    t = html.unescape(t)
    return re.sub(r"[ \u00a0\u3000\t]+", " ", t).strip()


def _k(s: str) -> str:
    return nkey(s)


def is_dash(text: str) -> bool:
    return text.strip() in DASHES


# ---------------------------------------------------------------------------
# choices

def choice_family(text: str, form: Form) -> Family | None:
    """The choice family whose printed option list this text carries (a lost-label row)."""
    plain = _plain(text)
    if not (SELECT_WORD.search(plain) or len(ENUM_RE.findall(plain)) >= 2):
        return None
    key = _k(plain)
    best, best_n = None, 0
    for fam in form.families.values():
        if fam.kind != "choice":
            continue
        n = sum(1 for o in fam.options if f"{o.number}){_k(o.text)}" in key)
        if n == len(fam.options) and n > best_n:
            best, best_n = fam, n
    return best


def _strip_enumeration(text: str, fam: Family) -> str:
    """Remove ``n) option`` entries of the family (any order) and the 選択肢 word."""
    t = text
    for o in sorted(fam.options, key=lambda o: -len(o.text)):
        pat = r"(?<![\d,])\d{1,2}\s*[)）]\s*" + r"\s*".join(re.escape(c) for c in o.text.replace(" ", ""))
        t = re.sub(pat, " ", t)
    for variant, _ in fam.aliases:
        pat = r"(?<![\d,])\d{1,2}\s*[)）]\s*" + r"\s*".join(re.escape(c) for c in variant)
        t = re.sub(pat, " ", t)
    t = SELECT_WORD.sub(" ", t)
    return t


def _option_of(text: str, fam: Family) -> tuple[str | None, str | None]:
    """Exact option (or known alias) for a bracket or glyph text; returns (option, variant)."""
    t = re.sub(r"^\s*\d{1,2}\s*[)）]\s*", "", text)
    t = _glyphless(t)
    k = _k(t)
    if not k:
        return None, None
    for o in fam.options:
        if _k(o.text) == k:
            return o.text, None
    for variant, target in fam.aliases:
        if _k(variant) == k:
            return target, t.strip()
    return None, None


def _glyphless(t: str) -> str:
    t = re.sub(r"<input[^>]*>", " ", t)
    t = re.sub(r"[○◯●☑✓✔☐]", " ", t)
    return t.strip()


BRACKET_RE = re.compile(r"[\[［〔【]([^\[\]［］〔〕【】]*)[\]］〕】]")


def _leftover(text: str) -> str:
    t = _glyphless(text)
    t = re.sub(r"[\[［〔【]\s*[\]］〕】]", " ", t)
    t = re.sub(r"[\[\]［］〔〕【】]", " ", t)
    t = re.sub(r"\s+", " ", t).strip()
    return t if re.search(r"[^\s()（）\[\]。、・:：,.]", t) else ""


def parse_choice(text: str, node: Node) -> Parsed:
    fam = node.family
    out = Parsed()
    plain = nfkc(_plain(text))
    if not plain:
        return out
    if is_dash(_glyphless(plain)):
        out.value = (("—", None) if node.count_key else "—")
        return out
    count = None
    if node.count_key:
        m = COUNT_RE.search(plain)
        if m:
            count = m.group(1).replace("，", ",") or None
            plain = plain[:m.start()] + " " + plain[m.end():]
    found: list[str] = []
    variants: list[str] = []

    def take(m: re.Match) -> str:
        inner = SELECT_WORD.split(m.group(1))[0]
        opt, var = _option_of(inner, fam)
        if not opt:
            return m.group(0)
        found.append(opt)
        if var:
            variants.append((var, opt))
        return " "

    work = BRACKET_RE.sub(take, plain)
    m = SELECT_WORD.search(work)
    if m:
        pre, post = work[:m.start()], work[m.end():]
    else:
        em = ENUM_RE.search(work)
        if em and not _leftover(_strip_enumeration(work[em.start():], fam)):
            pre, post = work[:em.start()], work[em.start():]
        else:
            pre, post = work, ""
    if not found:
        opt, var = _option_of(re.sub(r"[\[\]［］〔〕【】]", " ", pre), fam)
        if opt:
            found.append(opt)
            pre = ""
            if var:
                variants.append((var, opt))
    distinct = sorted(set(found), key=found.index)
    if len(distinct) == 1:
        out.value = distinct[0]
    elif len(distinct) > 1:
        out.notes.append(f"選択肢の値が矛盾しています（{'／'.join(distinct)}）。空欄にしました。")
    else:
        out.notes.append("選ばれている選択肢が読み取れません（変換で失われた可能性）。空欄にしました。")
    out.variants = sorted(set(variants))
    if node.count_key:
        out.value = (out.value, count)
    out.residue = _leftover(_leftover(pre) + " " + _strip_enumeration(post, fam))
    return out


# ---------------------------------------------------------------------------
# checkbox sets

@dataclass
class _Item:
    state: str
    text: str
    glyph: bool = False  # the mark is an <input> glyph, not a text bracket


def _mark_state(m: re.Match) -> tuple[str, bool]:
    """(state, is_input_glyph)"""
    if m.group("box"):
        return (UNCHECKED if m.group("box") in "☐□" else CHECKED), False
    if m.group("glyph"):
        g = m.group("glyph")
        return (CHECKED if "checked" in g else UNKNOWN), True
    inner = m.group("inner") or ""
    if not inner:
        return UNCHECKED, False
    if inner.startswith("<input"):
        if "checked" in inner:
            return CHECKED, True
        if 'type="radio"' in inner:
            return CHECKED, True  # a bracketed radio without checked: the converter's "selected"
        return UNCHECKED, True
    if inner in ("☐", "□"):
        return UNCHECKED, False
    return CHECKED, False


def _items(text: str) -> tuple[list[_Item], str, bool]:
    """Split into (mark, text) items; returns items, text before the first mark, any bare glyph."""
    plain = _plain(text)
    marks = list(MARK_RE.finditer(plain))
    items: list[_Item] = []
    bare = False
    lead = plain[: marks[0].start()] if marks else plain
    for i, m in enumerate(marks):
        state, glyph = _mark_state(m)
        if m.group("glyph"):
            bare = True
        end = marks[i + 1].start() if i + 1 < len(marks) else len(plain)
        items.append(_Item(state, plain[m.end():end].strip(), glyph))
    return items, lead, bare


def _match_option(text: str, fam: Family) -> tuple[Any, str, str | None]:
    """(option text, detail, residue) for an item's text; option None if no option fits."""
    t = text.strip()
    tk = _k(t)
    cands = [(o.text, o) for o in fam.options] + [(v, fam.option(target)) for v, target in fam.aliases]
    cands.sort(key=lambda c: -len(_k(c[0])))
    for printed, opt in cands:
        pk = _k(printed)
        if not pk or not tk.startswith(pk):
            continue
        # map the key length back onto the plain text
        consumed, k = 0, 0
        while consumed < len(t) and k < len(pk):
            k += len(_k(t[consumed]))
            consumed += 1
        rest = t[consumed:].strip()
        detail = None
        if opt.detail:
            m = re.match(r"^[(（]\s*(.*?)\s*[)）]\s*(件)?", rest)
            if m:
                detail = m.group(1).strip()
                rest = rest[m.end():].strip()
            elif opt.detail == "text" and rest and not rest.startswith(("・", "[")):
                detail, rest = rest, ""
        return (opt.text, printed if printed != opt.text else None), detail or "", rest
    return None, "", t


def parse_check(text: str, node: Node, form: Form | None = None) -> Parsed:
    fam = node.family
    out = Parsed()
    plain = _plain(text)
    if not plain:
        return out
    if is_dash(_glyphless(plain)):
        out.value = []
        return out
    items, lead, bare = _items(text)
    residue: list[str] = []
    if lead.strip() and _k(lead) not in _captions(fam):
        residue.append(lead.strip())
    checked: dict[str, str] = {}
    seen: dict[str, str] = {}
    states = [it.state for it in items]
    unknown = bool(items) and CHECKED not in states and any(it.glyph for it in items)
    for it in items:
        opt, detail, rest = _match_option(it.text, fam)
        if opt is None:
            if it.text:
                residue.append(it.text)
            continue
        name, variant = opt
        if variant:
            out.variants.append((variant, name))
        state = it.state
        if state == UNKNOWN and not unknown:
            state = UNCHECKED  # a bare glyph among checked ones
        seen[name] = state
        if state == CHECKED:
            checked[name] = detail
        elif detail and state != UNKNOWN:
            residue.append(f"（{detail}）")
        if rest:
            if _k(rest) in _captions(fam):
                pass
            else:
                residue.append(rest)
    if unknown:
        out.notes.append("チェックの状態が変換で失われています（どの選択肢も □ の記号だけで、チェックありの印がありません）。空欄にしました。")
        details = []
        for it in items:
            opt, detail, rest = _match_option(it.text, fam)
            if detail:
                details.append(f"{opt[0]}（{detail}）")
        out.residue = " ".join(details + residue)
        return out
    if not items:
        out.notes.append("チェック欄の記号が見つかりません。空欄にしました。")
        out.residue = " ".join(residue)
        return out
    missing = [o.text for o in fam.options if o.text not in seen]
    if missing and len(missing) < len(fam.options):
        out.notes.append(f"次の選択肢が原本の行に見当たりません（チェックなしとして扱いました）: {'、'.join(missing)}")
    value: list[Any] = []
    for o in fam.options:
        if o.text in checked:
            d = checked[o.text]
            value.append({o.text: d} if (o.detail and d) else o.text)
    out.value = value
    out.residue = " ".join(r for r in residue if _k(r) not in _captions(fam))
    return out


def _captions(fam: Family) -> set[str]:
    return {_k(c) for c, _ in fam.captions if c}


def parse_flags(text: str, flag_nodes: list[Node]) -> tuple[dict[Node, bool], str]:
    """``[ ] 委託しない`` / ``[○] 接続しない(入手)`` → {flag node: state}; returns the residue too."""
    plain = _plain(text)
    states: dict[Node, bool] = {}
    rest = plain
    for node in sorted(flag_nodes, key=lambda n: -len(n.label)):
        label_pat = r"\s*".join(re.escape(c) for c in unicodedata.normalize("NFKC", node.label).replace(" ", ""))
        pat = re.compile(r"(" + MARK_RE.pattern + r")\s*" + label_pat)
        m = pat.search(unicodedata.normalize("NFKC", rest))
        if not m:
            continue
        mm = MARK_RE.match(m.group(1))
        state, _ = _mark_state(mm)
        states[node] = state == CHECKED
        norm = unicodedata.normalize("NFKC", rest)
        rest = norm[: m.start()] + " " + norm[m.end():]
    if not states:
        return {}, text
    return states, rest.strip()


# ---------------------------------------------------------------------------
# dates, periods, counts

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
