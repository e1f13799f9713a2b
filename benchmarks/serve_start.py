"""Benchmark: how long ``pia-site serve`` takes to serve its first page, with a cold and a warm
build cache (``.pia-cache/build``, the one ``pia-site build`` fills), and until the in-memory
builder has taken the output over (edits are applied from then on: the "サイトを読み込みました"
line of its log).

Makes the site of ``incremental_bench.make_site`` (copies of the two sample assessments with
their own slugs, titles and numbers, every tenth the large 全項目 one) in a work folder, then
starts ``pia-site serve --port 0 --jobs J`` in a child process: cold (no cache), then warm (the
cache the cold run left), and, with ``--before PATH``, the serve of another checkout (say, main
before this change) for comparison.  Each row: seconds from the launch to the URL on stdout, to
the first assessment page served (HTTP 200), and to the take-over; the load average at the
start (the machine is shared).

Usage:  python benchmarks/serve_start.py [--count 200] [--jobs 2] [--before /work/main] [--dir DIR]
This is a benchmark, not a test: it prints figures and asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from incremental_bench import make_site  # noqa: E402

READY = "サイトを読み込みました"


def _first_page(url: str, timeout: float) -> float | None:
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                if r.status == 200:
                    r.read()
                    return time.perf_counter()
        except OSError:
            pass
        time.sleep(0.05)
    return None


def run(work: Path, label: str, source: Path, jobs: int, timeout: float) -> dict:
    shutil.rmtree(work / ".pia-cache" / "serve", ignore_errors=True)
    log_path = work / f"serve-{label}.log"
    load = os.getloadavg()[0]
    with open(log_path, "w", encoding="utf-8") as log:
        t0 = time.perf_counter()
        jobs_arg = ["--jobs", str(jobs)] if label != "before" else []  # the old serve built in one process
        proc = subprocess.Popen([sys.executable, "-m", "pia_site", "serve", "--content", "content", "--port", "0",
                                 *jobs_arg], cwd=work, stdout=subprocess.PIPE, stderr=log, text=True,
                                env={**os.environ, "PYTHONPATH": str(source)})
        try:
            url = proc.stdout.readline().strip()
            t_url = time.perf_counter()
            t_page = _first_page(url + "m000/a00000/", timeout)
            t_ready = None
            end = time.perf_counter() + timeout
            while time.perf_counter() < end:
                if READY in log_path.read_text(encoding="utf-8"):
                    t_ready = time.perf_counter()
                    break
                if "ページをビルドしました" in log_path.read_text(encoding="utf-8") and label == "before":
                    break  # the old serve builds everything before it prints the URL
                time.sleep(0.05)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    row = {"run": label, "load": load, "url_s": t_url - t0, "page_s": (t_page - t0) if t_page else None,
           "ready_s": (t_ready - t0) if t_ready else None}
    print(f"{label:>7}: URL {row['url_s']:6.1f} s, first page {row['page_s'] or float('nan'):6.1f} s, "
          f"take-over done {row['ready_s'] if row['ready_s'] is not None else float('nan'):6.1f} s  (load average {load:.1f})",
          flush=True)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--before", type=Path, help="a checkout of pia-site to time beside this one (PYTHONPATH)")
    ap.add_argument("--dir", type=Path, help="work directory (default: a temporary one, removed at the end)")
    ap.add_argument("--timeout", type=float, default=1800)
    args = ap.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="pia-serve-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        make_site(work, args.count)
        print(f"{args.count} assessments, --jobs {args.jobs}, {os.cpu_count()} CPUs", flush=True)
        shutil.rmtree(work / ".pia-cache", ignore_errors=True)
        run(work, "cold", REPO, args.jobs, args.timeout)
        run(work, "warm", REPO, args.jobs, args.timeout)
        if args.before:
            run(work, "before", args.before, args.jobs, args.timeout)
    finally:
        if args.dir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
