"""`pia-site build` and `pia-site check`: run the pipeline, map diagnostics to exit codes."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..diagnostics import DiagnosticsError, format_diagnostics, has_errors

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def _add_content(p: argparse.ArgumentParser) -> None:
    p.add_argument("--content", type=Path, default=Path("content"), help="コンテンツのフォルダ（既定: content）")


def cmd_check(args) -> int:
    from ..build import check

    diags = check(args.content, jobs=args.jobs)
    if diags:
        print(format_diagnostics(diags, args.format), file=sys.stdout if args.format == "github" else sys.stderr)
    failed = has_errors(diags) or (args.strict and diags)
    if not failed and args.format == "text":
        print(f"問題は見つかりませんでした（{args.content}）。" if not diags else "エラーはありません（警告のみ）。", file=sys.stderr)
    return EXIT_ERRORS if failed else EXIT_OK


def cmd_build(args) -> int:
    from ..build import build
    from ..outdir import OutDirError

    try:
        report = build(args.content, args.out, strict=args.strict, jobs=args.jobs, cache=not args.no_cache)
    except OutDirError as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DiagnosticsError as exc:
        print(format_diagnostics(exc.diagnostics), file=sys.stderr)
        print(f"ビルドを中止しました。{args.out} は変更していません。", file=sys.stderr)
        return EXIT_ERRORS
    if report.diagnostics:
        print(format_diagnostics(report.diagnostics), file=sys.stderr)
    w = report.written
    print(f"{w.pages} ページ（{w.files} ファイル、{w.bytes:,} バイト）を {w.out_dir} に書き出しました。", file=sys.stderr)
    print(f"開く: {w.out_dir / 'index.html'}", file=sys.stderr)
    return EXIT_OK


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"--jobs には 1 以上の整数を指定してください（{text}）。")
    return n


def _add_jobs(p: argparse.ArgumentParser) -> None:
    from ..pipeline.pool import default_jobs

    p.add_argument("--jobs", "-j", type=_jobs, default=default_jobs(),
                   help="並列に処理するプロセスの数（既定: CPU のコア数。1 でこのプロセスだけ）")


def register(sub) -> None:
    p = sub.add_parser("build", help="サイトを build/ に生成する")
    _add_content(p)
    p.add_argument("--out", type=Path, default=Path("build"), help="出力先（既定: build）")
    p.add_argument("--strict", action="store_true", help="警告もエラーとして扱う")
    _add_jobs(p)
    p.add_argument("--no-cache", action="store_true",
                   help="キャッシュ（コンテンツのフォルダの隣の .pia-cache/build）を使わずにすべて作り直す")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("check", help="コンテンツを検査する（何も書き出さない）")
    _add_content(p)
    p.add_argument("--format", choices=("text", "github"), default="text", help="出力形式（github: GitHub Actions の注釈）")
    p.add_argument("--strict", action="store_true", help="警告もエラーとして扱う")
    _add_jobs(p)
    p.set_defaults(func=cmd_check)
