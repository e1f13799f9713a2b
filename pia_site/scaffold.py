"""Scaffold: a new assessment YAML with every item of the form present, empty,
and its printed label and options as a comment."""
from __future__ import annotations

from .catalog import Form, Node
from .model import DRAFT, PUBLISHED, STATES

SCHEMA_HINT = "# yaml-language-server: $schema={schema}\n"


def _comment(node: Node) -> str:
    text = f"# {node.printed}"
    if node.star:
        text += " ※"
    if node.family is not None:
        text += " — 選択肢: " + " ".join(f"{o.number}) {o.text}" for o in node.family.options)
    if node.kind == "date":
        text += " — 日付 YYYY-MM-DD" + ("（YYYY-MM も可）" if node.month else "")
    return text


def _container_lines(node: Node, indent: int) -> list[str]:
    pad = "  " * indent
    lines: list[str] = []
    for m in node.data_members():
        if m.kind in ("ref", "fixed", "derived", "heading"):
            lines.append(f"{pad}{_comment(m)}（自動で表示されます）")
            continue
        lines.append(f"{pad}{_comment(m)}")
        if m.kind == "group":
            lines.append(f"{pad}{m.key}:")
            lines.append(f"{pad}  - # {m.instance_label}1")
            inner = _container_lines(m, indent + 2)
            lines.extend(inner)
        elif m.is_container:
            lines.append(f"{pad}{m.key}:")
            lines.extend(_container_lines(m, indent + 1))
        elif m.kind == "flag":
            lines.append(f"{pad}{m.key}: false")
        elif m.kind == "period":
            lines.append(f"{pad}{m.key}:")
        else:
            lines.append(f"{pad}{m.key}:")
    return lines


def scaffold(form: Form, schema_url: str = "") -> str:
    out: list[str] = []
    if schema_url:
        out.append(SCHEMA_HINT.format(schema=schema_url).rstrip("\n"))
    out.append(f"# {form.title} {form.stamp}")
    out.append(f"form: {form.name}")
    out.append(f"edition: {form.edition}")
    out.append(f"# 評価書の状態: {'・'.join(STATES)}（公表したら公表日を書いて「{PUBLISHED}」に）")
    out.append("status:")
    out.append(f"  state: {DRAFT}")
    file_parts = [p for p in form.parts if p.scope == "file"]
    for part in form.parts:
        if part.scope == "file":
            continue
        out.append(f"# {part.printed}")
        if part.kind == "changelog":
            out.append(f"{part.key}: []")
        elif part.scope == "file_block":
            out.append(f"{part.key}:")
            out.append("  - files: [file1]")
            out.extend(_container_lines(part, 2))
        elif part.kind == "diagrams":
            out.append(f"{part.key}: []")
        else:
            out.append(f"{part.key}:")
            out.extend(_container_lines(part, 1))
    if not file_parts:
        return "\n".join(out) + "\n"  # a form without 特定個人情報ファイル parts has no files:
    # files come after the document-scoped parts; their position in the YAML does not matter
    out.append("# 特定個人情報ファイル（ファイルごとに II と記録項目を書きます）")
    out.append("files:")
    out.append("  - id: file1")
    out.append("    name:")
    for part in file_parts:
        out.append(f"    # {part.printed}")
        if part.kind == "record_items":
            out.append(f"    {part.key}:")
            out.append("      groups: []")
        else:
            out.append(f"    {part.key}:")
            out.extend(_container_lines(part, 3))
    return "\n".join(out) + "\n"
