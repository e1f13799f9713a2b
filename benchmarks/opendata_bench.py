"""Open data at scale: bytes and files that data/ adds per assessment, and the CPU time to
make them, on the sample site and on N synthetic assessments (synthetic.py).

    python benchmarks/opendata_bench.py            # sample + 3,000 synthetic assessments
    python benchmarks/opendata_bench.py --n 300

Prints a report; asserts nothing.  Results are written down in benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))

from pia_site.build import load_site  # noqa: E402
from pia_site.link import link_assessment  # noqa: E402
from pia_site.model import Site  # noqa: E402
from pia_site.opendata import open_data  # noqa: E402
from synthetic import synthetic_site  # noqa: E402


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def measure(label: str, site: Site) -> None:
    c0, t0 = cpu(), time.perf_counter()
    files = open_data(site)
    c1, t1 = cpu(), time.perf_counter()
    n = len(site.assessments)
    per_json = [len(v) for k, v in files.items() if k.startswith("data/assessments/")]
    fixed = sum(len(v) for k, v in files.items() if k.startswith("data/schema/"))
    csvs = {k: len(v) for k, v in files.items() if k.endswith((".csv", "datapackage.json"))}
    total = sum(len(v) for v in files.values())
    print(f"{label}: {n} assessments, {sum(len(a.changes) for a in site.assessments)} change rows")
    print(f"  files {len(files)} ({len(per_json)} JSON + {len(files) - len(per_json)} site-wide), bytes {total:,}")
    print(f"  JSON per assessment: mean {sum(per_json) / n:,.0f} B, max {max(per_json):,} B")
    print("  " + ", ".join(f"{k.split('/')[-1]} {v:,} B" for k, v in sorted(csvs.items())) + f", schemas {fixed:,} B (fixed)")
    print(f"  added per assessment (all but the schemas): {(total - fixed) / n:,.0f} B")
    print(f"  open_data(): wall {t1 - t0:.2f} s, CPU {c1 - c0:.2f} s; load {os.getloadavg()[0]:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=3000)
    args = ap.parse_args()
    base, _ = load_site(REPO / "content")
    measure("sample", base)
    big = synthetic_site(base, args.n, seeds_dir=REPO / "tests" / "fixtures" / "seeds")
    # the synthetic records keep the sample's rows: link them as the build does
    big = Site(big.config, big.municipalities, tuple(link_assessment(a)[0] for a in big.assessments))
    measure(f"synthetic {args.n}", big)


if __name__ == "__main__":
    main()
