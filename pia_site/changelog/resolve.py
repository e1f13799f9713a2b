"""Resolve 変更箇所 rows to catalog items (changelog.md §6): the rows' level of the resolver.

``descend`` reads one 項目 text down the catalog; here its states are classified (resolved,
ambiguous, instance missing, …), rows are resolved in order (relative rows continue from the
previous row's section, explicit ``target:`` paths are read through ``pia_site.anchors``),
instance numbers are proposed from the other rows (value chaining) and checked against the
neighbours, and with an assessment ``bind`` settles files, blocks and instances from its data.
It proposes; it never silently fixes.
"""
from __future__ import annotations

from typing import Sequence

from .. import anchors
from ..catalog import Form
from ..model import Assessment, ChangeRow
from .bind import bind_results
from .descend import State, descend, final_targets, is_ancestor
from .normalize import normalize_content
from .result import AMBIGUOUS, AUTO_LINK, INSTANCE_MISSING, MIN_LINK, NEEDS_DATA, RESOLVED, UNRESOLVED, RowResult, Target


def _classify(form: Form, states: list[State]) -> tuple[list[Target], float, str, str, list[Target], State | None]:
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
    finals: dict[tuple, tuple[list[Target], State]] = {}
    for s in best:
        ts = final_targets(form, s)
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
                reasons.append(f"ambiguous: {g.instance_label or g.label} has no number, any of its instances may be meant")
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
        prev_state = State(previous.node, dict(previous.bindings), previous.fileq, how="text")
    out = descend(form, text, prev_state)
    targets, conf, status, reason, cands, _ = _classify(form, out.states)
    return RowResult(0, text, targets, conf, status, reason, cands, False, out.continuation, form)


# ---------------------------------------------------------------------------
# rows

def resolve_rows(rows: Sequence[ChangeRow], form: Form, assessment: Assessment | None = None) -> list[RowResult]:
    """Resolve every row of a change log, in order (neighbours give context and evidence)."""
    results: list[RowResult] = []
    prev: State | None = None
    for row in rows:
        if row.targets:
            results.append(_explicit(row, form, assessment))
            last = results[-1].targets[-1] if results[-1].targets else None
            prev = State(last.node, dict(last.bindings), last.fileq, how="text") if last else prev
            continue
        out = descend(form, row.item or "", prev)
        targets, conf, status, reason, cands, st = _classify(form, out.states)
        res = RowResult(row.line, row.item, targets, conf, status, reason, cands, False,
                        out.continuation or row.is_continuation, form)
        results.append(res)
        if st is not None and st.node is not None and status != UNRESOLVED:
            prev = st
        elif targets:
            t = targets[-1]
            prev = State(t.node, dict(t.bindings), t.fileq, how="text")
    _instance_candidates(rows, results, form, assessment)
    _neighbour_check(results, form)
    if assessment is not None:
        bind_results(rows, results, assessment)
    return results


def _explicit(row: ChangeRow, form: Form, assessment: Assessment | None) -> RowResult:
    targets: list[Target] = []
    problems: list[str] = []
    known = None
    if assessment is not None:
        known = anchors.anchors(assessment)
    for path in row.targets:
        node, bindings, file_id, block_id = anchors.parse(form, path)
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
    return is_ancestor(form, na, nb) or is_ancestor(form, nb, na)


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
                            if not (is_ancestor(form, ot.node, t.node) or is_ancestor(form, t.node, ot.node)):
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



def resolve_assessment(assessment: Assessment) -> list[RowResult]:
    """Resolve an assessment's own change rows against its form, edition and data."""
    return resolve_rows(assessment.changes, assessment.form, assessment)



__all__ = ["RowResult", "Target", "resolve_rows", "resolve_text", "resolve_assessment", "RESOLVED", "NEEDS_DATA",
           "INSTANCE_MISSING", "AMBIGUOUS", "UNRESOLVED"]
