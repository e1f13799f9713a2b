"""The items one form's assessments can be compared on (他団体の記載と比べる), from the catalog.

An item is "the same" across the editions of a form when its catalog id is (as in
``catalog.editions``).  For each form kind this lists every item that holds an author's value,
in document order of the newest edition first, then the items only older editions have; and for
each item the answers a compare page counts: the options of a choice or checkbox item (the union
of every edition's printed options, newest edition's order first), the two states of a flag, or
記載あり/記載なし for an item written in words.  The table's positions are what a
``record.CompareRecord`` stores, so a record is a few numbers per item.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..catalog import Form, Node, all_forms

DISTRIBUTION_KINDS = frozenset({"choice", "check", "flag"})  # counted per option, with a link to each answer
TEXT_KINDS = frozenset({"text", "rich", "date", "period", "count"})  # counted as 記載あり/記載なし
COMPARED_KINDS = DISTRIBUTION_KINDS | TEXT_KINDS

# answers besides the printed options
NOT_CHOSEN = "（未選択）"
NOT_APPLICABLE = "—（該当なし）"
NONE_CHECKED = "（チェックなし）"
UNKNOWN = "（チェックの状態の記載なし）"
WITHHELD = "（規則第13条により非公表）"
OTHER = "（選択肢にない記載）"
FLAG_ON = "チェックあり"
FLAG_OFF = "チェックなし"
FILLED = "記載あり"
EMPTY = "記載なし"


@dataclass(frozen=True)
class Item:
    """One comparable item of a form kind (all its editions)."""

    id: str  # catalog id (path of keys)
    kind: str  # choice | check | flag | text | …
    printed: str  # number and label as the newest edition that has it prints them
    label: str  # the label alone (what the search page's form wording matches)
    path: tuple[str, ...]  # the printed headings above it (part, section, …), same edition
    editions: tuple[str, ...]  # the editions that have the item, oldest first
    keys: tuple[str, ...]  # the answers it is counted by

    @property
    def distribution(self) -> bool:
        return self.kind in DISTRIBUTION_KINDS


@dataclass(frozen=True)
class ItemTable:
    kind: str
    items: tuple[Item, ...]
    index: dict[str, int]  # catalog id -> position in ``items``

    def item(self, item_id: str) -> Item | None:
        i = self.index.get(item_id)
        return None if i is None else self.items[i]


def compared(node: Node) -> bool:
    return node.kind in COMPARED_KINDS


def item_table(kind: str) -> ItemTable:
    """The comparable items of a form kind, from the catalog as loaded now."""
    return _table(tuple(f for f in all_forms() if f.kind == kind))


@lru_cache(maxsize=16)  # keyed by the Form objects themselves: a reloaded catalog is a new key
def _table(forms: tuple[Form, ...]) -> ItemTable:
    from ..wareki import year_month_key

    kind = forms[0].kind if forms else ""
    newest_first = sorted(forms, key=lambda f: year_month_key(f.edition), reverse=True)
    order: list[str] = []
    nodes: dict[str, list[tuple[Form, Node]]] = {}
    for form in newest_first:
        for node in form.walk():
            if not compared(node):
                continue
            if node.id not in nodes:
                order.append(node.id)
                nodes[node.id] = []
            nodes[node.id].append((form, node))
    items = []
    for nid in order:
        form, node = nodes[nid][0]
        eds = tuple(sorted((f.edition for f, _ in nodes[nid]), key=year_month_key))
        path = tuple(a.printed for a in form.ancestors(node) if a.printed)
        items.append(Item(nid, node.kind, node.printed, node.label, path, eds, _keys(node.kind, [n for _, n in nodes[nid]])))
    return ItemTable(kind, tuple(items), {it.id: i for i, it in enumerate(items)})


def _keys(kind: str, twins: list[Node]) -> tuple[str, ...]:
    if kind == "flag":
        return (FLAG_ON, FLAG_OFF)
    if kind in TEXT_KINDS:
        return (FILLED, EMPTY, WITHHELD)
    options: list[str] = []
    for n in twins:
        for o in (n.family.options if n.family is not None else ()):
            if o.text not in options:
                options.append(o.text)
    extra = (NOT_CHOSEN, NOT_APPLICABLE) if kind == "choice" else (NONE_CHECKED, UNKNOWN)
    return tuple(options) + extra + (WITHHELD, OTHER)
