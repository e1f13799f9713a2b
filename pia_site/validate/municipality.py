"""municipality.yaml → Municipality: 団体名, 都道府県, 全国地方公共団体コード (with its check
digit), 評価実施機関."""
from __future__ import annotations

import re

from ..content_tree import ID_RE  # the slug rule: the folder name is the URL
from ..diagnostics import Diagnostic
from ..load import SourceDocument
from ..model import Municipality
from .checker import Checker


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
