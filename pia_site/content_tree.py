"""The content folder's shape, in one place: what is read, what is skipped, what is warned
about, and the messages about the tree itself.

    content/
      site.yaml                   the site's settings
      <slug>/municipality.yaml    one municipality; <slug> becomes its URL (ID_RE)
      <slug>/<slug>.yaml | .yml   its assessments, one per file; the file's stem becomes the URL

Folders whose name starts with "." or "_" are skipped (``_schema/``, ``.git/``).  A file that
looks like YAML but is not read (``a.YAML``, ``..yaml``, ``content/other.yaml``) is a warning
(E014); a symlink that leaves the content folder is an error (E013) and is not read.  The
loader (``load.load_content``), the preview's sources (``preview.sources``), the watcher and
the authoring commands (``new``, ``import``, ``changelog draft``) all ask this module.
"""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .diagnostics import Diagnostic, Severity, SourceLocation, display_path
from .symlinks import leaves, outside_error

SITE_FILE = "site.yaml"
MUNICIPALITY_STEM = "municipality"
MUNICIPALITY_FILE = MUNICIPALITY_STEM + ".yaml"
YAML_SUFFIXES = (".yaml", ".yml")
# a municipality folder's or an assessment file's name: it becomes part of the URL
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


# -- names ----------------------------------------------------------------------------------
def folder_ok(name: str) -> bool:
    """A folder of content/ that may hold a municipality (others are skipped silently)."""
    return not name.startswith((".", "_"))


def yaml_name(name: str) -> bool:
    """A file name that is read as a source inside a municipality folder."""
    return name.endswith(YAML_SUFFIXES) and not name.startswith(".")


def looks_like_yaml(name: str) -> bool:
    """A name an author may mean as a source (whatever the case of its suffix); editor lock
    files (``.#x.yaml``) excepted."""
    return name.lower().endswith(YAML_SUFFIXES) and not name.startswith(".#")


def is_municipality(path: Path) -> bool:
    return path.stem == MUNICIPALITY_STEM


# -- messages -------------------------------------------------------------------------------
def no_content(root: Path) -> Diagnostic:
    return Diagnostic("E010", "コンテンツのフォルダが見つかりません。--content で指定してください。", SourceLocation(display_path(root)))


def no_site(root: Path) -> Diagnostic:
    return Diagnostic("E011", "site.yaml がありません。サイト名などを書いた site.yaml を作ってください。",
                      SourceLocation(display_path(root / SITE_FILE)))


def no_municipality(folder: Path) -> Diagnostic:
    return Diagnostic("E012", "municipality.yaml がありません。団体名・都道府県・団体コードを書いてください。",
                      SourceLocation(display_path(folder / MUNICIPALITY_FILE)))


def _not_read(path: Path, why: str) -> Diagnostic:
    return Diagnostic("E014", f"ファイル「{path.name}」は読み込まれません。{why}", SourceLocation(display_path(path)),
                      severity=Severity.WARNING)


def _unread_reason(name: str, top: bool) -> str:
    if top:
        return ("コンテンツのフォルダの直下で読むのは site.yaml だけです。評価書は団体のフォルダ（例: koshigaya/）に、"
                "サイトの設定は小文字の site.yaml に書いてください。")
    if name.startswith("."):
        return "「.」で始まるファイルは隠しファイルとして読み飛ばします。ファイル名を半角英小文字・数字・-・_ で付けてください（例: keijidosha-fuka.yaml）。"
    return "拡張子は小文字の .yaml（または .yml）にしてください。"


# -- entries --------------------------------------------------------------------------------
def top_entry(path: Path, root: Path) -> tuple[str | None, Diagnostic | None]:
    """What one entry of the content folder is: ("site" | "folder" | None, its diagnostic)."""
    name = path.name
    if not path.is_symlink() and not path.exists():
        return None, None
    if path.is_dir():
        if not folder_ok(name):
            return None, None
        if path.is_symlink() and leaves(path, root):
            return None, outside_error(path, root)
        return "folder", None
    if not looks_like_yaml(name):
        return None, None
    if name == SITE_FILE:
        if path.is_symlink() and leaves(path, root):
            return None, outside_error(path, root)
        return ("site", None) if path.is_file() else (None, None)
    return None, _not_read(path, _unread_reason(name, top=True))


