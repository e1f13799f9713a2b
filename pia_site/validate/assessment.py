"""Validate: source documents -> typed model records, or located diagnostics.

Every independent problem in a file is reported in one run.  Types come only from
the form catalog; messages are Japanese and name the YAML key path and the label
printed on the form.
"""
from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from pathlib import Path
from typing import Any

from . import catalog as cat
from . import wareki
from .catalog import Form, Node
from .content_tree import ID_RE  # the slug rule; instance and file ids follow it too
from .diagnostics import Diagnostic, Severity, SourceLocation
from .guard.patterns import normalise_value
from .load import SourceDocument, YMap, YNode, YScalar, YSeq
from .markup import audit_html
from .model import (
    Assessment, Block, ChangeRow, CheckItem, DateValue, Diagram, FileEntry, Instance, Municipality,
    Period, RecordGroup, RecordItems, SiteConfig, Unplaced,
)

DATE_RE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
COUNT_RE = re.compile(r"^\d{1,3}(,?\d{3})*$")
TIMINGS = ("事前", "事後")
KIND_JA = {"text": "文字列", "rich": "文章", "choice": "選択肢", "check": "チェック項目の一覧", "date": "日付",
           "period": "期間", "count": "件数", "flag": "true / false"}


class Checker:
    """Collects diagnostics for one source document."""

    def __init__(self, doc: SourceDocument):
        self.doc = doc
        self.diags: list[Diagnostic] = []
        self.locations: dict[str, SourceLocation] = {}

    def error(self, code: str, msg: str, node: YNode | None, path: str = "", label: str = "") -> None:
        self.diags.append(Diagnostic(code, msg, self._loc(node), path, label))

    def warn(self, code: str, msg: str, node: YNode | None, path: str = "", label: str = "") -> None:
        self.diags.append(Diagnostic(code, msg, self._loc(node), path, label, Severity.WARNING))

    def _loc(self, node: YNode | None) -> SourceLocation:
        return node.loc if node is not None else SourceLocation(self.doc.path, 1, 1)

    # -- scalar helpers -------------------------------------------------
    def scalar(self, node: YNode | None, path: str, label: str = "") -> str | None:
        if node is None:
            return None
        if not isinstance(node, YScalar):
            self.error("V010", "ここには文字列を書いてください（リストやマッピングは書けません）。", node, path, label)
            return None
        return node.value

    def mapping(self, node: YNode | None, path: str, label: str = "") -> YMap | None:
        if isinstance(node, YMap):
            return node
        if isinstance(node, YScalar) and node.value is None:
            return YMap((), node.loc)
        self.error("V011", "ここには「キー: 値」の組（マッピング）を書いてください。", node, path, label)
        return None

    def sequence(self, node: YNode | None, path: str, label: str = "") -> YSeq | None:
        if isinstance(node, YSeq):
            return node
        if isinstance(node, YScalar) and node.value is None:
            return YSeq((), node.loc)
        self.error("V012", "ここには「- 」で始まるリストを書いてください。", node, path, label)
        return None

    def unknown_keys(self, ymap: YMap, allowed: dict[str, str], path: str) -> None:
        for k, _ in ymap.entries:
            key = k.value or ""
            if key in allowed:
                continue
            close = difflib.get_close_matches(key, list(allowed), n=3, cutoff=0.6)
            hint = f"もしかして: {', '.join(close)}。" if close else ""
            listing = "、".join(f"{a}（{lbl}）" if lbl else a for a, lbl in list(allowed.items())[:12])
            more = " ほか" if len(allowed) > 12 else ""
            self.error("V001", f"不明なキー「{key}」です。{hint}ここに書けるキー: {listing}{more}", k, _join(path, key))

    # -- typed values ---------------------------------------------------
    def date(self, node: YNode | None, path: str, label: str, month_ok: bool) -> DateValue | str | None:
        raw = self.scalar(node, path, label)
        if raw is None or not raw.strip():
            return None
        raw = raw.strip()
        if cat.is_dash(raw):
            return "—"
        m = DATE_RE.match(raw)
        if not m:
            fmt = "YYYY-MM-DD（月までなら YYYY-MM）" if month_ok else "YYYY-MM-DD"
            self.error("V020", f"日付「{raw}」は {fmt} の形で書いてください（例: 2026-01-26）。和暦は表示のときに自動で付きます。", node, path, label)
            return None
        y, mo, d = int(m.group(1)), int(m.group(2)), m.group(3)
        if d is None and not month_ok:
            self.error("V021", f"日付「{raw}」には日まで書いてください（YYYY-MM-DD）。", node, path, label)
            return None
        try:
            dt.date(y, mo, int(d) if d else 1)
        except ValueError:
            self.error("V022", f"日付「{raw}」は存在しない日付です。", node, path, label)
            return None
        if not wareki.can_format(y, mo, int(d) if d else None):
            first = wareki.FIRST_GREGORIAN
            since = f"{first.isoformat()}（{wareki.format_date(first.year, first.month, first.day, seireki='none')}）"
            self.error("V023", f"日付「{raw}」は和暦で表示できません。{since}以降の日付を書いてください。", node, path, label)
            return None
        return DateValue(raw, "day" if d else "month")


