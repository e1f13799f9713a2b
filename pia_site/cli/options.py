"""Options shared by several commands: how much they say (``-q`` / ``-v``)."""
from __future__ import annotations

import argparse

from ..report import NORMAL, QUIET, VERBOSE


def add_verbosity(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", dest="verbosity", action="store_const", const=QUIET, default=NORMAL,
                       help="エラーと最後の 1 行の要約だけを表示する")
    group.add_argument("-v", "--verbose", dest="verbosity", action="store_const", const=VERBOSE,
                       help="警告をすべて表示し、段階ごとの時間も表示する")
