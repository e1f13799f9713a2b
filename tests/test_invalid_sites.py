"""Invalid content trees under tests/fixtures/invalid/: `check` prints the expected diagnostics
(code, file:line:column, key path, Japanese message) and `build` refuses with the same errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from pia_site.build import build, check
from pia_site.diagnostics import Diagnostic, DiagnosticsError, format_diagnostics

from support import FIXTURES

INVALID = FIXTURES / "invalid"
CASES = sorted(p.name for p in INVALID.iterdir() if p.is_dir())


def test_every_case_has_its_expected_output_and_back():
    expected = sorted(p.stem for p in INVALID.glob("*.expected"))
    assert CASES and expected == CASES


@pytest.mark.parametrize("case", CASES)
def test_check_prints_the_expected_diagnostics(case, monkeypatch):
    monkeypatch.chdir(INVALID)  # diagnostics show paths relative to the working directory
    diags = check(Path(case))
    assert any(d.is_error for d in diags)
    want = (INVALID / f"{case}.expected").read_text(encoding="utf-8")
    assert format_diagnostics(diags) + "\n" == want


@pytest.mark.parametrize("case", CASES)
def test_build_refuses_with_the_same_errors_and_writes_nothing(case, monkeypatch, tmp_path):
    monkeypatch.chdir(INVALID)
    out = tmp_path / "out"
    with pytest.raises(DiagnosticsError) as caught:
        build(Path(case), out)
    errors = sorted((d for d in check(Path(case)) if d.is_error), key=Diagnostic.sort_key)
    assert [d for d in caught.value.diagnostics if d.is_error] == errors
    assert not out.exists()
