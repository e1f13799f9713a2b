"""Resolve 変更箇所 項目 text to catalog items (changelog.md §6).

The resolver descends the catalog tree of the assessment's form and edition, token by token:
labels beat numbers, aliases come from the catalog nodes, fuzzy matching costs confidence,
a token that matches a sibling of an ancestor opens a further target (multi-target rows),
and relative rows (``その内容``) continue from the previous row's target.  When an
assessment is given, its own data binds instances (count, system by name), files and III
blocks, and text matching settles ambiguous rows.  It proposes; it never silently fixes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Sequence

from ..catalog import CONTAINER_KINDS, Form, Node
from ..model import Assessment, ChangeRow
from .match import Hit, label_similarity, levels, match_text, variants
from .normalize import CIRCLED, compact, normalize, normalize_content
from .tokenize import ROMAN, Token, tokenize

# statuses
RESOLVED, NEEDS_DATA, INSTANCE_MISSING, AMBIGUOUS, UNRESOLVED = (
    "resolved", "needs-data", "instance-missing", "ambiguous", "unresolved")
AUTO_LINK = 0.9
MIN_LINK = 0.7
MAX_STATES = 16

# penalties (changelog.md §6.6)
P_ITEM_NO = 0.15
P_CIRC_NO = 0.10
P_PART_TITLE = 0.10
P_NO_PART = 0.15
P_SUFFIX = 0.10
P_CONTAINER = 0.20
P_CHAIN = 0.10
P_LOCATOR = 0.05
P_RELATIVE = 0.05
P_TEXT_MATCH = 0.10
ROW_LEVEL = ("no part", "relative", "part title", "part numeral")
_BRACKETS = re.compile(r"[()\[\]【】<>〈〉《》\-‐–—―~]")


@dataclass(frozen=True)
class Target:
    """One resolved section: a catalog node plus instance/file bindings (and, with data, an anchor)."""

    node: Node
    bindings: tuple[tuple[str, Any], ...] = ()  # (group node id, number | name | None), outermost first
    fileq: str | None = None  # printed file qualifier, e.g. 賦課
    locator: str = ""  # text left after the deepest node
    file_id: str | None = None
    block_id: str | None = None
    instance_ids: tuple[tuple[str, str], ...] = ()  # (group node id, instance id)
    anchor: str | None = None
    note: str = ""

    @property
    def id(self) -> str:
        return self.node.id

    def binding(self, group_id: str) -> Any:
        for g, v in self.bindings:
            if g == group_id:
                return v
        return None

    @property
    def granularity(self) -> str:
        return "container" if self.node.kind in CONTAINER_KINDS or self.node.kind == "heading" else "leaf"

    def path(self, form: Form) -> str:
        """The catalog path with instance numbers (``?`` when unknown)."""
        return ".".join(_data_segments(form, self.node, lambda g: _num_str(self.binding(g.id))))

    def label_path(self, form: Form) -> list[str]:
        out: list[str] = []
        for n in form.ancestors(self.node) + [self.node]:
            if n.kind == "group":
                if n.no:
                    out.append(n.printed)
                b = self.binding(n.id)
                out.append(f"{n.instance_label or n.label}{_num_str(b) if not isinstance(b, str) else ''}"
                           + (f"({b})" if isinstance(b, str) else ""))
            elif n.printed:
                out.append(n.printed)
        return out

    def key(self) -> tuple:
        return (self.node.id, self.bindings, self.fileq)

    def to_json(self, form: Form) -> dict:
        d: dict[str, Any] = {"id": self.node.id, "path": self.path(form), "label_path": self.label_path(form),
                             "granularity": self.granularity}
        inst = {g: v for g, v in self.bindings}
        if inst:
            d["instances"] = inst
        if self.fileq:
            d["file_qualifier"] = self.fileq
        if self.locator:
            d["locator"] = self.locator
        if self.file_id:
            d["file"] = self.file_id
        if self.block_id:
            d["block"] = self.block_id
        if self.anchor:
            d["anchor"] = self.anchor
        if self.note:
            d["note"] = self.note
        return d


def _num_str(b: Any) -> str:
    if b is None or isinstance(b, str):
        return "?"
    return str(b)


@dataclass
class RowResult:
    line: int
    item: str
    targets: list[Target]
    confidence: float
    status: str
    reason: str
    candidates: list[Target] = field(default_factory=list)
    explicit: bool = False
    continuation: bool = False
    form: Form | None = None

    @property
    def granularity(self) -> str:
        if not self.targets:
            return ""
        return "leaf" if all(t.granularity == "leaf" for t in self.targets) else "container"

    @property
    def linked(self) -> bool:
        """True when the row may link (resolved and confident enough)."""
        return self.status == RESOLVED and self.confidence >= MIN_LINK

    def to_json(self) -> dict:
        f = self.form
        d: dict[str, Any] = {
            "line": self.line,
            "item": self.item,
            "targets": [t.to_json(f) for t in self.targets],
            "confidence": round(self.confidence, 2),
            "status": self.status,
            "granularity": self.granularity,
            "reason": self.reason,
        }
        if self.candidates:
            d["candidates"] = [t.to_json(f) for t in self.candidates]
        if self.explicit:
            d["explicit"] = True
        if self.continuation:
            d["continuation"] = True
        return d


# ---------------------------------------------------------------------------
# descent state

@dataclass
class _State:
    node: Node | None  # None = root (no part yet)
    bind: dict[str, Any] = field(default_factory=dict)  # group id -> number | name | None
    fileq: str | None = None
    locator: list[str] = field(default_factory=list)
    pen: list[tuple[str, float]] = field(default_factory=list)
    done: list[Target] = field(default_factory=list)
    how: str = "root"  # how node was reached: root part item group risk circ text
    removed: str = ""  # a part that does not exist (別紙1)
    log: list[tuple[str, float]] = field(default_factory=list)  # every penalty of the row, for the reason
    done_conf: list[float] = field(default_factory=list)  # confidence of each emitted target

    def copy(self) -> "_State":
        return _State(self.node, dict(self.bind), self.fileq, list(self.locator), list(self.pen), list(self.done),
                      self.how, self.removed, list(self.log), list(self.done_conf))

    @property
    def current_confidence(self) -> float:
        return max(0.0, min(1.0, 1.0 - sum(p for _, p in self.pen)))

    @property
    def confidence(self) -> float:
        """The weakest target of the row decides (each target carries its own penalties)."""
        confs = list(self.done_conf)
        if self.node is not None or not confs:
            confs.append(self.current_confidence)
        return min(confs)

    def penalize(self, why: str, amount: float) -> None:
        if amount > 0:
            self.pen.append((why, round(amount, 3)))
            self.log.append((why, round(amount, 3)))

    def target(self, form: Form) -> Target | None:
        if self.node is None:
            return None
        chain = form.ancestors(self.node) + [self.node]
        groups = [n for n in chain if n.kind == "group"]
        return Target(self.node, tuple((g.id, self.bind.get(g.id)) for g in groups), self.fileq,
                      " ".join(x for x in self.locator if x).strip())

    def sig(self) -> tuple:
        return (tuple(t.key() for t in self.done), self.node.id if self.node else None,
                tuple(sorted((k, str(v)) for k, v in self.bind.items())))


def _part_of(form: Form, node: Node | None) -> Node | None:
    if node is None:
        return None
    chain = form.ancestors(node) + [node]
    return chain[0]


def _is_ancestor(form: Form, a: Node, n: Node) -> bool:
    return a is n or a in form.ancestors(n)


def _items(part: Node) -> list[Node]:
    return [c for c in part.children if c.no.endswith(".")]


def _item_no(node: Node) -> int | None:
    m = re.match(r"^(\d+)\.$", node.no)
    return int(m.group(1)) if m else None


def _circ_no(node: Node) -> int | None:
    return CIRCLED.index(node.no) + 1 if len(node.no) == 1 and node.no in CIRCLED else None


def _risk_no(node: Node) -> int:
    m = re.match(r"^リスク(\d+)$", node.no)
    return int(m.group(1)) if m else 0


def _descendants(node: Node | None, form: Form) -> list[Node]:
    out: list[Node] = []
    for lv in levels(node, form, 12):
        out.extend(lv)
    return out


def _emit_able(st: _State) -> bool:
    n = st.node
    if n is None or n.kind == "part":
        return False
    if n.kind == "risk" and st.how == "risk":
        return False
    return True


class _Descent:
    def __init__(self, form: Form):
        self.form = form

    # -- helpers -----------------------------------------------------------
    def _set(self, st: _State, node: Node, how: str, hit: Hit | None = None, confirmed: bool = False,
             number_mismatch: str = "") -> None:
        st.node = node
        st.how = how
        if hit is not None:
            self._hit_penalty(st, hit, confirmed)
        if number_mismatch:
            st.penalize(number_mismatch, P_ITEM_NO if "item" in number_mismatch else P_CIRC_NO)

    def _hit_penalty(self, st: _State, hit: Hit, confirmed: bool) -> None:
        k = hit.kind
        label = hit.node.label
        if k == "exact":
            return
        if k == "alias":
            st.penalize(f"alias for 「{label}」", 0.05 if confirmed else 0.10)
        elif k == "short":
            st.penalize(f"abbreviated 「{label}」", 0.0 if confirmed else 0.05)
        elif k == "abbrev":
            if not confirmed:
                st.penalize(f"abbreviation of 「{label}」", 0.05 if hit.ratio >= 0.6 else 0.10)
        elif k == "fuzzy":
            if confirmed:
                st.penalize(f"fuzzy match 「{label}」 ({hit.ratio:.2f})", 0.0 if hit.ratio >= 0.85 else 0.05)
            else:
                st.penalize(f"fuzzy match 「{label}」 ({hit.ratio:.2f})", 0.10 + (1 - hit.ratio) / 2)
        elif k == "suffix":
            st.penalize(f"suffix anchoring on 「{label}」", P_SUFFIX)
            if hit.skipped:
                st.locator.append(hit.skipped)

    def _split(self, st: _State, new_node: Node) -> None:
        """Leave the current node for ``new_node`` (found under an ancestor)."""
        if _emit_able(st):
            t = st.target(self.form)
            if t is not None:
                st.done.append(t)
                st.done_conf.append(st.current_confidence)
            st.locator = []
            # penalties of the row as a whole stay; those of the emitted target go with it
            st.pen = [p for p in st.pen if p[0].startswith(ROW_LEVEL)]
        # keep only bindings of groups above the new node
        chain = set(id(n) for n in self.form.ancestors(new_node) + [new_node])
        st.bind = {g: v for g, v in st.bind.items() if id(self.form.nodes[g]) in chain}

    def _walk_up(self, st: _State) -> list[Node | None]:
        """Ancestors of the current node, nearest first, ending with the root (None)."""
        if st.node is None:
            return []
        anc = self.form.ancestors(st.node)
        return list(reversed(anc)) + [None]

    # -- token handlers ------------------------------------------------------
    def run(self, tokens: Sequence[Token], start: _State) -> list[_State]:
        states = [start]
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            text = ""
            if tok.type in ("PART", "ITEM", "RISK", "CIRC") and i + 1 < len(tokens) and tokens[i + 1].type == "TEXT":
                text = tokens[i + 1].value
                i += 1
            nxt: list[_State] = []
            for st in states:
                if st.removed:
                    st.locator.append(tok.text.strip())
                    if text:
                        st.locator.append(text)
                    nxt.append(st)
                    continue
                handler = getattr(self, f"_on_{tok.type.lower()}")
                for s2, rest in handler(st, tok, text):
                    if rest and rest.strip():
                        nxt.extend(self._text(s2, rest.strip()))
                    else:
                        nxt.append(s2)
            states = _prune(nxt)
            i += 1
        return states

    def _on_text(self, st: _State, tok: Token, text: str):
        return [(st, tok.value)]

    def _on_fileq(self, st: _State, tok: Token, text: str):
        part = _part_of(self.form, st.node)
        q = tok.value
        if part is not None and part.scope in ("file", "file_block") and compact(q) not in compact(part.label):
            st.fileq = q
        elif part is not None and compact(q) in compact(part.label):
            pass  # 「リスク対策(プロセス)」: an abbreviation hint, not a file
        else:
            st.locator.append(tok.text)
        return [(st, "")]

    def _find_part(self, value: str) -> Node | None:
        for p in self.form.parts:
            if not p.no and p.label == value:
                return p
            if p.no and p.no == value:
                return p
        return None

    def _on_part(self, st: _State, tok: Token, text: str):
        part = self._find_part(tok.value)
        if part is None:
            if tok.value in ROMAN and st.node is not None:
                # a Roman numeral the form lacks: keep it as text
                return [(st, f"{tok.text} {text}")]
            st.removed = tok.value
            st.locator.append(text)
            return [(st, "")]
        if st.node is not None:
            if st.node.kind == "part" and st.how == "part":
                st.pen = [p for p in st.pen if not p[0].startswith("part title")]
                st.log = [p for p in st.log if not p[0].startswith("part title")]
            else:
                self._split(st, part)
        st.bind = {}
        st.fileq = None
        st.node, st.how = part, "part"
        return [(st, self._part_title(st, part, text))]

    def _part_title(self, st: _State, part: Node, text: str) -> str:
        text = text.lstrip("-‐–—―ー:・ ")  # "III-2", "II：…"
        if not compact(text):
            return ""
        hits = match_text(text, [[part]])
        if hits:
            h = hits[0]
            rest = text[h.consumed:]
            # a parenthesised qualifier right after the title
            m = re.match(r"^\s*\(([^()]{1,12})\)", rest)
            if m and part.scope in ("file", "file_block") and compact(m.group(1)) not in compact(part.label):
                st.fileq = m.group(1).strip()
                rest = rest[m.end():]
            # or the file itself: "(1)国保賦課特定個人情報ファイル", "…ファイル"
            m = re.match(r"^\s*(?:\(\d{1,2}\)\s*)?(\S*ファイル)(?=\s|$)", rest)
            if m and part.scope in ("file", "file_block") and not match_text(rest, levels(part, self.form), fuzzy=0.9):
                st.fileq = m.group(1).strip()
                rest = rest[m.end():]
            return rest
        # not the title: does the text name something inside the part?
        if match_text(text, levels(part, self.form)):
            return text
        others = [p for p in self.form.parts if p is not part]
        exact = [h for h in match_text(text, [others], fuzzy=1.0, abbrev=False) if h.kind == "exact"]
        if len(exact) == 1:
            other = exact[0].node
            st.node = other
            st.penalize(f"part numeral {part.no} overridden by the title 「{other.label}」", P_PART_TITLE)
            return text[exact[0].consumed:]
        piece, _, rest = text.partition(" ")
        st.penalize(f"part title mismatch 「{piece}」", P_PART_TITLE)
        return rest

    def _on_item(self, st: _State, tok: Token, text: str):
        n = tok.value
        form = self.form
        if st.node is None:
            # a leading "1 基本情報" means part I
            if n <= len(ROMAN):
                roman = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}[n]
                part = self._find_part(roman)
                if part is not None and text and match_text(text, [[part]], fuzzy=1.0, abbrev=False):
                    return self._on_part(st, Token("PART", roman, tok.text), text)
            return self._item_global(st, n, text)
        part = _part_of(form, st.node)
        if st.node is part:
            res = self._item_in_part(st, part, n, text, allow_number_only=True)
            if res:
                return res
            # neither title nor number fits: a locator inside the part (001 L1243)
            st.locator.append(f"{tok.text.strip()} {text}".strip())
            if not any(p[0].startswith("fallback") for p in st.pen):
                st.penalize(f"fallback to the container {part.printed}: 「{tok.text.strip()} {text}」 not found below it", P_CONTAINER)
            return [(st, "")]
        # deeper: a new item of the same part (multi-target), else a locator
        res = self._item_in_part(st.copy(), part, n, text, allow_number_only=False)
        if res:
            out = []
            for s2, rest in res:
                new_node = s2.node
                delta = s2.pen[len(st.pen):]
                base = st.copy()
                self._split(base, new_node)
                base.node, base.how = new_node, "item"
                base.pen += delta
                base.log += delta
                out.append((base, rest))
            return out
        st.locator.append(f"{tok.text.strip()} {text}".strip())
        st.penalize("locator", P_LOCATOR) if not any(p[0] == "locator" for p in st.pen) else None
        return [(st, "")]

    def _item_in_part(self, st: _State, part: Node, n: int, text: str, allow_number_only: bool):
        items = _items(part)
        by_no = [c for c in items if _item_no(c) == n]
        if text:
            hits = match_text(text, [items], fuzzy=1.0, abbrev=False)  # exact / alias / short, longest
            if hits:
                out = []
                for h in hits:
                    s2 = st.copy()
                    mismatch = "" if _item_no(h.node) == n else f"item number {n}. overridden by the title"
                    self._set(s2, h.node, "item", h, confirmed=not mismatch, number_mismatch=mismatch)
                    out.append((s2, text[h.consumed:]))
                return out
            if by_no:
                sim = label_similarity(text, by_no[0])
                if sim is not None:
                    s2 = st.copy()
                    self._set(s2, by_no[0], "item", sim, confirmed=True)
                    return [(s2, text[sim.consumed:])]
            hits = match_text(text, [items])
            if hits:
                out = []
                for h in hits:
                    s2 = st.copy()
                    mismatch = "" if _item_no(h.node) == n else f"item number {n}. overridden by the title"
                    self._set(s2, h.node, "item", h, confirmed=False, number_mismatch=mismatch)
                    out.append((s2, text[h.consumed:]))
                return out
        if not allow_number_only:
            return []
        if by_no:
            item = by_no[0]
            # the number alone decides only when the text goes on below that item (000 L40)
            if text and not (match_text(text, levels(item, self.form)) or _suffix_under(text, item, self.form)):
                return []
            s2 = st.copy()
            s2.node, s2.how = item, "item"
            if text:
                s2.penalize(f"item title not matched; {n}. taken by number", P_ITEM_NO)
            return [(s2, text)]
        return []

    def _item_global(self, st: _State, n: int, text: str):
        """ITEM with no part: search every part's items, require a unique title."""
        items = [c for p in self.form.parts for c in _items(p)]
        hits = match_text(text, [items], fuzzy=1.0, abbrev=False) if text else []
        if len(hits) > 1:
            same_no = [h for h in hits if _item_no(h.node) == n]
            hits = same_no or hits
        if not hits and text:
            hits = match_text(text, [items])
        if not hits:
            by_no = [c for c in items if _item_no(c) == n]
            if len(by_no) == 1:
                hits = [Hit(by_no[0], 0, "exact")]
            else:
                return [(st, text)]
        out = []
        for h in hits:
            s2 = st.copy()
            s2.penalize("no part", P_NO_PART)
            mismatch = "" if _item_no(h.node) == n else f"item number {n}. overridden by the title"
            self._set(s2, h.node, "item", h, confirmed=not mismatch, number_mismatch=mismatch)
            out.append((s2, text[h.consumed:]))
        return out

    def _groups_under(self, node: Node | None, word: str) -> list[Node]:
        out = []
        pool = ([node] if node is not None else []) + _descendants(node, self.form)
        for d in pool:
            if d.kind == "group" and (d.instance_label == word or d.label == word):
                out.append(d)
        if out:
            depth = min(len(self.form.ancestors(g)) for g in out)
            out = [g for g in out if len(self.form.ancestors(g)) == depth]
        return out

    def _on_group(self, st: _State, tok: Token, text: str):
        word, n = tok.value
        scope = st.node
        gs = self._groups_under(scope, word)
        if gs and scope is not None and scope in gs and st.bind.get(scope.id) is None:
            # "2. システム2": the item reached by its number is the group itself
            st.bind[scope.id] = n
            st.how = "group"
            return [(st, text)]
        if gs and scope is not None and not (scope.kind == "group" and scope in gs):
            # found below the current node
            out = []
            for g in gs:
                s2 = st.copy()
                s2.node, s2.how = g, "group"
                s2.bind[g.id] = n
                out.append((s2, text))
            return out
        if gs and scope is None:
            out = []
            for g in gs:
                s2 = st.copy()
                s2.node, s2.how = g, "group"
                s2.bind[g.id] = n
                s2.penalize("no part", P_NO_PART)
                out.append((s2, text))
            return out
        # walk up: the group is an ancestor (rebind or next instance) or under an ancestor
        for anc in ([st.node] if st.node is not None else []) + self._walk_up(st):
            gs = self._groups_under(anc, word)
            if not gs:
                continue
            out = []
            for g in gs:
                s2 = st.copy()
                if _is_ancestor(self.form, g, st.node):
                    if s2.bind.get(g.id) is None or isinstance(s2.bind.get(g.id), str):
                        # 「⑧再委託の許諾方法…委託事項1」: an unbound fragment before the instance
                        s2.penalize(f"fragment before {word}{n} dropped", 0.05)
                        s2.locator = []
                        chain = set(id(x) for x in self.form.ancestors(g) + [g])
                        s2.bind = {k: v for k, v in s2.bind.items() if id(self.form.nodes[k]) in chain}
                    else:
                        self._split(s2, g)
                else:
                    self._split(s2, g)
                s2.node, s2.how = g, "group"
                s2.bind[g.id] = n
                out.append((s2, text))
            return out
        return [(st, f"{tok.text} {text}")]

    def _on_risk(self, st: _State, tok: Token, text: str):
        n = tok.value
        for anc in [st.node] + self._walk_up(st):
            risks = [d for d in _descendants(anc, self.form) if d.kind == "risk"]
            if anc is not None and anc.kind == "risk":
                risks = [anc] + risks
            if not risks:
                if anc is st.node and st.node is not None and st.node.kind == "section":
                    # 様式4 III-4 has one unnamed risk: consume a title, stay
                    return [(st, text)]
                continue
            if n:
                pick = [r for r in risks if _risk_no(r) == n]
                if not pick and len(risks) == 1:
                    pick = risks
            else:
                pick = [r for r in risks if _risk_no(r) == 0] or risks
            # the title decides between candidates, and beats the number
            rest = text
            chosen: list[tuple[Node, Hit | None]] = []
            if text:
                hits = match_text(text, [risks])
                exact = [h for h in hits if h.kind in ("exact", "alias", "short")]
                if exact and all(h.node not in pick for h in exact) and n:
                    chosen = [(h.node, h) for h in exact]
                elif hits:
                    good = [h for h in hits if h.node in pick]
                    chosen = [(h.node, h) for h in good] or [(r, None) for r in pick]
                else:
                    chosen = [(r, None) for r in pick]
            else:
                chosen = [(r, None) for r in pick]
            if not chosen:
                continue
            out = []
            for r, h in chosen:
                s2 = st.copy()
                if anc is not st.node:
                    self._split(s2, r)
                s2.node, s2.how = r, "risk"
                if h is not None:
                    confirmed = (_risk_no(r) == n) or not n
                    self._hit_penalty(s2, h, confirmed)
                    if n and _risk_no(r) != n and _risk_no(r):
                        s2.penalize(f"risk number リスク{n} overridden by the title", P_CIRC_NO)
                    out.append((s2, text[h.consumed:]))
                else:
                    out.append((s2, rest))
            return out
        return [(st, f"{tok.text} {text}")]

    def _circled(self, scope: Node | None) -> list[Node]:
        pool = _descendants(scope, self.form)
        if scope is not None:
            pool = list(scope.rows) + [d for d in pool if d not in scope.rows]
        return [d for d in pool if _circ_no(d) is not None]

    def _on_circ(self, st: _State, tok: Token, text: str):
        k = tok.value
        scopes = [st.node] + self._walk_up(st) if st.node is not None else [None]
        for anc in scopes:
            cands = self._circled(anc)
            if anc is not None and anc is not st.node:
                # not inside the current subtree
                cands = [c for c in cands if st.node is None or not _is_ancestor(self.form, st.node, c)]
            if not cands:
                continue
            picks: list[tuple[Node, Hit | None, str]] = []
            if text:
                hits = match_text(text, [cands])
                if hits and anc is not st.node and hits[0].kind == "fuzzy" and hits[0].ratio < 0.85:
                    hits = []
                if hits:
                    same = [h for h in hits if _circ_no(h.node) == k]
                    for h in (same or hits):
                        mism = "" if _circ_no(h.node) == k else f"circled number {tok.text} overridden by the label"
                        picks.append((h.node, h, mism))
            if not picks:
                by_no = [c for c in cands if _circ_no(c) == k]
                if by_no and anc is st.node:
                    depth = min(len(self.form.ancestors(c)) for c in by_no)
                    by_no = [c for c in by_no if len(self.form.ancestors(c)) == depth]
                    picks = [(c, None, "") for c in by_no]
                elif by_no and not text:
                    picks = [(c, None, "") for c in by_no]
            if not picks:
                if anc is st.node:
                    continue
                continue
            out = []
            for node, h, mism in picks:
                s2 = st.copy()
                if anc is not st.node:
                    self._split(s2, node)
                s2.node, s2.how = node, "circ"
                if h is not None:
                    self._hit_penalty(s2, h, confirmed=not mism)
                if mism:
                    s2.penalize(mism, P_CIRC_NO)
                out.append((s2, text[h.consumed:] if h is not None else text))
            return out
        st.locator.append(f"{tok.text}{text}")
        return [(st, "")]

    # -- free text ---------------------------------------------------------------
    def _text(self, st: _State, s: str) -> list[_State]:
        results: list[_State] = []
        work = [(st, s)]
        guard = 0
        while work and guard < 40:
            guard += 1
            cur, s = work.pop()
            s = s.strip()
            if not compact(_BRACKETS.sub("", s)):
                results.append(cur)
                continue
            if s.startswith(")"):
                work.append((cur, s[1:]))
                continue
            steps = self._text_step(cur, s)
            if steps is None:
                results.append(cur)
            else:
                work.extend(steps)
        return results or [st]

    def _text_step(self, st: _State, s: str):
        form = self.form
        scope = st.node
        lv = levels(scope, form)
        # a sub-row written in parentheses after its leaf: "(その必要性)"
        m = re.match(r"^\(([^()]+)\)", s)
        if m and scope is not None:
            inner = m.group(1)
            hits = match_text(inner, lv)
            if hits and hits[0].consumed >= len(inner.strip()) - 1:
                out = []
                for h in hits:
                    s2 = st.copy()
                    self._set(s2, h.node, "text", h)
                    out.append((s2, s[m.end():]))
                return out
        hits = match_text(s, lv) if lv else []
        if hits:
            out = []
            for h in hits:
                s2 = st.copy()
                self._set(s2, h.node, "text", h)
                out.append((s2, s[h.consumed:]))
            return out
        # an unbound group: the text names the instance (システム名, 委託事項名)
        if scope is not None and scope.kind == "group" and st.bind.get(scope.id) is None:
            name, rest = _name_and_rest(s, lv)
            st.bind[scope.id] = name
            return [(st, rest)]
        # a sibling of an ancestor: a further target
        if scope is not None:
            for anc in self._walk_up(st):
                # only siblings of an ancestor, not their descendants (000 L46 stays in its risk)
                alv = levels(anc, form)[:1]
                alv = [[n for n in lvl if not _is_ancestor(form, scope, n) and not _is_ancestor(form, n, scope)] for lvl in alv]
                hits = match_text(s, alv, fuzzy=0.85)
                hits = [h for h in hits if h.kind != "abbrev" or h.ratio >= 0.5]
                if hits:
                    out = []
                    for h in hits:
                        s2 = st.copy()
                        self._split(s2, h.node)
                        self._set(s2, h.node, "text", h)
                        out.append((s2, s[h.consumed:]))
                    return out
        # suffix anchoring under the current node
        if lv and not (scope is not None and scope.kind not in CONTAINER_KINDS and scope.kind != "heading" and not scope.rows):
            from .match import Compacted, suffix_hits
            hits = suffix_hits(Compacted(s), lv)
            if hits:
                out = []
                for h in hits:
                    s2 = st.copy()
                    self._set(s2, h.node, "text", h)
                    out.append((s2, s[h.consumed:]))
                return out
        # leftover: a locator inside the field, or a label that does not exist here
        st.locator.append(s)
        if scope is not None and scope.kind in ("risk", "section", "group", "heading") and lv and \
                not any(p[0].startswith("fallback") for p in st.pen):
            st.penalize(f"fallback to the container {scope.printed or scope.label}: 「{s}」 not found below it", P_CONTAINER)
        elif not any(p[0] == "locator" for p in st.pen):
            st.penalize("locator", P_LOCATOR)
        return None


