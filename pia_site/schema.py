"""JSON Schema for assessment YAML, generated from the form catalog.

Editors (VS Code's YAML extension) use it to complete keys and options, with the
printed Japanese labels as titles.  The validator stays the authority; the schema
mirrors it (strings everywhere, as the strict loader keeps scalars).
"""
from __future__ import annotations

import json
import re

from .catalog import DASHES, Form, Node, all_forms, kind_info
from .model import REVISION_KINDS, STATES
from .validate.lifecycle import STATUS_KEYS, TOP_KEYS
from .validate.links import HTTPS_PATTERN, OFFICIAL_LINKS

DRAFT = "http://json-schema.org/draft-07/schema#"
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
DATE = r"^\d{4}-\d{2}-\d{2}$"
DATE_OR_MONTH = r"^\d{4}-\d{2}(-\d{2})?$"
DASH = {"enum": sorted(DASHES)}
NULL = {"type": "null"}


def schema_filename(form: Form) -> str:
    return f"{form.kind}-{_edition_slug(form.edition)}.schema.json"


def _edition_slug(edition: str) -> str:
    m = re.match(r"(平成|令和)(\d+)年(\d+)月", edition)
    era = {"平成": "h", "令和": "r"}[m.group(1)] if m else "e"
    return f"{era}{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else edition


def _describe(node: Node) -> str:
    text = node.printed + (" ※（重要な変更の対象）" if node.important else "")
    if node.family is not None:
        text += "\n選択肢: " + " ".join(f"{o.number}) {o.text}" for o in node.family.options)
    return text


def _leaf(node: Node) -> dict:
    base = {"title": node.printed, "description": _describe(node)}
    k = node.kind
    if k in ("text", "rich"):
        return {**base, "type": ["string", "number", "null"]}
    if k == "count":
        return {**base, "anyOf": [{"type": "string", "pattern": r"^\d{1,3}(,?\d{3})*$"}, {"type": "integer", "minimum": 0}, DASH, NULL]}
    if k == "choice":
        options = list(node.family.texts) + [a for a, _ in node.family.aliases]
        return {**base, "anyOf": [{"enum": list(node.family.texts), "markdownEnumDescriptions": []}, {"enum": options}, DASH, NULL]}
    if k == "check":
        plain = [o.text for o in node.family.options]
        detailed = {o.text: {"type": ["string", "integer", "null"] if o.detail == "count" else ["string", "number", "null"]}
                    for o in node.family.options if o.detail}
        item = {"anyOf": [{"enum": plain}]}
        if detailed:
            item["anyOf"].append({"type": "object", "properties": detailed, "additionalProperties": False, "minProperties": 1, "maxProperties": 1})
        return {**base, "type": ["array", "null"], "items": item, "uniqueItems": True}
    if k == "date":
        return {**base, "anyOf": [{"type": "string", "pattern": DATE_OR_MONTH if node.month else DATE}, DASH, NULL]}
    if k == "period":
        d = {"type": ["string", "null"], "pattern": DATE_OR_MONTH}
        return {**base, "anyOf": [{"type": "object", "properties": {"start": d, "end": d}, "additionalProperties": False}, DASH, NULL]}
    if k == "flag":
        return {**base, "anyOf": [{"type": "boolean"}, NULL]}
    if k == "record_items":
        group = {"type": "object", "properties": {"name": {"type": "string", "title": "表の名前"},
                 "items": {"type": "array", "items": {"type": ["string", "number", "null"]}, "title": "項目"},
                 "start": {"type": ["string", "integer"], "title": "最初の番号"}}, "additionalProperties": False}
        return {**base, "type": ["object", "null"], "properties": {"groups": {"type": "array", "items": group}, "note": {"type": ["string", "null"]}}, "additionalProperties": False}
    if k == "diagrams":
        d = {"type": "object", "properties": {x: {"type": ["string", "number", "null"]} for x in ("title", "subtitle", "figure", "notes")}, "additionalProperties": False}
        return {**base, "type": ["array", "null"], "items": d}
    raise ValueError(k)


def _container(node: Node, extra: dict | None = None) -> dict:
    props: dict = dict(extra or {})
    required = []
    for m in node.data_members():
        if m.kind in ("ref", "fixed", "derived", "heading"):
            continue
        if m.kind == "group":
            inst = _container(m, {"id": {"type": ["string", "integer"], "pattern": ID_PATTERN, "title": "識別子（リンク用）"},
                                  "no": {"type": ["string", "integer"], "title": "番号"}})
            props[m.key] = {"title": m.printed, "description": _describe(m), "type": ["array", "null"], "items": inst, "maxItems": m.max or 10000}
        elif m.is_container:
            props[m.key] = {"title": m.printed, "description": _describe(m), **_container(m)}
        else:
            props[m.key] = _leaf(m)
            if not m.optional and m.kind != "flag":
                required.append(m.key)
    out = {"type": ["object", "null"], "properties": props, "additionalProperties": False}
    if required:
        out["required"] = required
    return out


