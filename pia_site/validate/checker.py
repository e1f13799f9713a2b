"""The located checker: collects one source document's diagnostics, and reads its scalars,
mappings, sequences and dates with a located Japanese message for each problem."""
from __future__ import annotations

import datetime as dt
import difflib
import re

from .. import catalog as cat
from .. import wareki
from ..catalog import Node
from ..diagnostics import Diagnostic, Severity, SourceLocation
from ..load import SourceDocument, YMap, YNode, YScalar, YSeq
from ..model import DateValue

DATE_RE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


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
