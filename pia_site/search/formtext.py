"""The form's own text as search units: once per catalog form edition, not per document.

Every label, section heading, risk title, option text (as the page prints it: ``1) 発行
している``), slot header of a repeated group (``システム2～5``), fixed text and 変更箇所
column heading of a form edition is a *form unit*,
read from the catalog (``catalog.Form``), the single source the pages print from.  A form
unit's anchor is a template: ``*`` stands for the segments that differ between documents
(a file's id after ``files``, a III block's id, a repeated group's instance id).  Each
document carries its *slots* (``doc_slots``): the top-level parts its page prints and the
ids of the first file, block and group instances; the client resolves a template against
them (``resolve``, mirrored in search.js), so a hit on a label leads to that item in every
document on the edition, and the index grows by a few ids per document, not by the form.
"""
from __future__ import annotations

from typing import Iterator

from .. import anchors
from ..catalog import Form, Node
from .normalise import SEPARATOR
from .slots import VAR, resolve  # noqa: F401 (re-exported)
from .units import Unit, _plain, html_text


CHOICES = "<選択肢>"  # printed before the options of a choice (templates/partials/form.html)


def _options(node: Node) -> list[str]:
    if node.kind == "choice" and node.family:
        return [CHOICES] + [f"{o.number}) {_plain(o.text)}" for o in node.family.options]
    if node.kind == "check" and node.family:
        out = []
        for caption, opts in node.family.captions:
            if caption:
                out.append(_plain(caption))
            out.extend(_plain(o.text) for o in opts)
        return out
    return []


def _row_units(node: Node, base: str, section: tuple[str, ...]) -> Iterator[Unit]:
    label = _plain(node.printed)
    texts = [label] + _options(node)
    if node.kind in ("ref", "fixed") and node.text:
        texts.append(html_text(node.text))
    text = SEPARATOR.join(t for t in texts if t)
    if text:  # a row printed without a label is named by its heading
        yield Unit(anchors.member(base, node), label or (section[-1] if section else ""), section, text)
    for r in node.rows:
        yield from _row_units(r, base, section + ((label,) if label else ()))


def _box_units(node: Node, anchor: str, section: tuple[str, ...], heading: str) -> Iterator[Unit]:
    if heading:
        yield Unit(anchor, heading, section, heading)
    here = section + ((heading,) if heading else ())
    counts = {c.count_key for c in node.children if c.count_key}
    for child in node.children:
        if child.key in counts or child.role == "title":
            continue
        if child.kind == "group":
            ganchor = anchors.member(anchor, child)
            gheading = _plain(child.printed)
            if gheading:
                yield Unit(ganchor, gheading, here, gheading)
            inner = here + ((gheading,) if gheading else ())
            label = _plain(child.instance_label)
            yield from _box_units(child, f"{ganchor}{anchors.SEP}{VAR}", inner, label)
            for b in child.printed_buckets:  # the slot headers printed in the group (システム2～5 …)
                header = _plain(child.bucket_label(b))
                yield Unit(ganchor, header, inner, header)
        elif child.kind in ("section", "risk", "part"):
            yield from _box_units(child, anchors.member(anchor, child), here, _plain(child.printed))
        else:
            yield from _row_units(child, anchor, here)


def form_units(form: Form) -> list[Unit]:
    """The form units of an edition, in the order the page prints them."""
    out: list[Unit] = []
    for part in form.parts:
        if part.scope == "file":
            anchor = anchors.SEP.join([anchors.FILES, VAR, part.key])
        elif part.scope == "file_block":
            anchor = f"{part.key}{anchors.SEP}{VAR}"
        else:
            anchor = part.key
        heading = _plain(part.printed)
        if part.kind == "changelog":
            cols = [_plain(h) for _k, h in part.columns]
            out.append(Unit(anchor, heading, (), SEPARATOR.join([heading] + [c for c in cols if c])))
        elif part.kind in ("record_items", "diagrams"):
            out.append(Unit(anchor, heading, (), heading))
        else:
            out.extend(_box_units(part, anchor, (), heading))
    return [u for u in out if u.text]


