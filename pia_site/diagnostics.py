"""Diagnostics: located, coded messages for authors (in Japanese).

This module imports only the standard library.  Every stage reports problems as
``Diagnostic`` values; ``format_diagnostics`` is the single formatter used by the
CLI, the CI annotation output and the dev-server overlay.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Iterable, Iterator


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


@dataclass(frozen=True, order=True, slots=True)
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
        self.diagnostics = in_order(diagnostics)
        super().__init__()

    def __str__(self) -> str:  # formatted when asked: a national site's list is long
        return format_diagnostics(self.diagnostics)


def in_order(diagnostics: Iterable[Diagnostic]):
    """``diagnostics`` in ``Diagnostic.sort_key`` order: a collection that iterates in that order
    (``in_sort_order``: ``diagnostic_list.DiagnosticList``, which streams) as it is, anything
    else as a sorted list."""
    if getattr(diagnostics, "in_sort_order", False):
        return diagnostics
    return sorted(diagnostics, key=Diagnostic.sort_key)


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
    return "\n".join(diagnostic_lines(diagnostics, fmt))


def diagnostic_lines(diagnostics: Iterable[Diagnostic], fmt: str = "text") -> Iterator[str]:
    """``format_diagnostics``'s lines, one at a time (a long list is written without being
    joined in memory)."""
    if fmt == "github":
        yield from (format_github(d) for d in in_order(diagnostics))
        return
    errors = warnings = 0
    for d in in_order(diagnostics):
        errors += d.is_error
        warnings += not d.is_error
        yield format_diagnostic(d)
    if (errors or warnings) and fmt == "text":
        yield f"エラー {errors} 件、警告 {warnings} 件"


def error_count(diagnostics: Iterable[Diagnostic]) -> int:
    counted = getattr(diagnostics, "errors", None)  # a DiagnosticList counts its errors
    return counted if isinstance(counted, int) else sum(1 for d in diagnostics if d.is_error)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return error_count(diagnostics) > 0
