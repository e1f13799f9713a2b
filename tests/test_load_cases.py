"""Case files for the loader: ``tests/cases/yaml/<name>.yaml`` is read as a ``municipality.yaml``
(load, then validation), and every diagnostic, formatted as ``check`` prints it, must equal
``<name>.expected`` line for line (an empty file: no diagnostic at all).

Each case is a municipality file that is correct apart from one authoring mistake, so the
expected output shows the whole answer an author gets: the cause named in Japanese at the place to
edit, and nothing false besides it (no "empty file" after a syntax error).  The default reading
(libyaml's shortcut where possible) and the pure-Python reference must give the same output.

To write the expected output of a new case, run with ``PIA_WRITE_CASES=1`` and review the file.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from pia_site.diagnostics import Diagnostic, format_diagnostic
from pia_site.load import SourceDocument, load_document, parse_yaml
from pia_site.validate import validate_municipality

CASES = Path(__file__).resolve().parent / "cases" / "yaml"


def _cases() -> list[Path]:
    return sorted(CASES.glob("*.yaml"))


def _output(diags: list[Diagnostic]) -> str:
    return "".join(format_diagnostic(d) + "\n" for d in sorted(diags, key=Diagnostic.sort_key))


def _run(name: str, fast: bool) -> str:
    path = Path(name)
    if fast:
        doc, diags = load_document(path)
    else:  # the same steps as load_document, through the reference parser
        text = path.read_text(encoding="utf-8")
        root, diags = parse_yaml(text, name, fast=False)
        doc = SourceDocument(name, root, text, root is None and any(d.is_error for d in diags))
    _, more = validate_municipality(doc, "koshigaya")
    return _output(diags + more)


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.stem)
def test_case(case: Path, monkeypatch):
    monkeypatch.chdir(CASES)  # diagnostics show paths relative to the working directory
    got = _run(case.name, fast=True)
    expected_file = case.with_suffix(".expected")
    if os.environ.get("PIA_WRITE_CASES"):
        expected_file.write_text(got, encoding="utf-8")
    assert expected_file.is_file(), f"{expected_file.name} is missing"
    assert got == expected_file.read_text(encoding="utf-8")
    assert _run(case.name, fast=False) == got


def test_every_expected_file_has_its_case():
    orphans = [p.name for p in CASES.glob("*.expected") if not p.with_suffix(".yaml").is_file()]
    assert orphans == []


# ---------------------------------------------------------------------------
# an unreadable file gets the reason only, in every role (no false "empty" or "missing" message)

BROKEN = 'title: "テストサイト\nseireki: after\n'  # a quote left open on line 1


def test_unreadable_files_get_no_false_empty_or_missing_message(tmp_path):
    from pia_site.build import check

    from support import make_content, write

    content = make_content(tmp_path, {"a": "form: 重点項目評価書\nedition:\t令和6年10月\n"})
    write(content / "site.yaml", BROKEN)
    (content / "koshigaya" / "municipality.yaml").write_bytes("name: 越谷市\n".encode("utf-16"))
    got = sorted((d.code, d.location.path.replace("\\", "/").rsplit("/", 2)[-1], d.location.line) for d in check(content))
    assert got == [("E001", "municipality.yaml", 1), ("Y011", "a.yaml", 2), ("Y014", "site.yaml", 1)]


def test_a_truly_empty_file_is_still_reported(tmp_path):
    from pia_site.validate import validate_assessment

    p = tmp_path / "a.yaml"
    p.write_text("# nothing yet\n", encoding="utf-8")
    doc, diags = load_document(p)
    _, more = validate_assessment(doc, "koshigaya")
    assert [d.code for d in diags + more] == ["V004"]


# ---------------------------------------------------------------------------
# what pia-site writes itself loads clean (its comments follow empty or quoted values only)

@pytest.mark.parametrize("kind,edition", [("juten", "令和6年10月"), ("zenkoumoku", "平成30年5月"), ("zenkoumoku", "令和7年5月")])
def test_scaffold_loads_without_loader_diagnostics(kind, edition):
    from support import scaffold_text

    text = scaffold_text(kind, edition)
    assert " # " in text or "- #" in text  # it does carry comments after keys and items
    assert parse_yaml(text, "a.yaml", fast=False)[1] == []


def test_new_municipality_file_loads_without_loader_diagnostics():
    from pia_site.content_tree import municipality_yaml

    text = municipality_yaml(["越谷市長"], "（pia-site import が作成）")
    assert '""   #' in text
    assert parse_yaml(text, "municipality.yaml", fast=False)[1] == []
