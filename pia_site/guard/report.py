"""Findings -> located diagnostics (Japanese), and output findings mapped back to the YAML.

An output finding is located at every source scalar that holds the same matched text
(same normalised value); only text that comes from no YAML scalar (a template, an
asset, text put together from several values) is located at the output file.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Callable, Iterable

from ..diagnostics import Diagnostic, Severity, SourceLocation
from .output import OutputFinding
from .patterns import Kind, mask
from .source import Finding

CODES = {
    Kind.MYNUMBER: "P001",
    Kind.MYNUMBER_NO_KEYWORD: "P002",
    Kind.MYNUMBER_BAD_CHECK: "P003",
    Kind.PHONE: "P010",
    Kind.EMAIL: "P011",
    Kind.BIRTH_DATE: "P012",
    Kind.ADDRESS: "P013",
}
_ALLOW_HINT = ("公開してよい役所・担当課の番号や所在地なら、site.yaml の personal_data_allow に書くと"
               "この警告は出なくなります。")
MESSAGES = {
    Kind.MYNUMBER: ("個人番号（マイナンバー）と思われる 12 桁の数字「{m}」があります（検査用数字が正しく、"
                    "「個人番号」「番号」などの語の近くにあります）。公開すると個人番号の漏えいになるため、"
                    "ビルドを中止しました。この数字を削除してください（許可リストでは消せません）。"),
    Kind.MYNUMBER_NO_KEYWORD: ("個人番号（マイナンバー）の形をした 12 桁の数字「{m}」があります（検査用数字が正しい）。"
                               "個人番号でないことを確かめてください。個人番号なら削除してください。"),
    Kind.MYNUMBER_BAD_CHECK: ("「個人番号」「番号」などの語の近くに 12 桁の数字「{m}」があります（検査用数字は合いません）。"
                              "個人番号の書き誤りでないことを確かめ、個人番号なら削除してください。"),
    Kind.PHONE: "電話番号と思われる「{m}」があります。個人の電話番号なら削除してください。" + _ALLOW_HINT,
    Kind.EMAIL: "メールアドレス「{m}」があります。個人のアドレスなら削除してください。" + _ALLOW_HINT,
    Kind.BIRTH_DATE: "生年月日と思われる日付「{m}」があります。個人の生年月日なら削除してください。",
    Kind.ADDRESS: "番地まで書かれた住所「{m}」があります。個人の住所なら削除してください。" + _ALLOW_HINT,
}
_RANK = {Kind.MYNUMBER: 2, Kind.MYNUMBER_BAD_CHECK: 1, Kind.MYNUMBER_NO_KEYWORD: 1}
_FAMILY = {Kind.MYNUMBER: "mynumber", Kind.MYNUMBER_NO_KEYWORD: "mynumber", Kind.MYNUMBER_BAD_CHECK: "mynumber"}


def _family(kind: Kind) -> str:
    return _FAMILY.get(kind, kind.value)


def diagnostic(kind: Kind, shown: str, location: SourceLocation, key_path: str = "", note: str = "") -> Diagnostic:
    severity = Severity.ERROR if kind is Kind.MYNUMBER else Severity.WARNING
    return Diagnostic(CODES[kind], MESSAGES[kind].format(m=mask(shown)) + note, location, key_path, "", severity)


def source_diagnostics(findings: Iterable[Finding]) -> list[Diagnostic]:
    return [diagnostic(f.kind, f.shown, f.location, f.key_path) for f in findings]


# the scalars holding each of the values, looked up once for all of them (``source.holders_in``)
Holders = Callable[[list[str]], dict[str, list[tuple[SourceLocation, str]]]]


def merged_diagnostics(source: Iterable[Finding], output: Iterable[OutputFinding], out_label: str,
                       holders: Holders | None = None) -> list[Diagnostic]:
    """The source findings, raised to the output's verdict where the published page puts a
    number next to a keyword its YAML value lacked; then output findings no source finding
    explains, located at the scalars ``holders`` names for their text, or else at the first
    output file (with the number of other files)."""
    source = list(source)
    by_value: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, f in enumerate(source):
        by_value[(_family(f.kind), f.value)].append(i)
    kinds = [f.kind for f in source]
    published_in: dict[int, str] = {}
    orphans: dict[tuple[Kind, str], list[OutputFinding]] = defaultdict(list)
    for o in output:
        idx = by_value.get((_family(o.kind), o.value))
        if not idx:
            orphans[(o.kind, o.value)].append(o)
            continue
        if max(_RANK.get(kinds[i], 0) for i in idx) < _RANK.get(o.kind, 0):
            for i in idx:
                kinds[i] = o.kind
                published_in.setdefault(i, o.path)
    out = []
    for i, f in enumerate(source):
        note = ""
        if i in published_in:
            note = f"（公開されるファイル {published_in[i]} では、この数字が「個人番号」などの語の近くに出ます。）"
        out.append(diagnostic(kinds[i], f.shown, f.location, f.key_path, note))
    held_by = holders(sorted({value for _kind, value in orphans})) if holders is not None and orphans else {}
    for (kind, value), found in orphans.items():
        paths = sorted({o.path for o in found})
        held = held_by.get(value, [])
        if held:
            note = f"（公開されるファイル {paths[0]} では、書式を除いた文字がこのように読めます。）"
            out.extend(diagnostic(kind, found[0].shown, loc, key_path, note) for loc, key_path in held)
            continue
        more = f"ほか {len(paths) - 1} ファイル" if len(paths) > 1 else ""
        note = (f"（YAML の値には見当たりません。テンプレート・assets・複数の値の組み合わせから出力されています{('。' + more) if more else ''}）")
        out.append(diagnostic(kind, found[0].shown, SourceLocation(f"{out_label}/{paths[0]}"), "", note))
    return out