def _suffix_under(text: str, node: Node, form: Form) -> bool:
    from .match import Compacted, suffix_hits
    lv = levels(node, form)
    return bool(lv and suffix_hits(Compacted(text), lv))


def _name_and_rest(s: str, lv) -> tuple[str, str]:
    """Split 「団体内統合宛名システム ②…」: the instance name, then what may follow."""
    from .match import Compacted, suffix_hits
    hits = suffix_hits(Compacted(s), lv) if lv else []
    if hits:
        h = hits[0]
        cut = s.find(h.skipped) + len(h.skipped) if h.skipped else 0
        if cut > 0:
            return s[:cut].strip(), s[cut:]
    return s.strip(), ""


def _prune(states: list[_State]) -> list[_State]:
    seen: dict[tuple, _State] = {}
    for st in states:
        key = st.sig()
        if key not in seen or st.confidence > seen[key].confidence:
            seen[key] = st
    out = sorted(seen.values(), key=lambda s: -s.confidence)
    return out[:MAX_STATES]


# ---------------------------------------------------------------------------
# one text

@lru_cache(maxsize=None)
def _circled_labels(form: Form) -> tuple[str, ...]:
    return tuple(v.text for n in form.walk() if _circ_no(n) for v in variants(n))


def _finals(form: Form, st: _State) -> list[Target]:
    out = list(st.done)
    t = st.target(form)
    if t is not None:
        out.append(t)
    return out


