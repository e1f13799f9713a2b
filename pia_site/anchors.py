"""The anchor scheme: the HTML id of every item of an assessment page, which is also the
path a change row's ``target:`` names (docs/catalog.md, "Anchors and targets").

An anchor is the chain of data keys, joined with ``.``::

    <part>                       a document-scoped part           cover, basic_info
    files.<file id>.<part>       a part repeated for each file    files.keiji.overview
    <part>.<block id>            a III block                      risk_measures.1
    <container>.<key>            a member (child or row) of a container's data
    <group>.<instance id>        one instance of a repeated group basic_info.systems.3
    changes.<n>                  the n-th change row (1-based)

This module is the only place that spells the scheme: the linker (known targets), the
views (element ids), the change-log resolver (binding targets, reading explicit targets)
and ``changelog draft`` (changed items) all go through it.  It imports only the model and
the catalog.
"""
from __future__ import annotations

from typing import Any, Iterator, NamedTuple

from .catalog import Form, Node
from .model import Assessment, Block, FileEntry, Instance

SEP = "."
FILES = "files"
CHANGES = "changes"

Bindings = tuple[tuple[str, int], ...]  # (group node id, instance number), outermost first


# ---------------------------------------------------------------------------
# spelling one anchor

def part_segments(part: Node, file_id: str | None = None, block_id: str | None = None) -> list[str]:
    """The segments of a part's anchor: per file, per III block, or the part key alone."""
    if file_id is not None:
        return [FILES, file_id, part.key]
    if block_id is not None:
        return [part.key, block_id]
    return [part.key]


def part_anchor(part: Node, file: FileEntry | None = None, block: Block | None = None) -> str:
    return SEP.join(part_segments(part, file.id if file is not None else None, block.id if block is not None else None))


def member(anchor: str, node: Node) -> str:
    """A child or row of the container at ``anchor`` (a row's key lives in its container's data)."""
    return f"{anchor}{SEP}{node.key}"


def instance(group_anchor: str, inst: Instance) -> str:
    return f"{group_anchor}{SEP}{inst.id}"


def change_row(n: int) -> str:
    """The n-th (1-based) row of the change log."""
    return f"{CHANGES}{SEP}{n}"


def join(segments: list[str]) -> str:
    return SEP.join(segments)


# ---------------------------------------------------------------------------
# every anchor of an assessment

class Spot(NamedTuple):
    """One anchored item: its anchor, catalog node, current value and group bindings.

    ``value`` is the item's value for a leaf, the data mapping for a part or section, the
    tuple of instances for a group, the instance's data mapping for an instance (``node`` is
    then the group, and ``bindings`` end with that instance), the tuple of change rows for the
    change-log part and the ``ChangeRow`` for a row.
    """

    anchor: str
    node: Node
    value: Any
    bindings: Bindings


def walk(a: Assessment, *, absent_parts: bool = False) -> Iterator[Spot]:
    """Every anchor of ``a`` in document order (parts in form order, members depth first).

    A document-scoped part the assessment leaves out has no anchor; with ``absent_parts``
    its items are walked too, with value None (to compare two versions of an assessment).
    """
    for part in a.form.parts:
        if part.kind == "changelog":
            yield Spot(part.key, part, a.changes, ())
            for i, row in enumerate(a.changes, 1):
                yield Spot(change_row(i), part, row, ())
        elif part.scope == "file":
            for f in a.files:
                yield from _part(part, f.parts.get(part.key), part_anchor(part, file=f))
        elif part.scope == "file_block":
            for b in a.parts.get(part.key, ()):
                yield from _part(part, b.values, part_anchor(part, block=b))
        elif part.key in a.parts or absent_parts:
            yield from _part(part, a.parts.get(part.key), part.key)


def _part(part: Node, value: Any, anchor: str) -> Iterator[Spot]:
    if part.is_container:
        yield from _container(part, value or {}, anchor, ())
    else:
        yield Spot(anchor, part, value, ())


def _container(node: Node, values: Any, anchor: str, bindings: Bindings) -> Iterator[Spot]:
    yield Spot(anchor, node, values, bindings)
    mapping = values if hasattr(values, "get") else {}
    for m in node.data_members():
        path = member(anchor, m)
        v = mapping.get(m.key)
        if m.kind == "group":
            instances = tuple(x for x in (v or ()) if isinstance(x, Instance))
            yield Spot(path, m, instances, bindings)
            for inst in instances:
                yield from _container(m, inst.values, instance(path, inst), bindings + ((m.id, inst.no),))
        elif m.is_container:
            yield from _container(m, v or {}, path, bindings)
        else:
            yield Spot(path, m, v, bindings)


def anchors(a: Assessment) -> set[str]:
    """Every anchor of the assessment: the ids its page gives to form content and change rows."""
    return {s.anchor for s in walk(a)}


def leaves(a: Assessment, *, absent_parts: bool = False) -> Iterator[Spot]:
    """The spots that hold a value of the form (not containers, groups or the change log)."""
    for s in walk(a, absent_parts=absent_parts):
        n = s.node
        if n.has_value and not n.is_container and n.kind != "changelog":
            yield s


# ---------------------------------------------------------------------------
# reading an anchor back

def parse(form: Form, path: str) -> tuple[Node | None, tuple, str | None, str | None]:
    """``files.keiji.overview.entrust.entries.1.contractor`` -> (node, bindings, file id, block id).

    Bindings are (group node id, instance id as int when it is a number); (None, (), None, None)
    when the path names nothing of the form.
    """
    segs = [s for s in path.strip().split(SEP) if s]
    file_id = block_id = None
    if not segs:
        return None, (), None, None
    if segs[0] == FILES and len(segs) >= 3:
        file_id = segs[1]
        segs = segs[2:]
        part = form.part(segs[0])
        if part is None or part.scope != "file":
            return None, (), None, None
    else:
        part = form.part(segs[0])
        if part is None:
            return None, (), None, None
        if part.scope == "file_block":
            if len(segs) < 2:
                return part, (), None, None
            block_id = segs[1]
            segs = [segs[0]] + segs[2:]
        elif part.scope == "file":
            return None, (), None, None
    node = part
    bindings: list[tuple[str, Any]] = []
    i = 1
    while i < len(segs):
        members = node.data_members() if node.is_container else node.all_rows()
        m = next((x for x in members if x.key == segs[i]), None)
        if m is None:
            return None, (), None, None
        node = m
        if m.kind == "group":
            if i + 1 < len(segs):
                inst = segs[i + 1]
                bindings.append((m.id, int(inst) if inst.isdigit() else inst))
                i += 1
        i += 1
    return node, tuple(bindings), file_id, block_id
