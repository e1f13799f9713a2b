"""pia-site: publish 特定個人情報保護評価書 as a fast, accessible, searchable static site."""
from .diagnostics import Diagnostic, DiagnosticsError, SourceLocation

__version__ = "0.1.0"

__all__ = ["Diagnostic", "DiagnosticsError", "SourceLocation", "__version__", "build", "check"]


def build(*args, **kwargs):
    from .build import build as _build

    return _build(*args, **kwargs)


def check(*args, **kwargs):
    from .build import check as _check

    return _check(*args, **kwargs)
