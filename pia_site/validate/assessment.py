"""Validate: source documents -> typed model records, or located diagnostics.

Every independent problem in a file is reported in one run.  Types come only from
the form catalog; messages are Japanese and name the YAML key path and the label
printed on the form.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from .. import anchors
from .. import catalog as cat
from .. import partner
from ..catalog import Form, Node
from ..content_tree import ID_RE  # the slug rule; instance and file ids follow it too
from ..diagnostics import Diagnostic
from ..load import SourceDocument, YMap, YNode
from ..model import Assessment, Block, ChangeRow, FileEntry, Unplaced
from .checker import Checker, _join
from .items import _audit, _changes, _container, _required, _value
from .lifecycle import TOP_KEYS, read_status, read_withheld, settle_status, withhold
from .procedure import procedure_diagnostics
from .links import OFFICIAL_LINKS, official_links


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
    allowed = {"form": "評価書の種類", "edition": "様式の版", "files": "特定個人情報ファイル",
               "unplaced": "取り込み時に配置できなかった記載", partner.KEY: partner.LABEL, **TOP_KEYS}
    allowed.update(OFFICIAL_LINKS)
    allowed.update({p.key: p.printed for p in doc_parts})
    if top.key_node("ended") is not None:
        ck.error("V001", "事務の終了日は status: の中に書きます（status: {state: 終了, ended: YYYY-MM-DD}）。",
                 top.key_node("ended"), "ended", "事務の終了日")
        allowed["ended"] = "事務の終了日"
    ck.unknown_keys(top, allowed, "")
    status = read_status(ck, top.get("status"))
    withheld = read_withheld(ck, top.get("withheld"))
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
    unplaced = _unplaced(ck, top.get("unplaced")) if top.get("unplaced") is not None else ()
    kiso = partner.read_partner(ck, top, form)
    links = official_links(ck, top)
    if any(d.is_error for d in ck.diags):
        return None, ck.diags
    a = Assessment(slug, municipality, doc.path, form, parts, files, changes, status=status, withheld=withheld,
                   unplaced=unplaced, kiso=kiso, **links, locations=dict(ck.locations))
    a = settle_status(ck, a, top.get("status") or top)
    a = withhold(ck, a, {s.anchor: (s.node, s.value) for s in anchors.leaves(a)})
    ck.diags.extend(procedure_diagnostics(a))
    if any(d.is_error for d in ck.diags):
        return None, ck.diags
    return replace(a, locations=dict(ck.locations)), ck.diags


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
