"""Benchmark: CPU of the per-assessment work (``pipeline.worker._work``), split by stage.

Runs the worker in this process, one assessment after the other (no pool, no cache, nothing
written), over a content folder, and reports CPU seconds (``time.process_time``) per
assessment for each stage: load, validate, link (change-log resolution), views of the
assessment page, views of the 変更箇所 page (its diffs), Jinja, the guard over the YAML, the
guard over the pages and open-data files, the search document, the open data, the rest.
The stages are timed by wrapping the functions the worker calls, so the figures include
the wrappers' small cost.  The site-wide pages and the search index are not part of it
(see ``pipeline_bench.py`` for whole builds).

Usage:  python benchmarks/worker_bench.py CONTENT [--rounds 1] [--profile FILE]
``--profile`` writes a cProfile of the runs instead of the split (inflates Python calls).
This is a benchmark, not a test: it prints figures and asserts nothing.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pia_site import render as render_mod  # noqa: E402
from pia_site.guard import output as guard_output  # noqa: E402
from pia_site.pipeline import run as run_mod  # noqa: E402
from pia_site.pipeline import worker  # noqa: E402

SPENT: dict[str, float] = defaultdict(float)


def _timed(name: str, fn):
    def wrapper(*args, **kwargs):
        t0 = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            SPENT[name] += time.process_time() - t0
    return wrapper


def _instrument() -> None:
    for name in ("load_document", "validate_assessment", "link_assessment", "render_with", "doc_from_view",
                 "assessment_open_data"):
        setattr(worker, name, _timed(name, getattr(worker, name)))
    worker.guard.scan_document = _timed("guard (YAML)", worker.guard.scan_document)
    for meth in ("page", "file"):
        setattr(guard_output.OutputScanner, meth, _timed("guard (output)", getattr(guard_output.OutputScanner, meth)))
    render_mod.assessment_view = _timed("views: assessment page", render_mod.assessment_view)
    render_mod.changes_page = _timed("views: 変更箇所 page", render_mod.changes_page)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("content", type=Path)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--profile", type=Path)
    args = ap.parse_args()
    prepared = run_mod._prepare(args.content)
    shared = run_mod._shared(prepared, True, None, None)
    jobs = prepared.tree.jobs
    if not args.profile:
        _instrument()
    prof = cProfile.Profile() if args.profile else None
    load = os.getloadavg()[0]
    t0 = time.process_time()
    for _ in range(args.rounds):
        for job in jobs:
            if prof:
                prof.enable()
            worker._work(job, shared)
            if prof:
                prof.disable()
    total = time.process_time() - t0
    n = len(jobs) * args.rounds
    print(f"{len(jobs)} assessments × {args.rounds}: {total:.2f} s CPU, {total / n * 1000:.0f} ms per assessment "
          f"(load average before {load:.2f}, after {os.getloadavg()[0]:.2f})")
    if prof:
        prof.dump_stats(args.profile)
        print(f"profile written to {args.profile}")
        return
    for name, s in sorted(SPENT.items(), key=lambda kv: -kv[1]):
        if name == "render_with":
            continue
        print(f"  {name:<26} {s / n * 1000:7.1f} ms  {s / total:5.1%}")
    jinja = SPENT["render_with"]
    print(f"  {'Jinja (render_with)':<26} {jinja / n * 1000:7.1f} ms  {jinja / total:5.1%}")
    rest = total - sum(SPENT.values())
    print(f"  {'rest':<26} {rest / n * 1000:7.1f} ms  {rest / total:5.1%}")


if __name__ == "__main__":
    main()
