"""site.yaml → SiteConfig: the site's title and URL, 和暦 display, the theme folder, unsafe
templates, and the strings the personal-data guard lets through."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Mapping

from ..diagnostics import Diagnostic, SourceLocation
from ..guard.patterns import normalise_value
from ..load import SourceDocument, YMap, YNode, YScalar
from ..model import DateValue, SiteConfig
from .lifecycle import as_of_from_epoch
from .checker import Checker

SITE_KEYS = {"title": "サイト名", "description": "説明", "base_url": "公開URL", "gannen": "元年表記",
             "seireki": "西暦の表示", "empty_buckets": "空の枠見出しの表示", "theme_dir": "テーマのフォルダ",
             "allow_unsafe_templates": "テンプレートの safe を許可", "personal_data_allow": "公開してよい番号・所在地",
             "data_license": "オープンデータの利用条件", "data_license_url": "オープンデータの利用条件のURL",
             "as_of": "手続の期限を判定する基準日"}


def validate_site(doc: SourceDocument | None, environ: Mapping[str, str] | None = None) -> tuple[SiteConfig | None, list[Diagnostic]]:
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
    licence = _data_license(ck, top)
    as_of = _as_of(ck, top, os.environ if environ is None else environ)
    cfg = SiteConfig(title, desc, base.rstrip("/"), flag("gannen", True), seireki, flag("empty_buckets", True), doc.path,
                     personal_data_allow=allow, theme_dir=theme_dir,
                     allow_unsafe_templates=flag("allow_unsafe_templates", False), as_of=as_of, **licence)
    if any(d.is_error for d in ck.diags):
        return None, ck.diags
    return cfg, ck.diags


def _data_license(ck: Checker, top: YMap) -> dict[str, str]:
    """site.yaml ``data_license`` / ``data_license_url``: the licence of the open data under data/
    (default: 公共データ利用規約（第1.0版）, compatible with CC BY 4.0).  A licence named without
    its URL gets none (D101 when only the URL is given)."""
    name = (ck.scalar(top.get("data_license"), "data_license", SITE_KEYS["data_license"]) or "").strip()
    url = (ck.scalar(top.get("data_license_url"), "data_license_url", SITE_KEYS["data_license_url"]) or "").strip()
    if top.get("data_license") is not None and not name:
        ck.error("D101", "オープンデータの利用条件（data_license）が空です。利用条件の名前を書くか、この行を消して"
                         "既定の「公共データ利用規約（第1.0版）」にしてください。", top.get("data_license"), "data_license",
                 SITE_KEYS["data_license"])
    if url and not re.match(r"^https?://", url):
        ck.error("D102", "オープンデータの利用条件のURL（data_license_url）は http:// か https:// で始めてください。",
                 top.get("data_license_url"), "data_license_url", SITE_KEYS["data_license_url"])
    if url and not name:
        ck.error("D101", "data_license_url だけでは利用条件がわかりません。data_license に利用条件の名前も書いてください。",
                 top.get("data_license_url"), "data_license_url", SITE_KEYS["data_license_url"])
    if not name:
        return {}
    return {"data_license": name, "data_license_url": url}


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
    from ..theme import DEFAULT_ASSETS, DEFAULT_TEMPLATES

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


def _as_of(ck: Checker, top: YMap, environ: Mapping[str, str]) -> DateValue | None:
    """site.yaml ``as_of`` (the date the procedure lints judge by), else the environment's
    ``SOURCE_DATE_EPOCH`` (as a date in Japan); never the wall clock, so builds repeat."""
    node = top.get("as_of")
    if node is not None:
        v = ck.date(node, "as_of", SITE_KEYS["as_of"], False)
        return v if isinstance(v, DateValue) else None
    raw = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    day = as_of_from_epoch(raw)
    if day is None:
        ck.warn("R040", f"環境変数 SOURCE_DATE_EPOCH「{raw}」は秒数（整数）ではないため、手続の期限は判定しません。", None)
    return day
