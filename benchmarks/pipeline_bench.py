"""Benchmark: full builds of a synthetic site through the per-assessment pipeline, and a cached
rebuild after one edit.

Makes the site of ``incremental_bench.make_site`` (copies of the two sample assessments with
their own slugs, titles and numbers, every tenth the large 全項目 one) unless ``--content``
names one, then runs ``pia-site build --jobs J`` in a child process and reports wall time,
CPU seconds (user+sys of the build and its workers), the peak of the summed RSS of the build's
process tree (sampled from /proc every 50 ms) and the output's files and bytes; ``--cached``
also builds with the cache, edits one assessment and times the cached rebuild.  The load
average is printed beside each figure: the machine is shared.

Usage:  python benchmarks/pipeline_bench.py [--count 200] [--jobs 2] [--cached] [--dir DIR]
This is a benchmark, not a test: it prints figures and asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from incremental_bench import make_site  # noqa: E402


def _tree_rss(root: int) -> int:
    """Summed VmRSS (bytes) of ``root`` and its descendants."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                parents[int(d)] = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{d}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss[int(d)] = int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            continue
    tree, todo = set(), [root]
    while todo:
        p = todo.pop()
        tree.add(p)
        todo += [c for c, pp in parents.items() if pp == p and c not in tree]
    return sum(rss.get(p, 0) for p in tree)


def run(argv: list[str]) -> dict:
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    before = os.times()
    with tempfile.TemporaryFile() as log:  # thousands of warnings: a pipe would fill and stall the build
        proc = subprocess.Popen([sys.executable, "-m", "pia_site", *argv], stdout=subprocess.DEVNULL, stderr=log)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.25)
        wall = time.perf_counter() - t0
        after = os.times()
        log.seek(0)
        err = log.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise SystemExit(f"build failed ({proc.returncode}):\n{err[-2000:]}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {"wall": wall, "cpu": cpu, "rss": peak, "load": load}


def tree_size(out: Path) -> tuple[int, int]:
    files = [p for p in out.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def show(what: str, r: dict, n: int) -> None:
    print(f"{what}: wall {r['wall']:.1f} s, CPU {r['cpu']:.1f} s ({r['cpu'] / n:.3f} s per assessment), "
          f"peak RSS {r['rss'] / 2**20:.0f} MB, load before {r['load']:.2f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--content", type=Path)
    ap.add_argument("--dir", type=Path)
    ap.add_argument("--cached", action="store_true", help="also: build with the cache, edit one file, rebuild")
    args = ap.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
    content = args.content or make_site(work, args.count)
    n = sum(1 for _ in content.glob("*/*.yaml")) - sum(1 for _ in content.glob("*/municipality.yaml"))
    out = work / "out"
    common = ["build", "--content", str(content), "--out", str(out), "--jobs", str(args.jobs)]
    r = run(common + ["--no-cache"])
    files, size = tree_size(out)
    show(f"N={n} --jobs {args.jobs} clean build, no cache", r, n)
    print(f"  output: {files} files, {size / 2**20:.1f} MB ({files / n:.1f} files per assessment)")
    if args.cached:
        cache = content.resolve().parent / ".pia-cache"
        shutil.rmtree(cache, ignore_errors=True)
        show("clean build filling the cache", run(common), n)
        show("rebuild, nothing changed", run(common), n)
        target = sorted(content.glob("*/a*.yaml"))[n // 2]
        target.write_text(target.read_text(encoding="utf-8").replace("title: ", "title: 改 ", 1), encoding="utf-8")
        show(f"rebuild after editing {target.relative_to(content)}", run(common), n)
    if not args.dir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
