"""Bind resolved catalog targets to an assessment's own data (changelog.md §6.5).

* files: a printed qualifier ``(賦課)`` picks a file by name; one file needs none; otherwise
  the after-text is compared with each file's current value;
* III blocks: the block holding the chosen file, the only block, or text matching;
* group instances: by number, by name (``団体内統合宛名システム``), the only instance, or
  text matching (the newest after-text occurs in exactly one instance's current text);
* ambiguous rows (the same label under several risks): text matching picks one.

Every concrete target gets the anchor path used as the HTML id (docs/catalog.md).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterator, Sequence

from .. import anchors
from ..catalog import Form, Node
from ..model import Assessment, ChangeRow, FileEntry, Instance
from .compare import contains, text_pieces, value_text
from .normalize import compact, nfkc
from .result import AMBIGUOUS, INSTANCE_MISSING, NEEDS_DATA, P_CONTAINER, P_TEXT_MATCH, RESOLVED, UNRESOLVED, Target


# ---------------------------------------------------------------------------
# concrete expansions of a catalog target

class _Concrete:
    def __init__(self):
        self.segs: list[str] = []
        self.value: Any = None
        self.free: list[str] = []  # choices not fixed by the printed text
        self.file_id: str | None = None
        self.block_id: str | None = None
        self.instances: list[tuple[str, str]] = []
        self.problems: list[str] = []
        self.container: Any = {}  # the mapping holding the current leaf (rows live there too)

    def copy(self) -> "_Concrete":
        c = _Concrete()
        c.segs, c.value, c.free = list(self.segs), self.value, list(self.free)
        c.file_id, c.block_id, c.instances, c.problems = self.file_id, self.block_id, list(self.instances), list(self.problems)
        c.container = self.container
        return c

    @property
    def anchor(self) -> str:
        return anchors.join(self.segs)


def _qualifier_files(q: str, files: Sequence[FileEntry]) -> list[FileEntry]:
    k = compact(nfkc(q))
    exact = [f for f in files if f.id == q or compact(nfkc(f.name)) == k]
    if exact:
        return exact
    return [f for f in files if k and (k in compact(nfkc(f.name)) or compact(nfkc(f.name)) in k)]


def _instance_name(inst: Instance, group: Node) -> str:
    for c in group.children:
        v = inst.values.get(c.key)
        if isinstance(v, str) and v.strip():
            return v
    return ""


def expand(a: Assessment, form: Form, t) -> list[_Concrete]:
    chain = form.ancestors(t.node) + [t.node]
    part = chain[0]
    starts: list[_Concrete] = []
    if part.scope == "file":
        files = list(a.files)
        if t.file_id:
            files = [f for f in files if f.id == t.file_id]
        elif len(files) > 1 and t.fileq:
            picked = _qualifier_files(t.fileq, files)
            if len(picked) == 1:
                files = picked
        for f in files:
            c = _Concrete()
            c.segs = anchors.part_segments(part, file_id=f.id)
            c.value = f.parts.get(part.key)
            c.file_id = f.id
            if len(a.files) > 1 and not t.file_id and not (t.fileq and len(_qualifier_files(t.fileq, a.files)) == 1):
                c.free.append(f"file {f.id}")
            starts.append(c)
    elif part.scope == "file_block":
        blocks = list(a.parts.get(part.key) or ())
        if t.block_id:
            blocks = [b for b in blocks if b.id == t.block_id]
        elif len(blocks) > 1 and t.fileq:
            fs = _qualifier_files(t.fileq, a.files)
            if len(fs) == 1:
                blocks = [b for b in blocks if fs[0].id in b.files] or blocks
        for b in blocks:
            c = _Concrete()
            c.segs = anchors.part_segments(part, block_id=b.id)
            c.value = b.values
            c.block_id = b.id
            if len(a.parts.get(part.key) or ()) > 1 and len(blocks) > 1:
                c.free.append(f"block {b.id}")
            starts.append(c)
    else:
        c = _Concrete()
        c.segs = anchors.part_segments(part)
        c.value = a.parts.get(part.key)
        starts.append(c)
    out: list[_Concrete] = []
    for c in starts:
        out.extend(_walk(c, chain, 1, t))
    if t.node.kind == "derived":
        for c in out:
            c.value = _derived(a, t.node, c)
    elif t.node.count_key:
        # 「委託の有無」 prints its count: 委託する ( 8 ) 件 (001 L1341: 7件 -> 8件)
        for c in out:
            count = c.container.get(t.node.count_key) if hasattr(c.container, "get") else None
            if count:
                c.value = f"{value_text(c.value)} ({count}{t.node.count_suffix})"
    return out


def _derived(a: Assessment, node: Node, c: _Concrete) -> str:
    """The printed value of a derived item (I-3, II-1, III-1: file names)."""
    if node.source == "file_name":
        return " ".join(f.name for f in a.files if f.id == c.file_id)
    if node.source == "block_file_names":
        block = next((b for b in (a.parts.get(node.path[0]) or ()) if b.id == c.block_id), None)
        ids = block.files if block is not None else ()
        return " ".join(f.name for f in a.files if f.id in ids)
    return " ".join(f.name for f in a.files)


def _walk(c: _Concrete, chain: list[Node], i: int, t) -> Iterator[_Concrete]:
    if i >= len(chain):
        yield c
        return
    parent, n = chain[i - 1], chain[i]
    mapping = c.value if isinstance(c.value, dict) or hasattr(c.value, "get") else {}
    if n in parent.rows:
        # a row: its key lives in the mapping of its leaf
        c.segs[-1] = n.key
        c.value = c.container.get(n.key) if hasattr(c.container, "get") else None
        yield from _walk(c, chain, i + 1, t)
        return
    c.segs.append(n.key)
    v = mapping.get(n.key) if mapping else None
    if n.kind == "group":
        instances = [x for x in (v or ()) if isinstance(x, Instance)]
        b = t.binding(n.id)
        if i == len(chain) - 1 and b is None:
            c.value = v
            yield c
            return
        if isinstance(b, int):
            picked = [x for x in instances if x.no == b]
            if not picked:
                c.problems.append(f"{n.instance_label}{b} is not in the assessment")
                c.value = None
                yield c
                return
        elif isinstance(b, str) and b:
            k = compact(nfkc(b))
            picked = [x for x in instances if x.id == b] or [
                x for x in instances if k and (k in compact(nfkc(_instance_name(x, n))) or compact(nfkc(_instance_name(x, n))) in k)
                and _instance_name(x, n)]
            if not picked:
                c.problems.append(f"no {n.instance_label} named 「{b}」 in the assessment")
                c.value = None
                yield c
                return
            if len(picked) > 1:
                for x in picked:
                    c2 = c.copy()
                    c2.free.append(f"{n.instance_label}{x.no}")
                    yield from _descend_instance(c2, chain, i, t, n, x)
                return
        else:
            picked = instances
            if not picked:
                c.problems.append(f"the assessment has no {n.instance_label}")
                c.value = None
                yield c
                return
        for x in picked:
            c2 = c.copy()
            if b is None and len(picked) > 1:
                c2.free.append(f"{n.instance_label}{x.no}")
            yield from _descend_instance(c2, chain, i, t, n, x)
        return
    c.value = v
    c.container = mapping
    yield from _walk(c, chain, i + 1, t)


def _descend_instance(c: _Concrete, chain, i, t, group: Node, inst: Instance):
    c.segs.append(inst.id)
    c.instances.append((group.id, inst.id))
    c.value = inst.values
    yield from _walk(c, chain, i + 1, t)


# ---------------------------------------------------------------------------
# binding results

def bind_results(rows: Sequence[ChangeRow], results: list, assessment: Assessment) -> None:
    form = assessment.form
    known = anchors.anchors(assessment)
    by_line = {r.line: r for r in rows}

    def concretize(t: Target, c: _Concrete) -> Target:
        anchor = c.anchor
        bindings = list(t.bindings)
        for gid, iid in c.instances:
            inst_no = _instance_no(assessment, form, c, gid, iid)
            bindings = [(g, (inst_no if g == gid and inst_no is not None else v)) for g, v in bindings]
        return replace(t, bindings=tuple(bindings), file_id=c.file_id, block_id=c.block_id,
                       instance_ids=tuple(c.instances), anchor=anchor if anchor in known else None,
                       note=t.note)

    for r in results:
        if r.explicit:
            continue
        row = by_line.get(r.line)
        after = row.after if row else None
        multi = len(r.targets) > 1
        if r.status in (RESOLVED, NEEDS_DATA, INSTANCE_MISSING) and r.targets:
            new_targets: list[Target] = []
            cands: list[Target] = []
            notes: list[str] = []
            status = RESOLVED
            conf = r.confidence
            for t in r.targets:
                options = expand(assessment, form, t)
                problems = [c for c in options if c.problems]
                good = [c for c in options if not c.problems]
                if not good:
                    status = INSTANCE_MISSING if r.status != RESOLVED or problems else NEEDS_DATA
                    notes.extend(p for c in problems for p in c.problems)
                    cands.extend(concretize(t, c) for c in expand(assessment, form, replace(t, bindings=tuple((g, None) for g, _ in t.bindings))) if not c.problems)
                    continue
                if len(good) == 1:
                    c = good[0]
                    if c.free:
                        notes.append(f"only {', '.join(c.free)} fits the data")
                    new_targets.append(concretize(t, c))
                    continue
                # several: text matching with the after-text (single-target rows only)
                matched = [c for c in good if not multi and contains(c.value, after, strict=True)]
                if not matched:
                    matched = [c for c in good if not multi and contains(c.value, after)]
                if len(matched) == 1:
                    c = matched[0]
                    conf -= P_TEXT_MATCH
                    notes.append(f"text matching picks {', '.join(c.free)} (-{P_TEXT_MATCH:.2f})")
                    new_targets.append(concretize(t, c))
                    continue
                status = INSTANCE_MISSING if any(v is None for _, v in t.bindings) else NEEDS_DATA
                free = sorted({f for c in good for f in c.free})
                notes.append(f"the data does not decide between {', '.join(free)}")
                proposed = [x for x in r.candidates if x.node is t.node]
                order = {x.binding(g): i for i, x in enumerate(proposed) for g, _ in x.bindings}
                cs = [concretize(t, c) for c in good]
                cs.sort(key=lambda x: min((order.get(v, 99) for _, v in x.bindings), default=99))
                cands.extend(cs)
            # refine a leaf to the one sub-row whose text holds the after-text (000 L76)
            if status == RESOLVED and len(new_targets) == 1 and new_targets[0].node.rows and after:
                t = new_targets[0]
                refined = _refine_to_row(assessment, form, t, after)
                if refined is not None:
                    notes.append(f"text matching points to the sub-row 「{refined.node.label}」")
                    new_targets = [concretize(refined, expand(assessment, form, refined)[0])]
            # a container reached by falling back (text left unmatched): the one item below it whose
            # current text holds the after-text (001 L1243 「【収納業務概要】 2 収納申込事務」 -> I-1 ②)
            if (status == RESOLVED and len(new_targets) == 1 and new_targets[0].granularity == "container"
                    and new_targets[0].locator and after):
                found = _refine_container(assessment, form, new_targets[0], after)
                if found is not None:
                    rt, c = found
                    conf -= P_TEXT_MATCH
                    lifted = ""
                    if "fallback to the container" in r.reason:
                        conf += P_CONTAINER  # the data names the item: no longer a fallback
                        lifted = f"; the fallback penalty is lifted (+{P_CONTAINER:.2f})"
                    notes.append(f"text matching finds the after-text in 「{rt.node.printed}」 (-{P_TEXT_MATCH:.2f}){lifted}")
                    new_targets = [concretize(rt, c)]
            if status == RESOLVED:
                missing = [t for t in new_targets if t.anchor is None]
                if missing:
                    notes.append("not on this assessment's page: " + ", ".join(t.path(form) for t in missing))
                r.targets = new_targets
                r.confidence = max(0.0, conf)
                r.candidates = []
                if r.confidence < 0.7:
                    r.status = UNRESOLVED
                    r.candidates = new_targets
                    r.targets = []
                else:
                    r.status = RESOLVED
            else:
                r.status = status
                r.candidates = cands or r.candidates
                r.targets = new_targets if status == RESOLVED else r.targets
            if notes:
                r.reason = (r.reason + "; " if r.reason else "") + "; ".join(notes)
        elif r.status == AMBIGUOUS and r.candidates:
            concretes: list[tuple[Target, _Concrete]] = []
            for t in r.candidates:
                for c in expand(assessment, form, t):
                    if not c.problems:
                        concretes.append((t, c))
            matched = [(t, c) for t, c in concretes if contains(c.value, after, strict=True)]
            if not matched:
                matched = [(t, c) for t, c in concretes if contains(c.value, after)]
            if len(matched) == 1:
                t, c = matched[0]
                r.targets = [concretize(t, c)]
                r.confidence = max(0.0, r.confidence - P_TEXT_MATCH)
                r.status = RESOLVED if r.confidence >= 0.7 else UNRESOLVED
                r.reason += f"; text matching picks {t.label_path(form)[-2] if len(t.label_path(form)) > 1 else t.id} (-{P_TEXT_MATCH:.2f})"
                if r.status != RESOLVED:
                    r.candidates, r.targets = r.targets, []
                else:
                    r.candidates = []
            else:
                r.candidates = [concretize(t, c) for t, c in concretes] or r.candidates


def _instance_no(a: Assessment, form: Form, c: _Concrete, gid: str, iid: str) -> int | None:
    group = form.nodes[gid]
    for inst in _instances_at(a, form, c, group):
        if inst.id == iid:
            return inst.no
    return None


def _instances_at(a: Assessment, form: Form, c: _Concrete, group: Node) -> list[Instance]:
    chain = form.ancestors(group) + [group]
    part = chain[0]
    if part.scope == "file":
        f = next((f for f in a.files if f.id == c.file_id), None)
        cur: Any = f.parts.get(part.key) if f else None
    elif part.scope == "file_block":
        b = next((b for b in (a.parts.get(part.key) or ()) if b.id == c.block_id), None)
        cur = b.values if b else None
    else:
        cur = a.parts.get(part.key)
    inst_ids = dict(c.instances)
    for n in chain[1:]:
        if cur is None:
            return []
        v = cur.get(n.key) if hasattr(cur, "get") else None
        if n is group:
            return [x for x in (v or ()) if isinstance(x, Instance)]
        if n.kind == "group":
            iid = inst_ids.get(n.id)
            cur = next((x.values for x in (v or ()) if isinstance(x, Instance) and x.id == iid), None)
        else:
            cur = v
    return []


def _refine_container(a: Assessment, form: Form, t, after: str):
    """The single value item below a container whose current text contains the after-text."""
    if not text_pieces(after):
        return None
    bound = dict(t.bindings)
    pairs = []
    for leaf in t.node.walk():
        if leaf is t.node or not leaf.has_value or leaf.kind in ("derived", "ref", "fixed"):
            continue
        chain = form.ancestors(leaf) + [leaf]
        bindings = tuple((g.id, bound.get(g.id)) for g in chain if g.kind == "group")
        lt = replace(t, node=leaf, bindings=bindings, locator="")
        for c in expand(a, form, lt):
            if not c.problems:
                pairs.append((lt, c))
    for strict in (True, False):
        hits = [(lt, c) for lt, c in pairs if contains(c.value, after, strict=strict)]
        if hits:
            return hits[0] if len(hits) == 1 else None
    return None


def _refine_to_row(a: Assessment, form: Form, t, after: str):
    c = expand(a, form, t)
    if len(c) != 1 or contains(c[0].value, after):
        return None
    hits = []
    for row in t.node.all_rows():
        rt = replace(t, node=row)
        rc = expand(a, form, rt)
        if len(rc) == 1 and contains(rc[0].value, after):
            hits.append(rt)
    return hits[0] if len(hits) == 1 else None
