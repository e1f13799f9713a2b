"""Peak RSS of the ``pia-site build`` parent process, sampled from /proc.

    .venv/bin/python benchmarks/parent_rss.py CONTENT OUT [--jobs 2] [--python PY] [-- extra build args]

Starts ``PY -m pia_site build --content CONTENT --out OUT -j JOBS --no-cache -q`` and reads the
parent's /proc/<pid>/status every 0.5 s: its RSS while it has worker processes (the worker stage)
and after, and its VmHWM (the kernel's own peak).  Prints one JSON line.  Linux only.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path


def _status(pid: int) -> dict[str, int]:
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0]) // 1024  # MB
    except OSError:
        pass
    return out


def _children(pid: int) -> int:
    try:
        return len(Path(f"/proc/{pid}/task/{pid}/children").read_text().split())
    except OSError:
        return 0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("content")
    ap.add_argument("out")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--python", default=sys.executable)
    args, extra = ap.parse_known_args()
    cmd = [args.python, "-m", "pia_site", "build", "--content", args.content, "--out", args.out,
           "-j", str(args.jobs), "--no-cache", "-q", *[a for a in extra if a != "--"]]
    load = os.getloadavg()
    start = time.monotonic()
    proc = subprocess.Popen(cmd)
    workers_seen = False
    worker_stage_peak = after_peak = hwm = 0
    worker_stage_end = 0.0
    while proc.poll() is None:
        s = _status(proc.pid)
        rss, hwm = s.get("VmRSS", 0), max(hwm, s.get("VmHWM", 0))
        if _children(proc.pid):
            workers_seen = True
            worker_stage_peak = max(worker_stage_peak, rss)
            worker_stage_end = time.monotonic() - start
        else:
            after_peak = max(after_peak, rss)
        time.sleep(0.5)
    print(json.dumps({"content": args.content, "jobs": args.jobs, "status": proc.returncode,
                      "wall_s": round(time.monotonic() - start, 1), "worker_stage_end_s": round(worker_stage_end, 1),
                      "parent_rss_worker_stage_max_mb": worker_stage_peak if workers_seen else None,
                      "parent_rss_after_max_mb": after_peak, "parent_vmhwm_mb": hwm,
                      "load_before": [round(x, 2) for x in load], "load_after": [round(x, 2) for x in os.getloadavg()]}))


if __name__ == "__main__":
    main()
