"""Command line: build | check (more commands register here).  Maps diagnostics to exit codes."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .diagnostics import DiagnosticsError, format_diagnostics, has_errors

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def _add_content(p: argparse.ArgumentParser) -> None:
    p.add_argument("--content", type=Path, default=Path("content"), help="コンテンツのフォルダ（既定: content）")


def cmd_check(args) -> int:
    from .build import check

    diags = check(args.content)
    if diags:
        print(format_diagnostics(diags, args.format), file=sys.stdout if args.format == "github" else sys.stderr)
    failed = has_errors(diags) or (args.strict and diags)
    if not failed and args.format == "text":
        print(f"問題は見つかりませんでした（{args.content}）。" if not diags else "エラーはありません（警告のみ）。", file=sys.stderr)
    return EXIT_ERRORS if failed else EXIT_OK


def cmd_build(args) -> int:
    from .build import build
    from .outdir import OutDirError

    try:
        report = build(args.content, args.out, strict=args.strict)
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


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pia-site", description="特定個人情報保護評価書を静的サイトとして公開します。")
    parser.add_argument("--version", action="version", version=f"pia-site {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="サイトを build/ に生成する")
    _add_content(p)
    p.add_argument("--out", type=Path, default=Path("build"), help="出力先（既定: build）")
    p.add_argument("--strict", action="store_true", help="警告もエラーとして扱う")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("check", help="コンテンツを検査する（何も書き出さない）")
    _add_content(p)
    p.add_argument("--format", choices=("text", "github"), default="text", help="出力形式（github: GitHub Actions の注釈）")
    p.add_argument("--strict", action="store_true", help="警告もエラーとして扱う")
    p.set_defaults(func=cmd_check)

    for register in _extra_commands():
        register(sub)
    return parser


def _extra_commands():
    """Commands living in their own modules; each module offers ``register(subparsers)``."""
    import importlib

    out = []
    for name in EXTRA_COMMAND_MODULES:
        try:
            module = importlib.import_module(f"pia_site.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"pia_site.{name}":
                raise
            continue
        out.append(module.register)
    return out


# one line per command module (pia_site/<module>.py with register(subparsers))
EXTRA_COMMAND_MODULES = (
    "commands_new",
    "commands_import",
    "commands_changelog",
    "commands_schema",
    "commands_serve",
)


def main(argv: list[str] | None = None) -> int:
    from .catalog import CatalogError

    try:
        args = make_parser().parse_args(argv)
        return args.func(args)
    except CatalogError as exc:  # the form catalog (or a folder of PIA_SITE_CATALOG) is unusable
        print(f"様式カタログを読み込めません: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
