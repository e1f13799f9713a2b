"""Label matching: the printed labels of a form (from the catalog) against source cells.

Labels are compared in a *key* form: tags removed, entities decoded, then
``pia_site.labels.key_char`` (the one label key, shared with the change-log resolver)
character by character, so that key positions map back to the raw cell.  The catalog
supplies every label, number and alias; nothing here lists items of a form.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from ..catalog import Form, Node
from ..labels import key_char
from .clean import ENTITY_RE, TAG_RE

# characters that may follow a label inside a cell (otherwise the cell merely starts with the words)
BOUNDARY = set(" \t\u3000※[〔【(（<:：」")
# a numbered key (①…, or "1." whose "." the key drops) may be glued to its value
GLUED_OK = re.compile(r"^([\u2460-\u2473]|\d{1,2}(?!\d))")
CONTINUED = re.compile(r"\(?(続き|つづき|続)\)?$")


def norm_map(raw: str) -> tuple[str, list[int]]:
    """Key form of ``raw`` and, for each key character, the raw offset just after it."""
    out: list[str] = []
    ends: list[int] = []
    i, n = 0, len(raw)
    while i < n:
        ch = raw[i]
        if ch == "<":
            m = TAG_RE.match(raw, i)
            if m:
                i = m.end()
                continue
        if ch == "&":
            m = ENTITY_RE.match(raw, i)
            if m:
                ch = html.unescape(m.group())
                i2 = m.end()
            else:
                i2 = i + 1
        else:
            i2 = i + 1
        for c in key_char(ch):
            out.append(c)
            ends.append(i2)
        i = i2
    return "".join(out), ends


def nkey(text: str) -> str:
    return norm_map(text)[0]


def strip_leading_number(key: str) -> str:
    """``②部署`` → ``部署``; ``3.特定…`` → ``特定…``; ``リスク2:…`` stays."""
    k = re.sub(r"^([\u2460-\u2473]|\(\d{1,2}\)|\d{1,2}\.?|[IVX]{1,4}\.?)", "", key)
    return k


@dataclass(frozen=True)
class Match:
    node: Node
    key: str
    numbered: bool  # the key carried the printed number
    full: bool  # the whole cell was the label
    rest: str  # raw text after the label (value on the same cell)
    glued: bool = False  # no space between a numbered label and its value


class LabelIndex:
    """All label keys of one form."""

    def __init__(self, form: Form):
        self.form = form
        self.keys: dict[str, list[tuple[Node, bool]]] = {}
        self.part_keys: dict[str, list[tuple[Node, bool]]] = {}
        self.fixed: dict[str, Node] = {}
        self.groups: list[Node] = []
        for node in form.walk():
            if node.kind == "fixed":
                full = nkey(node.text)
                self.fixed[full] = node
                for ln in node.text.splitlines():
                    if ln.strip():
                        self.fixed[nkey(ln)] = node
                continue
            if node.kind == "group":
                self.groups.append(node)
            if node.kind == "part" or node.path == (node.key,):
                self._add_part(node)
                continue
            if not node.label:
                continue
            for label in (node.label, *node.aliases):
                self._add(self.keys, nkey(label), node, False)
                if node.no:
                    no = node.no
                    self._add(self.keys, nkey(no + label), node, True)
                    if no.endswith("."):
                        self._add(self.keys, nkey(no[:-1] + label), node, True)
                    if node.kind == "risk":
                        self._add(self.keys, nkey(no + ":" + label), node, True)
        self.sorted_keys = sorted(self.keys, key=len, reverse=True)
        self.sorted_part_keys = sorted(self.part_keys, key=len, reverse=True)
        self.captions = {nkey(c) for fam in form.families.values() for c, _ in fam.captions if c}

    def _add_part(self, node: Node) -> None:
        for label in (node.label, *node.aliases):
            if not label:
                continue
            if node.no:
                self._add(self.part_keys, nkey(node.no + label), node, True)
                if node.no.startswith("("):
                    self._add(self.part_keys, nkey(node.no.strip("()") + label), node, True)
            elif node.kind != "part" or node.key != "cover":
                self._add(self.part_keys, nkey(label), node, False)

    @staticmethod
    def _add(table: dict, key: str, node: Node, numbered: bool) -> None:
        if not key:
            return
        lst = table.setdefault(key, [])
        if not any(n is node for n, _ in lst):
            lst.append((node, numbered))

    # ------------------------------------------------------------------
    def match_part(self, raw: str) -> Match | None:
        """A part heading (``# I 基本情報``, ``(別添2)変更箇所``, ``Ⅲ …※(7. …)``)."""
        k, ends = norm_map(raw)
        for key in self.sorted_part_keys:
            if k.startswith(key):
                rest = raw[ends[len(key) - 1]:] if len(key) < len(k) else ""
                node, numbered = self.part_keys[key][0]
                restk = nkey(rest)
                if restk and not self._part_rest_ok(node, restk):
                    continue
                return Match(node, key, numbered, not restk, rest)
        return None

    def _part_rest_ok(self, node: Node, restk: str) -> bool:
        """A part heading may only be followed by its ※ note and/or ``(続き)``."""
        restk = CONTINUED.sub("", restk)
        return not restk or (bool(node.star_note) and restk == nkey(node.star_note))

    def match(self, raw: str, allow_prefix: bool = True) -> list[Match]:
        """Label keys the cell starts with (longest first), as candidates."""
        k, ends = norm_map(raw)
        if not k:
            return []
        out: list[Match] = []
        best = 0
        for key in self.sorted_keys:
            if len(key) < best:
                break
            if not k.startswith(key):
                continue
            full = len(key) == len(k)
            rest = ""
            glued = False
            if not full:
                if not allow_prefix:
                    continue
                end = ends[len(key) - 1]
                rest = raw[end:]
                if not _boundary(rest):
                    if not GLUED_OK.match(key) or len(key) < 3:
                        continue
                    glued = True  # ①事務の名称軽自動車税… : a numbered label glued to its value
            best = len(key)
            for node, numbered in self.keys[key]:
                if glued and not numbered:
                    continue
                out.append(Match(node, key, numbered, full, rest, glued))
        return out

    def match_number_stripped(self, raw: str) -> list[Match]:
        """Fallback: a label printed with a wrong or damaged number (``⑤事務担当部署`` for ⑥)."""
        k = nkey(raw)
        stripped = strip_leading_number(k)
        if stripped == k or not stripped:
            return []
        out = []
        for node, numbered in self.keys.get(stripped, []):
            if not numbered and node.no:
                out.append(Match(node, stripped, False, True, ""))
        return out

    def is_fixed(self, raw: str) -> Node | None:
        return self.fixed.get(nkey(raw))

    def instance_header(self, raw: str) -> tuple[Node, int | None, str] | None:
        """``システム3`` / ``委託事項2⇥title`` → (group, 3, rest); bucket ``システム2～5`` → (group, None, '')."""
        k, ends = norm_map(raw)
        for g in self.groups:
            lab = nkey(g.instance_label)
            if not lab or not k.startswith(lab):
                continue
            tail = k[len(lab):]
            m = re.match(r"(\d{1,2})~(\d{1,2})$", tail)
            if m:
                return g, None, ""
            m = re.match(r"(\d{1,2})", tail)
            if not m:
                continue
            used = len(lab) + len(m.group(1))
            rest = raw[ends[used - 1]:] if used < len(k) else ""
            if rest and not _boundary(rest) and not re.match(r"\s*</", rest):
                continue
            return g, int(m.group(1)), rest
        return None


def _boundary(rest: str) -> bool:
    r = rest
    while True:
        m = TAG_RE.match(r)
        if not m:
            break
        r = r[m.end():]
    if not r:
        return True
    if r.startswith("&lt;"):
        return True
    return r[0] in BOUNDARY or r[0].isspace()