@dataclass
class _Outcome:
    states: list[_State]
    continuation: bool
    relative: bool


def _has_anchor_tokens(tokens: Sequence[Token]) -> bool:
    return any(t.type in ("PART", "ITEM") for t in tokens)


def _first_matches_under(form: Form, tokens: Sequence[Token], node: Node) -> bool:
    t = tokens[0]
    lv = levels(node, form)
    if t.type == "TEXT":
        return bool(match_text(t.value, lv, fuzzy=0.9))
    if t.type == "CIRC":
        return any(_circ_no(d) == t.value for lvl in lv for d in lvl)
    if t.type == "GROUP":
        return any(d.kind == "group" and d.instance_label == t.value[0] for lvl in lv for d in lvl) or (
            node.kind == "group" and node.instance_label == t.value[0])
    if t.type == "RISK":
        return any(d.kind == "risk" for lvl in lv for d in lvl)
    return False


DITTO = {"同上", "〃", "同", "上に同じ", "上記に同じ", "同左"}


_CACHE: dict[tuple, _Outcome] = {}
_CACHE_MAX = 20000


def _descend(form: Form, text: str, previous: _State | None) -> _Outcome:
    """Resolve one text; results are cached by (form, text, previous section), since logs repeat."""
    norm = normalize(text, _circled_labels(form))
    tokens = tokenize(norm.text)
    relative = previous is not None and previous.node is not None and (
        not _has_anchor_tokens(tokens) or compact(norm.text) in DITTO)
    key = (form.id, text, (previous.node.id, tuple(sorted((k, str(v)) for k, v in previous.bind.items())),
                           previous.fileq) if relative else None)
    hit = _CACHE.get(key)
    if hit is None:
        hit = _descend_uncached(form, norm, tokens, previous if relative else None)
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[key] = hit
    return _Outcome([st.copy() for st in hit.states], hit.continuation, hit.relative)


