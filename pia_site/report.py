"""What the command line says about a run's diagnostics: pure functions from diagnostics to text.

* Errors are always listed in full (they stop the build, and each must be fixed).
* Warnings are listed in full when asked (``-v``) or when there are few of them: at most
  ``CHECK_LIST_LIMIT`` for ``check`` (the command that lists what is left to write: a scaffolded
  全項目評価書 has about 220), at most ``BUILD_LIST_LIMIT`` for ``build``. Beyond that they are
  summarised by code: count, a short Japanese title and the first place it occurs.
  ``--warnings-file`` always gets the full list.
* ``-q`` prints errors and the one-line summary only.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

from .diagnostic_titles import TITLES
from .diagnostics import Diagnostic, Severity, diagnostic_lines, error_count, format_diagnostic, format_diagnostics, in_order

CHECK_LIST_LIMIT = 500
BUILD_LIST_LIMIT = 20
QUIET, NORMAL, VERBOSE = -1, 0, 1


@dataclass(frozen=True)
class CodeGroup:
    code: str
    severity: Severity
    count: int
    title: str
    first: Diagnostic  # the first in source order


def code_title(code: str, example: Diagnostic | None = None) -> str:
    """The code's title; for a code without one, the first sentence of its message."""
    if code in TITLES:
        return TITLES[code]
    if example is None:
        return code
    text = example.message.split("。")[0]
    return text if len(text) <= 40 else text[:39] + "…"


def by_code(diagnostics: Iterable[Diagnostic]) -> list[CodeGroup]:
    """One group per (severity, code): errors first, then the most frequent first."""
    return _groups(in_order(diagnostics))


def _groups(ordered: Iterable[Diagnostic]) -> list[CodeGroup]:
    """``by_code`` of diagnostics already in sort order, in one pass."""
    counts: Counter = Counter()
    first: dict[tuple[Severity, str], Diagnostic] = {}
    for d in ordered:
        counts[d.severity, d.code] += 1
        first.setdefault((d.severity, d.code), d)
    groups = [CodeGroup(code, sev, n, code_title(code, first[sev, code]), first[sev, code]) for (sev, code), n in counts.items()]
    return sorted(groups, key=lambda g: (g.severity is not Severity.ERROR, -g.count, g.code))


def _where(d: Diagnostic) -> str:
    return f"{d.location}" + (f" {d.key_path}" if d.key_path else "")


def format_by_code(groups: Sequence[CodeGroup]) -> str:
    width = max((len(f"{g.count:,}") for g in groups), default=1)
    return "\n".join(f"  {g.code}  {g.count:>{width},} 件  {g.title}  例: {_where(g.first)}" for g in groups)


def totals(diagnostics: Sequence[Diagnostic]) -> tuple[int, int]:
    errors = error_count(diagnostics)
    return errors, len(diagnostics) - errors


def diagnostics_report(diagnostics: Sequence[Diagnostic], verbosity: int = NORMAL, limit: int = CHECK_LIST_LIMIT,
                       full_list: str = "") -> str:
    """The text printed about ``diagnostics`` ("" when nothing is to be said). ``full_list`` names
    where the full list was written (``--warnings-file``), for the hint under a summary.  A
    summary is made in one pass over the diagnostics in order (a long list streams)."""
    errors, warnings = totals(diagnostics)
    if not (errors or warnings):
        return ""
    if verbosity >= VERBOSE or (verbosity == NORMAL and warnings <= limit):
        return format_diagnostics(diagnostics)
    lines: list[str] = []  # the errors, listed in full, then the warnings by code

    def warnings_only() -> Iterator[Diagnostic]:
        for d in in_order(diagnostics):
            if d.is_error:
                lines.append(format_diagnostic(d))
            else:
                yield d

    if verbosity == NORMAL and warnings:
        groups = _groups(warnings_only())
        where = f"一覧は {full_list} に書き出しました" if full_list else "一覧は --warnings-file ファイル名 か -v で出力します"
        lines.append(f"警告 {warnings:,} 件の内訳（コードごと、件数の多い順。{where}）:")
        lines.append(format_by_code(groups))
    elif errors:
        lines += [format_diagnostic(d) for d in in_order(diagnostics) if d.is_error]
    if verbosity == NORMAL or errors:
        lines.append(f"エラー {errors:,} 件、警告 {warnings:,} 件")
    return "\n".join(lines)


def full_list(diagnostics: Sequence[Diagnostic]) -> Iterator[str]:
    """Every diagnostic, one per line, with the totals: the ``--warnings-file`` text, a line at a time."""
    empty = True
    for line in diagnostic_lines(diagnostics):
        empty = False
        yield line + "\n"
    if empty:
        yield "エラー 0 件、警告 0 件\n"


def seconds_ja(seconds: float) -> str:
    return f"{seconds:.1f} 秒" if seconds < 600 else f"{int(seconds // 60)} 分 {seconds % 60:.0f} 秒"


def build_summary(assessments: int, pages: int, files: int, size: int, out: str, warnings: int, seconds: float) -> str:
    """The one line a build ends with."""
    return (f"完了: 評価書 {assessments:,} 件、{pages:,} ページ（{files:,} ファイル、{size / 1e6:,.1f} MB）を {out} に書き出しました。"
            f"警告 {warnings:,} 件、{seconds_ja(seconds)}。")


def check_summary(assessments: int, errors: int, warnings: int, seconds: float) -> str:
    """The one line ``check`` ends with."""
    verdict = "問題は見つかりませんでした" if not (errors or warnings) else (
        f"エラー {errors:,} 件、警告 {warnings:,} 件" if errors else f"エラーはありません（警告 {warnings:,} 件）")
    return f"検査: 評価書 {assessments:,} 件 — {verdict}。{seconds_ja(seconds)}。"


def failed_summary(out: str, errors: int, warnings: int, seconds: float) -> str:
    return f"ビルドを中止しました（エラー {errors:,} 件、警告 {warnings:,} 件、{seconds_ja(seconds)}）。{out} は変更していません。"
