"""Benchmark: a full build, stage by stage (load, validate, link, render, write; search index optional).

Makes the synthetic site of ``incremental_bench.make_site`` (copies of the two sample assessments,
every tenth the large 全項目 one) unless ``--content`` names a site, then runs the stages of
``pia_site.build.build`` one after the other and prints CPU seconds per stage and per assessment
(CPU time, so that other jobs on the machine disturb the figures less than wall time would).
``--varied N`` also renders N assessments of ``synthetic.py`` (texts differ between assessments,
so caches of identical texts help less than on the copies).

Usage:  python benchmarks/build_stages.py [--count 400] [--content DIR] [--search] [--varied 60]
This is a benchmark, not a test: it prints figures and asserts nothing.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from pia_site.theme import Theme  # noqa: E402
from pia_site.link import link_assessment  # noqa: E402
from pia_site.load import load_content  # noqa: E402
from pia_site.model import Site  # noqa: E402
from pia_site.render import make_environment, render_site  # noqa: E402
from pia_site.validate import validate_assessment, validate_municipality, validate_site  # noqa: E402
from pia_site.write import write_site  # noqa: E402


def stages(content: Path, out: Path, search: bool) -> tuple[int, int, dict[str, float]]:
    times: dict[str, float] = {}
    clock = time.process_time

    t = clock()
    source, _ = load_content(content)
    times["load"] = clock() - t

    t = clock()
    config, _ = validate_site(source.site)
    municipalities, records = [], []
    for ms in source.municipalities:
        if ms.municipality is not None:
            m, _ = validate_municipality(ms.municipality, ms.slug)
            if m is not None:
                municipalities.append(m)
        for doc in ms.assessments:
            a, _ = validate_assessment(doc, ms.slug)
            if a is not None:
                records.append(a)
    times["validate"] = clock() - t

    t = clock()
    assessments = [link_assessment(a)[0] for a in records]
    times["link"] = clock() - t

    site = Site(config, tuple(municipalities), tuple(assessments))
    theme = Theme.for_config(config)
    t = clock()
    pages = render_site(site, make_environment(theme))
    times["render (views + templates)"] = clock() - t

    extra: dict[str, bytes] = {}
    if search:
        from pia_site.search import build_search_index

        t = clock()
        extra = build_search_index(site)
        times["search index"] = clock() - t

    t = clock()
    write_site(pages, out, theme.asset_files(), extra=extra)
    times["write"] = clock() - t
    return len(assessments), len(pages), times


def varied_render(n: int) -> tuple[int, float]:
    from synthetic import synthetic_site

    from pia_site.build import load_site

    base, _ = load_site(REPO / "content")
    site = synthetic_site(base, n)
    env = make_environment(Theme.for_config(site.config))
    t = time.process_time()
    render_site(site, env)
    return len(site.assessments), time.process_time() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=400)
    ap.add_argument("--content", type=Path)
    ap.add_argument("--search", action="store_true", help="time the search index too")
    ap.add_argument("--varied", type=int, default=0, help="also render N varied synthetic assessments")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="pia-build-stages-") as tmp:
        content = args.content
        if content is None:
            from incremental_bench import make_site

            content = make_site(Path(tmp), args.count)
        n, pages, times = stages(content, Path(tmp) / "out", args.search)
    print(f"{n} assessments, {pages} pages (CPU seconds)")
    for name, s in times.items():
        print(f"  {name:28s} {s:8.2f} s  {1000 * s / n:7.1f} ms/assessment")
    total = sum(times.values())
    print(f"  {'total':28s} {total:8.2f} s  {1000 * total / n:7.1f} ms/assessment")
    if args.varied:
        n, s = varied_render(args.varied)
        print(f"varied texts: render of {n} assessments {s:.2f} s, {1000 * s / n:.1f} ms/assessment")


if __name__ == "__main__":
    main()
