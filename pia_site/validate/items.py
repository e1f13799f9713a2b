"""Catalog-driven typing of an assessment's items: each catalog node's value (text, choice,
checkboxes, dates, periods, counts, flags), containers and their groups, 主な記録項目, diagrams
and the 変更箇所 rows."""
from __future__ import annotations

import re
from typing import Any

from .. import catalog as cat
from ..catalog import Form, Node
from ..content_tree import ID_RE  # the slug rule; instance and file ids follow it too
from ..diagnostics import Diagnostic, Severity
from ..load import YMap, YNode, YScalar, YSeq
from ..markup import audit_html
from ..model import ChangeRow, CheckItem, DateValue, Diagram, Instance, Period, RecordGroup, RecordItems
from .checker import Checker, _join, _label
from .options import forgiving_option, near_options

COUNT_RE = re.compile(r"^\d{1,3}(,?\d{3})*$")
TIMINGS = ("事前", "事後")
KIND_JA = {"text": "文字列", "rich": "文章", "choice": "選択肢", "check": "チェック項目の一覧", "date": "日付",
           "period": "期間", "count": "件数", "flag": "true / false"}


def _value(ck: Checker, node: Node, y: YNode | None, path: str) -> Any:
    label = _label(node)
    if y is not None:
        ck.locations[path] = y.loc
    kind = node.kind
    if kind in ("text", "rich", "count"):
        raw = ck.scalar(y, path, label)
        if raw is None or not raw.strip():
            if not node.optional:
                ck.warn("W001", "値が空です。該当しない場合は「—」と書いてください。", y, path, label)
            return None
        if kind == "count" and not cat.is_dash(raw) and not COUNT_RE.match(raw.strip()):
            ck.error("V030", f"件数「{raw}」は数字で書いてください（例: 215,000）。", y, path, label)
            return None
        if kind in ("rich", "text"):
            _audit(ck, raw, y, path, label)
        return raw.rstrip("\n") if kind == "rich" else raw.strip()
    if kind == "choice":
        raw = ck.scalar(y, path, label)
        if raw is None or not raw.strip():
            if not node.optional:
                ck.warn("W002", "選択肢が選ばれていません。", y, path, label)
            return None
        raw = raw.strip()
        if cat.is_dash(raw):
            return "—"
        canon = node.family.canonical(raw)
        if canon is None:
            canon, note = forgiving_option(node.family, raw)
            if canon is not None:
                ck.warn("W090", note, y, path, label)
                return canon
            opts = " ".join(f"{o.number}) {o.text}" for o in node.family.options)
            ck.error("V031", f"「{raw}」は選択肢にありません。{near_options(node.family, raw)}選択肢: {opts}", y, path, label)
            return None
        if canon != raw:
            ck.warn("W003", f"「{raw}」は様式の選択肢「{canon}」として扱います。", y, path, label)
        return canon
    if kind == "check":
        return _checks(ck, node, y, path, label)
    if kind in ("date", "period") and (y is None or (isinstance(y, YScalar) and not (y.value or "").strip())):
        if not node.optional:
            ck.warn("W001", "値が空です。該当しない場合は「—」と書いてください。", y, path, label)
        return None
    if kind == "date":
        return ck.date(y, path, label, node.month)
    if kind == "period":
        if isinstance(y, YScalar):
            raw = y.value
            if cat.is_dash(raw):
                return "—"
            ck.error("V032", "期間は start: と end: の日付で書いてください。", y, path, label)
            return None
        m = ck.mapping(y, path, label)
        if m is None:
            return None
        ck.unknown_keys(m, {"start": "開始日", "end": "終了日"}, path)
        start = ck.date(m.get("start"), _join(path, "start"), label, True)
        end = ck.date(m.get("end"), _join(path, "end"), label, True)
        if isinstance(start, DateValue) and isinstance(end, DateValue) and start.iso > end.iso:
            ck.error("V033", f"期間の開始日 {start.iso} が終了日 {end.iso} より後になっています。", y, path, label)
        return Period(start if isinstance(start, DateValue) else None, end if isinstance(end, DateValue) else None)
    if kind == "flag":
        raw = ck.scalar(y, path, label)
        if raw is None or not raw.strip():
            return None
        if raw.strip() not in ("true", "false"):
            ck.error("V034", f"「{raw}」ではなく true（チェックあり）か false（チェックなし）を書いてください。", y, path, label)
            return None
        return raw.strip() == "true"
    if kind == "group":
        return _group(ck, node, y, path)
    if kind == "record_items":
        return _record_items(ck, node, y, path)
    if kind == "diagrams":
        return _diagrams(ck, node, y, path)
    if kind in cat.CONTAINER_KINDS:
        return _container(ck, node, y, path)
    raise AssertionError(kind)


