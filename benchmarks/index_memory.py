"""Peak memory of the search index's merge, alone: ``IndexBuilder.add`` of N synthetic documents,
then ``finish()``, in this process.

    .venv/bin/python benchmarks/index_memory.py N [N ...]

Each N runs in a fresh subprocess.  A document is 120 units of 100–1,000 characters cut at random
from the seed texts (``../shared/seeds``: about 66,000 characters a document, a small vocabulary,
so common grams have long postings).  Prints one JSON line per N: seconds, the peak RSS while
documents were added, and during ``finish()`` (the kernel's VmHWM, reset before it) with the part
that was file pages (RssFile, sampled when ``finish`` returned and at its largest range).
Linux only.  Not a test: nothing here asserts.
"""
from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"


def _status() -> dict[str, int]:
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        k, _, v = line.partition(":")
        if k in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            out[k] = int(v.split()[0]) // 1024  # MB
    return out


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def _one(n: int) -> dict:
    sys.path.insert(0, str(REPO))
    from pia_site.search import IndexBuilder, IndexMeta
    from pia_site.search import spill
    from pia_site.search.units import Doc, Unit

    seeds = re.sub(r"\s+", " ", " ".join(p.read_text("utf-8", errors="replace") for p in sorted(SEEDS.glob("*.txt"))))
    rnd = random.Random(1)
    munis = tuple((f"{11000 + i:06d}", f"m{i:04d}", f"市{i}", ("埼玉県", "東京都", "大阪府")[i % 3]) for i in range(200))

    def doc(i: int) -> Doc:
        units = []
        for u in range(120):
            a = rnd.randrange(len(seeds) - 1000)
            units.append(Unit(f"u{u}", f"項目{u}", ("I 基本情報", str(u // 10)), seeds[a:a + rnd.randint(100, 1000)]))
        return Doc(f"m{i % 200:04d}/a{i:05d}/index.html", f"評価書{i}", f"m{i % 200:04d}", "全項目評価書",
                   f"事務{i % 50}", "2024-04-01", tuple(units), "zenkoumoku/平成30年5月", ("I",), (), "公表")

    largest = {"RssFile": 0}
    merge_ranges = spill.PostingsSpill._merge_ranges

    def watched(*args):  # the file pages mapped at the end of the merge
        r = merge_ranges(*args)
        largest.update(_status())
        return r

    spill.PostingsSpill._merge_ranges = staticmethod(watched)
    out: dict = {"n": n}
    with tempfile.TemporaryDirectory(prefix="pia-index-mem-") as d:
        b = IndexBuilder(IndexMeta(munis), Path(d))
        t = time.perf_counter()
        for i in range(n):
            b.add(doc(i))
        out["add_s"] = round(time.perf_counter() - t, 1)
        out["add_peak_mb"] = _status()["VmHWM"]
        _reset_peak()
        t = time.perf_counter()
        files = sum(1 for _path, _data in b.finish())
        out["finish_s"] = round(time.perf_counter() - t, 1)
        out["finish_peak_mb"] = _status()["VmHWM"]
        out["merge_end_rss_file_mb"] = largest["RssFile"]
        out["files"] = files
        out["chunks"] = b.chunks
    out["loadavg"] = [round(x, 2) for x in os.getloadavg()]
    return out


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        print(json.dumps(_one(int(argv[1]))), flush=True)
        return 0
    for n in argv or ["400"]:
        subprocess.run([sys.executable, __file__, "--one", n], check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
