"""Strict YAML: text -> a tree of string scalars, mappings and sequences with positions.

YAML is read through a strict composer: no tags, anchors, aliases or merge keys,
no duplicate keys, and every scalar stays a string (``013005`` is ``"013005"``).
libyaml reads a document first where it gives the same result; the pure-Python reader is the
reference.  ``load`` reads files and the content folder with it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

import yaml
from yaml.composer import Composer
from yaml.events import (
    AliasEvent, DocumentEndEvent, DocumentStartEvent, MappingEndEvent, MappingStartEvent, ScalarEvent,
    SequenceEndEvent, SequenceStartEvent, StreamEndEvent, StreamStartEvent,
)
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from . import yaml_scalars
from .diagnostics import Diagnostic, Severity, SourceLocation
from .yaml_syntax import explain

try:  # libyaml's event parser, when PyYAML was built with it (the pure-Python parser is the reference)
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - depends on how PyYAML was installed
    _CParser = None

MAX_DEPTH = 40
MAX_NODES = 500_000
NULL_WORDS = {"", "~", "null", "Null", "NULL"}


@dataclass(frozen=True)
class YScalar:
    value: str | None  # None for an empty / null plain scalar
    loc: SourceLocation


@dataclass(frozen=True)
class YMap:
    entries: tuple[tuple[YScalar, "YNode"], ...]
    loc: SourceLocation

    def get(self, key: str) -> "YNode | None":
        for k, v in self.entries:
            if k.value == key:
                return v
        return None

    def keys(self) -> list[str]:
        return [k.value or "" for k, _ in self.entries]

    def key_node(self, key: str) -> YScalar | None:
        for k, _ in self.entries:
            if k.value == key:
                return k
        return None


@dataclass(frozen=True)
class YSeq:
    items: tuple["YNode", ...]
    loc: SourceLocation


YNode = Union[YScalar, YMap, YSeq]


def _err(code: str, msg: str, loc: SourceLocation) -> Diagnostic:
    return Diagnostic(code, msg, loc)


class _StrictComposer(Reader, Scanner, Parser, Composer, BaseResolver):
    """PyYAML composer that records (instead of honouring) unsafe constructs.

    The reference reading of a file (PyYAML's pure-Python reader, scanner and parser);
    ``_FastTree`` takes libyaml's shortcut only where it gives the same result."""

    def __init__(self, text: str, path: str, diags: list[Diagnostic]):
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        BaseResolver.__init__(self)
        self._path = path
        self._diags = diags
        self._depth = 0
        self._count = 0

    def _loc(self, mark) -> SourceLocation:
        return SourceLocation(self._path, mark.line + 1, mark.column + 1)

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            self.get_event()
            self._diags.append(_err("Y002", f"エイリアス（*{event.anchor}）は使えません。値をそのまま書いてください。", self._loc(event.start_mark)))
            return ScalarNode("tag:yaml.org,2002:str", "", event.start_mark, event.end_mark)
        if getattr(event, "anchor", None):
            self._diags.append(_err("Y003", f"アンカー（&{event.anchor}）は使えません。", self._loc(event.start_mark)))
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            self._diags.append(_err("Y004", f"タグ（{tag}）は使えません。値は文字列として書いてください。", self._loc(event.start_mark)))
        self._count += 1
        if self._count > MAX_NODES:
            raise _Abort(_err("Y006", f"ノード数が上限（{MAX_NODES}）を超えています。ファイルを分けてください。", self._loc(event.start_mark)))
        if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _Abort(_err("Y005", f"入れ子が深すぎます（上限 {MAX_DEPTH} 段）。", self._loc(event.start_mark)))
        event.anchor = None  # anchors are reported above and never registered
        node = Composer.compose_node(self, parent, index)
        if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            self._depth -= 1
        return node


# Constructs whose positions or acceptance differ between libyaml and the reference parser are
# left to the reference: tabs, a byte order mark inside the text, explicit keys (``? key``) and,
# found while reading the events, omitted nodes other than a block ``key:`` / ``-``, "?" in a
# plain scalar of a flow collection, and a block scalar header not followed by a space or line end.
_EXPLICIT_KEY = re.compile(r"(?:^|[\s\[{,])\?(?:[\s\]},]|$)")
_BLOCK_HEADER = re.compile(r"[|>][-+0-9]*(?: |$)")


class _FastTree:
    """Source tree straight from libyaml's events, for documents the reference reads without any
    diagnostic.  Anything the strict composer would report (aliases, anchors, tags, non-string or
    merge or duplicate keys, limits, several documents) and every construct whose position or
    acceptance differs between libyaml and the reference raises ``_Unsure``: the file is then read
    by the reference, so results, positions and messages are always the reference's."""

    def __init__(self, parser, path: str, text: str):
        self._events = parser
        self._path = path
        self._text = text
        self._lines: list[str] | None = None
        self._ylines: list[str] | None = None
        self._commented: frozenset[int] | None = None
        self._depth = 0
        self._count = 0

    def document(self) -> YNode | None:
        get = self._events.get_event
        if not isinstance(get(), StreamStartEvent):
            raise _Unsure()
        event = get()
        if isinstance(event, StreamEndEvent):
            return None
        if not isinstance(event, DocumentStartEvent):
            raise _Unsure()
        root = self._node(get(), None, False)
        if not isinstance(get(), DocumentEndEvent) or not isinstance(get(), StreamEndEvent):
            raise _Unsure()  # several documents: the reference reports it
        return root

    def _loc(self, mark) -> SourceLocation:
        return SourceLocation(self._path, mark.line + 1, mark.column + 1)

    def _comment_lines(self) -> frozenset[int]:
        """Numbers of the lines where a comment may follow a value (`` #`` or a tab and ``#``)."""
        if self._commented is None:
            self._commented = frozenset(i for i, line in enumerate(self._all_lines()) if " #" in line or "\t#" in line)
        return self._commented

    def _all_lines(self) -> list[str]:
        if self._ylines is None:
            self._ylines = yaml_scalars.yaml_lines(self._text)
        return self._ylines

    def _line(self, n: int) -> str:
        if self._lines is None:
            self._lines = self._text.splitlines()
        return self._lines[n] if n < len(self._lines) else ""

    def _node(self, event, omitted_after: str | None, in_flow: bool) -> YNode:
        """``omitted_after``: the block indicator (":" or "-") an omitted node may follow here."""
        self._count += 1
        if self._count > MAX_NODES or event.anchor is not None or getattr(event, "tag", None) is not None:
            raise _Unsure()
        cls = type(event)
        if cls is ScalarEvent:
            value, style, mark = event.value, event.style, event.start_mark
            if style == "\"" and yaml_scalars.SUSPECT_RE.search(value):
                raise _Unsure()  # a bidi or zero-width character written as an escape: Y021, Y022
            if not style:  # plain
                if value == "":
                    if mark.index != event.end_mark.index:
                        raise _Unsure()
                    # an omitted node is placed like the reference's only right after a block ":" / "-"
                    line = self._line(mark.line)
                    if omitted_after is None or not (0 < mark.column <= len(line) and line[mark.column - 1] == omitted_after):
                        raise _Unsure()
                elif in_flow and "?" in value:
                    raise _Unsure()  # the reference ends a plain scalar at "?" in a flow collection
                elif event.end_mark.line in self._comment_lines() and yaml_scalars.trailing_comment(
                        self._all_lines(), event.end_mark.line, event.end_mark.column) is not None:
                    raise _Unsure()  # Y020 comes from the reference
                return YScalar(None if value in NULL_WORDS else value, self._loc(mark))
            if style in ("|", ">") and not _BLOCK_HEADER.match(self._line(mark.line), mark.column):
                raise _Unsure()  # e.g. "|#": libyaml takes it, the reference does not
            return YScalar(value, self._loc(mark))
        if cls is SequenceStartEvent or cls is MappingStartEvent:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _Unsure()
            flow = bool(event.flow_style)
            get = self._events.get_event
            if cls is SequenceStartEvent:
                after = None if flow else "-"
                items = []
                while True:
                    item = get()
                    if type(item) is SequenceEndEvent:
                        break
                    items.append(self._node(item, after, flow))
                node: YNode = YSeq(tuple(items), self._loc(event.start_mark))
            else:
                after = None if flow else ":"
                entries = []
                seen = set()
                while True:
                    kev = get()
                    if type(kev) is MappingEndEvent:
                        break
                    key = self._node(kev, None, flow)
                    if not isinstance(key, YScalar) or key.value in seen or (key.value == "<<" and not kev.style):
                        raise _Unsure()  # Y007, Y009, Y008 come from the reference
                    if not kev.style and yaml_scalars.fullwidth_space_key(kev.value, 0, 0) is not None:
                        raise _Unsure()  # Y012 comes from the reference
                    if key.value is None:  # a null word as a key: the reference keeps its text
                        key = YScalar(kev.value, key.loc)
                        if key.value in seen:
                            raise _Unsure()
                    seen.add(key.value)
                    entries.append((key, self._node(get(), after, flow)))
                node = YMap(tuple(entries), self._loc(event.start_mark))
            self._depth -= 1
            return node
        raise _Unsure()  # an alias


class _Unsure(Exception):
    """The libyaml reading may differ from the reference's: read the file with the reference."""


class _Abort(Exception):
    def __init__(self, diag: Diagnostic):
        self.diag = diag


class _Converter:
    """PyYAML nodes -> source tree, with the checks that need a node's source span
    (``yaml_scalars``) and the key path an author looks for."""

    def __init__(self, text: str, path: str, diags: list[Diagnostic]):
        self._text = text
        self._lines = yaml_scalars.yaml_lines(text)
        self._path = path
        self._diags = diags

    def _loc(self, mark) -> SourceLocation:
        return SourceLocation(self._path, mark.line + 1, mark.column + 1)

    def _report(self, findings, key_path: str) -> None:
        for f in findings:
            if f is not None:
                self._diags.append(Diagnostic(f.code, f.message, SourceLocation(self._path, f.line + 1, f.column + 1),
                                              key_path, severity=Severity.WARNING if f.warning else Severity.ERROR))

    def _check_scalar(self, node: ScalarNode, key_path: str, is_key: bool) -> None:
        start, end = node.start_mark, node.end_mark
        found = yaml_scalars.hidden_characters(node.value, self._text, (start.index, start.line, start.column), end.index)
        if node.style is None and node.value:
            if is_key:
                found.append(yaml_scalars.fullwidth_space_key(node.value, start.line, start.column))
            else:
                found.append(yaml_scalars.comment_after_plain(node.value, self._lines, end.line, end.column))
        self._report(found, key_path)

    def convert(self, node, key_path: str = "") -> YNode:
        loc = self._loc(node.start_mark)
        if isinstance(node, ScalarNode):
            self._check_scalar(node, key_path, False)
            value: str | None = node.value
            if node.style is None and value in NULL_WORDS:
                value = None
            return YScalar(value, loc)
        if isinstance(node, SequenceNode):
            return YSeq(tuple(self.convert(n, _join_path(key_path, i + 1)) for i, n in enumerate(node.value)), loc)
        assert isinstance(node, MappingNode)
        entries: list[tuple[YScalar, YNode]] = []
        seen: dict[str, SourceLocation] = {}
        for knode, vnode in node.value:
            kloc = self._loc(knode.start_mark)
            if not isinstance(knode, ScalarNode):
                self._diags.append(_err("Y007", "キーには文字列を書いてください。", kloc))
                continue
            if knode.value == "<<" and knode.style is None:
                self._diags.append(_err("Y008", "マージキー（<<）は使えません。", kloc))
                continue
            key = knode.value
            kpath = _join_path(key_path, key)
            self._check_scalar(knode, kpath, True)
            if key in seen:
                first = seen[key]
                self._diags.append(_err("Y009", f"キー「{key}」が重複しています（最初は {first.line} 行目）。", kloc))
                continue
            seen[key] = kloc
            entries.append((YScalar(key, kloc), self.convert(vnode, kpath)))
        return YMap(tuple(entries), loc)


def _join_path(path: str, key: str | int) -> str:
    """A key path as validation writes it: ``parts.1.name`` (sequence items from 1)."""
    return f"{path}.{key}" if path else str(key)

def parse_yaml(text: str, path: str, fast: bool = True) -> tuple[YNode | None, list[Diagnostic]]:
    """Strictly parse ``text``.  With ``fast`` (the default) libyaml reads it first when available;
    a document it cannot read cleanly (any diagnostic or error) is read again by the pure-Python
    reference parser, whose result and diagnostics are returned."""
    if fast and _CParser is not None:
        result = _parse_fast(text, path)
        if result is not None:
            return result
    return _parse_reference(text, path)


def _parse_fast(text: str, path: str) -> tuple[YNode | None, list[Diagnostic]] | None:
    if "\t" in text or "\ufeff" in text or ("?" in text and _EXPLICIT_KEY.search(text)):
        return None
    if yaml_scalars.SUSPECT_RE.search(text):
        return None  # Y021, Y022 come from the reference
    try:
        parser = _CParser(text)
        try:
            root = _FastTree(parser, path, text).document()
        finally:
            parser.dispose()
    except Exception:  # noqa: BLE001 - _Unsure or a syntax error: the reference reads the file
        return None
    return root, []


def _parse_reference(text: str, path: str) -> tuple[YNode | None, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    try:
        node = _StrictComposer(text, path, diags).get_single_node()
    except yaml.reader.ReaderError as exc:  # a control character: the reader checks the text as it goes
        pos = exc.position
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        return None, diags + [_err("Y010", f"YAML に使えない制御文字（U+{exc.character:04X}）があります。"
                                   "その文字を消して保存し直してください。", SourceLocation(path, line, col))]
    except _Abort as abort:
        return None, diags + [abort.diag]
    except yaml.MarkedYAMLError as exc:
        why = explain(exc, text)
        return None, diags + [_err(why.code, why.message, SourceLocation(path, why.line + 1, why.column + 1))]
    except yaml.YAMLError as exc:  # reader errors: control characters etc.
        return None, diags + [_err("Y001", f"YAML として読めません（{exc}）。", SourceLocation(path, 1, 1))]
    if node is None:
        return None, diags
    return _Converter(text, path, diags).convert(node), diags
