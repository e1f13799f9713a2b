"""Options shared by several commands: how much they say (``-q`` / ``-v``), how many processes build (``--jobs``)."""
from __future__ import annotations

import argparse

from ..report import NORMAL, QUIET, VERBOSE


def add_verbosity(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", dest="verbosity", action="store_const", const=QUIET, default=NORMAL,
                       help="エラーと最後の 1 行の要約だけを表示する")
    group.add_argument("-v", "--verbose", dest="verbosity", action="store_const", const=VERBOSE,
                       help="警告をすべて表示し、段階ごとの時間も表示する")


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"--jobs には 1 以上の整数を指定してください（{text}）。")
    return n


def add_jobs(p: argparse.ArgumentParser) -> None:
    from ..pipeline.pool import default_jobs

    p.add_argument("--jobs", "-j", type=_jobs, default=default_jobs(),
                   help="並列に処理するプロセスの数（既定: CPU のコア数。1 でこのプロセスだけ）")
