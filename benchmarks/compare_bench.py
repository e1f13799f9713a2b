"""The compare pages (他団体の記載と比べる) at scale: files and bytes they add per assessment, the
size of the per-assessment record the build keeps, the largest page, and the CPU time, on the
sample site and on N synthetic assessments (synthetic.py).

    python benchmarks/compare_bench.py                 # sample + 1,000 synthetic assessments
    python benchmarks/compare_bench.py --n 1000 3000

Prints a report; asserts nothing.  Results are written down in benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import pickle
import re
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))

from pia_site import render  # noqa: E402
from pia_site.build import load_site  # noqa: E402
from pia_site.link import link_assessment  # noqa: E402
from pia_site.model import Site  # noqa: E402
from pia_site.theme import Theme  # noqa: E402
from synthetic import synthetic_site  # noqa: E402

LINK = re.compile(r'<p class="compare-link">.*?</p>|<a class="compare-flag"[^>]*>.*?</a>\s?')
SAMPLED = 40  # assessment pages rendered to measure the links the compare pages add to them


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def measure(label: str, site: Site) -> None:
    env = render.make_environment(Theme.for_config(site.config))
    closure = render.template_deps(env)
    n = len(site.assessments)
    c0 = cpu()
    records = render.site_compare_records(site)
    c1 = cpu()
    specs = render.compare_page_specs(records, closure)
    sizes = {s.path: len(render.render_page(site, env, s).encode("utf-8")) for s in specs}
    c2 = cpu()
    pickled = [len(pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL)) for r in records]
    item_pages = [p for p in sizes if p.count("/") == 3]
    pref_pages = [p for p in sizes if p.count("/") > 3]
    link_bytes = []
    for a in site.assessments[:SAMPLED]:
        for spec in render.assessment_page_specs(site, a, closure)[:1]:
            html = render.render_page(site, env, spec)
            link_bytes.append(sum(len(m.group().encode("utf-8")) for m in LINK.finditer(html)))
    total = sum(sizes.values())
    print(f"{label}: {n} assessments in {len({m.prefecture for m in site.municipalities})} prefectures")
    print(f"  compare pages: {len(sizes)} files ({len(item_pages)} item pages, {len(pref_pages)} prefecture pages, 1 index), "
          f"{total:,} B; largest {max(sizes.values()):,} B ({max(sizes, key=sizes.get)})")
    print(f"  per assessment: {len(sizes) / n:.2f} files, {total / n:,.0f} B of compare pages; "
          f"+{sum(link_bytes) / len(link_bytes):,.0f} B of links on its own page (mean of {len(link_bytes)})")
    print(f"  record kept per assessment (pickled, in the Result and the cache): mean {sum(pickled) / n:,.0f} B, max {max(pickled):,} B")
    print(f"  CPU: records {c1 - c0:.2f} s, tally + render of the compare pages {c2 - c1:.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, nargs="*", default=[1000])
    args = ap.parse_args()
    base, _ = load_site(REPO / "content")
    measure("sample", base)
    for n in args.n:
        big = synthetic_site(base, n, seeds_dir=REPO / "tests" / "fixtures" / "seeds")
        big = Site(big.config, big.municipalities, tuple(link_assessment(a)[0] for a in big.assessments))
        measure(f"synthetic {n}", big)


if __name__ == "__main__":
    main()
