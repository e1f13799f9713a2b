"""Choices, checkbox sets and flags from source text: the marks that select an option.

Marks understood (``glyphs`` lists them; inline HTML is read before tags are dropped):

* checked: ``[○]``, ``[ ○ ]``, ``〔 ○ 〕``, ``【○】``, ``[ O ]``, ``[レ]``, ``[x]``, ``[v]``, a bare ``○ 〇 ● ■ ✓ ✔ ☑``,
  ``<input checked …>`` (bare or bracketed),
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

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from ..catalog import Family, Form, Node
from ..labels import nfkc
from .glyphs import BARE_CHECKED, BARE_UNCHECKED, CHECK_INNER, CLOSE, LOST_MARKS_NOTE, OPEN, UNCHECK_INNER, marks_only
from .labels import nkey
from .parsed import Parsed, _plain, is_dash

CHECKED, UNCHECKED, UNKNOWN = "checked", "unchecked", "unknown"
MARK_RE = re.compile(
    rf"(?P<br>[{re.escape(OPEN)}]\s*(?P<inner>{CHECK_INNER}|{UNCHECK_INNER}|<input[^>]*>)?\s*[{re.escape(CLOSE)}])"
    rf"|(?P<glyph><input[^>]*>)|(?P<box>[{BARE_CHECKED}{BARE_UNCHECKED}])")
SELECT_WORD = re.compile(r"[<＜〈〔\[]?\s*選択肢\s*[>＞〉〕\]]?")
ENUM_RE = re.compile(r"(?<![\d,])(\d{1,2})\s*[)）]\s*")
COUNT_RE = re.compile(r"[(（]\s*([\d,，]*)\s*[)）]\s*件")


def _k(s: str) -> str:
    return nkey(s)


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
    t = re.sub(rf"[{BARE_CHECKED}{BARE_UNCHECKED}]", " ", t)
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
    if marks_only(plain):
        out.notes.append(LOST_MARKS_NOTE.format(text=plain[:30]))
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
        return (UNCHECKED if m.group("box") in BARE_UNCHECKED else CHECKED), False
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
    if inner in BARE_UNCHECKED:
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
    if marks_only(plain) and not any(m.group("inner") or m.group("box") or m.group("glyph") for m in MARK_RE.finditer(plain)):
        out.notes.append(LOST_MARKS_NOTE.format(text=plain[:30]))
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
