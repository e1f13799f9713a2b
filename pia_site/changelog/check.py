"""Change-log warnings for ``pia-site check`` (never errors: the resolver proposes, authors decide).

* C101 a row whose section cannot be identified (unresolved, ambiguous, instance missing, needs
  data), with its best candidates and a paste-ready ``target:``;
* C102 a row linked with warning-level confidence (0.7–0.9);
* C103 a ※ item changed with 提出時期 事後 and no 提出時期に係る説明;
* C104 the newest change's 変更後の記載 for an item differs from the item's current text.

Explicit targets that do not exist are reported by ``link.check_targets`` (L001) already.
"""
from __future__ import annotations

from ..diagnostics import Diagnostic, Severity, SourceLocation
from ..model import Assessment, Withheld
from .bind import expand
from .compare import contains, text_pieces, value_text
from .resolve import resolve_assessment
from .result import AUTO_LINK, RESOLVED, RowResult

STATUS_JA = {
    "unresolved": "対象箇所が見つかりません",
    "ambiguous": "候補が複数あります",
    "instance-missing": "何番目の項目（委託事項・提供先・移転先・システム等）かが書かれておらず、候補が複数あります",
    "needs-data": "評価書の記載から対象を決められません",
}


def _short(text: str, n: int = 40) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[:n] + "…"


def _where(a: Assessment, line: int) -> SourceLocation:
    return SourceLocation(a.source, line or 1, 1)


def _label(r: RowResult, t) -> str:
    return " ".join(t.label_path(r.form))


def changelog_diagnostics(assessment: Assessment, results: list[RowResult] | None = None) -> list[Diagnostic]:
    a = assessment
    if not a.changes:
        return []
    results = results if results is not None else resolve_assessment(a)
    diags: list[Diagnostic] = []
    for i, (row, r) in enumerate(zip(a.changes, results), 1):
        key = f"changes.{i}"
        if r.explicit:
            continue
        if r.status != RESOLVED:
            cands = [c for c in r.candidates if c.anchor] or r.candidates
            listing = "、".join(f"「{_label(r, c)}」" + (f"（target: {c.anchor}）" if c.anchor else "") for c in cands[:5])
            more = f" ほか {len(cands) - 5} 件" if len(cands) > 5 else ""
            stub = next((c.anchor for c in cands if c.anchor), None)
            hint = f" 例: target: {stub}" if stub else ""
            msg = (f"項目「{_short(row.item)}」の対象箇所を特定できません（{STATUS_JA.get(r.status, r.status)}）。"
                   + (f"候補: {listing}{more}。" if listing else "")
                   + f"target: に対象箇所を書いてください。{hint}")
            diags.append(Diagnostic("C101", msg, _where(a, row.line), key, "変更箇所", Severity.WARNING))
            continue
        if r.confidence < AUTO_LINK:
            paths = f"「{_label(r, r.targets[0])}」" + (f" ほか {len(r.targets) - 1} か所" if len(r.targets) > 1 else "")
            anchors = ", ".join(t.anchor for t in r.targets if t.anchor)
            diags.append(Diagnostic(
                "C102", f"項目「{_short(row.item)}」の対象を {paths} と推定しました（確からしさ {r.confidence:.2f}。"
                        f"番号の誤り・略記・表記ゆれを推測で補っています）。正しければ target: [{anchors}] を書いてください。",
                _where(a, row.line), key, "変更箇所", Severity.WARNING))
        if row.timing == "事後" and not (row.timing_note or "").strip():
            starred = [t for t in r.targets if t.node.important]
            if starred:
                diags.append(Diagnostic(
                    "C103", f"※の項目「{_label(r, starred[0])}」の変更が提出時期「事後」です。重要な変更に当たらない理由を"
                            "「提出時期に係る説明」に書いてください（重要な変更なら評価の再実施と事前の提出が必要です。規則第11条）。",
                    _where(a, row.line), key, "提出時期", Severity.WARNING))
    diags.extend(_stale_after(a, results))
    return diags


def _order_key(row, index: int):
    # undated rows belong to the edition being published: newest
    return (row.date.iso if row.date is not None else "9999", index)


def _stale_after(a: Assessment, results: list[RowResult]) -> list[Diagnostic]:
    newest: dict[str, tuple[tuple, int]] = {}
    for i, (row, r) in enumerate(zip(a.changes, results)):
        if r.status != RESOLVED or len(r.targets) != 1:
            continue
        t = r.targets[0]
        if not t.anchor or t.granularity != "leaf":
            continue
        k = _order_key(row, i)
        if t.anchor not in newest or k > newest[t.anchor][0]:
            newest[t.anchor] = (k, i)
    diags = []
    for anchor, (_, i) in sorted(newest.items(), key=lambda x: x[1][1]):
        row, r = a.changes[i], results[i]
        if not text_pieces(row.after):
            continue
        t = r.targets[0]
        options = [c for c in expand(a, a.form, t) if not c.problems and c.anchor == anchor]
        if not options or isinstance(options[0].value, Withheld):
            continue  # a withheld item (規則第13条) has no text to compare
        ok = contains(options[0].value, row.after)
        if ok is False and not value_text(options[0].value).strip():
            diags.append(Diagnostic(
                "C104", f"「{_label(r, t)}」は空ですが、最新の変更（{row.date.iso if row.date else '今回'}）の変更後の記載は"
                        f"「{_short(row.after or '', 30)}」です。本文の記載漏れがないか確認してください。",
                SourceLocation(a.source, row.line or 1, 1), f"changes.{i + 1}", "変更後の記載", Severity.WARNING))
        elif ok is False:
            diags.append(Diagnostic(
                "C104", f"「{_label(r, t)}」の最新の変更（{row.date.iso if row.date else '今回'}）の変更後の記載"
                        f"「{_short(row.after or '', 30)}」が、現在の記載と一致しません。本文か変更箇所を確認してください。",
                SourceLocation(a.source, row.line or 1, 1), f"changes.{i + 1}", "変更後の記載", Severity.WARNING))
    return diags
