"""The build's diagnostics kept packed and streamed in sort order (``diagnostic_list``), and the
report made from them (``report``) equal to the report of the plain list."""
from __future__ import annotations

import random
import zlib

from pia_site import diagnostic_list
from pia_site.diagnostic_list import DiagnosticList, Packed
from pia_site.diagnostics import Diagnostic, DiagnosticsError, Severity, SourceLocation, has_errors
from pia_site.report import BUILD_LIST_LIMIT, NORMAL, QUIET, VERBOSE, by_code, diagnostics_report, full_list, totals

CODES = ("W001", "W002", "C101", "C104", "E001")


def _diag(rnd: random.Random, path: str, n: int) -> Diagnostic:
    code = rnd.choice(CODES)
    sev = Severity.ERROR if code.startswith("E") else Severity.WARNING
    return Diagnostic(code, f"メッセージ{n}", SourceLocation(path, rnd.randint(0, 40), rnd.randint(0, 3)),
                      f"a.b.{n}", "ラベル", sev)


def _parts(seed: int):
    """Per-file packs (some files twice), a pack of several files, plain parts."""
    rnd = random.Random(seed)
    n = 0
    parts = []
    files = [f"content/m{i:02d}/a{j}.yaml" for i in range(6) for j in range(3)]
    for path in rnd.sample(files, len(files)) + files[:3]:
        ds = []
        for _ in range(rnd.randint(0, 12)):
            ds.append(_diag(rnd, path, n))
            n += 1
        parts.append(Packed(ds))
    mixed = [_diag(rnd, rnd.choice(files), n + k) for k in range(9)]
    parts.append(Packed(mixed))
    parts.append([_diag(rnd, rnd.choice(files + ["content/site.yaml"]), n + 100 + k) for k in range(7)])
    parts.append(())
    return parts


def test_packed_gives_back_its_diagnostics_and_counts_them():
    rnd = random.Random(1)
    ds = [_diag(rnd, "x.yaml", i) for i in range(30)]
    p = Packed(ds)
    assert list(p) == ds and len(p) == 30
    assert p.errors == sum(d.is_error for d in ds)
    assert p.path == "x.yaml"
    assert Packed(ds + [_diag(rnd, "y.yaml", 99)]).path is None
    assert list(Packed([])) == [] and len(Packed([])) == 0


def test_iterates_in_the_order_sorting_the_whole_list_gives():
    for seed in range(20):
        parts = _parts(seed)
        every = [d for part in parts for d in part]
        dl = DiagnosticList(parts)
        assert list(dl) == sorted(every, key=Diagnostic.sort_key)
        assert list(dl.as_given()) == every
        assert len(dl) == len(every)
        assert dl.errors == sum(d.is_error for d in every)
        assert has_errors(dl) == any(d.is_error for d in every)
        assert totals(dl) == totals(every)


def test_adding_keeps_every_part():
    parts = _parts(3)
    every = [d for part in parts for d in part]
    dl = DiagnosticList(parts[:5]) + DiagnosticList(parts[5:-2]) + list(parts[-2])
    assert list(dl) == sorted(every, key=Diagnostic.sort_key)
    assert dl[0] == sorted(every, key=Diagnostic.sort_key)[0]


def test_one_file_is_unpacked_at_a_time(monkeypatch):
    """The first diagnostic comes after one file's packs are unpacked, not all of them."""
    rnd = random.Random(5)
    packs = [Packed([_diag(rnd, f"f{i:03d}.yaml", k) for k in range(5)]) for i in range(50)]
    calls = []
    real = zlib.decompress
    monkeypatch.setattr(diagnostic_list.zlib, "decompress", lambda b: calls.append(1) or real(b))
    it = iter(DiagnosticList(packs))
    first = next(it)
    assert first.location.path == "f000.yaml"
    assert len(calls) == 1
    rest = list(it)
    assert len(calls) == 50 and len(rest) == 249


def test_the_report_of_a_packed_list_is_the_report_of_the_plain_list():
    for seed in (1, 2, 7):
        parts = _parts(seed)
        every = [d for part in parts for d in part]
        dl = DiagnosticList(parts)
        for verbosity in (QUIET, NORMAL, VERBOSE):
            for limit in (0, BUILD_LIST_LIMIT, 10_000):
                assert diagnostics_report(dl, verbosity, limit, "w.txt") == diagnostics_report(every, verbosity, limit, "w.txt")
        assert "".join(full_list(dl)) == "".join(full_list(every))
        assert by_code(dl) == by_code(every)


def test_the_error_of_a_packed_list_lists_it_in_order():
    parts = _parts(4)
    every = [d for part in parts for d in part]
    exc = DiagnosticsError(DiagnosticList(parts))
    assert list(exc.diagnostics) == sorted(every, key=Diagnostic.sort_key)
    assert str(exc) == str(DiagnosticsError(every))
    assert str(exc).splitlines()[-1].startswith("エラー ")
