"""Command line: argument parsing only; each command lives in its own module.

argv → ``make_parser()`` (one ``register(subparsers)`` per module in ``COMMANDS``) → the
command's function → the pipeline (``pia_site.build``, ``pia_site.preview``, …) → exit code.
"""
from __future__ import annotations

import argparse
import sys

from .. import __version__
from . import build, changelog, importing, new, schema, serve

# The command modules, in the order `pia-site --help` lists them; each offers register(subparsers).
COMMANDS = (build, new, importing, changelog, schema, serve)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pia-site", description="特定個人情報保護評価書を静的サイトとして公開します。")
    parser.add_argument("--version", action="version", version=f"pia-site {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from ..catalog import CatalogError

    try:
        args = make_parser().parse_args(argv)
        return args.func(args)
    except CatalogError as exc:  # the form catalog (or a folder of PIA_SITE_CATALOG) is unusable
        print(f"様式カタログを読み込めません: {exc}", file=sys.stderr)
        return build.EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