def _audit(ck: Checker, raw: str, y: YNode | None, path: str, label: str) -> None:
    """Allowlist audit of inline HTML, each problem located at the offending tag."""
    for p in audit_html(raw):
        snippet = raw[p.offset:].split("\n", 1)[0][:40]
        loc = ck.doc.locate(snippet, ck._loc(y)) or ck._loc(y)
        ck.diags.append(Diagnostic(p.code, p.message, loc, path, label, Severity.WARNING if p.warning else Severity.ERROR))


def _checks(ck: Checker, node: Node, y: YNode | None, path: str, label: str):
    if y is None or (isinstance(y, YScalar) and y.value is None):
        ck.warn("W004", "チェックの状態が書かれていません（不明）。チェックした選択肢をリストで書いてください。何もチェックしない場合は [] と書きます。", y, path, label)
        return None
    seq = ck.sequence(y, path, label)
    if seq is None:
        return None
    fam = node.family
    out: list[CheckItem] = []
    for i, item in enumerate(seq.items):
        ipath = _join(path, i + 1)
        detail = None
        if isinstance(item, YMap):
            if len(item.entries) != 1:
                ck.error("V035", "「選択肢: 記述」の組は 1 つずつ書いてください。", item, ipath, label)
                continue
            k, v = item.entries[0]
            text, detail = k.value or "", ck.scalar(v, ipath, label)
        else:
            text = ck.scalar(item, ipath, label) or ""
        canon = fam.canonical(text.strip())
        if canon is None:
            canon, note = forgiving_option(fam, text)
            if canon is not None:
                ck.warn("W091", note, item, ipath, label)
        if canon is None:
            opts = " / ".join(o.text for o in fam.options)
            ck.error("V036", f"「{text}」はこのチェック項目にありません。{near_options(fam, text)}項目: {opts}", item, ipath, label)
            continue
        opt = fam.option(canon)
        if detail is not None and opt.detail is None:
            ck.error("V037", f"「{canon}」には記述（括弧内の文字）を付けられません。", item, ipath, label)
        if opt.detail == "count" and detail and not COUNT_RE.match(detail.strip()):
            ck.error("V030", f"件数「{detail}」は数字で書いてください。", item, ipath, label)
        if any(c.text == canon for c in out):
            ck.error("V038", f"「{canon}」が 2 回書かれています。", item, ipath, label)
            continue
        out.append(CheckItem(canon, detail.strip() if isinstance(detail, str) and detail.strip() else None))
    exclusive = [c for c in out if fam.option(c.text).exclusive]
    if exclusive and len(out) > 1:
        ck.error("V039", f"「{exclusive[0].text}」は他の項目と同時にはチェックできません。", y, path, label)
    order = {o.text: o.number for o in fam.options}
    return tuple(sorted(out, key=lambda c: order[c.text]))


def _container(ck: Checker, node: Node, y: YNode | None, path: str, extra: dict[str, str] | None = None) -> dict:
    m = ck.mapping(y, path, _label(node))
    if m is None:
        return {}
    if y is not None:
        ck.locations[path] = y.loc
    members = [c for c in node.data_members() if c.has_value or c.is_container]
    allowed = {c.key: c.label for c in members}
    allowed.update(extra or {})
    ck.unknown_keys(m, allowed, path)
    out: dict[str, Any] = {}
    for child in members:
        cy = m.get(child.key)
        cpath = _join(path, child.key)
        if cy is None and m.key_node(child.key) is None:
            if not child.optional and _required(child):
                ck.error("V002", f"必須項目「{_label(child)}」（{child.key}）がありません。該当しない場合も「{child.key}: —」と書いてください。", m, cpath, _label(child))
            continue
        out[child.key] = _value(ck, child, cy, cpath)
    return out


def _required(node: Node) -> bool:
    if node.kind in ("group", "flag"):
        return False  # a missing group has no instances; a missing flag is unchecked
    if node.is_container:
        return any(_required(c) and not c.optional for c in node.data_members() if c.has_value or c.is_container)
    return node.has_value


def _group(ck: Checker, node: Node, y: YNode | None, path: str) -> tuple[Instance, ...]:
    seq = ck.sequence(y, path, _label(node))
    if seq is None:
        return ()
    if node.max and len(seq.items) > node.max:
        ck.error("V040", f"{node.instance_label or node.label}は最大 {node.max} 件までです（{len(seq.items)} 件あります）。", y, path, _label(node))
    out: list[Instance] = []
    seen: set[str] = set()
    for i, item in enumerate(seq.items):
        m = ck.mapping(item, _join(path, i + 1), _label(node))
        if m is None:
            continue
        iid = ck.scalar(m.get("id"), _join(path, i + 1) + ".id") or str(i + 1)
        if not ID_RE.match(iid):
            ck.error("V041", f"id「{iid}」には半角英小文字・数字・-・_ を使ってください。", m.get("id"), _join(path, i + 1) + ".id")
        if iid in seen:
            ck.error("V042", f"id「{iid}」が重複しています。", m.get("id") or item, _join(path, i + 1))
        seen.add(iid)
        no_raw = ck.scalar(m.get("no"), _join(path, iid) + ".no")
        no = i + 1
        if no_raw is not None:
            if no_raw.isdigit() and 1 <= int(no_raw) <= (node.max or 10_000):
                no = int(no_raw)
            else:
                ck.error("V043", f"no「{no_raw}」は 1〜{node.max or 10000} の数字で書いてください。", m.get("no"), _join(path, iid) + ".no")
        ipath = _join(path, iid)
        values = _container(ck, node, m, ipath, extra={"id": "識別子", "no": "番号"})
        out.append(Instance(iid, no, values))
    return tuple(out)