def _descend_uncached(form: Form, norm, tokens: list[Token], previous: _State | None) -> _Outcome:
    d = _Descent(form)
    if not tokens:
        return _Outcome([], norm.continuation, False)
    if previous is not None and compact(norm.text) in DITTO:
        st = previous.copy()
        st.penalize("「同上」: the previous row's section", P_RELATIVE)
        return _Outcome([st], norm.continuation, True)
    if previous is not None and previous.node is not None and not _has_anchor_tokens(tokens):
        chain = [previous.node] + list(reversed(form.ancestors(previous.node)))
        for anc in chain:
            if _first_matches_under(form, tokens, anc):
                start = _State(anc, {k: v for k, v in previous.bind.items()
                                     if _is_ancestor(form, form.nodes[k], anc)}, previous.fileq, how="text")
                start.penalize("relative to the previous row", P_RELATIVE)
                states = d.run(tokens, start)
                return _Outcome(states, norm.continuation, True)
    states = d.run(tokens, _State(None))
    return _Outcome(states, norm.continuation, False)


def _classify(form: Form, states: list[_State]) -> tuple[list[Target], float, str, str, list[Target], _State | None]:
    """(targets, confidence, status, reason, candidates, best state)."""
    live = [s for s in states if s.node is not None or s.done]
    removed = [s for s in states if s.removed]
    if not live:
        if removed:
            st = removed[0]
            return [], 0.0, UNRESOLVED, f"{st.removed} does not exist in {form.name} {form.edition} (target_removed)", [], None
        return [], 0.0, UNRESOLVED, "no section of the form matches", [], None
    top = max(s.confidence for s in live)
    best = [s for s in live if s.confidence >= top - 1e-9]
    finals: dict[tuple, tuple[list[Target], _State]] = {}
    for s in best:
        ts = _finals(form, s)
        finals.setdefault(tuple(t.key() for t in ts), (ts, s))
    reasons = []
    if len(finals) > 1:
        options = list(finals.values())
        cands = [t for ts, _ in options for t in ts[-1:]]
        st = options[0][1]
        diff = _common_prefix_reason(form, cands)
        return [], st.confidence, AMBIGUOUS, f"ambiguous: {len(cands)} candidates{diff}", cands, st
    targets, st = next(iter(finals.values()))
    conf = st.confidence
    status = RESOLVED
    for t in targets:
        for gid, v in t.bindings:
            g = form.nodes[gid]
            if v is None:
                status = INSTANCE_MISSING
                reasons.append(f"{g.instance_label or g.label} has no number")
            elif isinstance(v, str) and status == RESOLVED:
                status = NEEDS_DATA
                reasons.append(f"{g.instance_label or g.label} named 「{v}」: needs the assessment's data")
    for why, amount in st.log:
        reasons.append(f"{why} (-{amount:.2f})" if amount else why)
    if st.removed:
        reasons.append(f"{st.removed} does not exist")
    if any(t.granularity == "container" for t in targets):
        reasons.append("container target")
    if status == RESOLVED and conf < MIN_LINK:
        return [], conf, UNRESOLVED, "; ".join(reasons + ["confidence below 0.7: needs an explicit target"]), targets, st
    return targets, conf, status, "; ".join(reasons) or "exact", [], st


