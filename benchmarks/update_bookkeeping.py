"""Benchmark: the cost of one ``IncrementalBuilder.update([path])`` for a body edit, split into
loading and validating the edited YAML, rendering its pages, and the rest (bookkeeping and
writing), on a synthetic site made by ``incremental_bench.make_site``.  With ``--title`` the
edit changes the assessment's title instead, so the listings (top page, search page, 更新履歴,
site feed, the municipality's page and feed) are rendered too; the time until the edited
assessment's own pages are written (``on_own_pages``) is reported beside the total.

The first (full) update is made cheap: page rendering and the search index are stubbed out
for it, and with ``--records FILE`` the validated records are kept in a pickle (keyed by path
and digest) so that a second run skips loading every file.  The timed updates load, validate
and render for real, with ``defer_extra=True`` as ``pia-site serve`` does.

Usage:  python benchmarks/update_bookkeeping.py [--count 2000] [--edits 9] [--dir DIR] [--records FILE] [--title]
This is a benchmark, not a test: it prints figures and asserts nothing.
"""
from __future__ import annotations

import argparse
import inspect
import pickle
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import pia_site.preview.sources as sources  # noqa: E402
import pia_site.preview.incremental as incremental  # noqa: E402
import pia_site.render as render  # noqa: E402
from incremental_bench import make_site  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--edits", type=int, default=9)
    ap.add_argument("--dir", type=Path, help="work directory (default: a temporary one)")
    ap.add_argument("--records", type=Path, help="pickle of validated records, reused when present")
    ap.add_argument("--title", action="store_true", help="edit the title (a listing edit) instead of an item")
    args = ap.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="pia-update-"))
    content = make_site(work, args.count)

    cache = pickle.loads(args.records.read_bytes()) if args.records and args.records.exists() else {}
    made: dict = {}
    real_load, real_render = sources.load_source, render.render_page
    real_index, real_doc = incremental.build_index, incremental.assessment_doc

    def cached_load(path, stamp, digest, is_site):
        hit = cache.get((str(path), digest))
        if hit is not None:
            return sources.Source(stamp, digest, *hit)
        s = real_load(path, stamp, digest, is_site)
        made[(str(path), digest)] = (s.load_diags, s.diags, s.record, s.listing)
        return s

    sources.load_source = cached_load
    render.render_page = lambda site, env, spec: spec.path
    incremental.build_index = lambda site, docs, **kw: SimpleNamespace(files={}, state=None)
    incremental.assessment_doc = lambda site, a: None
    builder = incremental.IncrementalBuilder(content, work / "out")
    t = time.perf_counter()
    first = builder.update()
    print(f"first update (rendering and search index stubbed): {time.perf_counter() - t:.1f} s, ok={first.ok}, "
          f"{len(first.rendered)} pages, {len(first.diagnostics)} diagnostics", flush=True)
    if args.records and made and not cache:
        args.records.write_bytes(pickle.dumps(made))
    incremental.build_index, incremental.assessment_doc = real_index, real_doc

    spent = {"load": 0.0, "render": 0.0}

    def timed(fn, bucket):
        def wrapper(*a):
            t = time.perf_counter()
            try:
                return fn(*a)
            finally:
                spent[bucket] += time.perf_counter() - t
        return wrapper

    sources.load_source = timed(real_load, "load")
    render.render_page = timed(real_render, "render")
    target = content / "m010" / "a01000.yaml" if args.count > 1000 else content / "m000" / "a00000.yaml"
    head = "head_title: 課長"
    totals, rests, owns = [], [], []
    early = "on_own_pages" in inspect.signature(builder.update).parameters
    for k in range(args.edits):
        text = target.read_text(encoding="utf-8")
        if args.title:
            text, n = re.subn(r"^(  title: [^\n〔]*).*$", lambda m: f"{m.group(1)}〔改題{k}〕", text, count=1, flags=re.M)
            assert n == 1
            target.write_text(text, encoding="utf-8")
        else:
            new = f"head_title: 課長（編集{k}）"
            target.write_text(text.replace(head, new, 1), encoding="utf-8")
            head = new
        spent.update(load=0.0, render=0.0)
        own_at: list[float] = []
        t = time.perf_counter()
        if early:
            result = builder.update([target], defer_extra=True, on_own_pages=lambda written: own_at.append(time.perf_counter() - t))
        else:  # a builder from before on_own_pages (for a before/after comparison)
            result = builder.update([target], defer_extra=True)
        total = time.perf_counter() - t
        rest = total - spent["load"] - spent["render"]
        totals.append(total)
        rests.append(rest)
        owns.append(own_at[0] if own_at else total)
        own = f"own pages written at {own_at[0]:.3f} s, " if own_at else ""
        print(f"update {k}: {own}{total:.3f} s (load+validate {spent['load']:.3f}, render {spent['render']:.3f}, rest {rest:.3f}); "
              f"ok={result.ok}, rendered {len(result.rendered)}, changed {sorted(result.changed_keys)}", flush=True)
    if args.title:
        print(f"edited pages written, median of updates 1..: {statistics.median(owns[1:]):.3f} s")
    print(f"median of updates 1..: {statistics.median(totals[1:]):.3f} s; rest (bookkeeping, writing) median "
          f"{statistics.median(rests[1:]):.3f} s, min {min(rests[1:]):.3f} s")


if __name__ == "__main__":
    main()
