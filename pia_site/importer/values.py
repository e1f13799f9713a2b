"""Typed values from source text: choices, checkbox sets, flags (``marks``), dates, periods,
counts (``dates``), each a ``Parsed`` (``parsed``).  The names are re-exported here."""
from __future__ import annotations

from .dates import excel_serial, find_date, parse_count, parse_date, parse_period
from .marks import choice_family, parse_check, parse_choice, parse_flags
from .parsed import Parsed, is_dash

__all__ = [
    "Parsed", "choice_family", "excel_serial", "find_date", "is_dash", "parse_check", "parse_choice",
    "parse_count", "parse_date", "parse_flags", "parse_period",
]
