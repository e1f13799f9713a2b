"""The document's life cycle (``status:``) and its withheld items (``withheld:``), typed and
checked against the rest of one assessment.

``status:`` says where the document stands: 作成中 (a draft), 意見聴取中 (out for public
comment, the period being VI-2 ②/V-2 ② of the form), 公表 (filed and published, with the
cover's 公表日), 終了 (the 事務 ended; kept published at least 3 years) or 置き換え (replaced by
a re-run filed as another document, named by ``replaced_by``).  Without a state the document
is 公表 when it is complete (公表日, nothing left from the import), else 作成中, and ``check``
says what is missing.  ``revisions`` types each revision of the change log as 再実施 or 修正.

``withheld:`` lists the anchors of items not published for security reasons (規則第13条).
Their text is dropped from the record here, so no page, feed, diff or search file can show it.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Any, Iterable, Mapping

from ..catalog import Node
from ..diagnostics import SourceLocation
from ..load import YMap, YNode, YScalar
from ..model import (COMMENT, CURRENT_REVISION, DRAFT, ENDED, FINAL_STATES, PUBLISHED, REVISION_KINDS, STATES,
                     SUPERSEDED, WITHHELD, Assessment, ChangeRow, CheckItem, DateValue, Instance, Period, Status)
from .checker import Checker, _join

# the keys of ``status:`` with the label an author reads (schema titles, messages, docs)
STATUS_KEYS = {"state": "状態", "ended": "事務の終了日", "replaced_by": "後継の評価書（ファイル名）",
               "replaces": "前の評価書（ファイル名）", "reviewed": "最後に見直した日", "revisions": "改訂の種類"}
TOP_KEYS = {"status": "評価書の状態", "withheld": "公表しない項目（規則第13条）"}
CURRENT_KEY = "今回"  # the revisions key of the undated rows
WITHHELD_NOTICE = ("この項目は、公表することによりセキュリティ上のリスクがあると認められるため、"
                   "公表していません（特定個人情報保護評価に関する規則第13条）。")
ENDED_IN_TITLE = re.compile(r"【[^】]*終了】")
BLANK_CODES = ("W001", "W002", "W004")  # an item left empty, a choice not made, checkbox states unknown
SHOWN = 5  # paths listed in a message


def as_of_from_epoch(raw: str) -> DateValue | None:
    """``SOURCE_DATE_EPOCH`` seconds as the date in Japan (JST, UTC+9), or None."""
    if not re.fullmatch(r"\d{1,12}", raw):
        return None
    day = dt.datetime.fromtimestamp(int(raw), dt.timezone(dt.timedelta(hours=9))).date()
    return DateValue(day.isoformat())


def revision_keys(changes: Iterable[ChangeRow]) -> list[str]:
    """The revisions of a change log in row order: each row's date (ISO), ``current`` for the
    undated rows; a continuation row belongs to the revision of the row before it."""
    keys: list[str] = []
    prev = None
    for i, row in enumerate(changes):
        key = prev if (row.is_continuation and i > 0) else (row.date.iso if row.date else CURRENT_REVISION)
        prev = key
        if key not in keys:
            keys.append(key)
    return keys


# ---------------------------------------------------------------------------
# reading status: and withheld:

def read_status(ck: Checker, y: YNode | None) -> Status:
    """``status:`` as written (its state not yet derived); each problem a located message."""
    if y is None:
        return Status(declared=False)
    m = ck.mapping(y, "status", TOP_KEYS["status"])
    if m is None:
        return Status(declared=False)
    ck.locations["status"] = y.loc
    ck.unknown_keys(m, STATUS_KEYS, "status")
    raw = (ck.scalar(m.get("state"), "status.state", STATUS_KEYS["state"]) or "").strip()
    state = ""
    if m.get("state") is not None:
        ck.locations["status.state"] = m.get("state").loc
    if raw and raw not in STATES:
        ck.error("R002", f"状態「{raw}」は使えません。{'・'.join(STATES)} のどれかを書いてください。",
                 m.get("state"), "status.state", STATUS_KEYS["state"])
    elif raw:
        state = raw
    dates = {}
    for key in ("ended", "reviewed"):
        node = m.get(key)
        v = ck.date(node, f"status.{key}", STATUS_KEYS[key], False) if node is not None else None
        dates[key] = v if isinstance(v, DateValue) else None
        if node is not None:
            ck.locations[f"status.{key}"] = node.loc
    slugs = {}
    for key in ("replaced_by", "replaces"):
        node = m.get(key)
        slugs[key] = (ck.scalar(node, f"status.{key}", STATUS_KEYS[key]) or "").strip() if node is not None else ""
        if node is not None:
            ck.locations[f"status.{key}"] = node.loc
    revisions = _revisions(ck, m.get("revisions")) if m.get("revisions") is not None else {}
    return Status(state or PUBLISHED, bool(state), dates["ended"], slugs["replaced_by"], slugs["replaces"],
                  dates["reviewed"], revisions)


def _revisions(ck: Checker, y: YNode) -> dict[str, str]:
    """``revisions: {2021-02-04: 再実施, 今回: 修正}`` -> {ISO | current: kind}."""
    m = ck.mapping(y, "status.revisions", STATUS_KEYS["revisions"])
    out: dict[str, str] = {}
    for k, v in (m.entries if m else ()):
        key = (k.value or "").strip()
        path = f"status.revisions.{key}"
        kind = (ck.scalar(v, path, STATUS_KEYS["revisions"]) or "").strip()
        ck.locations[path] = k.loc
        if key == CURRENT_KEY:
            key = CURRENT_REVISION
        elif not re.fullmatch(r"\d{4}-\d{2}-\d{2}", key):
            ck.error("R014", f"改訂の「{key}」は変更箇所の変更日（YYYY-MM-DD）か「{CURRENT_KEY}」（日付のない変更）で書いてください。",
                     k, path, STATUS_KEYS["revisions"])
            continue
        if kind not in REVISION_KINDS:
            ck.error("R014", f"改訂の種類「{kind}」は「再実施」か「修正」で書いてください。", v, path, STATUS_KEYS["revisions"])
            continue
        out[key] = kind
    return out


def read_withheld(ck: Checker, y: YNode | None) -> tuple[str, ...]:
    if y is None:
        return ()
    seq = ck.sequence(y, "withheld", TOP_KEYS["withheld"])
    out: list[str] = []
    for i, item in enumerate(seq.items if seq else ()):
        path = (ck.scalar(item, f"withheld.{i + 1}", TOP_KEYS["withheld"]) or "").strip()
        if path:
            ck.locations[f"withheld:{path}"] = item.loc
            out.append(path)
    return tuple(dict.fromkeys(out))


# ---------------------------------------------------------------------------
# the state and what it needs

def settle_status(ck: Checker, a: Assessment, status_node: YMap | None) -> Assessment:
    """The record with its state derived (when not written) and the rules of the life cycle
    checked: a final state needs 公表日 and nothing left from the import; 終了 its date; 置き換え
    its successor; 意見聴取中 the comment period; every typed revision exists."""
    st = a.status
    missing_pub = a.published is None
    blanks = [d.key_path for d in ck.diags if d.code in BLANK_CODES and not d.is_error]
    where = status_node
    if not st.declared:
        state = PUBLISHED if not missing_pub and not a.unplaced else DRAFT
        if state == DRAFT:
            ck.warn("R001", "状態（status: の state）が書かれていません。" + _what_is_missing(a, blanks)
                    + f"「{DRAFT}」として表示します。公表した評価書なら、足りない記載を補ってから "
                    f"status: {{state: {PUBLISHED}}} と書いてください。", where, "status.state", STATUS_KEYS["state"])
        st = replace(st, state=state)
    state_node = _node(ck, "status.state", where)
    if st.state in FINAL_STATES and st.declared:
        if missing_pub:
            ck.error("R003", f"状態が「{st.state}」ですが、表紙の公表日（cover.published）がありません。公表日を書くか、"
                     f"公表前なら状態を「{DRAFT}」か「{COMMENT}」にしてください。", state_node, "status.state", STATUS_KEYS["state"])
        if a.unplaced:
            lines = "、".join(str(u.source_line) for u in a.unplaced[:SHOWN]) + (" ほか" if len(a.unplaced) > SHOWN else "")
            ck.error("R004", f"状態が「{st.state}」ですが、取り込み時に項目へ配置できなかった記載が {len(a.unplaced)} 件"
                     f"（元の文書の {lines} 行目）残っています。正しい項目へ移して unplaced: から消すか、状態を「{DRAFT}」にしてください。",
                     state_node, "status.state", STATUS_KEYS["state"])
        if blanks:
            ck.warn("R005", f"状態が「{st.state}」ですが、記載のない項目が {len(blanks)} 件あります: {_paths(blanks)}。"
                    "原本で空欄なら「—」と書き、記載が失われたなら原本から補ってください。", state_node, "status.state", STATUS_KEYS["state"])
    if st.state == ENDED and st.ended is None:
        ck.error("R006", f"状態が「{ENDED}」ですが、事務の終了日（status.ended）がありません。", state_node, "status.ended", STATUS_KEYS["ended"])
    if st.ended is not None and st.state != ENDED:
        ck.error("R006", f"事務の終了日（status.ended）がありますが、状態が「{st.state}」です。事務が終了したなら state: {ENDED} と書いてください。",
                 _node(ck, "status.ended", where), "status.ended", STATUS_KEYS["ended"])
    if st.state == ENDED and st.ended is not None and not ENDED_IN_TITLE.search(a.title):
        ck.warn("R011", "事務が終了した評価書は、評価書名に続けて【○年○月○日 終了】と記載します（様式 記載要領）。"
                "cover.title に終了日を付けてください。", _node(ck, "cover.title", where), "cover.title", "評価書名")
    if st.state != ENDED and ENDED_IN_TITLE.search(a.title):
        ck.warn("R011", f"評価書名に【…終了】がありますが、状態が「{st.state}」です。事務が終了したなら status: に "
                f"state: {ENDED} と ended: を書いてください。", _node(ck, "cover.title", where), "cover.title", "評価書名")
    if st.state == SUPERSEDED and not st.replaced_by:
        ck.error("R008", f"状態が「{SUPERSEDED}」ですが、後継の評価書（status.replaced_by: 同じ団体のファイル名）がありません。",
                 state_node, "status.replaced_by", STATUS_KEYS["replaced_by"])
    if st.replaced_by and st.state != SUPERSEDED:
        ck.error("R008", f"後継の評価書（replaced_by）がありますが、状態が「{st.state}」です。再評価で置き換えたなら state: {SUPERSEDED} と書いてください。",
                 _node(ck, "status.replaced_by", where), "status.replaced_by", STATUS_KEYS["replaced_by"])
    for key in ("replaced_by", "replaces"):
        if getattr(st, key) == a.slug:
            ck.error("R009", f"{STATUS_KEYS[key]}にこの評価書自身（{a.slug}）は書けません。", _node(ck, f"status.{key}", where),
                     f"status.{key}", STATUS_KEYS[key])
    if st.state == COMMENT and not _comment_period(a):
        ck.error("R012", f"状態が「{COMMENT}」ですが、意見聴取の期間（評価実施手続の「意見の聴取」②実施日・期間、"
                 "procedures.public_comment.period: {start: …, end: …}）がありません。", state_node,
                 "procedures.public_comment.period", "実施日・期間")
    known = set(revision_keys(a.changes))
    for key in st.revisions:
        if key not in known:
            shown = CURRENT_KEY if key == CURRENT_REVISION else key
            ck.warn("R015", f"変更箇所に変更日が {shown} の行がありません。改訂の種類は変更箇所の変更日ごとに書きます。",
                    _node(ck, f"status.revisions.{key if key != CURRENT_REVISION else CURRENT_KEY}", where),
                    f"status.revisions.{shown}", STATUS_KEYS["revisions"])
    return replace(a, status=st)


def _comment_period(a: Assessment) -> Period | None:
    v = ((a.parts.get("procedures") or {}).get("public_comment") or {}).get("period")
    return v if isinstance(v, Period) and (v.start or v.end) else None


def _what_is_missing(a: Assessment, blanks: list[str]) -> str:
    out = []
    if a.published is None:
        out.append("表紙の公表日（cover.published）がなく")
    if a.unplaced:
        out.append(f"取り込み時に配置できなかった記載（unplaced:）が {len(a.unplaced)} 件残っており")
    if blanks:
        out.append(f"記載のない項目が {len(blanks)} 件（{_paths(blanks)}）あり")
    return "、".join(out) + "ため" if out else ""


def _paths(paths: list[str]) -> str:
    return "、".join(paths[:SHOWN]) + (f" ほか {len(paths) - SHOWN} 件" if len(paths) > SHOWN else "")


def _node(ck: Checker, path: str, fallback: YNode | None) -> YNode | None:
    loc = ck.locations.get(path)
    return YScalar(None, loc) if loc is not None else fallback


# ---------------------------------------------------------------------------
# withheld items

def withhold(ck: Checker, a: Assessment, leaves: Mapping[str, tuple[Node, Any]]) -> Assessment:
    """Drop the text of the withheld items from the record (each becomes ``WITHHELD``), and
    the before/after of the change rows that name them or repeat their text.  ``leaves`` is
    every valued item of ``a``: anchor -> (catalog node, value)."""
    paths = set(a.withheld)
    for p in a.withheld:
        if p not in leaves:
            ck.error("R016", f"公表しない項目「{p}」はこの評価書の項目ではありません（値を持つ項目の "
                     "target: と同じ書き方で書きます。例: files.main.overview.entrust.entries.1.contractor）。",
                     _node(ck, f"withheld:{p}", None), "withheld", TOP_KEYS["withheld"])
    paths &= set(leaves)
    if not paths:
        return a
    secrets = [t for p in sorted(paths) for t in _texts(leaves[p][1]) if len(t) >= 8]
    for anchor, (node, value) in leaves.items():
        if anchor in paths:
            continue
        for t in _texts(value):
            hit = next((s for s in secrets if s in t), None)
            if hit:
                ck.error("R017", f"公表しない項目の記載が「{node.printed}」（{anchor}）にも書かれていて、そのままでは公表されます。"
                         "この項目も withheld: に加えるか、記載を改めてください。", _node(ck, anchor, None), anchor, node.printed)
                break
    rows = []
    for i, row in enumerate(a.changes, 1):
        named = any(t == p or t.startswith(p + ".") for t in row.targets for p in paths)
        repeats = any(s in _flat(x) for s in secrets for x in (row.before, row.after, row.timing_note))
        if repeats and not named:
            ck.warn("R018", "この変更箇所の行は公表しない項目の記載を含むため、変更前・変更後の記載を公表しません。",
                    YScalar(None, SourceLocation(ck.doc.path, row.line, 1)), f"changes.{i}", "変更箇所")
        if named or repeats:
            row = hide_row(row)
        rows.append(row)
    parts = {k: _rebuild(a.form.part(k), v, k, paths) if a.form.part(k) is not None else v for k, v in a.parts.items()}
    files = tuple(replace(f, parts={k: _rebuild(a.form.part(k), v, f"files.{f.id}.{k}", paths) for k, v in f.parts.items()})
                  for f in a.files)
    return replace(a, parts=parts, files=files, changes=tuple(rows))


def hide_row(row: ChangeRow) -> ChangeRow:
    """A change row of a withheld item: its before/after (and their reason) are not published."""
    return replace(row, before=WITHHELD_NOTICE if row.before else row.before, after=WITHHELD_NOTICE if row.after else row.after,
                   timing_note=WITHHELD_NOTICE if row.timing_note and row.timing_note.strip() else row.timing_note)


def _flat(s: str | None) -> str:
    return " ".join((s or "").split())


def _texts(value: Any) -> list[str]:
    """The free text of a value (what could repeat a withheld item elsewhere)."""
    if isinstance(value, str):
        return [_flat(value)] if value.strip() else []
    if isinstance(value, tuple):
        return [_flat(c.detail) for c in value if isinstance(c, CheckItem) and c.detail]
    return []


def _rebuild(node: Node | None, values: Any, anchor: str, paths: set[str]) -> Any:
    """``values`` with the items at ``paths`` (anchors below ``anchor``) replaced by WITHHELD."""
    if anchor in paths:
        return WITHHELD
    if node is None or not any(p.startswith(anchor + ".") for p in paths):
        return values
    if isinstance(values, tuple):  # III blocks
        return tuple(replace(b, values=_rebuild(node, b.values, f"{anchor}.{b.id}", paths)) for b in values)
    if not isinstance(values, Mapping):
        return values
    out = dict(values)
    members = {m.key: m for m in node.data_members()}
    for key, v in values.items():
        m = members.get(key)
        path = _join(anchor, key)
        if m is not None and m.kind == "group" and isinstance(v, tuple):
            out[key] = tuple(replace(x, values=_rebuild(m, x.values, f"{path}.{x.id}", paths)) if isinstance(x, Instance) else x
                             for x in v)
        else:
            out[key] = _rebuild(m, v, path, paths)
    return out
