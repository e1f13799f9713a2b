"""Personal-data guard: 個人番号 (an error when next to a keyword) and phone numbers,
e-mail addresses, dates of birth and street addresses (warnings), found in the YAML
(``check``) and in everything ``build`` publishes: pages, feeds, attribute values and
the inflated search index.  Pure functions; ``build.py`` wires them in.

Modules: ``patterns`` (what is looked for), ``source`` (YAML scalars, located),
``output`` (published files, as segments of text), ``report`` (Japanese diagnostics,
output findings mapped back to the YAML scalar they came from).
"""
from __future__ import annotations

from typing import Iterable

from .output import OutputFinding, OutputScanner, data_segments, markup_segments, scan_file
from .patterns import Kind, Match, is_mynumber, mask, mynumber_check_digit, normalise_value, scan_text
from .report import CODES, merged_diagnostics, source_diagnostics
from .source import ALLOW_KEY, Finding, allow_entries, holders_in, scan_document, scan_source


def allowlist(entries: Iterable[str]) -> frozenset[str]:
    """Normalised allowlist entries (site.yaml ``personal_data_allow``); empty ones dropped."""
    return frozenset(v for v in (normalise_value(e) for e in entries) if v)


__all__ = [
    "CODES", "Finding", "allow_entries", "holders_in", "Kind", "Match", "OutputFinding", "OutputScanner", "allowlist", "data_segments", "scan_file",
    "is_mynumber", "markup_segments", "mask", "merged_diagnostics", "mynumber_check_digit", "normalise_value",
    "scan_document", "scan_source", "scan_text", "ALLOW_KEY", "source_diagnostics",
]