def _join(path: str, key: str | int) -> str:
    return f"{path}.{key}" if path else str(key)


def _label(node: Node) -> str:
    return node.printed


# ---------------------------------------------------------------------------
# catalog-driven container validation

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
            opts = " ".join(f"{o.number}) {o.text}" for o in node.family.options)
            ck.error("V031", f"「{raw}」は選択肢にありません。選択肢: {opts}", y, path, label)
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
            opts = " / ".join(o.text for o in fam.options)
            ck.error("V036", f"「{text}」はこのチェック項目にありません。項目: {opts}", item, ipath, label)
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


# ---------------------------------------------------------------------------
# documents

def validate_assessment(doc: SourceDocument, municipality: str) -> tuple[Assessment | None, list[Diagnostic]]:
    ck = Checker(doc)
    slug = doc.path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if not ID_RE.match(slug):
        ck.error("V003", f"ファイル名「{slug}」は URL になるため、半角英小文字・数字・-・_ で付けてください。", None)
    if doc.root is None:
        if not ck.diags and not doc.unreadable:
            ck.error("V004", "ファイルが空です。", None)
        return None, ck.diags
    top = ck.mapping(doc.root, "")
    if top is None:
        return None, ck.diags
    form = _form_of(ck, top)
    if form is None:
        return None, ck.diags
    doc_parts = [p for p in form.parts if p.scope in ("document", "file_block")]
    file_parts = [p for p in form.parts if p.scope == "file"]
    allowed = {"form": "評価書の種類", "edition": "様式の版", "files": "特定個人情報ファイル", "ended": "事務の終了日",
               "unplaced": "取り込み時に配置できなかった記載"}
    allowed.update({p.key: p.printed for p in doc_parts})
    ck.unknown_keys(top, allowed, "")
    parts: dict[str, Any] = {}
    changes: tuple[ChangeRow, ...] = ()
    for part in doc_parts:
        y = top.get(part.key)
        if y is None and top.key_node(part.key) is None:
            if _required(part) or part.kind == "changelog":
                ck.error("V002", f"「{part.printed}」（{part.key}）がありません。", top, part.key, part.printed)
            continue
        if part.kind == "changelog":
            changes = _changes(ck, form, y, part.key)
        elif part.scope == "file_block":
            parts[part.key] = _blocks(ck, part, y, part.key)
        elif part.kind in cat.SPECIAL_KINDS:
            parts[part.key] = _value(ck, part, y, part.key)
        else:
            parts[part.key] = _container(ck, part, y, part.key)
    files = _files(ck, top.get("files"), file_parts) if file_parts else ()
    _check_block_files(ck, form, parts, files, top)
    ended = ck.date(top.get("ended"), "ended", "事務の終了日", False) if top.get("ended") is not None else None
    unplaced = _unplaced(ck, top.get("unplaced")) if top.get("unplaced") is not None else ()
    if any(d.is_error for d in ck.diags):
        return None, ck.diags
    return Assessment(slug, municipality, doc.path, form, parts, files, changes,
                      ended=ended if isinstance(ended, DateValue) else None, unplaced=unplaced,
                      locations=dict(ck.locations)), ck.diags


