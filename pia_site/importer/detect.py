"""Detect the form (one of the catalog's: 様式3 重点, 様式4 全項目, …) and its edition from the source.

Evidence, strongest first: the edition stamp ``[令和6年10月 様式3]``; the document
title ``特定個人情報保護評価書(重点項目評価書)``; the structure (part headings and
labels that exist in only one of the forms).  Everything is compared with the
catalog (titles, stamps, part headings); no form item is listed here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import catalog as cat
from .. import wareki
from ..catalog import Form
from .clean import Line, strip_heading
from .errors import ImportFailure
from .edition import clues, layout_editions
from .labels import LabelIndex, nkey

_ERAS = "|".join(e.name for e in wareki.ERAS)
# the edition stamp ``[令和6年10月 様式3]``; the 様式 number is looked up in the catalog
STAMP_RE = re.compile(rf"[\[［]\s*((?:{_ERAS})\s*(?:\d{{1,2}}|元)\s*年\s*\d{{1,2}}\s*月)\s*(様式\s*\d{{1,2}})\s*[\]］]")


@dataclass
class Detection:
    form: Form
    stamp_line: int | None
    notes: list[str] = field(default_factory=list)  # Japanese review notes
    reviews: list[tuple[int, str]] = field(default_factory=list)  # (line, Japanese note): located


def _yoshiki_kind(yoshiki: str) -> str | None:
    for k in cat.form_kinds():
        if re.sub(r"\s", "", k.yoshiki) == yoshiki:
            return k.kind
    return None


def detect(lines: list[Line]) -> Detection:
    notes: list[str] = []
    stamp_kind = stamp_edition = None
    stamp_line = None
    for ln in lines[:400]:
        m = STAMP_RE.search(ln.text)
        kind_of_stamp = _yoshiki_kind(re.sub(r"\s", "", m.group(2))) if m else None
        if kind_of_stamp:  # a 様式 the catalog does not have is no evidence
            stamp_edition = re.sub(r"\s", "", m.group(1)).replace("元年", "1年")
            stamp_kind = kind_of_stamp
            stamp_line = ln.no
            break
    title_kind = _title_kind(lines)
    kind = stamp_kind or title_kind or _structure_kind(lines)
    if kind is None and _changelog_only(lines):
        raise ImportFailure(
            "変更箇所の表だけのファイルのようです（表紙や I 基本情報などの本文がありません）。"
            "評価書全体をテキストにしたファイルを指定してください。")
    if kind is None:
        raise ImportFailure(
            "特定個人情報保護評価書として認識できませんでした。表題（特定個人情報保護評価書(全項目評価書) など）、"
            "様式の版（[令和6年10月 様式3] など）、項目の見出しのいずれも見つかりません。"
            "ファイルが評価書のテキストか、文字化けしていないかを確認してください。")
    if stamp_kind and title_kind and stamp_kind != title_kind:
        notes.append(f"表題は{cat.kind_info(title_kind).name}ですが、様式の版の表示は{cat.kind_info(stamp_kind).name}です。様式の版の表示に従いました。")
    editions = sorted(cat.editions(kind), key=wareki.year_month_key)
    edition = None
    reviews: list[tuple[int, str]] = []
    if stamp_edition:
        stamp_edition = _canon_edition(stamp_edition)
        if stamp_edition in editions:
            edition = stamp_edition
            reviews += _stamp_vs_layout(kind, edition, lines)
        else:
            newer = [e for e in editions if wareki.year_month_key(e) >= wareki.year_month_key(stamp_edition)]
            edition = newer[0] if newer else editions[-1]
            notes.append(f"様式の版「{stamp_edition}」はカタログにないため、「{edition}」の様式として取り込みました。項目の違いを確認してください。")
    else:
        edition, note, line = _edition_by_layout(kind, editions, lines)
        notes.append(note)
        if line is not None:
            reviews.append((line, note))
    form = cat.find_form(kind, edition)
    assert form is not None
    return Detection(form, stamp_line, notes, reviews)


def _canon_edition(e: str) -> str:
    m = re.match(rf"({_ERAS})(\d+)年(\d+)月", e)
    return f"{m.group(1)}{int(m.group(2))}年{int(m.group(3))}月" if m else e


def _title_kind(lines: list[Line]) -> str | None:
    titles = {}
    for f in cat.all_forms():
        titles[nkey(f.title)] = f.kind
    for ln in lines[:60]:
        k = nkey(strip_heading(ln.text))
        for t, kind in titles.items():
            if t and t in k:
                return kind
    return None


def _structure_kind(lines: list[Line]) -> str | None:
    """Count part headings of each form found in the text; the clear winner decides."""
    scores: dict[str, int] = {}
    for info in cat.form_kinds():
        kind = info.kind
        form = cat.find_form(kind, info.latest)
        idx = LabelIndex(form)
        seen = set()
        for ln in lines:
            head = strip_heading(ln.cells[0] if ln.cells else "")
            m = idx.match_part(head) if head else None
            if m and m.numbered:
                seen.add(m.node.key)
        scores[kind] = len(seen)
    best = max(scores, key=lambda k: scores[k])
    runner_up = max((v for k, v in scores.items() if k != best), default=0)
    if scores[best] >= 3 and scores[best] > runner_up:
        return best
    return None


def _edition_by_layout(kind: str, editions: list[str], lines: list[Line]) -> tuple[str, str, int | None]:
    """Without a stamp: the edition the layout shows (importer.edition), or, when the clues do not
    decide, the newest candidate with a note naming every candidate (never silently)."""
    yoshiki = cat.kind_info(kind).yoshiki
    if len(editions) == 1:
        return editions[0], (f"様式の版の表示（[{editions[0]} {yoshiki}] など）が見つからないため、"
                             f"「{editions[0]}」の様式として取り込みました。"), None
    candidates, found = layout_editions(kind, lines)
    said = "、".join(f"{c.line} 行目「{c.text}」" for c in found[:4])
    if len(candidates) == 1:
        return candidates[0], (f"様式の版の表示（[{editions[-1]} {yoshiki}] など）がないため、項目の番号と表記"
                               f"（{said}）から「{candidates[0]}」の様式と判断しました。"), None
    edition = candidates[-1]
    why = f"項目の番号と表記（{said}）では決まりません" if found else "版を見分けられる項目の番号や表記が見つかりません"
    note = (f"様式の版の表示がなく、{why}。候補: {'、'.join(candidates)}。「{edition}」の様式として取り込みました"
            "（番号の付け替えはしていません）。原本の様式の版を確認し、違っていれば edition: を直してください。")
    return edition, note, (found[0].line if found else 1)


def _stamp_vs_layout(kind: str, edition: str, lines: list[Line]) -> list[tuple[int, str]]:
    """A stamp whose edition the layout contradicts: said at the contradicting line."""
    out = []
    for c in clues(kind, lines):
        if edition not in c.editions:
            out.append((c.line, f"「{c.text}」は {'、'.join(sorted(c.editions))} の様式の表記で、表紙の様式の版"
                                f"「{edition}」と合いません。原本の様式の版を確認してください。"))
    return out


def _changelog_only(lines: list[Line]) -> bool:
    """A 変更箇所 table (its header row) with no form around it."""
    header = {nkey(v) for f in cat.all_forms() for v in f.change_columns.values()}
    for ln in lines:
        cells = [nkey(c) for c in ln.cells if c.strip()]
        if sum(1 for c in cells if c in header) >= 4:
            return True
    return False
