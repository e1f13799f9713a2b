"""Every diagnostic code that pia-site raises has a short Japanese title for the per-code
summary of a large site (report.py); a code without one would be summarised under the first
sentence of whichever message came first."""
from __future__ import annotations

import re

from pia_site.diagnostic_titles import TITLES

from support import REPO

# a code as a string literal: the calls that raise diagnostics, and the tables that hold codes
# (the guard's patterns, the YAML syntax messages)
CODE = re.compile(r'"([A-Z]\d{3})"')


def raised_codes() -> set[str]:
    codes = set()
    for path in (REPO / "pia_site").rglob("*.py"):
        if path.name != "diagnostic_titles.py":
            codes |= set(CODE.findall(path.read_text(encoding="utf-8")))
    return codes


def test_every_raised_code_has_a_title():
    codes = raised_codes()
    assert {"C101", "P001", "R020", "V001", "Y001"} <= codes  # the pattern still finds them
    assert sorted(codes - TITLES.keys()) == []


def test_titles_are_japanese_and_short():
    for code, title in TITLES.items():
        assert re.fullmatch(r"[A-Z]\d{3}", code)
        assert re.search(r"[ぁ-んァ-ン一-龯]", title) and len(title) <= 40, code