def _unplaced(ck: Checker, y: YNode) -> tuple[Unplaced, ...]:
    """``unplaced: [{line: 120, text: …, near: key.path}]`` — each entry is a warning."""
    seq = ck.sequence(y, "unplaced")
    out: list[Unplaced] = []
    for i, item in enumerate(seq.items if seq else ()):
        ipath = f"unplaced.{i + 1}"
        m = ck.mapping(item, ipath)
        if m is None:
            continue
        ck.unknown_keys(m, {"line": "元の文書の行", "text": "記載", "near": "近くの項目"}, ipath)
        line_raw = ck.scalar(m.get("line"), ipath + ".line") or ""
        text = ck.scalar(m.get("text"), ipath + ".text") or ""
        near = ck.scalar(m.get("near"), ipath + ".near") or ""
        if not line_raw.isdigit():
            ck.error("V070", "line には元の文書の行番号を数字で書いてください。", m.get("line") or m, ipath + ".line")
            continue
        _audit(ck, text, m.get("text"), ipath + ".text", "")
        ck.warn("W020", f"元の文書の {line_raw} 行目の記載が項目に配置されていません: 「{text[:40]}{'…' if len(text) > 40 else ''}」 正しい項目へ移してください。", m, ipath)
        out.append(Unplaced(int(line_raw), text, near))
    return tuple(out)


def _form_of(ck: Checker, top: YMap) -> Form | None:
    raw = ck.scalar(top.get("form"), "form", "評価書の種類")
    kind = cat.form_kind(raw or "")
    if kind is None:
        msg = "「form」（評価書の種類）がありません。" if raw is None else f"評価書の種類「{raw}」は使えません。"
        ck.error("V005", msg + f"{cat.form_names_ja()}を書いてください。", top.get("form") or top, "form", "評価書の種類")
        return None
    edition = ck.scalar(top.get("edition"), "edition", "様式の版")
    form = cat.find_form(kind, (edition or "").strip())
    if form is None:
        info = cat.kind_info(kind)
        known = "、".join(info.editions)
        ck.error("V006", f"{info.name}の様式の版「{edition or ''}」は未対応です。対応している版: {known}", top.get("edition") or top, "edition", "様式の版")
    return form


def _files(ck: Checker, y: YNode | None, file_parts: list[Node]) -> tuple[FileEntry, ...]:
    if y is None:
        ck.error("V002", "「files」（特定個人情報ファイル）がありません。ファイルごとに id と name を書いてください。", None, "files", "特定個人情報ファイル")
        return ()
    seq = ck.sequence(y, "files", "特定個人情報ファイル")
    out: list[FileEntry] = []
    allowed = {"id": "識別子", "name": "特定個人情報ファイル名"}
    allowed.update({p.key: p.printed for p in file_parts})
    seen: set[str] = set()
    for i, item in enumerate(seq.items if seq else ()):
        m = ck.mapping(item, f"files.{i + 1}", "特定個人情報ファイル")
        if m is None:
            continue
        fid = ck.scalar(m.get("id"), f"files.{i + 1}.id") or ""
        if not ID_RE.match(fid):
            ck.error("V041", f"ファイルの id「{fid}」には半角英小文字・数字・-・_ を使ってください。", m.get("id") or m, f"files.{i + 1}.id")
        if fid in seen:
            ck.error("V042", f"ファイルの id「{fid}」が重複しています。", m.get("id"), f"files.{i + 1}.id")
        seen.add(fid)
        name = ck.scalar(m.get("name"), f"files.{fid}.name", "特定個人情報ファイル名")
        if m.key_node("name") is None:
            ck.error("V002", "特定個人情報ファイル名（name）がありません。", m, f"files.{fid}.name", "特定個人情報ファイル名")
        elif not name:
            ck.warn("W001", "値が空です。", m.get("name"), f"files.{fid}.name", "特定個人情報ファイル名")
        ck.unknown_keys(m, allowed, f"files.{fid}")
        fparts: dict[str, Any] = {}
        for part in file_parts:
            py = m.get(part.key)
            ppath = f"files.{fid}.{part.key}"
            if py is None and m.key_node(part.key) is None:
                if _required(part):
                    ck.error("V002", f"「{part.printed}」（{part.key}）がありません。", m, ppath, part.printed)
                continue
            fparts[part.key] = _value(ck, part, py, ppath) if part.kind in cat.SPECIAL_KINDS else _container(ck, part, py, ppath)
        out.append(FileEntry(fid, (name or "").strip(), i + 1, fparts))
    if seq is not None and not seq.items:
        ck.error("V044", "特定個人情報ファイルを 1 つ以上書いてください。", y, "files")
    return tuple(out)