def folder_entry(path: Path, root: Path) -> tuple[bool, Diagnostic | None]:
    """Whether one entry of a municipality folder is read as a source, and its diagnostic."""
    name = path.name
    if not looks_like_yaml(name) or (not path.is_symlink() and not path.is_file()):
        return False, None
    if path.is_symlink() and leaves(path, root):
        return False, outside_error(path, root)
    if not path.is_file():
        return False, None
    if not yaml_name(name):
        return False, _not_read(path, _unread_reason(name, top=False))
    return True, None


@dataclass(frozen=True)
class TopScan:
    site: Path | None  # site.yaml, when it is read
    folders: tuple[Path, ...]  # municipality folders, in name order
    diagnostics: tuple[Diagnostic, ...]  # about entries of the content folder (E013, E014)


@dataclass(frozen=True)
class FolderScan:
    files: tuple[Path, ...]  # the sources, in name order
    diagnostics: tuple[Diagnostic, ...]  # about entries not read (E013, E014)


def entries(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError:
        return []


def scan_top(root: Path) -> TopScan:
    site, folders, diags = None, [], []
    for p in entries(root):
        kind, d = top_entry(p, root)
        if d is not None:
            diags.append(d)
        if kind == "site":
            site = p
        elif kind == "folder":
            folders.append(p)
    return TopScan(site, tuple(folders), tuple(diags))


def scan_folder(folder: Path, root: Path) -> FolderScan:
    files, diags = [], []
    for p in entries(folder):
        read, d = folder_entry(p, root)
        if d is not None:
            diags.append(d)
        if read:
            files.append(p)
    return FolderScan(tuple(files), tuple(diags))


def site_missing(root: Path, top_diags) -> list[Diagnostic]:
    """E011, unless site.yaml is there but refused (a link leaving the folder: E013)."""
    shown = display_path(root / SITE_FILE)
    return [] if any(d.location.path == shown for d in top_diags) else [no_site(root)]


def municipality_missing(folder: Path, folder_diags) -> list[Diagnostic]:
    """E012, unless municipality.yaml is there but refused (E013, E014)."""
    shown = {display_path(folder / (MUNICIPALITY_STEM + s)) for s in YAML_SUFFIXES}
    return [] if any(d.location.path in shown for d in folder_diags) else [no_municipality(folder)]


def assessment_files(root: Path) -> list[Path]:
    """Every assessment source of the content folder, in content order."""
    out: list[Path] = []
    for folder in scan_top(root).folders:
        out += [f for f in scan_folder(folder, root).files if not is_municipality(f)]
    return out


# -- where authoring commands (new, import) write ---------------------------------------------
class TargetError(Exception):
    """A refused target; ``status`` is the exit code (1 exists, 2 bad name)."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def assessment_target(content: Path, municipality: str, name: str, force: bool) -> Path:
    if not ID_RE.match(municipality):
        raise TargetError(f"団体のフォルダ名「{municipality}」には半角英小文字・数字・-・_ を使ってください（例: koshigaya）。", 2)
    if not ID_RE.match(name):
        raise TargetError(f"ファイル名「{name}」は URL になるため、半角英小文字・数字・-・_ で --name に指定してください（例: --name keijidosha-fuka）。", 2)
    target = content / municipality / f"{name}.yaml"
    if target.exists() and not force:
        raise TargetError(f"{target} はすでにあります。上書きする場合は --force を付けてください。", 1)
    return target


def municipality_yaml(bodies: list[str] | None = None, note: str = "") -> str:
    safe = [b for b in (bodies or []) if re.fullmatch(r"[^\[\]{},:#&*!|>'\"%@`]+", b)]
    return (f"# 団体の情報{note}。団体名・都道府県・団体コードを書いてください\n"
            "name:\nprefecture:\ncode: \"\"   # 全国地方公共団体コード（6 桁、引用符で囲む）\n"
            f"bodies: [{', '.join(safe)}]\n")


def ensure_municipality(folder: Path, bodies: list[str] | None = None, note: str = "") -> Path | None:
    """Create ``municipality.yaml`` with empty fields if missing; return it when created."""
    path = folder / MUNICIPALITY_FILE
    if path.exists():
        return None
    atomic_write(path, municipality_yaml(bodies, note))
    return path


def atomic_write(path: Path, text: str | Iterable[str]) -> None:
    """Write ``text`` (or its pieces, one after another) to ``path`` all at once or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.writelines([text] if isinstance(text, str) else text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
