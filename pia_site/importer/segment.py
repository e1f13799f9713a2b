"""Segment: a label-driven state machine over the catalog that turns lines into fields.

The cursor walks the form's node order (``Form.walk()``).  A line whose first cell
is a printed label (from the catalog: number + label, label, alias) opens that
field; the rest of the line, and every following line without a label, is its
value.  Candidates for a label are ranked by the cursor: the nearest one ahead in
the current part wins; a label of a later part needs its printed number; a group
header (``システム3``, ``委託事項2``) opens an instance.

Nothing is dropped: a line that fits no field is kept in ``unplaced`` with its
line number.  Form text (part headings, labels, option lists, the table of
contents, bucket headers) is recognised as such and not stored.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..catalog import CONTAINER_KINDS, VALUE_KINDS, Form, Node
from .clean import Line, flat_plain, markup_only, strip_heading
from .detect import STAMP_RE
from .labels import LabelIndex, Match, nkey

SLOT_KINDS = VALUE_KINDS | {"derived", "ref"}
LEAD_STAR = re.compile(r"^(?:\s|※|[(（]\s*※\s*[)）]|[:：]|</?b>|</?strong>|</?span[^>]*>|</p>)+")
PAGE_MARK = re.compile(r"^\s*(?:[-－—‐]\s*\d{1,3}\s*[-－—‐]|\d{1,3}\s*/\s*\d{1,3}|[pP]\.?\s*\d{1,3}|\d{1,3}\s*ページ|Page\s*\d{1,3}(?:\s*of\s*\d{1,3})?)\s*$")
CONTINUED_TEXT = re.compile(r"[(（]?\s*(続き|つづき)\s*[)）]?")
PARA = re.compile(r"<p>\s*(?:<b>)?([^<]{1,80}?)(?:</b>)?\s*</p>")
TOC_WORD = "項目一覧"


@dataclass
class Piece:
    line: int
    text: str
    row: bool = False  # a table row of its own (paragraph boundary before it)
    gap: bool = False  # blank line(s) before it


@dataclass
class Slot:
    node: Node
    scope: tuple
    inst: tuple
    pieces: list[Piece] = field(default_factory=list)
    labeled: list[int] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)

    @property
    def has_text(self) -> bool:
        return any(p.text.strip() for p in self.pieces)


@dataclass
class Unplaced:
    line: int
    text: str
    near: str


@dataclass
class Segmented:
    form: Form
    slots: dict[tuple, Slot] = field(default_factory=dict)
    instances: dict[tuple, list[int]] = field(default_factory=dict)  # (scope, group id, outer inst) -> numbers
    instance_lines: dict[tuple, int] = field(default_factory=dict)  # (scope, group id, inst) -> header line
    files: int = 0
    blocks: int = 0
    record_lines: dict[int, list[Line]] = field(default_factory=dict)
    diagram_lines: list[list[Line]] = field(default_factory=list)
    change_lines: list[Line] = field(default_factory=list)
    change_heading: int | None = None
    unplaced: list[Unplaced] = field(default_factory=list)
    chrome: list[int] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)


class Segmenter:
    def __init__(self, form: Form, lines: list[Line], stamp_line: int | None):
        self.form = form
        self.lines = lines
        self.stamp_line = stamp_line
        self.idx = LabelIndex(form)
        self.order = {n.id: i for i, n in enumerate(form.walk())}
        self.part_of: dict[str, Node] = {}
        for p in form.parts:
            for n in p.walk():
                self.part_of[n.id] = p
        self.part_no = {p.key: i for i, p in enumerate(form.parts)}
        self.out = Segmented(form)
        self.part: Node = form.parts[0]
        self.container: Node = self.part
        self.cursor = self.order[self.part.id]
        self.mode = "form"
        self.file_i = -1
        self.block_j = -1
        self.inst: dict[str, int] = {}
        self.open: tuple | None = None
        self.limbo: str | None = None
        self.header_row: list[Node] | None = None
        self.gap = False
        self.title_key = nkey(form.title)
        self.part_slots_at_entry = 0

    # ------------------------------------------------------------------
    def run(self) -> Segmented:
        i = 0
        n = len(self.lines)
        while i < n:
            ln = self.lines[i]
            if self.mode == "changes":
                if self.false_changelog(ln):
                    continue
                self.out.change_lines.append(ln)
                i += 1
                continue
            if not ln.blank and PAGE_MARK.match(flat_plain(ln.text)):
                self.out.chrome.append(ln.no)  # a page number: a page break
                ln = Line(ln.no, "", [""])
            if ln.blank:
                self.gap = True
                if self.mode == "records":
                    self.out.record_lines.setdefault(self.file_i, []).append(ln)
                elif self.mode == "diagrams":
                    self.out.diagram_lines[-1].append(ln)
                i += 1
                continue
            consumed = self.line(i, ln)
            self.gap = False
            i += max(consumed, 1)
        self.out.files = self.file_i + 1
        self.out.blocks = self.block_j + 1
        return self.out

    def line(self, i: int, ln: Line) -> int:
        """Handle line i; returns how many lines were consumed."""
        nonempty = ln.nonempty()
        head_i, head = nonempty[0]
        head_txt = strip_heading(head)
        plain = flat_plain(ln.text)
        if ln.no == self.stamp_line or STAMP_RE.fullmatch(plain.strip()):
            self.chrome(ln)
            return 1
        pm = self.idx.match_part(head_txt)
        if pm and (pm.numbered or ln.heading) and len(nonempty) == 1:
            toc = self.toc_run(i)
            if toc > 1:
                for x in self.lines[i:i + toc]:
                    if not x.blank:
                        self.chrome(x)
                return toc
            self.enter_part(pm.node, ln)
            return 1
        key = nkey(head_txt)
        if key == self.title_key or key == TOC_WORD:
            self.chrome(ln)
            return 1
        if self.mode == "records":
            self.out.record_lines.setdefault(self.file_i, []).append(ln)
            return 1
        if self.mode == "diagrams":
            self.out.diagram_lines[-1].append(ln)
            return 1
        if markup_only(ln.text):
            self.chrome(ln)
            return 1
        self.form_line(ln, head_i)
        return 1

    def false_changelog(self, ln: Line) -> bool:
        """A 変更箇所 heading followed by a heading of an earlier part, before any dated row, was
        a contents entry: go back to the form (the lines taken so far were contents too)."""
        if ln.blank:
            return False
        ne = ln.nonempty()
        m = self.idx.match_part(strip_heading(ne[0][1])) if len(ne) == 1 else None
        if not m or not m.numbered or m.node.kind == "changelog":
            return False
        if any(len(x.nonempty()) >= 3 for x in self.out.change_lines):
            return False  # rows were read: this is a real change log
        for x in self.out.change_lines:
            if not x.blank:
                self.chrome(x)
        self.out.change_lines = []
        self.out.change_heading = None
        self.mode = "form"
        self.out.notes.append((ln.no, "目次の「変更箇所」を本文の見出しと取り違えないよう、目次として読み直しました。"))
        return True

    def is_page_chrome(self, ln: Line) -> bool:
        """Repeated page furniture: the form title, the edition stamp, a page number."""
        plain = flat_plain(ln.text).strip()
        return bool(STAMP_RE.fullmatch(plain) or PAGE_MARK.match(plain) or nkey(strip_heading(plain)) == self.title_key)

    def toc_run(self, i: int) -> int:
        """A table of contents: ≥ 3 part headings in increasing form order, nothing between
        (page furniture aside)."""
        count, last, j = 0, -1, i
        consumed = 0
        while j < len(self.lines):
            ln = self.lines[j]
            if ln.blank or self.is_page_chrome(ln):
                j += 1
                continue
            ne = ln.nonempty()
            m = self.idx.match_part(strip_heading(ne[0][1])) if len(ne) == 1 else None
            if not m or not m.numbered or self.part_no[m.node.key] <= last:
                break
            last = self.part_no[m.node.key]
            count += 1
            j += 1
            consumed = j - i
        return consumed if count >= 3 else 0

    def chrome(self, ln: Line, count: int = 1) -> None:
        self.out.chrome.append(ln.no)

    # ------------------------------------------------------------------
    # parts, files, blocks

    def enter_part(self, part: Node, ln: Line) -> None:
        self.chrome(ln)
        same = part is self.part
        if part.kind == "changelog":
            self.mode = "changes"
            self.out.change_heading = ln.no
        elif part.kind == "record_items":
            self.mode = "records"
            if self.file_i < 0:
                self.file_i = 0
        elif part.kind == "diagrams":
            self.mode = "diagrams"
            self.out.diagram_lines.append([])
        else:
            self.mode = "form"
        if same:
            return  # a page header repeated
        if part.scope == "file" and part.kind != "record_items":
            if self.file_i < 0 or self.file_has_content(self.file_i):
                self.file_i += 1
                self.reset_instances("file")
        if part.scope == "file_block":
            self.block_j += 1
            self.reset_instances("file_block")
        self.part = part
        self.container = part
        self.cursor = self.order[part.id]
        self.open = None
        self.limbo = None
        self.header_row = None
        self.part_slots_at_entry = len(self.out.slots)

    def part_fresh(self) -> bool:
        """Nothing has been read under the current part heading yet."""
        return self.part_slots_at_entry == len(self.out.slots)

    def file_has_content(self, i: int) -> bool:
        return any(k[0] == ("file", i) for k in self.out.slots) or i in self.out.record_lines

    def reset_instances(self, scope: str) -> None:
        for gid in list(self.inst):
            if self.part_of[gid].scope == scope:
                del self.inst[gid]

    def scope_of(self, node: Node) -> tuple:
        part = self.part_of[node.id]
        if part.scope == "file":
            if self.file_i < 0:
                self.file_i = 0
            return ("file", self.file_i)
        if part.scope == "file_block":
            if self.block_j < 0:
                self.block_j = 0
            return ("block", self.block_j)
        return ("doc",)

    def groups_of(self, node: Node) -> list[Node]:
        return [a for a in self.form.ancestors(node) if a.kind == "group"]

    # ------------------------------------------------------------------
    # label lines

    def form_line(self, ln: Line, head_i: int) -> None:
        cells = ln.cells
        head = strip_heading(cells[head_i])
        if self.header_row is not None:
            row, self.header_row = self.header_row, None
            if not self.idx.match(head):
                self.positional(ln, row)
                return
        row_nodes = self.label_row(ln)
        if row_nodes:
            self.header_row = row_nodes
            for node in row_nodes:
                slot = self.slot(node)
                if slot:
                    slot.labeled.append(ln.no)
            self.cursor = self.order[row_nodes[-1].id]
            self.open = None
            return
        ih = self.idx.instance_header(head)
        if ih:
            self.instance_header(ln, ih, cells[head_i + 1:])
            return
        m = self.best(head)
        if m is None:
            if self.idx.is_fixed(head):
                self.chrome(ln)
                return
            self.orphan(ln)
            return
        self.limbo = None
        self.apply(m, ln, cells[head_i + 1:])

    def label_row(self, ln: Line) -> list[Node] | None:
        """A header row: every cell is a whole label of a value field (``評価書番号⇥評価書名``)."""
        ne = ln.nonempty()
        if len(ne) < 2:
            return None
        nodes = []
        for _, c in ne:
            ms = [m for m in self.idx.match(strip_heading(c), allow_prefix=False) if m.node.kind in SLOT_KINDS]
            ms = [m for m in ms if self.part_no[self.part_of[m.node.id].key] >= self.part_no[self.part.key]]
            if not ms:
                return None
            nodes.append(min(ms, key=lambda m: abs(self.order[m.node.id] - self.cursor)).node)
        parents = {self.form.parent_of(n).id for n in nodes}
        return nodes if len(parents) == 1 else None

    def positional(self, ln: Line, row: list[Node]) -> None:
        ne = ln.nonempty()
        for k, (_, text) in enumerate(ne):
            if k < len(row):
                slot = self.slot(row[k])
                if slot is not None:
                    self.add(slot, ln, text)
                    self.open = self.key(slot)
                    self.cursor = self.order[row[k].id]
                    continue
            self.unplace(ln, text, self.near_node(self.container))

    def best(self, head: str) -> Match | None:
        cands = self.idx.match(head)
        stripped = False
        if not cands:
            cands = self.idx.match_number_stripped(head)
            stripped = True
        cur_p = self.part_no[self.part.key]
        scored = []
        fresh = self.part_fresh()
        for m in cands:
            node = m.node
            p = self.part_no[self.part_of[node.id].key]
            if p < cur_p:
                if fresh and m.numbered and m.full and self.part_of[node.id].kind == "part":
                    # the heading just taken was a stray one (nothing read under it yet): go back
                    scored.append(((True, True, cur_p - p, self.order[node.id]), m))
                continue
            o = self.order[node.id]
            later = p > cur_p
            if later and not (m.numbered and m.full):
                continue
            if later and self.part_of[node.id].kind in ("record_items", "diagrams", "changelog"):
                continue
            if not m.full and not later and not self.near_enough(node):
                continue
            if m.glued and (later or self.order[node.id] <= self.cursor):
                continue
            is_open = self.open is not None and self.open[1] == node.id
            forward = o > self.cursor or is_open
            scored.append(((later, not forward, 0 if is_open else abs(o - self.cursor)), m))
        if not scored:
            return None
        scored.sort(key=lambda s: s[0])
        m = scored[0][1]
        back = self.part_of[m.node.id]
        if self.part_no[back.key] < cur_p:
            self.out.notes.append((0, f"「{self.part.printed}」の見出しのあとに「{back.printed}」の項目が続くため、{back.printed}に戻って読みました。"))
            self.part = back
            self.container = back
            self.cursor = self.order[back.id]
        if stripped:
            self.out.notes.append((0, f"見出しの番号が様式と違うため、ラベル「{m.node.printed}」として読みました。"))
        return m

    def near_enough(self, node: Node) -> bool:
        """A label followed by text in the same cell is trusted only close to the cursor."""
        top = self.top_section(node)
        cur = self.top_section_at_cursor()
        if top is None or cur is None:
            return True
        parent = self.form.parent_of(top)
        sibs = [c.id for c in parent.children] if parent else []
        if top.id == cur.id:
            return True
        if top.id in sibs and cur.id in sibs:
            return sibs.index(top.id) == sibs.index(cur.id) + 1
        return False

    def top_section(self, node: Node) -> Node | None:
        anc = self.form.ancestors(node) + [node]
        return anc[1] if len(anc) > 1 else None

    def top_section_at_cursor(self) -> Node | None:
        for n in self.form.walk():
            if self.order[n.id] == self.cursor:
                return self.top_section(n)
        return None

    def apply(self, m: Match, ln: Line, more: list[str]) -> None:
        node = m.node
        rest = [m.rest] + list(more)
        if node.kind == "derived" and node.source == "file_name" and self.file_i >= 0:
            cur = self.out.slots.get((("file", self.file_i), node.id, ()))
            if cur is not None and cur.has_text and self.open != self.key(cur):
                self.file_i += 1  # the next file's II, its heading lost
                self.reset_instances("file")
                self.out.notes.append((ln.no, "II の見出しがないまま次の特定個人情報ファイル名が出てきたため、次のファイルとして読みました。"))
        if node.kind in SLOT_KINDS:
            slot = self.slot(node, ln)
            if slot is None:
                self.limbo_lines(ln, rest, node)
                return
            slot.labeled.append(ln.no)
            self.open = self.key(slot)
            self.cursor = self.order[node.id]
            self.container = self.form.parent_of(node) or self.part
            text = " ".join(t.strip() for t in rest if t.strip())
            text = LEAD_STAR.sub("", text)
            if text:
                self.feed(slot, ln, text)
            return
        if node.kind == "fixed":
            self.chrome(ln)
            return
        self.cursor = self.order[node.id]
        self.open = None
        if node.kind in CONTAINER_KINDS:
            self.container = node
        self.after_label(node, ln, rest)

    def after_label(self, node: Node, ln: Line, texts: list[str]) -> None:
        """Cells after a container or heading label: a row label, flags, or stray text."""
        texts = [t for t in texts if t.strip()]
        while texts:
            t = texts.pop(0)
            inner = self.inner_labels(node)
            ms = [m for m in self.idx.match(strip_heading(t)) if m.node.id in inner]
            if ms:
                m = min(ms, key=lambda m: self.order[m.node.id])
                self.apply(m, ln, texts)
                return
            t = self.flags(node, ln, t)
            if t.strip() and not self.star_note(node, t) and not CONTINUED_TEXT.fullmatch(flat_plain(t).strip()):
                self.unplace(ln, t, self.near_node(node))

    def star_note(self, node: Node, text: str) -> bool:
        return bool(node.star_note) and nkey(text) == nkey(node.star_note)

    def inner_labels(self, node: Node) -> set[str]:
        ids = set()
        for r in node.rows:
            ids.add(r.id)
        for c in node.children:
            ids.add(c.id)
            for r in c.rows:
                ids.add(r.id)
        return ids

    def flags(self, container: Node, ln: Line, text: str) -> str:
        """``[ ] 委託しない`` in a section header: set the flags, return what is left."""
        from .values import parse_flags

        flag_nodes = [c for c in container.children if c.kind == "flag"]
        if not flag_nodes:
            return text
        states, residue = parse_flags(text, flag_nodes)
        for node, state in states.items():
            slot = self.slot(node)
            if slot is not None:
                slot.labeled.append(ln.no)
                self.add(slot, ln, "true" if state else "false")
        return residue

    def instance_header(self, ln: Line, ih: tuple, more: list[str]) -> None:
        group, no, rest = ih
        if no is None:
            self.chrome(ln)
            return
        gpart = self.part_of[group.id]
        if self.part_no[gpart.key] < self.part_no[self.part.key]:
            self.orphan(ln)
            return
        if gpart is not self.part:
            self.part = gpart
        scope = self.scope_of(group)
        outer = self.outer_inst(group)
        nums = self.out.instances.setdefault((scope, group.id, outer), [])
        if no in nums:
            self.out.notes.append((ln.no, f"{group.instance_label}{no} の見出しが 2 回あります。同じ{group.instance_label}の続きとして読みました。"))
        else:
            nums.append(no)
            self.out.instance_lines[(scope, group.id, outer + ((group.id, no),))] = ln.no
        self.inst[group.id] = no
        self.cursor = self.order[group.id]
        self.container = group
        self.open = None
        self.limbo = None
        title = next((c for c in group.children if c.label == group.instance_label and c.kind in SLOT_KINDS), None)
        texts = [LEAD_STAR.sub("", t).strip() for t in [rest] + list(more) if LEAD_STAR.sub("", t).strip()]
        if texts:
            inner = self.inner_labels(group)
            ms = [m for m in self.idx.match(strip_heading(texts[0])) if m.node.id in inner and m.node is not title]
            if ms:
                self.apply(min(ms, key=lambda m: self.order[m.node.id]), ln, texts[1:])
                return
        if title is not None:
            slot = self.slot(title, ln)
            if slot is not None:
                slot.labeled.append(ln.no)
                self.open = self.key(slot)
                if texts:
                    self.add(slot, ln, " ".join(texts))
            return
        for t in texts:
            self.unplace(ln, t, self.near_node(group))

    def outer_inst(self, group: Node) -> tuple:
        return tuple((g.id, self.inst.get(g.id, 1)) for g in self.groups_of(group))

    # ------------------------------------------------------------------
    # slots

    def key(self, slot: Slot) -> tuple:
        return (slot.scope, slot.node.id, slot.inst)

    def slot(self, node: Node, ln: Line | None = None) -> Slot | None:
        """The field for node in the current file/block/instance; None for a repeated group row."""
        scope = self.scope_of(node)
        inst = []
        for g in self.groups_of(node):
            no = self.inst.get(g.id)
            if no is None:
                no = 1
                self.inst[g.id] = 1
                outer = self.outer_inst(g)
                nums = self.out.instances.setdefault((scope, g.id, outer), [])
                if 1 not in nums:
                    nums.append(1)
                self.out.notes.append((ln.no if ln else 0, f"{g.instance_label}の番号の見出しがないため、{g.instance_label}1 として読みました。"))
            inst.append((g.id, no))
        key = (scope, node.id, tuple(inst))
        slot = self.out.slots.get(key)
        if slot is None:
            slot = Slot(node, scope, tuple(inst))
            self.out.slots[key] = slot
            return slot
        if ln is not None and slot.labeled and key != self.open and inst and node.kind in SLOT_KINDS:
            g = self.groups_of(node)[-1]
            first = next((m for m in g.data_members() if m.kind in SLOT_KINDS and m.label != g.instance_label), None)
            if node is not first:
                return None  # a later row of the same instance again: its instance header was lost
            outer = self.outer_inst(g)
            nums = self.out.instances.setdefault((scope, g.id, outer), [])
            no = max(nums) + 1 if nums else 1
            nums.append(no)
            self.inst[g.id] = no
            self.out.notes.append((ln.no, f"{g.instance_label}の番号の見出しがないまま「{node.printed}」が再び出てきたため、次の{g.instance_label}{no} として読みました。"))
            return self.slot(node, ln)
        return slot

    def feed(self, slot: Slot, ln: Line, text: str) -> None:
        """Value text for slot; a paragraph that is just the label of a later field of the
        same container (``<p>その妥当性</p>`` inside a cell) switches to that field."""
        container = self.container_of(slot.node)
        here = self.order[slot.node.id]
        keys: dict[str, Node] = {}
        for m in container.data_members() if container else ():
            if m.kind not in SLOT_KINDS or self.order[m.id] <= here:
                continue
            for label in (m.label, *m.aliases):
                keys.setdefault(nkey(label), m)
                if m.no:
                    keys.setdefault(nkey(m.no + label), m)
        for pm in PARA.finditer(text):
            target_node = keys.get(nkey(pm.group(1)))
            if target_node is None:
                continue
            before, after = text[:pm.start()], text[pm.end():]
            if before.strip():
                self.add(slot, ln, before.strip())
            target = self.slot(target_node, ln)
            if target is None:
                self.limbo_lines(ln, [after], target_node)
                return
            target.labeled.append(ln.no)
            self.open = self.key(target)
            self.cursor = self.order[target_node.id]
            self.feed(target, ln, after.strip())
            return
        if text.strip():
            self.add(slot, ln, text)

    def container_of(self, node: Node) -> Node | None:
        for a in reversed(self.form.ancestors(node)):
            if a.kind in CONTAINER_KINDS:
                return a
        return None

    def add(self, slot: Slot, ln: Line, text: str) -> None:
        slot.pieces.append(Piece(ln.no, text, row=ln.row or text.lstrip().startswith("<"), gap=self.gap))

    def limbo_lines(self, ln: Line, texts: list[str], node: Node) -> None:
        groups = self.groups_of(node)
        g = groups[-1] if groups else node
        self.limbo = self.near_node(g, with_instance=False)
        self.open = None
        self.cursor = self.order[node.id]
        self.out.notes.append((ln.no, f"「{node.printed}」が同じ{g.instance_label or g.label}の中で 2 回目に出てきました。{g.instance_label or g.label}の見出しが失われているため、この記載は未配置にしました。"))
        text = " ".join(t.strip() for t in texts if t.strip())
        if text:
            self.unplace(ln, text, self.limbo)

    # ------------------------------------------------------------------
    # lines without a label

    def orphan(self, ln: Line) -> None:
        text = " ".join(c.strip() for c in ln.cells if c.strip())
        if self.limbo:
            self.unplace(ln, text, self.limbo)
            return
        fam_target = self.choice_target(text)
        if fam_target is not None:
            slot = self.slot(fam_target, ln)
            if slot is not None:
                if not slot.labeled:
                    slot.notes.append((ln.no, f"ラベル「{fam_target.printed}」が失われた行を、選択肢の並びからこの項目と判断しました。"))
                self.open = self.key(slot)
                self.cursor = self.order[fam_target.id]
                self.add(slot, ln, text)
                return
        if self.open is not None:
            slot = self.out.slots[self.open]
            nxt = self.lost_label_next(slot, ln)
            if nxt is not None:
                slot = nxt
                self.open = self.key(slot)
                self.cursor = self.order[slot.node.id]
            self.feed(slot, ln, text)
            return
        rest = self.flags(self.container, ln, text)
        if rest.strip():
            self.unplace(ln, rest, self.near_node(self.container))

    def lost_label_next(self, slot: Slot, ln: Line) -> Slot | None:
        """A table row with an empty label cell after a one-line text field belongs to the next field."""
        if not (ln.tabbed and not ln.cells[0].strip()):
            return None
        if slot.node.kind != "text" or not slot.has_text:
            return None
        parent = self.form.parent_of(slot.node)
        if parent is None:
            return None
        members = [m for m in parent.data_members() if m.kind in SLOT_KINDS]
        ids = [m.id for m in members]
        if slot.node.id not in ids:
            return None
        k = ids.index(slot.node.id)
        if k + 1 >= len(members):
            return None
        nxt = members[k + 1]
        if nxt.kind != "rich":
            return None
        target = self.slot(nxt, ln)
        if target is None or target.labeled or target.has_text:
            return None
        target.notes.append((ln.no, f"ラベルのない行を、直前の「{slot.node.printed}」の次の項目「{nxt.printed}」の記載と判断しました（ラベルが失われているか、後の行にあります）。"))
        return target

    def choice_target(self, text: str) -> Node | None:
        """A lost-label line that is plainly a choice (``[ … ] <選択肢> 1) …``): the next empty choice of that family."""
        from .values import choice_family

        fam = choice_family(text, self.form)
        if fam is None:
            return None
        if self.open is not None:
            cur = self.out.slots[self.open].node
            if cur.kind == "choice" and cur.family is fam:
                return None
        parent = self.container
        if self.open is not None:
            parent = self.form.parent_of(self.out.slots[self.open].node) or parent
        for m in parent.data_members():
            if m.kind == "choice" and m.family is fam and self.order[m.id] > self.cursor:
                key = (self.scope_of(m), m.id, self.current_inst(m))
                slot = self.out.slots.get(key)
                if slot is None or not (slot.labeled or slot.has_text):
                    return m
        return None

    def current_inst(self, node: Node) -> tuple:
        return tuple((g.id, self.inst.get(g.id, 1)) for g in self.groups_of(node))

    def unplace(self, ln: Line, text: str, near: str) -> None:
        if text.strip():
            self.out.unplaced.append(Unplaced(ln.no, text.strip(), near))

    def near_node(self, node: Node, with_instance: bool = True) -> str:
        return near_path(self.scope_of(node) if node.kind != "part" or node.scope != "document" else ("doc",),
                         node, self.current_inst(node) if with_instance else (), self.form)


def near_path(scope: tuple, node: Node, inst: tuple, form: Form) -> str:
    """A readable data path such as ``files.1.overview.entrust.entries.6``."""
    nums = dict(inst)
    out: list[str] = []
    chain = form.ancestors(node) + [node]
    for n in chain:
        if n.kind == "heading":
            continue
        if n.path == (n.key,):
            if n.scope == "file":
                out += ["files", str(scope[1] + 1 if len(scope) > 1 else 1), n.key]
            elif n.scope == "file_block":
                out += [n.key, str(scope[1] + 1 if len(scope) > 1 else 1)]
            else:
                out.append(n.key)
            continue
        out.append(n.key)
        if n.kind == "group" and n.id in nums:
            out.append(str(nums[n.id]))
    return ".".join(out)


def segment(form: Form, lines: list[Line], stamp_line: int | None) -> Segmented:
    return Segmenter(form, lines, stamp_line).run()


def is_value_text(text: str) -> bool:
    return bool(re.search(r"\S", text))
