"""Attachments: 記録項目 (様式3 別添1 / 様式4 別添2) and 事務の内容 (様式4 別添1).

記録項目 comes as headed comma lists (``### 軽自テーブル`` + ``1.申告書番号年度,2.…``),
bulleted lists, or a ``No.⇥項目名`` table printed several column pairs wide and read
column-major (001).  Table pairs are sorted by their number; a gap in the numbers
starts a new group.  Text that is none of these goes to the attachment's note.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .clean import Line, flat_plain, html_to_plain, markup_only, strip_heading

NUM_ITEM = re.compile(r"^\s*(\d{1,4})\s*[.．]\s*")
NUM_SPLIT = re.compile(r"\s*[,、，]\s*(?=\d{1,4}\s*[.．])")
BULLET = re.compile(r"^\s*(?:[-*+・●○◦]|\d{1,4}\))\s*")
CAPTION = re.compile(r"^[「『].*[」』]$")


@dataclass
class AttachmentResult:
    value: object = None
    notes: list[tuple[int, str]] = field(default_factory=list)


def parse_record_items(lines: list[Line]) -> AttachmentResult:
    res = AttachmentResult()
    groups: list[dict] = []
    pairs: list[tuple[int, str, int]] = []
    pair_group: dict | None = None
    note_lines: list[str] = []
    content = [ln for ln in lines if not ln.blank]
    for i, ln in enumerate(content):
        if markup_only(ln.text):
            continue
        cells = [c.strip() for c in ln.cells]
        if _table_row(cells):
            if pair_group is None:
                pair_group = groups[-1] if groups and not groups[-1]["items"] else None
            for k in range(0, len(cells) - 1, 2):
                n, name = cells[k], flat_plain(cells[k + 1])
                if re.fullmatch(r"\d{1,5}", n) and name:
                    pairs.append((int(n), name, ln.no))
            continue
        text = flat_plain(strip_heading(ln.text))
        if NUM_ITEM.match(text) and (len(NUM_SPLIT.split(text)) > 1 or (groups and not groups[-1]["items"])):
            items, start = _num_list(text)
            if not groups or groups[-1]["items"]:
                groups.append({"name": "", "items": [], "start": start})
            groups[-1]["items"] += items
            if len(groups[-1]["items"]) == len(items):
                groups[-1]["start"] = start
            continue
        if BULLET.match(text) and groups:
            groups[-1]["items"].append(BULLET.sub("", text).strip())
            continue
        if ln.heading or CAPTION.match(text) or (len(text) <= 40 and "。" not in text and _next_is_items(content, i)):
            groups.append({"name": text, "items": [], "start": 1})
            continue
        note_lines.append(ln.text.replace("\t", " "))
    if pairs:
        pairs.sort(key=lambda p: p[0])
        seen: set[int] = set()
        run: list[tuple[int, str, int]] = []
        runs: list[list[tuple[int, str, int]]] = []
        for p in pairs:
            if p[0] in seen:
                note_lines.append(f"{p[0]}. {p[1]}")
                res.notes.append((p[2], f"記録項目の番号 {p[0]} が重複しています。2 つ目を備考に残しました。"))
                continue
            seen.add(p[0])
            if run and p[0] != run[-1][0] + 1:
                runs.append(run)
                run = []
            run.append(p)
        if run:
            runs.append(run)
        for k, r in enumerate(runs):
            if k == 0 and pair_group is not None:
                g = pair_group
            else:
                g = {"name": "", "items": [], "start": 1}
                groups.append(g)
            g["items"] = [name for _, name, _ in r]
            g["start"] = r[0][0]
        if len(runs) > 1:
            res.notes.append((runs[1][0][2], "記録項目の番号が途中で飛んでいます。番号ごとに別の表として取り込みました。"))
    groups = [g for g in groups if g["items"] or g["name"]]
    out_groups = []
    for g in groups:
        entry = {"name": g["name"] or None, "items": g["items"]}
        if g["start"] != 1:
            entry["start"] = str(g["start"])
        out_groups.append(entry)
    note = "\n\n".join(note_lines).strip() or None
    res.value = {"groups": out_groups, "note": note}
    return res


def _table_row(cells: list[str]) -> bool:
    if len(cells) < 2:
        return False
    if cells[0] in ("No.", "No", "NO.", "番号", "№") and len(cells) >= 2:
        return True
    return bool(re.fullmatch(r"\d{1,5}", cells[0]))


def _num_list(text: str) -> tuple[list[str], int]:
    parts = NUM_SPLIT.split(text)
    items: list[str] = []
    start = 1
    for k, p in enumerate(parts):
        m = NUM_ITEM.match(p)
        if m and k == 0:
            start = int(m.group(1))
        items.append(NUM_ITEM.sub("", p).strip())
    return [i for i in items if i], start


def _next_is_items(content: list[Line], i: int) -> bool:
    for ln in content[i + 1:]:
        if markup_only(ln.text):
            continue
        t = flat_plain(strip_heading(ln.text))
        cells = [c.strip() for c in ln.cells]
        return bool(NUM_ITEM.match(t) or BULLET.match(t) or _table_row(cells))
    return False


def parse_diagrams(pages: list[list[Line]]) -> AttachmentResult:
    """事務の内容: one diagram per heading: title, subtitle, then the notes (備考)."""
    res = AttachmentResult()
    out = []
    for page in pages:
        content = [ln for ln in page]
        while content and content[0].blank:
            content.pop(0)
        title = subtitle = None
        body: list[Line] = []
        k = 0
        texts = [ln for ln in content if not ln.blank]
        if texts:
            title = html_to_plain(strip_heading(texts[0].text)).replace("\n", " ") or None
            k = 1
            if len(texts) > 1:
                t2 = html_to_plain(strip_heading(texts[1].text)).replace("\n", " ")
                if t2 and len(t2) <= 60 and not t2.startswith(("(備考)", "（備考）", "-", "・")):
                    subtitle = t2
                    k = 2
            used = {id(x) for x in texts[:k]}
            body = [ln for ln in content if id(ln) not in used]
        notes = _markdown_block(body)
        if title or subtitle or notes:
            out.append({"title": title, "subtitle": subtitle, "figure": None, "notes": notes or None})
    res.value = out
    return res


def _markdown_block(lines: list[Line]) -> str:
    out: list[str] = []
    for ln in lines:
        if ln.blank:
            if out and out[-1] != "":
                out.append("")
            continue
        out.append(strip_heading(ln.text).replace("\t", " "))
    return "\n".join(out).strip()
