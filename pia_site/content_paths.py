"""Where authoring commands (new, import) put files in the content tree, and how they
write them: names checked, nothing overwritten by accident, every write atomic."""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from .validate import ID_RE


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
    path = folder / "municipality.yaml"
    if path.exists():
        return None
    atomic_write(path, municipality_yaml(bodies, note))
    return path


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
