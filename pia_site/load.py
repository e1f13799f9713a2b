"""Load: content directory -> source documents (string scalars with positions).

Files are decoded strictly (UTF-8) and read by the strict YAML reader (``yaml_strict``: no tags,
anchors, aliases or merge keys, no duplicate keys, every scalar stays a string).  Only
``validate`` gives values types, reading the form catalog.
"""
from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path

from . import content_tree
from .diagnostics import Diagnostic, SourceLocation, display_path  # noqa: F401 - display_path: re-exported
# the strict YAML reader; the tree types and parse_yaml are re-exported (callers import them from here)
from .yaml_strict import YMap, YNode, YScalar, YSeq, _CParser, _err, _parse_fast, parse_yaml  # noqa: F401

MAX_FILE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class SourceDocument:
    path: str  # as shown to authors (relative to the working directory when possible)
    root: YNode | None
    text: str = field(default="", repr=False, compare=False)  # the decoded source, for precise positions
    unreadable: bool = field(default=False, compare=False)  # not read (encoding, size, syntax): load said why

    def locate(self, snippet: str, after: SourceLocation) -> SourceLocation | None:
        """Position of the first occurrence of ``snippet`` at or after ``after`` (same line/column scheme)."""
        if not self.text or not snippet:
            return None
        lines = self.text.split("\n")
        start_line = max(after.line - 1, 0)
        for i in range(start_line, len(lines)):
            col = lines[i].find(snippet, (after.column - 1) if i == start_line else 0)
            if col >= 0:
                return SourceLocation(self.path, i + 1, col + 1)
        return None


@dataclass(frozen=True)
class MunicipalitySource:
    slug: str
    municipality: SourceDocument | None
    assessments: tuple[SourceDocument, ...]


@dataclass(frozen=True)
class ContentSource:
    root: Path
    site: SourceDocument | None
    municipalities: tuple[MunicipalitySource, ...]


def decode_text(data: bytes, path: str) -> tuple[str | None, list[Diagnostic]]:
    """Strict UTF-8 decoding with an actionable message for other encodings."""
    loc = SourceLocation(path, 1, 1)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (len(data) >= 2 and b"\x00" in data[:200]):
        return None, [_err("E001", "UTF-16 で保存されています。エディタで文字コードを「UTF-8（BOMなし）」にして保存し直してください。", loc)]
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = SourceLocation(path, line, col)
        try:
            data.decode("cp932")
            return None, [_err("E002", "Shift_JIS（CP932）で保存されているようです。エディタで文字コードを「UTF-8（BOMなし）」にして保存し直してください。", bad)]
        except UnicodeDecodeError:
            return None, [_err("E003", "UTF-8 として読めないバイトがあります。ファイルを UTF-8 で保存し直してください。", bad)]


def load_document(path: Path) -> tuple[SourceDocument, list[Diagnostic]]:
    shown = display_path(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return SourceDocument(shown, None, unreadable=True), [_err("E004", f"ファイルが大きすぎます（{size:,} バイト、上限 {MAX_FILE_BYTES:,} バイト）。", SourceLocation(shown))]
    text, diags = decode_text(path.read_bytes(), shown)
    if text is None:
        return SourceDocument(shown, None, unreadable=True), diags
    root, more = parse_yaml(text, shown)
    unreadable = root is None and any(d.is_error for d in more)
    return SourceDocument(shown, root, text, unreadable), diags + more


def load_content(root: Path) -> tuple[ContentSource, list[Diagnostic]]:
    """Read ``site.yaml`` and every ``<municipality>/*.yaml`` below ``root`` (the shape:
    ``content_tree``)."""
    if not root.is_dir():
        return ContentSource(root, None, ()), [content_tree.no_content(root)]
    top = content_tree.scan_top(root)
    diags: list[Diagnostic] = list(top.diagnostics)
    site = None
    if top.site is not None:
        site, d = load_document(top.site)
        diags += d
    else:
        diags += content_tree.site_missing(root, top.diagnostics)
    munis: list[MunicipalitySource] = []
    for folder in top.folders:
        scan = content_tree.scan_folder(folder, root)
        diags += scan.diagnostics
        muni_doc = None
        docs: list[SourceDocument] = []
        for f in scan.files:
            doc, d = load_document(f)
            diags += d
            if content_tree.is_municipality(f):
                muni_doc = doc  # municipality.yaml and .yml: the last one wins
            else:
                docs.append(doc)
        if muni_doc is None:
            diags += content_tree.municipality_missing(folder, scan.diagnostics)
        munis.append(MunicipalitySource(folder.name, muni_doc, tuple(docs)))
    return ContentSource(root, site, tuple(munis)), diags
