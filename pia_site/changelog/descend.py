"""The catalog descent: one 項目 text, token by token, down the form's catalog tree (changelog.md §6).

Labels beat numbers, aliases come from the catalog nodes, fuzzy matching costs confidence, a
token that matches a sibling of an ancestor opens a further target (multi-target rows), and
relative rows (``その内容``) continue from the previous row's section.  ``descend`` returns the
live states; ``resolve`` classifies them.  One state machine (``State``, ``_Descent``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Sequence

from ..catalog import CONTAINER_KINDS, Form, Node
from .match import Compacted, Hit, label_similarity, levels, match_text, suffix_hits, variants
from .normalize import CIRCLED, compact, normalize
from .result import (
    P_CIRC_NO, P_CONTAINER, P_ITEM_NO, P_LOCATOR, P_NO_PART, P_PART_TITLE, P_RELATIVE, P_SUFFIX, Target,
)
from .tokenize import ROMAN, Token, tokenize

MAX_STATES = 16
ROW_LEVEL = ("no part", "relative", "part title", "part numeral")
_BRACKETS = re.compile(r"[()\[\]【】<>〈〉《》\-‐–—―~]")


# ---------------------------------------------------------------------------
# descent state

@dataclass
class State:
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

    def copy(self) -> "State":
        return State(self.node, dict(self.bind), self.fileq, list(self.locator), list(self.pen), list(self.done),
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


def is_ancestor(form: Form, a: Node, n: Node) -> bool:
    return a is n or a in form.ancestors(n)


def _items(part: Node) -> list[Node]:
    return [c for c in part.children if c.no.endswith(".")]


def _item_no(node: Node) -> int | None:
    m = re.match(r"^(\d+)\.$", node.no)
    return int(m.group(1)) if m else None


def _circ_no(node: Node) -> int | None:
    return CIRCLED.index(node.no) + 1 if len(node.no) == 1 and node.no in CIRCLED else None


def _circ_nos(node: Node) -> set[int]:
    """The circled numbers any edition of the form prints for the node (⑦使用開始日 / ⑥使用開始日)."""
    return {CIRCLED.index(n) + 1 for n in (node.no, *node.edition_nos) if len(n) == 1 and n in CIRCLED}


def _risk_no(node: Node) -> int:
    m = re.match(r"^リスク(\d+)$", node.no)
    return int(m.group(1)) if m else 0


def _descendants(node: Node | None, form: Form) -> list[Node]:
    out: list[Node] = []
    for lv in levels(node, form, 12):
        out.extend(lv)
    return out


def _emit_able(st: State) -> bool:
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
    def _set(self, st: State, node: Node, how: str, hit: Hit | None = None, confirmed: bool = False,
             number_mismatch: str = "") -> None:
        st.node = node
        st.how = how
        if hit is not None:
            self._hit_penalty(st, hit, confirmed)
        if number_mismatch:
            st.penalize(number_mismatch, P_ITEM_NO if "item" in number_mismatch else P_CIRC_NO)

    def _hit_penalty(self, st: State, hit: Hit, confirmed: bool) -> None:
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

    def _split(self, st: State, new_node: Node) -> None:
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

    def _walk_up(self, st: State) -> list[Node | None]:
        """Ancestors of the current node, nearest first, ending with the root (None)."""
        if st.node is None:
            return []
        anc = self.form.ancestors(st.node)
        return list(reversed(anc)) + [None]

    # -- token handlers ------------------------------------------------------
    def run(self, tokens: Sequence[Token], start: State) -> list[State]:
        states = [start]
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            text = ""
            if tok.type in ("PART", "ITEM", "RISK", "CIRC") and i + 1 < len(tokens) and tokens[i + 1].type == "TEXT":
                text = tokens[i + 1].value
                i += 1
            nxt: list[State] = []
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

    def _on_text(self, st: State, tok: Token, text: str):
        return [(st, tok.value)]

    def _on_fileq(self, st: State, tok: Token, text: str):
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

    def _on_part(self, st: State, tok: Token, text: str):
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

    def _part_title(self, st: State, part: Node, text: str) -> str:
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

    def _on_item(self, st: State, tok: Token, text: str):
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

    def _item_in_part(self, st: State, part: Node, n: int, text: str, allow_number_only: bool):
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

    def _item_global(self, st: State, n: int, text: str):
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

    def _on_group(self, st: State, tok: Token, text: str):
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
                if is_ancestor(self.form, g, st.node):
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

    def _on_risk(self, st: State, tok: Token, text: str):
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
        return [d for d in pool if _circ_nos(d)]

    def _on_circ(self, st: State, tok: Token, text: str):
        k = tok.value
        scopes = [st.node] + self._walk_up(st) if st.node is not None else [None]
        for anc in scopes:
            cands = self._circled(anc)
            if anc is not None and anc is not st.node:
                # not inside the current subtree
                cands = [c for c in cands if st.node is None or not is_ancestor(self.form, st.node, c)]
            if not cands:
                continue
            picks: list[tuple[Node, Hit | None, str]] = []
            if text:
                hits = match_text(text, [cands])
                if hits and anc is not st.node and hits[0].kind == "fuzzy" and hits[0].ratio < 0.85:
                    hits = []
                if hits:
                    same = [h for h in hits if k in _circ_nos(h.node)]
                    for h in (same or hits):
                        mism = "" if k in _circ_nos(h.node) else f"circled number {tok.text} overridden by the label"
                        picks.append((h.node, h, mism))
            if not picks:
                by_no = [c for c in cands if _circ_no(c) == k] or [c for c in cands if k in _circ_nos(c)]
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
    def _text(self, st: State, s: str) -> list[State]:
        results: list[State] = []
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

    def _text_step(self, st: State, s: str):
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
                alv = [[n for n in lvl if not is_ancestor(form, scope, n) and not is_ancestor(form, n, scope)] for lvl in alv]
                hits = match_text(s, alv, fuzzy=0.85)
                hits = [h for h in hits if h.kind != "abbrev" or h.ratio >= 0.5]
                if hits:
                    out = []
                    for h in hits:
                        s2 = st.copy()
                        if scope.id not in h.node.edition_parents:  # else: a sub-row of it on another edition
                            self._split(s2, h.node)
                        self._set(s2, h.node, "text", h)
                        out.append((s2, s[h.consumed:]))
                    return out
        # suffix anchoring under the current node
        if lv and not (scope is not None and scope.kind not in CONTAINER_KINDS and scope.kind != "heading" and not scope.rows):
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
    lv = levels(node, form)
    return bool(lv and suffix_hits(Compacted(text), lv))


def _name_and_rest(s: str, lv) -> tuple[str, str]:
    """Split 「団体内統合宛名システム ②…」: the instance name, then what may follow."""
    hits = suffix_hits(Compacted(s), lv) if lv else []
    if hits:
        h = hits[0]
        cut = s.find(h.skipped) + len(h.skipped) if h.skipped else 0
        if cut > 0:
            return s[:cut].strip(), s[cut:]
    return s.strip(), ""


def _prune(states: list[State]) -> list[State]:
    seen: dict[tuple, State] = {}
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
    return tuple(v.text for n in form.walk() if _circ_nos(n) for v in variants(n))


def final_targets(form: Form, st: State) -> list[Target]:
    """The targets a state stands for: those it emitted, then its current section."""
    out = list(st.done)
    t = st.target(form)
    if t is not None:
        out.append(t)
    return out


@dataclass
class Outcome:
    states: list[State]
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


_CACHE: dict[tuple, Outcome] = {}
_CACHE_MAX = 20000


def descend(form: Form, text: str, previous: State | None) -> Outcome:
    """Resolve one text; results are cached by (form, text, previous section), since logs repeat.

    The key holds everything the result depends on, so that a result never depends on what
    this process resolved before (the build's output is the same with one worker or several):
    the form object itself (not its id: another catalog folder may hold a form of the same id),
    and for a row read relative to the previous one, that row's section, bindings and file.  A
    「同上」 row copies the whole previous state, so it is never cached."""
    norm = normalize(text, _circled_labels(form))
    tokens = tokenize(norm.text)
    relative = previous is not None and previous.node is not None and (
        not _has_anchor_tokens(tokens) or compact(norm.text) in DITTO)
    if relative and compact(norm.text) in DITTO:
        hit = _descend_uncached(form, norm, tokens, previous)
        return Outcome([st.copy() for st in hit.states], hit.continuation, hit.relative)
    key = (form, text, (previous.node.id, tuple(sorted((k, str(v)) for k, v in previous.bind.items())),
                        previous.fileq) if relative else None)
    hit = _CACHE.get(key)
    if hit is None:
        hit = _descend_uncached(form, norm, tokens, previous if relative else None)
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[key] = hit
    return Outcome([st.copy() for st in hit.states], hit.continuation, hit.relative)


def _descend_uncached(form: Form, norm, tokens: list[Token], previous: State | None) -> Outcome:
    d = _Descent(form)
    if not tokens:
        return Outcome([], norm.continuation, False)
    if previous is not None and compact(norm.text) in DITTO:
        st = previous.copy()
        st.penalize("「同上」: the previous row's section", P_RELATIVE)
        return Outcome([st], norm.continuation, True)
    if previous is not None and previous.node is not None and not _has_anchor_tokens(tokens):
        chain = [previous.node] + list(reversed(form.ancestors(previous.node)))
        for anc in chain:
            if _first_matches_under(form, tokens, anc):
                start = State(anc, {k: v for k, v in previous.bind.items()
                                     if is_ancestor(form, form.nodes[k], anc)}, previous.fileq, how="text")
                start.penalize("relative to the previous row", P_RELATIVE)
                states = d.run(tokens, start)
                return Outcome(states, norm.continuation, True)
    states = d.run(tokens, State(None))
    return Outcome(states, norm.continuation, False)