def _common_prefix_reason(form: Form, cands: list[Target]) -> str:
    labels = [t.label_path(form) for t in cands]
    if not labels:
        return ""
    common = []
    for parts in zip(*labels):
        if all(p == parts[0] for p in parts):
            common.append(parts[0])
        else:
            break
    return f" under {' › '.join(common)}" if common else ""


def resolve_text(text: str, form: Form, previous: Target | None = None) -> RowResult:
    """Resolve one 項目 text (no neighbours, no data)."""
    prev_state = None
    if previous is not None:
        prev_state = _State(previous.node, dict(previous.bindings), previous.fileq, how="text")
    out = _descend(form, text, prev_state)
    targets, conf, status, reason, cands, _ = _classify(form, out.states)
    return RowResult(0, text, targets, conf, status, reason, cands, False, out.continuation, form)


# ---------------------------------------------------------------------------
# rows

def resolve_rows(rows: Sequence[ChangeRow], form: Form, assessment: Assessment | None = None) -> list[RowResult]:
    """Resolve every row of a change log, in order (neighbours give context and evidence)."""
    results: list[RowResult] = []
    prev: _State | None = None
    for row in rows:
        if row.targets:
            results.append(_explicit(row, form, assessment))
            last = results[-1].targets[-1] if results[-1].targets else None
            prev = _State(last.node, dict(last.bindings), last.fileq, how="text") if last else prev
            continue
        out = _descend(form, row.item or "", prev)
        targets, conf, status, reason, cands, st = _classify(form, out.states)
        res = RowResult(row.line, row.item, targets, conf, status, reason, cands, False,
                        out.continuation or row.is_continuation, form)
        results.append(res)
        if st is not None and st.node is not None and status != UNRESOLVED:
            prev = st
        elif targets:
            t = targets[-1]
            prev = _State(t.node, dict(t.bindings), t.fileq, how="text")
    _instance_candidates(rows, results, form, assessment)
    _neighbour_check(results, form)
    if assessment is not None:
        from .data import bind_results
        bind_results(rows, results, assessment)
    return results


