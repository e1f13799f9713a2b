"""Would another order of the chunks in the packs put a first page's chunks side by side?

    python benchmarks/chunk_locality.py SITE QUERIES.json

A warm query at 3,000 assessments reads about 20 chunks for its first page, one or two per
assessment, in about 8 range requests (``search_bench.py``).  For each query of QUERIES.json (a
list of objects with a ``q``, as ``search_bench``'s latency probes write them), this takes the
candidate chunks the reference client (``search.client``) reads in order until 20 units hold the
query, and counts the runs of adjacent chunks among them (one range request each, without
coalescing) in the packs as they are (documents in site order, each document's chunks in order)
and in a striped order: within each stripe of S consecutive documents, the chunks ordered by their
section (the first two levels), then by document.  It reads every chunk of the index once.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pia_site.search.client import IndexReader  # noqa: E402
from pia_site.search.normalise import normalise_query  # noqa: E402


def runs(positions: list[int]) -> int:
    ps = sorted(positions)
    return sum(1 for i, p in enumerate(ps) if i == 0 or p != ps[i - 1] + 1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("queries", type=Path)
    a = ap.parse_args(argv)
    r = IndexReader.from_dir(a.site)
    n = r.meta()["chunks"]
    section, norms, doc = [], [], []
    urls: dict[str, int] = {}
    for c in range(n):
        ch = json.loads(r.blob(f"t/{c}", c))
        r.cache.clear()
        section.append(" › ".join(ch["sections"][ch["units"][0][2]].split(" › ")[:2]))
        norms.append([u[4] for u in ch["units"]])
        doc.append(urls.setdefault(ch["url"], len(urls)))

    def striped(s: int) -> list[int]:
        pos = [0] * n
        for p, c in enumerate(sorted(range(n), key=lambda c: (doc[c] // s, section[c], doc[c], c))):
            pos[c] = p
        return pos

    layouts = {"as built": list(range(n))} | {f"stripes of {s}": striped(s) for s in (16, 32, 64, 128)}
    found: dict[str, list[int]] = {k: [] for k in layouts}
    queries = [o["q"] for o in json.loads(a.queries.read_text())]
    for q in queries:
        nq = normalise_query(q)
        read, hits = [], 0
        for c in r.candidates(q):
            if c >= n or hits >= 20:
                break
            read.append(c)
            hits += sum(1 for t in norms[c] if nq in t)
        for k, pos in layouts.items():
            found[k].append(runs([pos[c] for c in read]))
    print(f"{len(queries)} queries, {n} chunks, {len(urls)} documents")
    for k, v in found.items():
        print(f"{k:>16}: runs of adjacent chunks per first page: median {statistics.median(v):.1f}, "
              f"mean {statistics.mean(v):.1f}, p90 {sorted(v)[int(0.9 * len(v))]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