def _record_items(ck: Checker, node: Node, y: YNode | None, path: str) -> RecordItems | None:
    m = ck.mapping(y, path, _label(node))
    if m is None:
        return None
    ck.unknown_keys(m, {"groups": "表", "note": "備考"}, path)
    groups: list[RecordGroup] = []
    seq = ck.sequence(m.get("groups"), _join(path, "groups"), _label(node)) if m.get("groups") is not None else YSeq((), m.loc)
    for i, g in enumerate(seq.items if seq else ()):
        gpath = _join(path, f"groups.{i + 1}")
        gm = ck.mapping(g, gpath, _label(node))
        if gm is None:
            continue
        ck.unknown_keys(gm, {"name": "表の名前", "items": "項目", "start": "最初の番号"}, gpath)
        name = ck.scalar(gm.get("name"), gpath + ".name") or ""
        items_seq = ck.sequence(gm.get("items"), gpath + ".items", _label(node))
        items = tuple((ck.scalar(it, gpath + ".items") or "") for it in (items_seq.items if items_seq else ()))
        start_raw = ck.scalar(gm.get("start"), gpath + ".start")
        start = int(start_raw) if start_raw and start_raw.isdigit() else 1
        groups.append(RecordGroup(name, items, start))
    note = ck.scalar(m.get("note"), _join(path, "note"))
    if note:
        _audit(ck, note, m.get("note"), _join(path, "note"), _label(node))
    return RecordItems(tuple(groups), note)


def _diagrams(ck: Checker, node: Node, y: YNode | None, path: str) -> tuple[Diagram, ...]:
    seq = ck.sequence(y, path, _label(node))
    out: list[Diagram] = []
    keys = {"title": "表題", "subtitle": "副題", "figure": "図の画像ファイル", "notes": "備考"}
    for i, item in enumerate(seq.items if seq else ()):
        ipath = _join(path, i + 1)
        m = ck.mapping(item, ipath, _label(node))
        if m is None:
            continue
        ck.unknown_keys(m, keys, ipath)
        vals = {k: ck.scalar(m.get(k), _join(ipath, k)) for k in keys}
        if vals["notes"]:
            _audit(ck, vals["notes"], m.get("notes"), _join(ipath, "notes"), _label(node))
        out.append(Diagram(**vals))
    return tuple(out)


def _changes(ck: Checker, form: Form, y: YNode | None, path: str) -> tuple[ChangeRow, ...]:
    seq = ck.sequence(y, path, "変更箇所")
    keys = form.change_keys  # {key: printed heading}
    out: list[ChangeRow] = []
    for i, item in enumerate(seq.items if seq else ()):
        ipath = _join(path, i + 1)
        m = ck.mapping(item, ipath, "変更箇所")
        if m is None:
            continue
        ck.unknown_keys(m, keys, ipath)
        date = ck.date(m.get("date"), _join(ipath, "date"), keys["date"], False)
        vals = {k: ck.scalar(m.get(k), _join(ipath, k), keys[k]) for k in ("item", "before", "after", "timing", "timing_note")}
        for k in ("before", "after", "timing_note", "item"):
            if vals[k]:
                _audit(ck, vals[k], m.get(k), _join(ipath, k), keys[k])
        timing = (vals["timing"] or "").strip() or None
        if timing and timing not in TIMINGS:
            ck.error("V050", f"提出時期「{timing}」は「事前」か「事後」で書いてください（空欄も可）。", m.get("timing"), _join(ipath, "timing"), "提出時期")
            timing = None
        targets: list[str] = []
        t = m.get("target")
        if t is not None:
            raw_targets = [ck.scalar(x, _join(ipath, "target")) for x in t.items] if isinstance(t, YSeq) else [ck.scalar(t, _join(ipath, "target"))]
            targets = [x.strip() for x in raw_targets if x and x.strip()]
        out.append(ChangeRow(m.loc.line, date if isinstance(date, DateValue) else None, vals["item"] or "",
                             vals["before"], vals["after"], timing, vals["timing_note"], tuple(targets)))
    return tuple(out)
