"""Test helpers shared by the pipeline tests (plain functions, no fixtures)."""
from __future__ import annotations

import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

SITE_YAML = "title: テストサイト\ngannen: true\nseireki: after\n"
MUNI_YAML = "name: 越谷市\nprefecture: 埼玉県\ncode: \"112224\"\nbodies: [越谷市長]\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def make_content(root: Path, assessments: dict[str, str] | None = None, muni: str = MUNI_YAML, slug: str = "koshigaya") -> Path:
    """A content dir with site.yaml, one municipality and the given assessment files."""
    content = root / "content"
    write(content / "site.yaml", SITE_YAML)
    write(content / slug / "municipality.yaml", muni)
    for name, text in (assessments or {}).items():
        write(content / slug / f"{name}.yaml", text)
    return content


def scaffold_text(kind: str = "juten", edition: str = "令和6年10月") -> str:
    from pia_site.catalog import find_form
    from pia_site.scaffold import scaffold

    return scaffold(find_form(kind, edition))


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def as_editor_sees_it(node):
    """A loaded YAML tree with YAML 1.2 core types, as VS Code's YAML language server reads it."""
    import re

    from pia_site.load import YMap, YSeq

    if isinstance(node, YMap):
        return {k.value: as_editor_sees_it(v) for k, v in node.entries}
    if isinstance(node, YSeq):
        return [as_editor_sees_it(v) for v in node.items]
    v = node.value
    if v is None:
        return None
    if v in ("true", "false"):
        return v == "true"
    return int(v) if re.fullmatch(r"0|[1-9]\d*", v) else v