def _explicit(row: ChangeRow, form: Form, assessment: Assessment | None) -> RowResult:
    from .data import node_for_anchor
    targets: list[Target] = []
    problems: list[str] = []
    known = None
    if assessment is not None:
        from ..link import anchors
        known = anchors(assessment)
    for path in row.targets:
        node, bindings, file_id, block_id = node_for_anchor(form, path)
        if node is None:
            problems.append(f"target 「{path}」 is not an item of {form.name} {form.edition}")
            continue
        exists = known is None or path in known
        if not exists:
            problems.append(f"target 「{path}」 is not on this assessment's page")
        targets.append(Target(node, bindings, None, "", file_id, block_id, (), path if exists and known is not None else None))
    status = RESOLVED if not problems else UNRESOLVED
    reason = "explicit target" + ("; " + "; ".join(problems) if problems else "")
    # report disagreement with the printed text
    if row.item and targets and not problems:
        printed = resolve_text(row.item, form)
        if printed.status == RESOLVED and printed.confidence >= AUTO_LINK and printed.targets:
            mine = {t.node.id for t in targets}
            theirs = {t.node.id for t in printed.targets}
            if not (mine & theirs) and not any(_related(form, a, b) for a in mine for b in theirs):
                reason += f"; the printed 項目 reads as {', '.join(sorted(theirs))}"
    return RowResult(row.line, row.item, targets if not problems else [], 1.0 if not problems else 0.0, status,
                     reason, [] if not problems else targets, True, row.is_continuation, form)


