"""What the build's parent process keeps of each assessment, by field of ``pipeline.summary.Result``.

    .venv/bin/python benchmarks/parent_memory.py CONTENT [--jobs 2] [--limit N]

Runs the worker stage of ``pia-site build`` as ``pipeline.run`` does (``pool.results`` into a
temporary staging folder, removed at the end; no cache) over the assessments of CONTENT, keeps
the ``Result``s the parent keeps (the search document dropped, as ``run._collect`` drops it), and
prints per field: the mean pickle size and what the parent's heap holds for it (``tracemalloc``:
traced memory with every Result kept, minus the same after that field is dropped from all of them).
"""
from __future__ import annotations

import argparse
import gc
import pickle
import sys
import tempfile
import tracemalloc
from dataclasses import fields, replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pia_site.pipeline import pool  # noqa: E402
from pia_site.pipeline.run import _prepare, _shared  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("content", type=Path)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    p = _prepare(args.content)
    jobs = p.tree.jobs[: args.limit or None]
    with tempfile.TemporaryDirectory(prefix="pia-parent-mem-") as stage:
        shared = _shared(p, True, Path(stage), None)
        kept = [replace(r, doc=None) for r in pool.results(jobs, shared, args.jobs)]
    # measured on fresh copies: pickling a str caches its UTF-8 form in it, which would count as held
    blob = pickle.dumps(kept, pickle.HIGHEST_PROTOCOL)
    del kept
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    kept = pickle.loads(blob)
    gc.collect()
    total = tracemalloc.get_traced_memory()[0] - base
    n = len(kept)
    names = [f.name for f in fields(kept[0]) if f.name != "doc"]
    held = {}
    for k in names:
        before = tracemalloc.get_traced_memory()[0]
        kept = [replace(r, **{k: None}) for r in kept]
        gc.collect()
        held[k] = (before - tracemalloc.get_traced_memory()[0]) / n
    tracemalloc.stop()
    sizes = {k: sum(len(pickle.dumps(getattr(r, k), pickle.HIGHEST_PROTOCOL)) for r in pickle.loads(blob)) / n
             for k in names}
    print(f"{n} assessments; parent heap holding every Result: {total / n / 1024:.1f} KB per assessment")
    print(f"{'field':<10} {'pickle KB':>10} {'heap KB':>10}")
    for k in names:
        print(f"{k:<10} {sizes[k] / 1024:>10.1f} {held[k] / 1024:>10.1f}")


if __name__ == "__main__":
    main()
