"""Procedure lints: what the 規則 and the 指針 ask of the procedure around an assessment, each a
located Japanese warning naming the rule it comes from (never an error: the facts behind a
choice are often outside the document, so the author decides).

* ``procedure_diagnostics(a, partner)``: one document as written (しきい値判断, 意見聴取,
  第三者点検, a 全項目 re-run's new 意見聴取/第三者点検);
* ``dated_diagnostics(a, as_of)``: the deadlines, judged against the site's ``as_of`` date
  (re-run within 5 years, yearly review, 3 years after the 事務 ended, an 意見聴取 that is over);
* ``important_change_diagnostics(a, important)``: ※ (重要な変更) rows filed 事前 in a revision
  not typed 再実施, given which change rows changed a ※ item (the link stage knows).

様式2 (基礎項目評価書): ``ThresholdInputs`` carries 取扱者数 ≥ 500 and 重大事故 from the partner
document (``partner.threshold_inputs``); with it the しきい値判断 is checked exactly
(``link.partner_threshold_diagnostics``), without it only against 対象人数.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Sequence

from ..diagnostics import Diagnostic, Severity, SourceLocation
from ..model import (COMMENT, CURRENT_REVISION, DRAFT, ENDED, PUBLISHED, Assessment, DateValue, Period)
from .lifecycle import CURRENT_KEY, revision_keys

LEVEL_JA = {0: "評価の実施が義務付けられない", 1: "基礎項目評価", 2: "重点項目評価", 3: "全項目評価"}
FORM_LEVEL = {"kiso": 1, "juten": 2, "zenkoumoku": 3}  # the level each form files
COMMENT_DAYS = 30
RERUN_YEARS = 5
REVIEW_YEARS = 1
KEEP_ENDED_YEARS = 3


@dataclass(frozen=True)
class ThresholdInputs:
    """The しきい値判断 inputs a 基礎項目評価書 (様式2) partner states; None = not stated."""

    handlers_500: bool | None = None  # 取扱者数 500人以上
    serious_accident: bool | None = None  # 重大事故 in the past year


def _warn(a: Assessment, code: str, msg: str, path: str, label: str, fallback: str = "") -> Diagnostic:
    loc = a.locations.get(path) or a.locations.get(fallback) or SourceLocation(a.source, 1, 1)
    return Diagnostic(code, msg, loc, path, label, Severity.WARNING)


def _get(a: Assessment, *keys: str) -> Any:
    v: Any = a.parts
    for k in keys:
        v = v.get(k) if hasattr(v, "get") else None
    return v


def _day(v: Any) -> dt.date | None:
    return dt.date.fromisoformat(v.iso if v.precision == "day" else v.iso + "-01") if isinstance(v, DateValue) else None


def _plus_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _ja(d: dt.date) -> str:
    return d.isoformat()


# ---------------------------------------------------------------------------
# しきい値判断 (指針 第5の2)

_COUNT = re.compile(r"([\d,]+)(万)?人(以上|未満)")


def subjects_range(text: str) -> tuple[int, float] | None:
    """``1万人以上10万人未満`` -> (10000, 100000); ``30万人以上`` -> (300000, inf)."""
    lo, hi = 0, float("inf")
    found = False
    for num, man, side in _COUNT.findall(text or ""):
        n = int(num.replace(",", "")) * (10_000 if man else 1)
        found = True
        if side == "以上":
            lo = n
        else:
            hi = n
    return (lo, hi) if found else None


def threshold_level(text: str) -> int | None:
    """The level a しきい値判断結果 option makes obligatory (the part before 「(任意に」)."""
    duty = (text or "").split("(任意に")[0].split("（任意に")[0]
    if "義務付けられない" in duty:
        return 0
    for level in (3, 2, 1):
        if LEVEL_JA[level] in duty:
            return level
    return None


def required_levels(lo: int, partner: ThresholdInputs | None) -> set[int]:
    """The obligatory levels 指針 第5の2 allows for 対象人数 ≥ ``lo`` (exact with a partner's inputs)."""
    heavy = None
    if partner is not None and partner.handlers_500 is not None and partner.serious_accident is not None:
        heavy = partner.handlers_500 or partner.serious_accident
    if lo < 1_000:
        return {0}
    if lo < 10_000:
        return {1}
    if lo < 100_000:
        return {1, 2} if heavy is None else ({2} if heavy else {1})
    if lo < 300_000:
        return {2, 3} if heavy is None else ({3} if heavy else {2})
    return {3}


def threshold_diagnostics(a: Assessment, partner: ThresholdInputs | None = None) -> list[Diagnostic]:
    path = "procedures.basic_assessment.threshold"
    result = _get(a, "procedures", "basic_assessment", "threshold")
    subjects = _get(a, "basic_info", "jimu", "subjects")
    if not isinstance(result, str) or not isinstance(subjects, str):
        return []
    level, rng = threshold_level(result), subjects_range(subjects)
    if level is None or rng is None:
        return []
    out = []
    allowed = required_levels(rng[0], partner)
    if level not in allowed:
        want = "・".join(f"「{LEVEL_JA[x]}」" for x in sorted(allowed))
        extra = "（取扱者数・重大事故による）" if len(allowed) > 1 else ""
        out.append(_warn(a, "R020", f"しきい値判断結果（義務付けられるのは{LEVEL_JA[level]}）が対象人数「{subjects}」と合いません。"
                         f"対象人数からは {want} が義務付けられます{extra}（指針 第5の2）。", path, "しきい値判断結果"))
    filed = FORM_LEVEL.get(a.form.kind)
    if filed is not None and level > filed:
        out.append(_warn(a, "R021", f"しきい値判断結果では{LEVEL_JA[level]}が義務付けられますが、この評価書は{a.form.name}です。"
                         f"{LEVEL_JA[level]}書で評価してください（指針 第5の2）。", path, "しきい値判断結果"))
    return out


# ---------------------------------------------------------------------------
# 意見聴取 and 第三者点検 (指針 第5の3, 規則第7条)

def _period(a: Assessment) -> Period | None:
    v = _get(a, "procedures", "public_comment", "period")
    return v if isinstance(v, Period) and (v.start or v.end) else None


def _filled(v: Any) -> bool:
    return isinstance(v, str) and bool(v.strip()) and v.strip() not in ("—", "-", "―", "ー")


def comment_diagnostics(a: Assessment) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    full = a.form.kind == "zenkoumoku"
    period = _period(a)
    ppath = "procedures.public_comment.period"
    if full and period is None and a.status.state not in (DRAFT,):
        out.append(_warn(a, "R023", "全項目評価書では、評価書を公示して住民等の意見を聴取します。②実施日・期間がありません"
                         "（規則第7条第1項）。", ppath, "実施日・期間", "procedures.public_comment"))
    start, end = (_day(period.start), _day(period.end)) if period else (None, None)
    day_precise = period is not None and all(x is not None and x.precision == "day" for x in (period.start, period.end))
    if full and start and end and day_precise:
        days = (end - start).days + 1
        reason = _get(a, "procedures", "public_comment", "shortening_reason")
        if days < COMMENT_DAYS and not _filled(reason):
            out.append(_warn(a, "R022", f"意見聴取の期間が {days} 日（{_ja(start)}〜{_ja(end)}）で {COMMENT_DAYS} 日に足りません。"
                             f"短くした特段の理由を「③期間を短縮する特段の理由」に書いてください（指針 第5の3）。",
                             ppath, "実施日・期間"))
    tp = _day(_get(a, "procedures", "third_party", "date"))
    tpath = "procedures.third_party.date"
    if tp and end and tp <= end:
        out.append(_warn(a, "R024", f"第三者点検（{_ja(tp)}）が意見聴取の終わり（{_ja(end)}）より前です。第三者点検は、意見聴取の後、"
                         "評価書を見直してから受けます（規則第7条第4項）。", tpath, "実施日"))
    submitted = _day(_get(a, "procedures", "ppc_approval", "submitted")) or _day(a.published)
    if tp and submitted and tp > submitted:
        out.append(_warn(a, "R024", f"第三者点検（{_ja(tp)}）が提出・公表（{_ja(submitted)}）より後です。第三者点検は提出の前に受けます"
                         "（規則第7条第4項）。", tpath, "実施日"))
    national = _get(a, "procedures", "ppc_approval", "submitted") is not None
    if full and tp is None and not national and a.status.state not in (DRAFT, COMMENT):
        out.append(_warn(a, "R025", "全項目評価書では、意見聴取の後に第三者点検を受けます。第三者点検の①実施日がありません"
                         "（規則第7条第4項）。", tpath, "実施日", "procedures.third_party"))
    return out


# ---------------------------------------------------------------------------
# revisions

def revision_dates(a: Assessment) -> dict[str, dt.date | None]:
    """Each revision's date; the undated one (今回) takes the 公表日 when there is one."""
    return {k: (_day(a.published) if k == CURRENT_REVISION else dt.date.fromisoformat(k)) for k in revision_keys(a.changes)}


def last_rerun(a: Assessment) -> dt.date | None:
    """The last 再実施: the newest revision typed 再実施, or V/VI-1 ①実施日 (the 基礎項目評価 that
    starts every assessment and re-run), whichever is later."""
    dates = revision_dates(a)
    cands = [dates.get(k) for k, kind in a.status.revisions.items() if kind == "再実施"]
    cands.append(_day(_get(a, "procedures", "basic_assessment", "date")))
    cands = [d for d in cands if d is not None]
    return max(cands) if cands else None


def rerun_procedure_diagnostics(a: Assessment) -> list[Diagnostic]:
    """A 再実施 of a 全項目評価 repeats the 意見聴取 and the 第三者点検 (規則第7条第1項・第4項)."""
    if a.form.kind != "zenkoumoku":
        return []
    dates = revision_dates(a)
    reruns = [(dates.get(k), k) for k, kind in a.status.revisions.items() if kind == "再実施" and dates.get(k)]
    if not reruns:
        return []
    when, key = max(reruns)
    before = [d for k, d in dates.items() if d is not None and d < when]
    if not before:
        return []
    prev = max(before)
    shown = CURRENT_KEY if key == CURRENT_REVISION else key
    out = []
    period = _period(a)
    start = _day(period.start) if period else None
    if start is None or start <= prev:
        out.append(_warn(a, "R030", f"{shown} の再実施に伴う意見聴取がありません（意見聴取の期間が前の改訂 {_ja(prev)} より前か、"
                         "書かれていません）。全項目評価の再実施では改めて意見を聴取します（規則第7条第1項）。",
                         "procedures.public_comment.period", "実施日・期間", "procedures.public_comment"))
    tp = _day(_get(a, "procedures", "third_party", "date"))
    if tp is None or tp <= prev:
        out.append(_warn(a, "R030", f"{shown} の再実施に伴う第三者点検がありません（実施日が前の改訂 {_ja(prev)} より前か、"
                         "書かれていません）。全項目評価の再実施では改めて第三者点検を受けます（規則第7条第4項）。",
                         "procedures.third_party.date", "実施日", "procedures.third_party"))
    return out


def procedure_diagnostics(a: Assessment, partner: ThresholdInputs | None = None) -> list[Diagnostic]:
    """The lints on one document as written (no date of today needed)."""
    return threshold_diagnostics(a, partner) + comment_diagnostics(a) + rerun_procedure_diagnostics(a)


# ---------------------------------------------------------------------------
# deadlines (as_of)

def dated_diagnostics(a: Assessment, as_of: DateValue | None) -> list[Diagnostic]:
    today = _day(as_of)
    if today is None:
        return []
    out = []
    st = a.status
    if st.state == PUBLISHED:
        rerun = last_rerun(a)
        if rerun and today >= _plus_years(rerun, RERUN_YEARS):
            out.append(_warn(a, "R026", f"最後の評価の実施（{_ja(rerun)}）から {RERUN_YEARS} 年が過ぎています（基準日 {_ja(today)}）。"
                             "評価を再実施してください（規則第15条）。再実施したら status.revisions にその改訂を「再実施」と書きます。",
                             "procedures.basic_assessment.date", "実施日", "status"))
        seen = [d for d in list(revision_dates(a).values()) + [_day(st.reviewed), _day(a.published), rerun] if d]
        last = max(seen) if seen else None
        if last and today > _plus_years(last, REVIEW_YEARS):
            out.append(_warn(a, "R027", f"最後の見直し・改訂（{_ja(last)}）から {REVIEW_YEARS} 年以上たっています（基準日 {_ja(today)}）。"
                             "評価書は少なくとも1年に1回見直します（規則第14条）。見直したら status.reviewed にその日を書いてください。",
                             "status.reviewed", "最後に見直した日", "status"))
    if st.state == ENDED and st.ended is not None:
        ended = _day(st.ended)
        if ended and today >= _plus_years(ended, KEEP_ENDED_YEARS):
            out.append(_warn(a, "R007", f"事務の終了（{_ja(ended)}）から {KEEP_ENDED_YEARS} 年が過ぎました（基準日 {_ja(today)}）。"
                             "公表しておく期間（終了から少なくとも3年、様式 記載要領）は満ちています。公表を続けるか判断してください。",
                             "status.ended", "事務の終了日", "status"))
    if st.state == COMMENT:
        period = _period(a)
        end = _day(period.end) if period else None
        if end and today > end:
            out.append(_warn(a, "R013", f"意見聴取の期間は {_ja(end)} に終わっています（基準日 {_ja(today)}）。状態（status.state）を"
                             "進めてください（第三者点検・提出の後に「公表」）。", "status.state", "状態", "status"))
    return out


# ---------------------------------------------------------------------------
# ※ 重要な変更 (規則第11条)

def important_change_diagnostics(a: Assessment, important: Sequence[bool]) -> list[Diagnostic]:
    """``important[i]``: change row i+1 changed a ※ item.  A revision with ※ rows filed 事前 is a
    重要な変更, so a 再実施 (規則第11条).  A ※ row filed 事後 without a reason is C103
    (``changelog.check``), which names the same rule."""
    out = []
    prev_key, prev_timing = None, ""
    groups: dict[str, list[tuple[int, str, bool]]] = {}
    for i, (row, imp) in enumerate(zip(a.changes, important), 1):
        if row.is_continuation and i > 1:
            key, timing = prev_key, prev_timing
        else:
            key, timing = (row.date.iso if row.date else CURRENT_REVISION), row.timing or ""
        prev_key, prev_timing = key, timing
        groups.setdefault(key, []).append((i, timing, imp))
    for key, rows in groups.items():
        kind = a.status.revisions.get(key)
        shown = CURRENT_KEY if key == CURRENT_REVISION else key
        ahead = [i for i, t, imp in rows if imp and t == "事前"]
        if not ahead:
            continue
        line = a.changes[ahead[0] - 1].line
        loc = a.locations.get(f"status.revisions.{shown}") or SourceLocation(a.source, line, 1)
        if ahead and kind != "再実施":
            said = f"「{kind}」になっています" if kind else "の種類が書かれていません"
            out.append(Diagnostic("R028", f"{shown} の改訂は※の項目（重要な変更）を事前に提出する変更を含みますが、改訂{said}。"
                                  f"重要な変更には評価の再実施が必要です（規則第11条）。status.revisions に {shown}: 再実施 と書いてください。",
                                  loc, f"status.revisions.{shown}", "改訂の種類", Severity.WARNING))
    return out
