"""Diagnostics: located, coded messages for authors (in Japanese).

This module imports only the standard library.  Every stage reports problems as
``Diagnostic`` values; ``format_diagnostics`` is the single formatter used by the
CLI, the CI annotation output and the dev-server overlay.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Iterable


def display_path(path: Path) -> str:
    """How a file is named in a message: relative to the working directory when it lies
    below it.  A symlink is named by where it is, not by where it points."""
    try:
        return str((path.parent.resolve() / path.name).relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):
        return str(path)


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class SourceLocation:
    """A position in a source file; line and column are 1-based."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.column or 1}"
        return self.path


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    location: SourceLocation
    key_path: str = ""
    label: str = ""
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self):
        return (self.location.path, self.location.line, self.location.column, self.code, self.message)


class DiagnosticsError(Exception):
    """Raised by a stage that cannot continue; carries every diagnostic found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        super().__init__(format_diagnostics(self.diagnostics))


SEVERITY_JA = {Severity.ERROR: "エラー", Severity.WARNING: "警告"}


def format_diagnostic(d: Diagnostic) -> str:
    parts = [f"{d.location}: {SEVERITY_JA[d.severity]}[{d.code}]"]
    if d.key_path:
        parts.append(f"{d.key_path}")
    if d.label:
        parts.append(f"「{d.label}」")
    return " ".join(parts) + f": {d.message}"


def format_github(d: Diagnostic) -> str:
    """GitHub Actions workflow command for one diagnostic."""
    level = "error" if d.is_error else "warning"
    loc = d.location
    msg = format_diagnostic(d).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return f"::{level} file={loc.path},line={loc.line or 1},col={loc.column or 1}::{msg}"


def format_diagnostics(diagnostics: Iterable[Diagnostic], fmt: str = "text") -> str:
    ds = sorted(diagnostics, key=Diagnostic.sort_key)
    if fmt == "github":
        return "\n".join(format_github(d) for d in ds)
    lines = [format_diagnostic(d) for d in ds]
    errors = sum(1 for d in ds if d.is_error)
    warnings = len(ds) - errors
    if ds and fmt == "text":
        lines.append(f"エラー {errors} 件、警告 {warnings} 件")
    return "\n".join(lines)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)