# the value each change-row column takes; its title is the form's printed heading (catalog)
CHANGE_VALUES = {
    "date": {"anyOf": [{"type": "string", "pattern": DATE}, NULL]},
    "item": {"type": ["string", "null"]},
    "before": {"type": ["string", "number", "null"]},
    "after": {"type": ["string", "number", "null"]},
    "timing": {"enum": ["事前", "事後", None, ""]},
    "timing_note": {"type": ["string", "null"]},
    "target": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}, NULL]},
}


def change_row(form: Form) -> dict:
    return {"type": "object", "additionalProperties": False,
            "properties": {k: {"title": title, **CHANGE_VALUES[k]} for k, title in form.change_keys.items()}}


def status_schema() -> dict:
    """``status:``, the document's life cycle (validate.lifecycle)."""
    date = {"anyOf": [{"type": "string", "pattern": DATE}, NULL]}
    slug = {"type": ["string", "null"], "pattern": ID_PATTERN}
    props = {"state": {"enum": list(STATES)}, "ended": date, "reviewed": date, "replaced_by": slug, "replaces": slug,
             "revisions": {"type": ["object", "null"], "propertyNames": {"pattern": r"^(\d{4}-\d{2}-\d{2}|今回)$"},
                           "additionalProperties": {"enum": list(REVISION_KINDS)}}}
    return {"title": TOP_KEYS["status"], "type": ["object", "null"], "additionalProperties": False,
            "properties": {k: {"title": STATUS_KEYS[k], **v} for k, v in props.items()}}


def form_schema(form: Form) -> dict:
    names = list(kind_info(form.kind).names)
    props: dict = {
        "form": {"title": "評価書の種類", "enum": names},
        "edition": {"title": "様式の版", "const": form.edition},
        "status": status_schema(),
        "withheld": {"title": TOP_KEYS["withheld"], "type": ["array", "null"], "items": {"type": "string"},
                     "description": "公表しない項目の位置（target: と同じ書き方）。ページ・検索・差分・フィードに出ません。"},
        "unplaced": {"title": "取り込み時に配置できなかった記載", "type": "array", "items": {"type": "object", "properties": {
            "line": {"type": ["string", "integer"]}, "text": {"type": ["string", "null"]}, "near": {"type": ["string", "null"]}}, "additionalProperties": False}},
        **{key: {"title": label, "anyOf": [{"type": "string", "pattern": HTTPS_PATTERN}, NULL]} for key, label in OFFICIAL_LINKS.items()},
    }
    required = ["form", "edition"]
    file_props: dict = {"id": {"type": "string", "pattern": ID_PATTERN, "title": "識別子"}, "name": {"type": ["string", "number", "null"], "title": "特定個人情報ファイル名"}}
    for part in form.parts:
        if part.kind == "changelog":
            props[part.key] = {"title": part.printed, "type": ["array", "null"], "items": change_row(form)}
        elif part.scope == "file":
            file_props[part.key] = {"title": part.printed, **(_leaf(part) if part.kind in ("record_items", "diagrams") else _container(part))}
        elif part.scope == "file_block":
            block = _container(part, {"id": {"type": ["string", "integer"], "pattern": ID_PATTERN}, "files": {"type": "array", "items": {"type": "string"}, "title": "対象ファイル"}})
            props[part.key] = {"title": part.printed, "type": "array", "items": block}
            required.append(part.key)
        elif part.kind in ("record_items", "diagrams"):
            props[part.key] = _leaf(part)
        else:
            props[part.key] = {"title": part.printed, **_container(part)}
            required.append(part.key)
    if any(p.scope == "file" for p in form.parts):
        props["files"] = {"title": "特定個人情報ファイル", "type": "array", "minItems": 1,
                          "items": {"type": "object", "properties": file_props, "required": ["id", "name"], "additionalProperties": False}}
        required.append("files")
    return {"$schema": DRAFT, "title": f"{form.title} {form.stamp}".strip(), "type": "object",
            "properties": props, "required": required, "additionalProperties": False}


def all_schemas() -> dict[str, str]:
    """{file name: JSON text}, deterministic."""
    return {schema_filename(f): json.dumps(form_schema(f), ensure_ascii=False, indent=1, sort_keys=True) + "\n" for f in all_forms()}
