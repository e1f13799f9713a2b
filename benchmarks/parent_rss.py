"""Peak RSS of the ``pia-site build`` parent process, sampled from /proc.

    .venv/bin/python benchmarks/parent_rss.py CONTENT OUT [--jobs 2] [--python PY] [-- extra build args]

Starts ``PY -m pia_site build --content CONTENT --out OUT -j JOBS --no-cache -v`` and reads the
parent's /proc/<pid>/status every 0.5 s: its largest RSS in each stage (the stage is the last one
its progress lines on stderr named) and its VmHWM (the kernel's own peak).  Prints one JSON line.
Linux only.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
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


STAGES = ("読み込み", "評価書ごとの検査と生成", "検索索引", "ページの生成と書き出し")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("content")
    ap.add_argument("out")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--python", default=sys.executable)
    args, extra = ap.parse_known_args()
    cmd = [args.python, "-m", "pia_site", "build", "--content", args.content, "--out", args.out,
           "-j", str(args.jobs), "--no-cache", "-v", *[a for a in extra if a != "--"]]
    load = os.getloadavg()
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    stage = [STAGES[0]]
    tail: list[str] = []

    def read() -> None:
        for line in proc.stderr:
            tail[:] = (tail + [line.rstrip()])[-3:]
            named = [s for s in STAGES if s in line]
            if named and "段階ごとの時間" not in line:
                stage[0] = named[0]

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    peaks: dict[str, int] = {}
    ends: dict[str, float] = {}
    hwm = 0
    while proc.poll() is None:
        s = _status(proc.pid)
        hwm = max(hwm, s.get("VmHWM", 0))
        peaks[stage[0]] = max(peaks.get(stage[0], 0), s.get("VmRSS", 0))
        ends[stage[0]] = round(time.monotonic() - start, 1)
        time.sleep(0.5)
    reader.join(timeout=5)
    print(json.dumps({"content": args.content, "jobs": args.jobs, "status": proc.returncode,
                      "wall_s": round(time.monotonic() - start, 1), "parent_rss_max_mb_by_stage": peaks,
                      "stage_last_seen_s": ends, "parent_vmhwm_mb": hwm, "stderr_tail": tail,
                      "load_before": [round(x, 2) for x in load], "load_after": [round(x, 2) for x in os.getloadavg()]},
                     ensure_ascii=False))

if __name__ == "__main__":
    main()
