"""Benchmark: one edit in a synthetic site of many assessments, under ``pia-site serve``.

Makes a site of N assessments (default 10,000) from the YAML in content/ (each a
copy of a sample assessment with its own slug, title, number and date, spread over
municipalities of 100), starts the live preview on it (the initial full build is
timed too), opens one assessment page in headless Chromium, then edits that
assessment's YAML a few times and measures:

* written: from the save until the rebuilt page is on disk with the new text;
* browser: from the save until the open page shows the new text (livereload);
* the same for a title edit, which also re-renders the municipality's listing;
* the search index catch-up that follows each edit (deferred: it does not hold
  back the page).

Usage:  python benchmarks/incremental_bench.py [--count 10000] [--edits 5] [--dir DIR] [--no-browser]
                                              [--wait-index] [--json FILE]
This is a benchmark, not a test: it prints figures and asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pia_site.preview.serve import PreviewServer  # noqa: E402
from pia_site.validate import code_check_digit  # noqa: E402

SOURCES = ("koshigaya/keijidosha-fuka.yaml", "saitama/kokuho-fuka-shuno.yaml")
PER_MUNICIPALITY = 100
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def municipality_code(i: int) -> str:
    five = f"11{100 + i:03d}"
    for d in range(10):
        if code_check_digit(five + str(d)):
            return five + str(d)
    raise AssertionError(five)


def make_site(root: Path, count: int, zenkoumoku_every: int = 10) -> Path:
    """content/ with ``count`` assessments; every ``zenkoumoku_every``-th is the large 全項目 sample."""
    content = root / "content"
    if content.exists():
        shutil.rmtree(content)
    content.mkdir(parents=True)
    shutil.copy(REPO / "content" / "site.yaml", content / "site.yaml")
    texts = [(REPO / "content" / s).read_text(encoding="utf-8") for s in SOURCES]
    titles = ["title: 軽自動車税(種別割)賦課に関する事務 重点項目評価", "title: 国民健康保険(賦課・徴収)に関する事務"]
    for i in range(count):
        m, k = divmod(i, PER_MUNICIPALITY)
        folder = content / f"m{m:03d}"
        if k == 0:
            folder.mkdir()
            (folder / "municipality.yaml").write_text(
                f'name: 試験市{m}\nprefecture: 埼玉県\ncode: "{municipality_code(m)}"\nbodies: [試験市{m}長]\n', encoding="utf-8")
        src = 1 if (zenkoumoku_every and i % zenkoumoku_every == zenkoumoku_every - 1) else 0
        text = texts[src]
        assert titles[src] in text
        text = text.replace(titles[src], f"{titles[src]} 第{i}号", 1)
        text = text.replace('number: "7"', f'number: "{k + 1}"', 1)
        (folder / f"a{i:05d}.yaml").write_text(text, encoding="utf-8")
    return content


def wait_for(pred, timeout: float, step: float = 0.002) -> float | None:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if pred():
            return time.perf_counter()
        time.sleep(step)
    return None


def edit(path: Path, old: str, new: str) -> float:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text.replace(old, new, 1), encoding="utf-8")
    t = time.perf_counter()
    os.replace(tmp, path)  # an editor's atomic save
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=10_000)
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument("--dir", type=Path, help="work directory (default: a temporary one, removed at the end)")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--wait-index", action="store_true", help="let the search index catch up before each edit")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args()

    work = args.dir or Path(tempfile.mkdtemp(prefix="pia-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    os.chdir(work)
    t = time.perf_counter()
    content = make_site(work, args.count)
    gen_s = time.perf_counter() - t
    print(f"generated {args.count} assessments in {gen_s:.1f} s under {work}", flush=True)

    logs: list[str] = []
    server = PreviewServer(Path("content"), Path("out"), port=0, log=logs.append)
    flushes: list[float] = []
    real_apply = server.builder.apply_extra
    job_started: dict[int, float] = {}
    real_prepare = server.builder.prepare_extra

    def timed_prepare():
        job = real_prepare()
        if job is not None:
            job_started[id(job)] = time.perf_counter()
        return job

    def timed_apply(job):
        touched = real_apply(job)
        if touched is not None and id(job) in job_started:
            flushes.append(time.perf_counter() - job_started.pop(id(job)))
        return touched

    server.builder.prepare_extra = timed_prepare
    server.builder.apply_extra = timed_apply
    t = time.perf_counter()
    server.start()
    initial_s = time.perf_counter() - t
    print(f"initial build (pages; served from now on): {initial_s:.1f} s; {server.url}", flush=True)
    wait_for(lambda: server.builder._good is not None and not server.builder._good.extra_dirty, 4 * 3600, 0.5)
    index_s = time.perf_counter() - t - initial_s
    flushes.clear()  # from here on: the catch-up after each edit
    rss_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(f"initial search index (in the background): {index_s:.1f} s more; peak RSS {rss_gb:.1f} GiB", flush=True)

    target_i = args.count // 2 // 10 * 10  # a 重点項目 assessment in the middle
    m, _ = divmod(target_i, PER_MUNICIPALITY)
    yaml_path = content / f"m{m:03d}" / f"a{target_i:05d}.yaml"
    page_rel = f"m{m:03d}/a{target_i:05d}/index.html"
    page_file = Path("out") / page_rel
    listing_file = Path("out") / f"m{m:03d}" / "index.html"

    browser = page = pw = None
    if not args.no_browser and Path(CHROMIUM).exists():
        from playwright.sync_api import sync_playwright

        pw = sync_playwright().start()
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(server.url + page_rel)
        wait_for(lambda: len(server._waiters) >= 1, 30)
        time.sleep(0.5)

    def browser_has(text: str) -> bool:
        try:
            return text in page.inner_text("body")
        except Exception:  # noqa: BLE001 - mid-navigation
            return False

    def settle():
        """Between edits: with --wait-index, until the deferred search index has caught up
        (minutes at 10,000 assessments); otherwise a second, the index still computing."""
        if args.wait_index:
            wait_for(lambda: not server.builder._good or not server.builder._good.extra_dirty, 3600, 0.05)
        time.sleep(1.0)

    results: dict[str, list[float]] = {"body_written": [], "body_browser": [], "title_written": [], "title_listing_written": [], "title_browser": []}
    head = "head_title: 課長"
    for k in range(args.edits):
        settle()
        marker = f"課長（編集{k}）"
        t0 = edit(yaml_path, head, f"head_title: {marker}")
        head = f"head_title: {marker}"
        tw = wait_for(lambda: page_file.exists() and marker in page_file.read_text(encoding="utf-8"), 120)
        results["body_written"].append(tw - t0 if tw else float("nan"))
        if page is not None:
            tb = wait_for(lambda: browser_has(marker), 120, 0.01)
            results["body_browser"].append(tb - t0 if tb else float("nan"))
        print(f"edit {k}: page written {results['body_written'][-1]:.3f} s"
              + (f", browser {results['body_browser'][-1]:.3f} s" if page is not None else ""), flush=True)

    title = f"第{target_i}号"
    for k in range(max(1, args.edits // 2)):
        settle()
        new_title = f"第{target_i}号（改{k}）"
        t0 = edit(yaml_path, title, new_title)
        title = new_title
        tw = wait_for(lambda: new_title in page_file.read_text(encoding="utf-8"), 120)
        tl = wait_for(lambda: new_title in listing_file.read_text(encoding="utf-8"), 120)
        results["title_written"].append(tw - t0 if tw else float("nan"))
        results["title_listing_written"].append(tl - t0 if tl else float("nan"))
        if page is not None:
            tb = wait_for(lambda: browser_has(new_title), 120, 0.01)
            results["title_browser"].append(tb - t0 if tb else float("nan"))
        print(f"title edit {k}: page {results['title_written'][-1]:.3f} s, listing {results['title_listing_written'][-1]:.3f} s"
              + (f", browser {results['title_browser'][-1]:.3f} s" if page is not None else ""), flush=True)
    # an edit saved while the search index of the previous one is still being computed
    settle()
    results["during_index_written"], results["during_index_browser"] = [], []
    for k in range(max(1, args.edits // 2)):
        marker = f"課長（索引中{k}）"
        edit(yaml_path, head, f"head_title: {marker}-a")
        wait_for(lambda: f"{marker}-a" in page_file.read_text(encoding="utf-8"), 120)
        busy = wait_for(lambda: server.builder._good.extra_dirty, 5, 0.001)
        time.sleep(0.2)  # the index computation is under way
        t0 = edit(yaml_path, f"head_title: {marker}-a", f"head_title: {marker}-b")
        head = f"head_title: {marker}-b"
        tw = wait_for(lambda: f"{marker}-b" in page_file.read_text(encoding="utf-8"), 120)
        results["during_index_written"].append(tw - t0 if tw else float("nan"))
        if page is not None:
            tb = wait_for(lambda: browser_has(f"{marker}-b"), 120, 0.01)
            results["during_index_browser"].append(tb - t0 if tb else float("nan"))
        print(f"edit during index catch-up {k} (index pending: {bool(busy)}): page {results['during_index_written'][-1]:.3f} s"
              + (f", browser {results['during_index_browser'][-1]:.3f} s" if page is not None else ""), flush=True)
        settle()

    if browser is not None:
        browser.close()
        pw.stop()
    server.stop()
    updates = [line for line in logs if "再生成" in line]
    summary = {
        "assessments": args.count,
        "pages": args.count + 2 + (args.count + PER_MUNICIPALITY - 1) // PER_MUNICIPALITY,
        "generate_s": round(gen_s, 1),
        "initial_build_s": round(initial_s, 1),
        "initial_search_index_s": round(index_s, 1),
        "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024, 2),
        **{f"{k}_median_s": round(statistics.median(v), 3) for k, v in results.items() if v},
        **{f"{k}_max_s": round(max(v), 3) for k, v in results.items() if v},
        "search_index_catch_up_median_s": round(statistics.median(flushes), 2) if flushes else None,
        "server_update_log": updates,
        "cpu": os.cpu_count(),
    }
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if args.dir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