def _blocks(ck: Checker, part: Node, y: YNode | None, path: str) -> tuple[Block, ...]:
    seq = ck.sequence(y, path, part.printed)
    out: list[Block] = []
    for i, item in enumerate(seq.items if seq else ()):
        m = ck.mapping(item, _join(path, i + 1), part.printed)
        if m is None:
            continue
        bid = ck.scalar(m.get("id"), _join(path, i + 1) + ".id") or str(i + 1)
        bpath = _join(path, bid)
        fy = m.get("files")
        files: tuple[str, ...] = ()
        if fy is None:
            ck.error("V002", "この評価の対象ファイル（files: [ファイルの id]）がありません。", m, bpath + ".files", "特定個人情報ファイル名")
        else:
            fseq = ck.sequence(fy, bpath + ".files")
            files = tuple((ck.scalar(f, bpath + ".files") or "").strip() for f in (fseq.items if fseq else ()))
            ck.locations[bpath + ".files"] = fy.loc
        values = _container(ck, part, m, bpath, extra={"id": "識別子", "files": "対象ファイル"})
        out.append(Block(bid, i + 1, files, values))
    return tuple(out)


def _check_block_files(ck: Checker, form: Form, parts: dict, files: tuple[FileEntry, ...], top: YMap) -> None:
    ids = {f.id for f in files}
    covered: set[str] = set()
    for part in form.parts:
        if part.scope != "file_block":
            continue
        for block in parts.get(part.key, ()):
            for fid in block.files:
                covered.add(fid)
                if fid not in ids:
                    ck.error("V045", f"ファイル「{fid}」は files にありません。files の id: {', '.join(sorted(ids))}",
                             top.get(part.key), f"{part.key}.{block.id}.files", part.printed)
        missing = ids - covered
        if parts.get(part.key) and missing:
            ck.warn("W010", f"ファイル {', '.join(sorted(missing))} を対象とする「{part.printed}」がありません。", top.get(part.key), part.key, part.printed)


# ---------------------------------------------------------------------------
# municipality.yaml and site.yaml

def code_check_digit(code: str) -> bool:
    """全国地方公共団体コード: 5 digits plus a check digit (modulus 11)."""
    if not re.fullmatch(r"\d{6}", code):
        return False
    s = sum(int(c) * w for c, w in zip(code[:5], (6, 5, 4, 3, 2)))
    r = s % 11
    check = (11 - r) % 10 if r else 1
    return int(code[5]) == check


def validate_municipality(doc: SourceDocument, slug: str) -> tuple[Municipality | None, list[Diagnostic]]:
    ck = Checker(doc)
    if not ID_RE.match(slug):
        ck.error("V003", f"フォルダ名「{slug}」は URL になるため、半角英小文字・数字・-・_ で付けてください。", None)
    top = ck.mapping(doc.root, "") if doc.root is not None else None
    if top is None:
        if doc.root is None and not ck.diags and not doc.unreadable:
            ck.error("V004", "ファイルが空です。", None)
        return None, ck.diags
    keys = {"name": "団体名", "prefecture": "都道府県", "code": "全国地方公共団体コード", "bodies": "評価実施機関"}
    ck.unknown_keys(top, keys, "")
    vals = {}
    for k in ("name", "prefecture", "code"):
        v = ck.scalar(top.get(k), k, keys[k])
        if not v or not v.strip():
            ck.error("V002", f"「{keys[k]}」（{k}）がありません。", top.get(k) or top, k, keys[k])
        vals[k] = (v or "").strip()
    if vals["code"] and not code_check_digit(vals["code"]):
        ck.error("V060", f"全国地方公共団体コード「{vals['code']}」が正しくありません（6 桁で、最後の桁は検査数字）。引用符で囲んで \"013005\" のように書くと確実です。", top.get("code"), "code", keys["code"])
    bodies: list[str] = []
    if top.get("bodies") is not None:
        seq = ck.sequence(top.get("bodies"), "bodies", keys["bodies"])
        bodies = [b for b in ((ck.scalar(x, "bodies") or "").strip() for x in (seq.items if seq else ())) if b]
    if any(d.is_error for d in ck.diags):
        return None, ck.diags
    return Municipality(slug, vals["name"], vals["prefecture"], vals["code"], tuple(bodies), doc.path), ck.diags


SITE_KEYS = {"title": "サイト名", "description": "説明", "base_url": "公開URL", "gannen": "元年表記",
             "seireki": "西暦の表示", "empty_buckets": "空の枠見出しの表示", "theme_dir": "テーマのフォルダ",
             "allow_unsafe_templates": "テンプレートの safe を許可", "personal_data_allow": "公開してよい番号・所在地"}


