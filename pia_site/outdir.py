"""The output folder is the tool's, and only the tool's.

Every build replaces the output folder whole, so this module decides which folder may be
one: never a folder the author keeps (the content, templates or assets folders, the
pia-site package), nor one that holds them or lies inside them; never a project root (a
folder with ``.git`` or ``pyproject.toml``) or a folder holding one; and an existing
non-empty folder only if it carries ``MARKER``, the file pia-site writes at the root of
every output tree (as Sphinx writes ``.buildinfo``).  Paths are compared after resolving
symbolic links and ``..``.

It also knows the leftovers of killed builds: ``.<name>.tmp-*`` and ``.<name>.old-*``
siblings of the output folder that carry the marker (or are empty), and no live build holds.
The writer (``write.py``) marks its trees, holds them while it writes, and removes them
marker last, so a tree is recognisable at every instant of its life.
"""
from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, Union

try:  # advisory locks: a live build's temporary tree is not a leftover
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: leftovers are recognised by the marker only
    fcntl = None  # type: ignore[assignment]

MARKER = ".pia-site-output"
MARKER_TEXT = ("This folder was written by pia-site. Every build replaces it whole;\n"
               "do not keep other files here.\n").encode("utf-8")
PROJECT_FILES = (".git", "pyproject.toml")
LEFTOVER_KINDS = ("tmp", "old")

# a folder that must not be, hold or lie inside the output: (path, what it is, in Japanese)
Protected = Union[Path, tuple[Path, str]]


class OutDirError(Exception):
    """The output folder is refused; the message is for the author, in Japanese."""


_REASON = ("\npia-site はビルドのたびに出力先のフォルダを丸ごと置き換えるため、そこにあるファイルは消えてしまいます。"
           "別のフォルダを --out で指定してください（例: --out build）。")


def check_out_dir(out: Path, protected: Iterable[Protected], anchors: Iterable[Path] = ()) -> Path:
    """The resolved output folder, or ``OutDirError`` if pia-site must not write there.

    ``protected``: folders the output must not be, contain or lie inside (a path, or a
    ``(path, Japanese name)`` pair).  ``anchors``: paths whose enclosing project roots
    the output must not be or contain (the content folder, the working folder)."""
    o = _real(out)
    for item in protected:
        path, label = (item, "保護されたフォルダ") if isinstance(item, (str, os.PathLike)) else item
        p = _real(Path(path))
        if _same(o, p):
            raise OutDirError(f"出力先 {o} は{label}（{p}）そのものです。{_REASON}")
        if _inside(o, p):
            raise OutDirError(f"出力先 {o} は{label}（{p}）の中にあります。{_REASON}")
        if _inside(p, o):
            raise OutDirError(f"出力先 {o} は{label}（{p}）を含んでいます。{_REASON}")
    if _is_project_root(o):
        raise OutDirError(f"出力先 {o} はプロジェクトのルート（{' か '.join(PROJECT_FILES)} があるフォルダ）です。{_REASON}")
    for root in _project_roots(anchors):
        if _inside(root, o):
            raise OutDirError(f"出力先 {o} はプロジェクトのルート（{root}）を含んでいます。{_REASON}")
    check_ours(o)
    return o


def check_ours(out: Path) -> None:
    """Refuse an existing ``out`` that is not a folder, or a non-empty folder pia-site did not write."""
    o = Path(os.path.realpath(out))
    if not o.exists():
        return
    if not o.is_dir():
        raise OutDirError(f"出力先 {o} はフォルダではありません（ファイルがあります）。別のフォルダを --out で指定してください。")
    if is_marked(o):
        return
    names = sorted(p.name for p in o.iterdir())
    if not names:
        return
    shown = "、".join(names[:5]) + (f" ほか {len(names) - 5} 件" if len(names) > 5 else "")
    hint = ""
    if any(n == "lib" or n.startswith(("bdist.", "__editable__")) for n in names):
        hint = "（lib や bdist.* は `pip install .` や `pip wheel .` が作るものです。）"
    raise OutDirError(
        f"出力先 {o} は空ではなく、pia-site が書き出したフォルダではありません（{MARKER} がありません。中身: {shown}）。{hint}"
        "\npia-site はビルドのたびに出力先を丸ごと置き換えるため、書き出した覚えのないフォルダには書きません。"
        "中身が不要なら削除してから実行するか、別のフォルダを --out で指定してください。")


def is_marked(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def mark(folder: Path) -> None:
    """Write the marker at the root of a tree pia-site is writing (the first file in it)."""
    (folder / MARKER).write_bytes(MARKER_TEXT)
    os.chmod(folder / MARKER, 0o644)


def sibling_prefix(out: Path, kind: str) -> str:
    """``.<name>.tmp-`` or ``.<name>.old-``: the names of the writer's trees beside ``out``."""
    return f".{out.name}.{kind}-"


def leftovers(out: Path) -> list[Path]:
    """The trees killed builds left beside ``out``: marked (or empty) and held by no live build."""
    parent = out.parent
    if not parent.is_dir():
        return []
    prefixes = tuple(sibling_prefix(out, k) for k in LEFTOVER_KINDS)
    found = []
    for p in sorted(parent.iterdir()):
        if not p.name.startswith(prefixes) or p.is_symlink() or not p.is_dir():
            continue
        if (is_marked(p) or not any(p.iterdir())) and not _held(p):
            found.append(p)
    return found


def remove_leftovers(out: Path) -> list[Path]:
    gone = leftovers(out)
    for p in gone:
        remove_tree(p)
    return gone


def remove_tree(folder: Path) -> None:
    """Remove a tree the writer made, its marker last: until the folder is empty it stays recognisable."""
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return
    for e in entries:
        if e.name == MARKER:
            continue
        if e.is_dir(follow_symlinks=False):
            shutil.rmtree(e.path, ignore_errors=True)
        else:
            _unlink(e.path)
    _unlink(os.path.join(folder, MARKER))
    try:
        os.rmdir(folder)
    except FileNotFoundError:
        pass


@contextmanager
def held(folder: Path) -> Iterator[None]:
    """Hold ``folder`` (an advisory lock on it) while a build writes it: ``leftovers`` skips it.
    The lock goes with the process, so a killed build's tree is free at once."""
    if fcntl is None:
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _held(folder: Path) -> bool:
    if fcntl is None:
        return False
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return True  # gone or unreadable meanwhile: leave it
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)  # closing releases the probe's lock


def _unlink(path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _real(p: Path) -> Path:
    return Path(os.path.realpath(os.path.abspath(p)))


def _same(a: Path, b: Path) -> bool:
    if a == b:
        return True
    try:
        return os.path.samefile(a, b)  # case-insensitive file systems, bind mounts
    except OSError:
        return False


def _inside(p: Path, root: Path) -> bool:
    """``p`` lies strictly inside ``root`` (both resolved)."""
    return any(_same(parent, root) for parent in p.parents)


def _is_project_root(folder: Path) -> bool:
    return any(os.path.lexists(folder / name) for name in PROJECT_FILES)


def _project_roots(anchors: Iterable[Path]) -> list[Path]:
    """Every project root at or above each anchor."""
    roots = []
    for anchor in anchors:
        a = _real(Path(anchor))
        for d in (a, *a.parents):
            if _is_project_root(d) and d not in roots:
                roots.append(d)
    return roots
