"""Assemble: segmented fields → the assessment tree, in catalog order, typed.

Walks the catalog (``data_members`` of every container) so every key of the form is
present, in the form's order.  Values are typed by ``values``; text left over by a
typed parser (a date's ``(予定)``, a choice cell's stray words) never disappears:
it goes to a sub-row it plainly belongs to, or to ``unplaced`` with its line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..catalog import CONTAINER_KINDS, Form, Node
from .attachments import parse_diagrams, parse_record_items
from .changelog import parse_changes
from .glyphs import LOST_MARKS_NOTE, marks_only
from .labels import LabelIndex, nkey
from .segment import Piece, Segmented, near_path
from .textfmt import plain_text, rich_block, rich_text
from .values import Parsed, is_dash, parse_check, parse_choice, parse_count, parse_date, parse_period

ORDINAL = re.compile(r"^\s*(?:\(\s*\d{1,2}\s*\)|（\s*\d{1,2}\s*）|\d{1,2}\s*[.．]|[\u2460-\u2473])\s*")
ORDINAL_SPLIT = re.compile(r"\s*(?:\(\s*\d{1,2}\s*\)|（\s*\d{1,2}\s*）|(?<![\d,])\d{1,2}\s*[.．](?!\d))\s*")


@dataclass
class Review:
    line: int
    where: str
    message: str
    path: tuple = ()  # where in the YAML tree (keys and list positions); the comment goes there


@dataclass
class Assembled:
    tree: dict
    unplaced: list[dict] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    variants: list[tuple[int, str, str]] = field(default_factory=list)  # (line, source spelling, form option)
    filled: int = 0
    empty: int = 0
    change_rows: int = 0
    dropped_instances: int = 0


class Assembler:
    def __init__(self, seg: Segmented, form: Form):
        self.seg = seg
        self.form = form
        self.index = LabelIndex(form)
        self.out = Assembled({})
        self.extra: dict[tuple, list[Piece]] = {}
        self.file_names: list[str] = []
        self.current_pieces: list[Piece] = []
        self.path: list = []  # the tree path being assembled (reviews are placed there)

    # ------------------------------------------------------------------
    def run(self) -> Assembled:
        form = self.form
        for u in self.seg.unplaced:
            self.unplace(u.line, u.text, u.near)
        for ln, msg in self.seg.notes:
            self.review(ln, "", msg)
        tree: dict[str, Any] = {"form": form.name, "edition": form.edition}
        files = self.files()
        for part in form.parts:
            if part.scope == "file":
                tree.setdefault("files", files)
                continue
            self.path = [part.key]
            if part.kind == "changelog":
                tree[part.key] = self.changes(part)
            elif part.kind == "diagrams":
                tree[part.key] = self.diagrams(part)
            elif part.scope == "file_block":
                tree[part.key] = self.blocks(part, files)
            else:
                tree[part.key] = self.container(part, ("doc",), ())
        self.path = []
        self.out.tree = tree
        return self.out

    # ------------------------------------------------------------------
    # files and blocks

    def files(self) -> list[dict]:
        n = max(self.seg.files, 1)
        names = []
        for i in range(n):
            names.append(self.file_name(i))
        listed = self.listed_names()
        for i in range(n):
            if not names[i] and i < len(listed):
                names[i] = listed[i]
                self.review(0, "特定個人情報ファイル名", f"ファイル{i + 1} の名前を I の「特定個人情報ファイル名」の一覧から取りました。")
        self.file_names = names
        out = []
        for i in range(n):
            entry: dict[str, Any] = {"id": f"file{i + 1}", "name": names[i] or None}
            for part in self.form.parts:
                if part.scope != "file":
                    continue
                self.path = ["files", i, part.key]
                if part.kind == "record_items":
                    entry[part.key] = self.record_items(i, part)
                else:
                    entry[part.key] = self.container(part, ("file", i), ())
            out.append(entry)
        self.check_listed_names()
        return out

    def file_name(self, i: int) -> str:
        for node in self.form.walk():
            if node.kind == "derived" and node.source == "file_name":
                slot = self.seg.slots.get((("file", i), node.id, ()))
                if slot:
                    text = plain_text(slot.pieces)
                    return ORDINAL.sub("", text.split("\n")[0]).strip() if text else ""
        return ""

    def derived_slots(self, source: str) -> list:
        out = []
        for node in self.form.walk():
            if node.kind == "derived" and node.source == source:
                for key, slot in self.seg.slots.items():
                    if key[1] == node.id:
                        out.append(slot)
        return out

    def listed_names(self) -> list[str]:
        for slot in self.derived_slots("file_names"):
            text = plain_text(slot.pieces)
            return [t.strip() for t in ORDINAL_SPLIT.split(" ".join(text.split("\n"))) if t.strip()]
        return []

    def check_listed_names(self) -> None:
        """I-3 / III-1 repeat the file names, 全ての記録項目 repeats a fixed text: other text is kept as unplaced."""
        for source in ("file_names", "block_file_names"):
            for slot in self.derived_slots(source):
                rest = " ".join(plain_text(slot.pieces).split("\n"))
                for name in self.file_names:
                    if name:
                        rest = _remove_key(rest, name)
                rest = ORDINAL_SPLIT.sub(" ", rest).strip()
                if re.search(r"[^\s.．()（）,、]", rest):
                    line = slot.pieces[0].line if slot.pieces else 0
                    self.unplace(line, rest, near_path(slot.scope, slot.node, slot.inst, self.form))
                    self.review(line, slot.node.printed, "特定個人情報ファイル名の一覧に、II のファイル名と一致しない記載があります。未配置にしました。")
        for key, slot in self.seg.slots.items():
            node = slot.node
            if node.kind != "ref":
                continue
            text = plain_text(slot.pieces)
            if text and nkey(text) != nkey(node.text):
                line = slot.pieces[0].line
                self.unplace(line, text, near_path(slot.scope, node, slot.inst, self.form))
                self.review(line, node.printed, f"固定の文言「{node.text}」と違う記載です。未配置にしました。")

    def blocks(self, part: Node, files: list[dict]) -> list[dict]:
        n = self.seg.blocks
        if n == 0 and any(k[0][0] == "block" for k in self.seg.slots):
            n = 1
        out = []
        for j in range(n):
            ids = []
            for slot in self.derived_slots("block_file_names"):
                if slot.scope != ("block", j):
                    continue
                text = nkey(plain_text(slot.pieces))
                ids = [f["id"] for f in files if f["name"] and nkey(f["name"]) in text]
            if not ids:
                ids = [f["id"] for f in files]
            block: dict[str, Any] = {"files": ids}
            self.path = [part.key, j]
            block.update(self.container(part, ("block", j), ()))
            out.append(block)
        return out

    # ------------------------------------------------------------------
    # containers, groups, values

    def container(self, node: Node, scope: tuple, inst: tuple) -> dict:
        out: dict[str, Any] = {}
        for m in node.data_members():
            self.path.append(m.key)
            self._member(m, scope, inst, out)
            self.path.pop()
        return out

    def _member(self, m: Node, scope: tuple, inst: tuple, out: dict) -> None:
        if m.kind == "group":
            out[m.key] = self.group(m, scope, inst)
        elif m.kind in CONTAINER_KINDS:
            out[m.key] = self.container(m, scope, inst)
        elif m.has_value and m.key in out:
            self.count_own(m, scope, inst, out)
        elif m.has_value:
            siblings: dict[str, Any] = {}
            out[m.key] = self.value(m, scope, inst, siblings)
            out.update(siblings)  # a choice's count (委託の有無 → 件数) follows it

    def group(self, g: Node, scope: tuple, inst: tuple) -> list[dict]:
        nums = list(self.seg.instances.get((scope, g.id, inst), []))
        entries = []
        for no in sorted(set(nums)):
            iinst = inst + ((g.id, no),)
            mark = (len(self.out.reviews), len(self.out.unplaced), self.out.filled, self.out.empty)
            self.path.append(len(entries))
            vals = self.container(g, scope, iinst)
            self.path.pop()
            if _empty(vals) and len(self.out.unplaced) == mark[1]:
                del self.out.reviews[mark[0]:]
                self.out.filled, self.out.empty = mark[2], mark[3]
                self.out.dropped_instances += 1
                line = self.seg.instance_lines.get((scope, g.id, iinst), 0)
                self.review(line, f"{g.instance_label}{no}", "記載のない枠（様式のひな形だけ）のため、取り込みませんでした。")
                continue
            entries.append((no, vals))
        contiguous = [no for no, _ in entries] == list(range(1, len(entries) + 1))
        out = []
        for no, vals in entries:
            d: dict[str, Any] = {}
            if not contiguous:
                d["id"] = str(no)  # the printed number: a stable anchor (委託事項6 → entries.6)
                d["no"] = str(no)
            d.update(vals)
            out.append(d)
        return out

    def slot_of(self, node: Node, scope: tuple, inst: tuple):
        return self.seg.slots.get((scope, node.id, inst))

    def value(self, node: Node, scope: tuple, inst: tuple, siblings: dict) -> Any:
        slot = self.slot_of(node, scope, inst)
        pieces = list(slot.pieces) if slot else []
        pieces += self.extra.pop((scope, node.id, inst), [])
        where = self.where(node, scope, inst)
        line = pieces[0].line if pieces else (slot.labeled[0] if slot and slot.labeled else 0)
        if slot:
            for ln, msg in slot.notes:
                self.review(ln, where, msg)
        near = near_path(scope, node, inst, self.form)
        raw = " ".join(p.text for p in pieces)
        self.current_pieces = pieces
        kind = node.kind
        value: Any = None
        if kind in ("text", "rich") and marks_only(raw):
            self.review(line, where, LOST_MARKS_NOTE.format(text=raw.strip()[:30]))
        elif kind == "text":
            value = plain_text(pieces) or None
        elif kind == "rich":
            value = rich_text(pieces) or None
        elif kind == "count":
            value = self.typed(parse_count(raw), line, where, near)
        elif kind == "date":
            value = self.typed(parse_date(raw, node.month), line, where, near)
        elif kind == "period":
            value = self.typed(parse_period(raw), line, where, near)
        elif kind == "flag":
            states = [p.text for p in pieces if p.text in ("true", "false")]
            value = (states[-1] == "true") if states else None
        elif kind == "choice":
            value = self.choice(node, pieces, raw, line, where, near, scope, inst, siblings)
        elif kind == "check":
            parsed = parse_check(raw, node, self.form)
            value = self.typed(parsed, line, where, near, keep_empty=True) if pieces else None
            if value == [] and parsed.value == [] and not is_dash(raw):
                self.review(line, where, "すべての選択肢がチェックなしになっています。原本で確認してください。")
        elif kind in ("record_items", "diagrams"):
            value = None
        self.count(value)
        return value

    def choice(self, node, pieces, raw, line, where, near, scope, inst, siblings) -> Any:
        if not pieces:
            if node.count_key:
                siblings[node.count_key] = None
            return None
        parsed = parse_choice(raw, node)
        value = parsed.value
        count = None
        if node.count_key:
            value, count = value if isinstance(value, tuple) else (value, None)
        for n in parsed.notes:
            self.review(line, where, n)
        for v, target in parsed.variants:
            self.out.variants.append((line, v, target))
        if parsed.residue:
            line = self.line_of(parsed.residue, line)
            target = self.row_for_residue(node, parsed.residue)
            if target is not None:
                text = _unwrap_label(parsed.residue, target.label)
                self.extra.setdefault((scope, target.id, inst), []).append(Piece(line, text))
                self.review(line, where, f"選択肢の欄に続く記載を「{target.label}」に入れました。")
            else:
                self.unplace(line, parsed.residue, near)
                self.review(line, where, "選択肢の欄に、選択肢以外の記載があります。未配置にしました。")
        if node.count_key:
            siblings[node.count_key] = count
            self.count(count)
        return value

    def row_for_residue(self, node: Node, residue: str) -> Node | None:
        rk = nkey(residue).lstrip("(（")
        for r in node.rows:
            if r.kind in ("text", "rich"):
                lk = nkey(r.label)
                if lk and rk.startswith(lk[: min(6, len(lk))]):
                    return r
        return None

    def count_own(self, m: Node, scope: tuple, inst: tuple, out: dict) -> None:
        """A count written on its own row (rare): it wins over the one next to the choice."""
        slot = self.slot_of(m, scope, inst)
        if slot and slot.has_text:
            parsed = parse_count(" ".join(p.text for p in slot.pieces))
            if parsed.value:
                out[m.key] = parsed.value

    def typed(self, parsed: Parsed, line: int, where: str, near: str, keep_empty: bool = False) -> Any:
        for n in parsed.notes:
            self.review(line, where, n)
        for v, target in parsed.variants:
            self.out.variants.append((line, v, target))
        if parsed.residue:
            line = self.line_of(parsed.residue, line)
            self.unplace(line, parsed.residue, near)
            self.review(line, where, f"値として読めない記載「{parsed.residue[:30]}」を未配置にしました。")
        return parsed.value

    def line_of(self, text: str, default: int) -> int:
        """The source line of the piece a leftover text came from."""
        key = nkey(text)[:12]
        for p in self.current_pieces:
            if key and key in nkey(p.text):
                return p.line
        return default

    def count(self, value: Any) -> None:
        if value is None or value == "":
            self.out.empty += 1
        else:
            self.out.filled += 1

    # ------------------------------------------------------------------
    # attachments and the change log

    def record_items(self, i: int, part: Node) -> dict:
        res = parse_record_items(self.seg.record_lines.get(i, []))
        for ln, msg in res.notes:
            self.review(ln, part.printed, msg)
        value = res.value
        if value.get("note"):
            value["note"] = rich_block(value["note"])
        else:
            value.pop("note", None)
        self.count(value if value["groups"] else None)
        return value

    def diagrams(self, part: Node) -> list[dict]:
        res = parse_diagrams(self.seg.diagram_lines)
        for d in res.value:
            if d.get("notes"):
                d["notes"] = rich_block(d["notes"])
        self.count(res.value or None)
        return res.value

    def changes(self, part: Node) -> list[dict]:
        res = parse_changes(self.seg.change_lines, self.index)
        for ln, msg in res.notes:
            self.path = [part.key, res.lines.index(ln)] if ln in res.lines else [part.key]
            self.review(ln, part.printed, msg)
        self.path = [part.key]
        rows = []
        for k, row in enumerate(res.rows):
            for key in ("before", "after", "timing_note"):
                if row[key]:
                    row[key] = rich_block(row[key])
            rows.append(row)
        for ln, text in res.unplaced:
            k = res.lines.index(ln) + 1 if ln in res.lines else 0
            self.unplace(ln, text, f"changes.{k}")
        self.out.change_rows = len(rows)
        return rows

    # ------------------------------------------------------------------
    def unplace(self, line: int, text: str, near: str) -> None:
        if marks_only(text):  # brackets and marks only: a lost checkbox column, not text
            self.review(line, near, LOST_MARKS_NOTE.format(text=text.strip()[:30]))
            return
        text = rich_block(text.strip())
        if text:
            self.out.unplaced.append({"line": line, "text": text, "near": near})

    def review(self, line: int, where: str, message: str) -> None:
        self.out.reviews.append(Review(line, where, message, tuple(self.path)))

    def where(self, node: Node, scope: tuple, inst: tuple) -> str:
        nums = dict(inst)
        parts = []
        for n in self.form.ancestors(node) + [node]:
            if n.kind == "group":
                parts.append(f"{n.instance_label}{nums.get(n.id, '')}")
            elif n.kind != "heading" and (n.printed or n.key):
                parts.append(n.printed or n.key)
        prefix = f"ファイル{scope[1] + 1}: " if scope[0] == "file" and self.seg.files > 1 else ""
        return prefix + " › ".join(parts)


def _unwrap_label(text: str, label: str) -> str:
    """``(手数料額、納付方 手数料額: … 法: 納付方法: …)``: the printed label ``(手数料額、納付方法: … )``
    was split by a column wrap around the value; drop its two pieces and the brackets."""
    t = text.strip()
    m = re.match(r"^[(（]\s*", t)
    if not m:
        return t
    body = t[m.end():]
    for cut in range(len(label) - 1, 0, -1):
        head, tail = label[:cut], label[cut:]
        if body.startswith(head):
            body = body[len(head):]
            body = re.sub(r"(^|\s)" + re.escape(tail) + r"\s*[:：]\s*", " ", body, count=1) if not body.startswith(tail) else body[len(tail):].lstrip(" :：")
            body = re.sub(r"\s*[)）]\s*$", "", body)
            return re.sub(r"\s+", " ", body).strip()
    return t


def _empty(v: Any) -> bool:
    if v is None or v == "" or v == [] or v is False:
        return True
    if isinstance(v, dict):
        return all(_empty(x) for x in v.values())
    if isinstance(v, list):
        return all(_empty(x) for x in v)
    return False


def _remove_key(text: str, name: str) -> str:
    """Remove ``name`` from text, comparing in key form (spaces, widths)."""
    pat = r"\s*".join(re.escape(c) for c in name if not c.isspace())
    return re.sub(pat, " ", text)


def assemble(seg: Segmented, form: Form) -> Assembled:
    return Assembler(seg, form).run()