def _related(form: Form, a: str, b: str) -> bool:
    na, nb = form.nodes.get(a), form.nodes.get(b)
    if na is None or nb is None:
        return False
    return _is_ancestor(form, na, nb) or _is_ancestor(form, nb, na)


def _chain_key(text: str | None) -> str:
    k = normalize_content(text)
    return k if len(k) >= 4 and k not in {"—", "-", "削除", "追加", "記載なし"} else ""


def _instance_candidates(rows: Sequence[ChangeRow], results: list[RowResult], form: Form, assessment: Assessment | None) -> None:
    """Candidates for rows lacking an instance number: instances named elsewhere, value chaining first."""
    seen: dict[str, set] = {}
    for r in results:
        for t in r.targets:
            for gid, v in t.bindings:
                if isinstance(v, int):
                    seen.setdefault(gid, set()).add(v)
    by_line = {row.line: row for row in rows}
    for idx, r in enumerate(results):
        if r.status != INSTANCE_MISSING:
            continue
        row = by_line.get(r.line)
        new_cands: list[Target] = []
        notes: list[str] = []
        for t in r.targets:
            for gid, v in t.bindings:
                if v is not None:
                    continue
                group = form.nodes[gid]
                chained: list[int] = []
                if row is not None:
                    for j, other in enumerate(results):
                        if other is r:
                            continue
                        orow = by_line.get(other.line)
                        if orow is None:
                            continue
                        for ot in other.targets:
                            m = ot.binding(gid)
                            if not isinstance(m, int):
                                continue
                            if not (_is_ancestor(form, ot.node, t.node) or _is_ancestor(form, t.node, ot.node)):
                                continue
                            a, b = _chain_key(row.after), _chain_key(orow.before)
                            c, d = _chain_key(row.before), _chain_key(orow.after)
                            if (a and a == b) or (c and c == d):
                                if m not in chained:
                                    chained.append(m)
                                    notes.append(f"value chaining with line {other.line} proposes "
                                                 f"{group.instance_label or group.label}{m}")
                numbers = chained + sorted(n for n in seen.get(gid, ()) if n not in chained)
                for m in numbers:
                    bound = tuple((g, (m if g == gid else x)) for g, x in t.bindings)
                    new_cands.append(Target(t.node, bound, t.fileq, t.locator,
                                            note="value chaining" if m in chained else "instance named in another row"))
        if new_cands:
            r.candidates = new_cands + [c for c in r.candidates if c.key() not in {n.key() for n in new_cands}]
        if notes:
            r.reason += "; " + "; ".join(notes)
        r.reason += "; needs an explicit target"


