"""Symbolic links that leave their folder: found without following them.

A link in content/, or in a theme folder (templates/, assets/), may point anywhere, e.g. at
``/etc/passwd``.  Such a link is an error (E013) and is never read or published.  A link that
stays inside its own folder is an ordinary alias.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Iterator

from .diagnostics import Diagnostic, SourceLocation, display_path


def inside(path: Path, root: Path) -> bool:
    """Whether ``path`` (resolved) lies in ``root`` (resolved)."""
    return path == root or root in path.parents


def leaves(path: Path, root: Path) -> bool:
    """True when ``path`` is a symlink, or lies below one, that resolves outside ``root``
    (a loop or an unreadable link counts as leaving)."""
    try:
        target = path.resolve(strict=False)
        real_root = root.resolve()
    except (OSError, RuntimeError):
        return True
    return not inside(target, real_root)


def links_outside(root: Path) -> Iterator[Path]:
    """Every symlink (file or folder, at any depth) below ``root`` that resolves outside it,
    in name order.  Linked folders are not descended into."""
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):  # followlinks=False
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            p = Path(dirpath, name)
            if p.is_symlink() and leaves(p, root):
                yield p


def outside_error(path: Path, root: Path) -> Diagnostic:
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    return Diagnostic("E013", f"シンボリックリンクがフォルダ {display_path(root)} の外（{target}）を指しています。"
                              "このリンクは読み込まず、公開もしません。リンクをやめて、ファイルをフォルダの中に置いてください。",
                      SourceLocation(display_path(path)))


def link_diagnostics(roots: Iterable[Path]) -> list[Diagnostic]:
    """E013 for every link leaving one of ``roots`` (the theme's templates/ and assets/ folders)."""
    return [outside_error(p, root) for root in roots for p in links_outside(root)]
