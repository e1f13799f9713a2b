"""What a round of HTTP range requests costs a page in headless Chromium on this machine: the
floor under ``search_bench.py``'s warm latency.

    python benchmarks/fetch_floor.py SITE [--reps 15]

SITE is a built site with a search index (``search/data/p/0.bin``).  The page (SITE's search page,
served by ``search_bench.Server``, the server the benchmark uses) fetches small ranges of the first
pack, as search.js does: N at once (N = 1, 2, 6, 10, 20), and two rounds one after the other, 2
ranges then 8 (the shards, then the chunks of a typical warm query at 3,000 assessments:
``search_bench`` reports about 10 requests in 2 rounds).  It prints the median time of each over
``--reps`` repetitions, each repetition on ranges not fetched before (no cache hit), and the load
average.  A benchmark: it asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import search_bench as sb  # noqa: E402

JS = """async ([rounds, reps, base]) => {
  const times = [];
  let at = base;
  for (let rep = 0; rep < reps; rep++) {
    const t0 = performance.now();
    for (const n of rounds) {
      await Promise.all(Array.from({length: n}, () => {
        const a = at; at += 3000;
        return fetch('search/data/p/0.bin?r=' + a, {headers: {Range: 'bytes=' + a + '-' + (a + 2999)}})
          .then(r => r.arrayBuffer());
      }));
    }
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("--reps", type=int, default=15)
    a = ap.parse_args(argv)
    site = a.site.resolve()
    size = (site / "search/data/p/0.bin").stat().st_size
    cases = [[1], [2], [6], [10], [20], [2, 8]]
    need = sum(sum(c) for c in cases) * a.reps * 3000
    if size < need:
        raise SystemExit(f"{site}/search/data/p/0.bin has {size} bytes; this needs {need}")
    from playwright.sync_api import sync_playwright

    server = sb.Server(site.parent)
    print(f"load average before: {os.getloadavg()}")
    base = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=sb.CHROMIUM, headless=True, args=sb.CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{server.url}{site.name}/search/index.html")
        for rounds in cases:
            ms = page.evaluate(JS, [rounds, a.reps, base])
            base += sum(rounds) * a.reps * 3000
            label = " then ".join(str(n) for n in rounds)
            print(f"{label:>8} range request(s): median {ms:6.1f} ms")
        browser.close()
    server.close()
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