def _neighbour_check(results: list[RowResult], form: Form) -> None:
    """An instance number contradicting both neighbours is reported, never fixed (001 L1354)."""
    def nums(r: RowResult) -> dict[str, int]:
        out: dict[str, int] = {}
        for t in r.targets:
            for g, v in t.bindings:
                if isinstance(v, int):
                    out[g] = v
        return out

    for i in range(1, len(results) - 1):
        mine, before, after = nums(results[i]), nums(results[i - 1]), nums(results[i + 1])
        for g, v in mine.items():
            if g in before and g in after and before[g] == after[g] != v:
                grp = form.nodes[g]
                results[i].reason += (f"; {grp.instance_label}{v} contradicts its neighbours "
                                      f"({grp.instance_label}{before[g]}): check the source")


def history(results: Sequence[RowResult]) -> dict[str, list[int]]:
    """Anchor -> indices (0-based, in row order) of the linked change rows naming it (変更履歴)."""
    out: dict[str, list[int]] = {}
    for i, r in enumerate(results):
        if not r.linked:
            continue
        for t in r.targets:
            if t.anchor:
                lst = out.setdefault(t.anchor, [])
                if i not in lst:
                    lst.append(i)
    return out


def resolve_assessment(assessment: Assessment) -> list[RowResult]:
    """Resolve an assessment's own change rows against its form, edition and data."""
    return resolve_rows(assessment.changes, assessment.form, assessment)


# ---------------------------------------------------------------------------
# paths

def _data_segments(form: Form, node: Node, instance: Any) -> list[str]:
    """Data keys from the part down; ``instance(group)`` gives the segment after a group key."""
    chain = form.ancestors(node) + [node]
    segs: list[str] = []
    for i, n in enumerate(chain):
        if i == 0:
            segs.append(n.key)
            continue
        parent = chain[i - 1]
        if n in parent.rows:
            segs[-1] = n.key  # a row's key lives in the mapping of its leaf (or heading)
            continue
        segs.append(n.key)
        if n.kind == "group" and i < len(chain) - 1:
            segs.append(instance(n))
        elif n.kind == "group" and i == len(chain) - 1:
            v = instance(n)
            if v not in ("?", None, ""):
                segs.append(v)
    return segs


__all__ = ["RowResult", "Target", "history", "resolve_rows", "resolve_text", "resolve_assessment", "RESOLVED", "NEEDS_DATA",
           "INSTANCE_MISSING", "AMBIGUOUS", "UNRESOLVED"]
