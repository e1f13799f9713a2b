"""`pia-site build` and `pia-site check`: run the pipeline, map diagnostics to exit codes.

What is printed about the diagnostics is ``report.py``'s; the progress view is ``progress_view.py``'s.
"""
from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

from ..diagnostics import Diagnostic, DiagnosticsError, format_diagnostics, has_errors
from ..report import BUILD_LIST_LIMIT, CHECK_LIST_LIMIT, QUIET, build_summary, check_summary, diagnostics_report, failed_summary, full_list, totals
from .options import add_jobs, add_verbosity
from .progress_view import Ticker, make_view

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def _add_content(p: argparse.ArgumentParser) -> None:
    p.add_argument("--content", type=Path, default=Path("content"), help="コンテンツのフォルダ（既定: content）")


def _add_reporting(p: argparse.ArgumentParser) -> None:
    add_verbosity(p)
    p.add_argument("--warnings-file", type=Path, metavar="FILE",
                   help="エラーと警告の一覧をすべてこのファイルに書き出す（画面には件数の多い警告をコードごとにまとめて表示）")


def _assessment_count(content: Path) -> int:
    from ..content_tree import assessment_files

    return len(assessment_files(content))


def _write_list(path: Path | None, diags) -> str | None:
    """Write the full list to ``--warnings-file``; the problem as a message when it cannot be written."""
    if path is None:
        return None
    from ..content_tree import atomic_write

    try:
        atomic_write(path, full_list(diags))
    except OSError as exc:
        return f"エラー: 警告の一覧を {path} に書き出せません（{exc.strerror or exc}）。"
    return None


def _report(diags: list[Diagnostic] | tuple[Diagnostic, ...], args, limit: int) -> bool:
    """Print what is to be said about ``diags`` and write ``--warnings-file``; False when that file failed."""
    problem = _write_list(args.warnings_file, diags)
    text = diagnostics_report(diags, args.verbosity, limit,
                              full_list=str(args.warnings_file) if args.warnings_file and not problem else "")
    if text:
        print(text, file=sys.stderr)
    if problem:
        print(problem, file=sys.stderr)
    return problem is None


@contextlib.contextmanager
def _sigterm_exits() -> Iterator[None]:
    """SIGTERM (``kill``, a CI job cancelled) ends the command as Ctrl+C does: by an exception, so
    that ``finally`` blocks and ``with`` exits run (the build's trees beside the output are
    removed, its worker processes stopped); exit status 143 (128 + 15)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def cmd_check(args) -> int:
    from ..build import check

    started = time.monotonic()
    view = make_view(args.verbosity if args.format == "text" else QUIET)
    try:
        with _sigterm_exits(), Ticker(view):
            diags = check(args.content, jobs=args.jobs, progress=view)
    except BaseException:
        view.clear()
        raise
    view.clear()
    failed = has_errors(diags) or (args.strict and diags)
    if args.format == "github":  # every annotation, whatever -q/-v say: GitHub shows them on the lines
        if diags:
            print(format_diagnostics(diags, "github"))
        problem = _write_list(args.warnings_file, diags)
        if problem:
            print(problem, file=sys.stderr)
        listed = problem is None
    else:
        listed = _report(diags, args, CHECK_LIST_LIMIT)
    errors, warnings = totals(diags)
    view.finish(check_summary(_assessment_count(args.content), errors, warnings, time.monotonic() - started))
    if failed:
        return EXIT_ERRORS
    return EXIT_OK if listed else EXIT_USAGE


def cmd_build(args) -> int:
    from ..build import build
    from ..outdir import OutDirError

    started = time.monotonic()
    view = make_view(args.verbosity)
    try:
        with _sigterm_exits(), Ticker(view):
            report = build(args.content, args.out, strict=args.strict, jobs=args.jobs, cache=not args.no_cache,
                           progress=view)
    except OutDirError as exc:
        view.finish()
        print(f"エラー: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DiagnosticsError as exc:
        view.clear()
        _report(exc.diagnostics, args, BUILD_LIST_LIMIT)
        errors, warnings = totals(exc.diagnostics)
        view.finish(failed_summary(str(args.out), errors, warnings, time.monotonic() - started))
        return EXIT_ERRORS
    except BaseException:
        view.clear()
        raise
    view.clear()
    listed = _report(report.diagnostics, args, BUILD_LIST_LIMIT)
    w = report.written
    if args.verbosity > QUIET:
        print(f"開く: {w.out_dir / 'index.html'}", file=sys.stderr)
    _, warnings = totals(report.diagnostics)
    view.finish(build_summary(_assessment_count(args.content), w.pages, w.files, w.bytes, str(w.out_dir), warnings,
                              time.monotonic() - started))
    return EXIT_OK if listed else EXIT_USAGE


def register(sub) -> None:
    p = sub.add_parser("build", help="サイトを build/ に生成する")
    _add_content(p)
    p.add_argument("--out", type=Path, default=Path("build"), help="出力先（既定: build）")
    p.add_argument("--strict", action="store_true", help="警告もエラーとして扱う")
    _add_reporting(p)
    add_jobs(p)
    p.add_argument("--no-cache", action="store_true",
                   help="キャッシュ（コンテンツのフォルダの隣の .pia-cache/build）を使わずにすべて作り直す")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("check", help="コンテンツを検査する（何も書き出さない）")
    _add_content(p)
    p.add_argument("--format", choices=("text", "github"), default="text", help="出力形式（github: GitHub Actions の注釈）")
    p.add_argument("--strict", action="store_true", help="警告もエラーとして扱う")
    _add_reporting(p)
    add_jobs(p)
    p.set_defaults(func=cmd_check)