def validate_site(doc: SourceDocument | None) -> tuple[SiteConfig | None, list[Diagnostic]]:
    if doc is None or doc.unreadable:
        return None, []  # a file that could not be read: load reported why
    ck = Checker(doc)
    top = ck.mapping(doc.root, "") if doc.root is not None else YMap((), SourceLocation(doc.path, 1, 1))
    if top is None:
        return None, ck.diags
    ck.unknown_keys(top, SITE_KEYS, "")
    title = (ck.scalar(top.get("title"), "title", "サイト名") or "").strip()
    if not title:
        ck.error("V002", "サイト名（title）がありません。", top.get("title") or top, "title", "サイト名")
    desc = (ck.scalar(top.get("description"), "description") or "").strip()
    base = (ck.scalar(top.get("base_url"), "base_url") or "").strip()
    if base and not re.match(r"^https?://", base):
        ck.error("V061", "公開URL（base_url）は http:// か https:// で始めてください。", top.get("base_url"), "base_url")

    def flag(key: str, default: bool) -> bool:
        raw = ck.scalar(top.get(key), key)
        if raw is None:
            return default
        if raw not in ("true", "false"):
            ck.error("V034", f"{SITE_KEYS[key]}（{key}）は true か false で書いてください。", top.get(key), key)
            return default
        return raw == "true"

    seireki = (ck.scalar(top.get("seireki"), "seireki") or "after").strip()
    if seireki not in ("after", "before", "none"):
        ck.error("V062", "西暦の表示（seireki）は after・before・none のどれかです。", top.get("seireki"), "seireki")
    allow = _personal_data_allow(ck, top.get("personal_data_allow"))
    theme_dir = _theme_dir(ck, top, doc.path)
    cfg = SiteConfig(title, desc, base.rstrip("/"), flag("gannen", True), seireki, flag("empty_buckets", True), doc.path,
                     personal_data_allow=allow, theme_dir=theme_dir,
                     allow_unsafe_templates=flag("allow_unsafe_templates", False))
    if any(d.is_error for d in ck.diags):
        return None, ck.diags
    return cfg, ck.diags


def _personal_data_allow(ck: Checker, node: YNode | None) -> tuple[str, ...]:
    """site.yaml ``personal_data_allow``: strings the personal-data guard lets through."""
    key, label = "personal_data_allow", SITE_KEYS["personal_data_allow"]
    seq = ck.sequence(node, key, label) if node is not None else None
    out: list[str] = []
    for i, item in enumerate(seq.items if seq else ()):
        value = ck.scalar(item, f"{key}[{i}]", label)
        if isinstance(item, YScalar) and not normalise_value(value or ""):
            ck.error("P090", "空の項目です。公開してよい電話番号・所在地などを文字列で書くか、この行を消してください。",
                     item, f"{key}[{i}]", label)
        elif value is not None:
            out.append(value)
    return tuple(out)


def _theme_dir(ck: Checker, top: YMap, site_path: str) -> str:
    """site.yaml ``theme_dir``: a folder (relative to site.yaml) holding the site's templates/
    and assets/ overrides; the absolute path, or "" when there is none."""
    from .theme import DEFAULT_ASSETS, DEFAULT_TEMPLATES

    here = Path(os.path.abspath(site_path)).parent
    node = top.get("theme_dir")
    raw = (ck.scalar(node, "theme_dir", SITE_KEYS["theme_dir"]) or "").strip()
    if not raw:
        beside = [p for p in (here.parent / "templates", here.parent / "assets")
                  if p.is_dir() and p.resolve() not in (DEFAULT_TEMPLATES.resolve(), DEFAULT_ASSETS.resolve())]
        if beside:
            names = "・".join(f"{p.name}/" for p in beside)
            ck.warn("W080", f"コンテンツのフォルダの隣に {names} がありますが、使いません。サイト独自のテンプレートや"
                            "ファイルを使うには、site.yaml に theme_dir: でそれらを含むフォルダを指定してください"
                            "（今のフォルダをそのまま使うなら theme_dir: ..）。", top)
        return ""
    folder = Path(os.path.abspath(here / raw))
    if not folder.is_dir():
        ck.error("V080", f"テーマのフォルダ（theme_dir）「{raw}」が見つかりません（{folder}）。site.yaml のあるフォルダ"
                         "からの相対パスで、templates/ や assets/ を含むフォルダを指定してください。", node, "theme_dir",
                 SITE_KEYS["theme_dir"])
        return ""
    return str(folder)
