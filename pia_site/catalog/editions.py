"""What the editions of one form print differently for the same item.

The catalog keeps one file per form edition; an item is "the same" across editions when its
catalog id (its path of keys) is.  Each node learns the labels and numbers the *other* editions
of its form print for it (``Node.edition_labels``, ``Node.edition_nos``) and where they put it
(``Node.edition_parents``: 情報の突合 is a sub-row of ⑤使用方法 on the earlier 様式3), so the change-log
resolver and the importer accept a row or a heading written on any edition in force (a
令和6年10月 document whose old rows say ``⑥使用開始日`` or ``②所属長``) without code that names
an edition.  Computed once when the catalog is loaded (``load._all_forms``).
"""
from __future__ import annotations

from typing import Iterable

from .nodes import Form


def link_editions(forms: Iterable[Form]) -> None:
    by_kind: dict[str, list[Form]] = {}
    for f in forms:
        by_kind.setdefault(f.kind, []).append(f)
    for editions in by_kind.values():
        for form in editions:
            others = [o for o in editions if o is not form]
            for nid, node in form.nodes.items():
                labels: list[str] = []
                nos: list[str] = []
                parents: list[str] = []
                mine = form.parent_of(node)
                for o in others:
                    twin = o.nodes.get(nid)
                    if twin is None:
                        continue
                    if twin.label and twin.label != node.label and twin.label not in labels:
                        labels.append(twin.label)
                    if twin.no and twin.no != node.no and twin.no not in nos:
                        nos.append(twin.no)
                    theirs = o.parent_of(twin)
                    if theirs is not None and (mine is None or theirs.id != mine.id) and theirs.id not in parents:
                        parents.append(theirs.id)
                # the node is frozen; these two facts are set once, before anyone reads the catalog
                object.__setattr__(node, "edition_labels", tuple(labels))
                object.__setattr__(node, "edition_nos", tuple(nos))
                object.__setattr__(node, "edition_parents", tuple(parents))


def edition_differences(form: Form) -> list[tuple[str, str, str]]:
    """(catalog id, this edition's printed number+label, the other editions' wordings) for every
    item some other edition of the form prints differently: for docs and tests."""
    out = []
    for nid, node in form.nodes.items():
        if node.edition_labels or node.edition_nos:
            out.append((nid, node.printed, "、".join([*node.edition_nos, *node.edition_labels])))
    return out
