"""What the change-log resolver says about a row: targets, statuses, confidence penalties.

The bottom of the ``changelog`` package: ``descend`` (the catalog descent), ``bind`` (the
assessment's data) and ``resolve`` (rows) all build these; nothing here imports them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..catalog import CONTAINER_KINDS, Form, Node

# statuses
RESOLVED, NEEDS_DATA, INSTANCE_MISSING, AMBIGUOUS, UNRESOLVED = (
    "resolved", "needs-data", "instance-missing", "ambiguous", "unresolved")
AUTO_LINK = 0.9
MIN_LINK = 0.7

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

