"""Benchmark: re-rendering the pages a title (listing) edit affects, on a loaded site.

Loads a content folder once (or a pickle of its ``Site`` written by an earlier run with
``--pickle``), renders the listings once as the first build does, then edits one assessment's
title ``--edits`` times the way the incremental builder sees an edit (a new record object for
that assessment, every other record the same object) and times, per edit, the assessment's own
pages and the pages that depend on its municipality's listing (top page, search page, 更新履歴,
site feed, the municipality's page and feed), rendered with one memo kept across the edits as
``page_index.PageIndex`` does.  At the end the last version is rendered afresh (a new memo, as a
full build) and compared byte for byte.

Usage:  python benchmarks/listing_edit.py --content DIR [--pickle FILE] [--municipality SLUG] [--edits 6]
At 10,000 assessments loading takes ≈ 10 minutes; with --pickle the next run takes ≈ 20 s.
This is a benchmark, not a test: it prints figures.
"""
from __future__ import annotations

import argparse
import dataclasses
import pickle
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pia_site.build import load_site  # noqa: E402
from pia_site.theme import Theme  # noqa: E402
from pia_site.views.memo import IdentityMemo  # noqa: E402
from pia_site.render import (assessment_page_specs, listing_key, make_environment, municipality_page_specs,  # noqa: E402
                             page_specs, render_page, site_page_specs, template_deps)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--content", type=Path, required=True)
    ap.add_argument("--pickle", type=Path, help="the loaded Site: read when present, else written after loading")
    ap.add_argument("--municipality", help="the edited assessment's municipality (default: the middle one)")
    ap.add_argument("--edits", type=int, default=6)
    args = ap.parse_args()
    sys.setrecursionlimit(100000)
    t = time.perf_counter()
    if args.pickle and args.pickle.exists():
        site = pickle.loads(args.pickle.read_bytes())
    else:
        site, _ = load_site(args.content)
        if args.pickle:
            args.pickle.write_bytes(pickle.dumps(site, protocol=5))
    print(f"site: {len(site.assessments)} assessments, {time.perf_counter() - t:.0f} s to load", flush=True)
    env = make_environment(Theme.for_config(site.config))
    closure = template_deps(env)
    memo = IdentityMemo()
    slug = args.municipality or site.municipalities[len(site.municipalities) // 2].slug
    target = next(a.slug for a in site.assessments if a.municipality == slug)

    def listings(s):
        m = next(x for x in s.municipalities if x.slug == slug)
        return site_page_specs(s, closure, memo) + municipality_page_specs(s, m, closure, memo)

    def retitled(s, k):
        def edit(a):
            if a.slug != target or a.municipality != slug:
                return a
            cover = {**a.parts["cover"], "title": f"{a.title.split('〔')[0]}〔改題{k}〕"}
            return dataclasses.replace(a, parts={**a.parts, "cover": cover})
        return dataclasses.replace(s, assessments=tuple(edit(a) for a in s.assessments))

    t = time.perf_counter()
    for spec in listings(site):
        render_page(site, env, spec)
    print(f"first render of the {listing_key(slug)} pages (empty memo, as a full build): {time.perf_counter() - t:.2f} s", flush=True)
    owns, lists = [], []
    out: dict[str, str] = {}
    for k in range(args.edits):
        site = retitled(site, k)
        a = next(x for x in site.assessments if x.slug == target and x.municipality == slug)
        t = time.perf_counter()
        for spec in assessment_page_specs(site, a, closure):
            render_page(site, env, spec)
        own = time.perf_counter() - t
        per = {}
        t = time.perf_counter()
        for spec in listings(site):
            t1 = time.perf_counter()
            out[spec.path] = render_page(site, env, spec)
            per[spec.path] = round(time.perf_counter() - t1, 3)
        lst = time.perf_counter() - t
        owns.append(own)
        lists.append(lst)
        print(f"edit {k}: own pages {own:.3f} s, listing pages {lst:.3f} s {per}", flush=True)
    print(f"median: own pages {statistics.median(owns):.3f} s, listing pages {statistics.median(lists):.3f} s "
          f"(min {min(lists):.3f}, max {max(lists):.3f})", flush=True)
    t = time.perf_counter()
    fresh = {s.path: render_page(site, env, s) for s in page_specs(site, env) if s.path in out}
    print(f"fresh render of the same pages: {time.perf_counter() - t:.2f} s; identical: {fresh == out}")


if __name__ == "__main__":
    main()
