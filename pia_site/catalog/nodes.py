"""The catalog's objects: forms, their nodes (parts, sections, items) and option families.

Immutable once built; every reader of the catalog (validate, render, schema, importer, change-log
resolution) gets these.  Reading the data files into them is ``load``/``parse``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

# the columns of a change row (model.ChangeRow); their printed headings are catalog data
CHANGE_COLUMNS = ("date", "item", "before", "after", "timing", "timing_note")
CHANGE_TARGET = ("target", "対象箇所")  # pia-site's own column: the change's anchor(s)
CONTAINER_KINDS = {"part", "section", "risk", "group"}
VALUE_KINDS = {"text", "rich", "choice", "check", "date", "period", "count", "flag"}
STATIC_KINDS = {"ref", "fixed", "derived", "heading"}
SPECIAL_KINDS = {"record_items", "diagrams", "changelog"}
ALL_KINDS = CONTAINER_KINDS | VALUE_KINDS | STATIC_KINDS | SPECIAL_KINDS
NODE_FIELDS = {
    "key", "no", "label", "kind", "star", "star_note", "important", "options", "count", "rows",
    "children", "optional", "aliases", "text", "scope", "source", "instance_label", "max", "buckets",
    "month", "note", "role", "columns",
}
SCOPES = {"document", "file", "file_block"}
# the slot ranges a repeated group of 20 prints headers for (システム2～5 …) unless the catalog says others
DEFAULT_BUCKETS = ((2, 5), (6, 10), (11, 15), (16, 20))
DASHES = {"—", "―", "－", "-", "ー", "‐"}


class CatalogError(Exception):
    """A defect in a catalog data file (a developer error, not an author's)."""



@dataclass(frozen=True)
class Option:
    text: str
    number: int
    detail: str | None = None  # None | "text" | "count"
    suffix: str = ""
    exclusive: bool = False
    caption: str = ""  # printed group caption of checkbox sets (C-主な記録項目)


@dataclass(frozen=True)
class Family:
    id: str
    kind: str  # choice | check
    options: tuple[Option, ...]
    aliases: tuple[tuple[str, str], ...] = ()

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(o.text for o in self.options)

    def canonical(self, value: str) -> str | None:
        """The printed option a value stands for (exact or a known alias)."""
        if value in self.texts:
            return value
        for variant, target in self.aliases:
            if value == variant:
                return target
        return None

    def option(self, text: str) -> Option | None:
        for o in self.options:
            if o.text == text:
                return o
        return None

    @property
    def captions(self) -> tuple[tuple[str, tuple[Option, ...]], ...]:
        out: list[tuple[str, list[Option]]] = []
        for o in self.options:
            if not out or out[-1][0] != o.caption:
                out.append((o.caption, []))
            out[-1][1].append(o)
        return tuple((c, tuple(os)) for c, os in out)


@dataclass(frozen=True, eq=False)
class Node:
    key: str
    kind: str
    path: tuple[str, ...]  # catalog path (keys from the part down)
    label: str = ""
    no: str = ""
    star: bool = False
    star_note: str = ""
    important: bool = False  # effective ※ (重要な変更) status
    family: Family | None = None
    count_key: str = ""
    count_suffix: str = ""
    rows: tuple["Node", ...] = ()
    children: tuple["Node", ...] = ()
    optional: bool = False
    aliases: tuple[str, ...] = ()
    text: str = ""
    scope: str = "document"
    source: str = ""
    instance_label: str = ""
    max: int = 0
    buckets: tuple[tuple[int, int], ...] = ()
    month: bool = False
    note: str = ""
    role: str = ""  # "title": printed in the header of its group instance (委託事項n <title>)
    columns: tuple[tuple[str, str], ...] = ()  # changelog: (column key, printed heading)
    # what the form's other editions print for this item (set by catalog.editions at load time)
    edition_labels: tuple[str, ...] = ()
    edition_nos: tuple[str, ...] = ()
    edition_parents: tuple[str, ...] = ()  # catalog ids of its parent where another edition differs

    @property
    def id(self) -> str:
        return ".".join(self.path)

    @property
    def is_container(self) -> bool:
        return self.kind in CONTAINER_KINDS

    @property
    def has_value(self) -> bool:
        return self.kind in VALUE_KINDS or self.kind in SPECIAL_KINDS

    @property
    def printed(self) -> str:
        """Number and label as printed, e.g. ``②事務の内容``, ``1. 監査``."""
        if not self.no:
            return self.label
        if self.kind == "risk":
            return f"{self.no}：{self.label}" if self.label else self.no
        if self.kind == "part" or self.no.endswith("."):
            return f"{self.no} {self.label}".strip()
        return f"{self.no}{self.label}"

    @property
    def printed_buckets(self) -> tuple[tuple[int, int], ...]:
        """A repeated group's slot ranges with a printed header (``bucket_label``)."""
        return self.buckets or (DEFAULT_BUCKETS if self.max == 20 else ())

    def bucket_label(self, bucket: tuple[int, int]) -> str:
        """A slot range's header as printed, e.g. ``システム2～5``."""
        return f"{self.instance_label}{bucket[0]}～{bucket[1]}"

    def data_members(self) -> tuple["Node", ...]:
        """Nodes whose keys live in this container's data mapping (children and their rows)."""
        return self._expanded("_data_members", self.children)

    def all_rows(self) -> tuple["Node", ...]:
        return self._expanded("_all_rows", self.rows)

    def _expanded(self, key: str, nodes: tuple["Node", ...]) -> tuple["Node", ...]:
        """``nodes``, each followed by all its rows; computed once (nodes are immutable, and
        validate, link and views ask often)."""
        cached = self.__dict__.get(key)
        if cached is None:
            out: list[Node] = []
            for n in nodes:
                out.append(n)
                out.extend(n.all_rows())
            cached = self.__dict__[key] = tuple(out)
        return cached

    def walk(self) -> Iterator["Node"]:
        yield self
        for r in self.rows:
            yield from r.walk()
        for c in self.children:
            yield from c.walk()


@dataclass(frozen=True, eq=False)
class Form:
    kind: str  # the form's id in the catalog (juten, zenkoumoku, …)
    edition: str
    yoshiki: str
    name: str
    title: str
    stamp: str
    parts: tuple[Node, ...]
    families: dict[str, Family]
    nodes: dict[str, Node] = field(default_factory=dict)  # catalog id -> node
    aliases: tuple[str, ...] = ()  # other names an author may write in `form:`

    @property
    def id(self) -> str:
        return f"{self.kind}/{self.edition}"

    @property
    def change_columns(self) -> dict[str, str]:
        """{column key: printed heading} of the form's 変更箇所 table ({} without one)."""
        for p in self.parts:
            if p.kind == "changelog":
                return dict(p.columns)
        return {}

    @property
    def change_keys(self) -> dict[str, str]:
        """The keys an author writes in a change row, with their Japanese names."""
        return {**self.change_columns, CHANGE_TARGET[0]: CHANGE_TARGET[1]} if self.change_columns else {}

    def part(self, key: str) -> Node | None:
        for p in self.parts:
            if p.key == key:
                return p
        return None

    def walk(self) -> Iterator[Node]:
        for p in self.parts:
            yield from p.walk()

    def parent_of(self, node: Node) -> Node | None:
        return self._parents.get(node.id)

    def ancestors(self, node: Node) -> list[Node]:
        out = []
        cur = self.parent_of(node)
        while cur is not None:
            out.append(cur)
            cur = self.parent_of(cur)
        return out[::-1]




def is_dash(value: str | None) -> bool:
    return value is not None and value.strip() in DASHES
