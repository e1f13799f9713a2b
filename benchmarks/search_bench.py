"""Search benchmark: pia-site's n-gram index beside Pagefind (extended), in one run.

    python benchmarks/search_bench.py [--assessments 3000] [--queries 300] [--cold 25]
                                      [--pagefind PATH] [--skip-large] [--json FILE]

For the sample site (content/) and for a synthetic national-scale corpus
(benchmarks/synthetic.py) it measures:

* recall and precision of 2–10 character substring queries taken from the page
  text, against a brute-force scan (a result is right when its text contains the
  query after normalisation; "raw" recall also counts units containing the query
  as typed);
* index bytes, bytes a cold first query downloads (fresh browser context) and
  bytes warm queries download (same page, after other queries);
* query latency in headless Chromium (Debian's /usr/bin/chromium via Playwright);
* index build time.

Pagefind indexes the same texts: one page per unit on the sample site (unit-level
ground truth, like pia-site's results) and one page per assessment, units as
sections, on the large corpus (page-level ground truth for both engines there).
A "first page" is the first 20 results with what is needed to show them (pia-site:
snippets; Pagefind: result.data() of the first 20).  Pagefind is installed with pip
into a temporary venv unless --pagefind names its binary.

Not a test: nothing here asserts; it prints a report and writes JSON.
"""
from __future__ import annotations

import argparse
import bisect
import functools
import gzip
import html
import io
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pia_site.build import load_site  # noqa: E402
from pia_site.render import make_environment, page_specs, render_site  # noqa: E402
from pia_site.search.client import PAGE_BYTES, IndexReader  # noqa: E402
from pia_site.catalog import find_form  # noqa: E402
from pia_site.search.formtext import form_units, resolve  # noqa: E402
from pia_site.search.index import index_docs  # noqa: E402
from pia_site.search.normalise import SEPARATOR, normalise_query, normalise_text  # noqa: E402
from pia_site.search.units import Unit, site_docs  # noqa: E402
from pia_site.views.listing import index_view  # noqa: E402
from pia_site.write import write_site  # noqa: E402
from synthetic import synthetic_site  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FIRST_PAGE = 20
VISIBLE_PAGES = 40  # assessment pages whose visible text the visible-text queries are drawn from
KNOWN = ["個人情報", "委託先", "サーバ", "ＩＣカード"]


# --- helpers --------------------------------------------------------------------------------


class Server:
    """Static server on 127.0.0.1 that counts the body bytes it sends (workers' requests included)."""

    def __init__(self, root: Path):
        counter = self
        self.lock = threading.Lock()
        self.sent: list[tuple[str, int]] = []

        class Counting(SimpleHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def send_head(self):  # single byte ranges, as static hosts serve them
                m = re.fullmatch(r"bytes=(\d+)-(\d+)", self.headers.get("Range", ""))
                path = self.translate_path(self.path)
                if m is None or not os.path.isfile(path):
                    return super().send_head()
                with open(path, "rb") as f:
                    f.seek(int(m[1]))
                    data = f.read(int(m[2]) - int(m[1]) + 1)
                self.send_response(206)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Range", f"bytes {m[1]}-{int(m[1]) + len(data) - 1}/{os.path.getsize(path)}")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                return io.BytesIO(data)

            def copyfile(self, source, outputfile):
                # Counted before sending: the browser may finish with a file (and the measured
                # call return) before this thread would get to count it afterwards.
                n = len(source.getbuffer()) if isinstance(source, io.BytesIO) else os.fstat(source.fileno()).st_size
                with counter.lock:
                    counter.sent.append((self.path, n))
                super().copyfile(source, outputfile)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Counting, directory=str(root)))
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def take(self) -> list[tuple[str, int]]:
        with self.lock:
            out, self.sent = self.sent, []
        return out

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def dir_bytes(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return None
    k = min(len(xs) - 1, max(0, int(round(p / 100 * (len(xs) - 1)))))
    return xs[k]


def med(xs):
    return statistics.median(xs) if xs else None


def find_pagefind(arg: str | None, work: Path) -> str | None:
    if arg:
        return arg
    venv = work / "pagefind-venv"
    if not venv.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        r = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "pagefind-bin-extended"], capture_output=True, text=True)
        if r.returncode != 0:
            print("pagefind-bin-extended could not be installed:", r.stderr[-500:], file=sys.stderr)
            return None
    found = list(venv.rglob("pagefind_extended"))
    found = [p for p in found if p.is_file()]
    return str(found[0]) if found else None


# --- corpus and ground truth ------------------------------------------------------------------


def form_results(docs) -> list[tuple[int, Unit]]:
    """The form's wording as results, in the client's order: each form unit of each edition
    (editions by id) in every document on it, at the anchor its template resolves to there."""
    out = []
    for ed in sorted({d.edition for d in docs if d.edition}):
        form = find_form(*ed.split("/", 1))
        on = [(i, d) for i, d in enumerate(docs) if d.edition == ed]
        for u in form_units(form):
            if not normalise_text(u.text).replace(SEPARATOR, ""):
                continue
            for i, d in on:
                anchor = resolve(u.anchor, d.parts, d.ids)
                if anchor is not None:
                    out.append((i, Unit(anchor, u.title, u.section, u.text)))
    return out


class Corpus:
    """Units of a site in index order (the answers, then the form's wording expanded to the
    documents on each edition: what the client returns), with a brute-force scanner."""

    def __init__(self, docs):
        self.docs = docs
        self.units = [(d_i, u) for d_i, d in enumerate(docs) for u in d.units]
        # Units the index keeps (chunk_docs drops units whose text normalises to nothing).
        self.units = [(d, u) for d, u in self.units if normalise_text(u.text).replace(SEPARATOR, "")]
        self.answers = len(self.units)
        self.units += form_results(docs)
        self.norm_blob, self.norm_starts = self._blob(normalise_text(u.text) for _d, u in self.units)
        self.raw_blob, self.raw_starts = self._blob(u.text for _d, u in self.units)

    @staticmethod
    def _blob(texts):
        starts, parts, pos = [], [], 0
        for t in texts:
            starts.append(pos)
            parts.append(t)
            pos += len(t) + 1
        return "\x00".join(parts), starts

    @staticmethod
    def _scan(blob, starts, q) -> list[int]:
        out, i = [], blob.find(q)
        while i >= 0:
            u = bisect.bisect_right(starts, i) - 1
            out.append(u)
            nxt = starts[u + 1] if u + 1 < len(starts) else len(blob)
            i = blob.find(q, nxt)
        return out

    def truth(self, q: str) -> list[int]:
        nq = normalise_query(q)
        return self._scan(self.norm_blob, self.norm_starts, nq) if nq else []

    def raw_truth(self, q: str) -> list[int]:
        return self._scan(self.raw_blob, self.raw_starts, q)

    def key(self, i: int) -> str:
        d, u = self.units[i]
        return f"{self.docs[d].url}#{u.anchor}|{i}"

    def queries(self, n: int, seed: int) -> list[str]:
        """Substrings of the items' values (the answers)."""
        rnd = random.Random(seed)
        seen, out = set(), []
        while len(out) < n:
            _d, u = self.units[rnd.randrange(self.answers)]
            t = u.text
            k = rnd.randint(2, 10)
            if len(t) < k:
                continue
            i = rnd.randrange(len(t) - k + 1)
            q = t[i:i + k]
            if SEPARATOR in q or not normalise_query(q) or q in seen or q.strip() != q:
                continue
            seen.add(q)
            out.append(q)
        return out


class _Visible(HTMLParser):
    """Text nodes of a page's ``<main>``, one segment per table cell, heading, paragraph or list
    item (inline elements joined), without attributes, screen-reader-only text, the check marks
    (``role="img"``: ``[ ○ ]``, read as チェックあり/なし), marks hidden from screen readers (the
    brackets around a choice's answer, ``aria-hidden``), the table of
    contents (``nav``), the 変更履歴 links under items (``details.history``, links to rows of
    the change log, which is searched where it is printed), the item permalinks (``a.pl``: ``#``)
    or the 他団体の記載と比べる links (``p.compare-link``, ``a.compare-flag``): page furniture
    that every item carries, and the 目次へ buttons (``p.to-toc``)."""

    BLOCK = {"p", "td", "th", "li", "h1", "h2", "h3", "h4", "h5", "h6", "caption", "summary", "dt", "dd", "div", "section", "tr"}
    VOID = {"br", "img", "input", "meta", "link", "hr", "col", "wbr"}
    VALUES = {"selected", "options-label", "count"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.segments, self.run, self.stack, self.skip, self.main = [], [], [], 0, False

    def flush(self):
        t = " ".join("".join(self.run).split())
        if t:
            self.segments.append(t)
        self.run = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        hide = (tag == "nav" or "sr-only" in cls or a.get("role") == "img" or a.get("aria-hidden") == "true"
                or (tag == "details" and "history" in cls)
                or (tag == "a" and ("pl" in cls or "compare-flag" in cls))
                or (tag == "p" and ("compare-link" in cls or "to-toc" in cls)))
        if tag == "main":
            self.main = True
        # A choice's answer, its <選択肢> label and its count are values of their own, kept apart
        # as the index keeps them (a query never matches across two values).
        split = tag in self.BLOCK or (tag == "span" and bool(self.VALUES.intersection(cls)))
        self.stack.append((hide, split))
        self.skip += hide
        if split:
            self.flush()

    def handle_endtag(self, tag):
        if tag in self.VOID or not self.stack:
            return
        hide, split = self.stack.pop()
        self.skip -= hide
        if split or tag == "main":
            self.flush()
        if tag == "main":
            self.main = False

    def handle_data(self, data):
        if self.main and not self.skip:
            self.run.append(data)


def visible_texts(site_dir: Path, docs, limit: int, seed: int) -> list[str]:
    """The visible text of assessment pages (``_Visible``): labels, headings, options as printed,
    values, change-log rows."""
    rnd = random.Random(seed)
    chosen = docs if len(docs) <= limit else rnd.sample(docs, limit)
    out = []
    for d in chosen:
        v = _Visible()
        v.feed((site_dir / d.url).read_text("utf-8"))
        v.close()
        out += v.segments
    return out


def visible_queries(texts: list[str], n: int, seed: int) -> list[str]:
    """Substrings (2–10 characters) of visible page text."""
    rnd = random.Random(seed)
    seen, out = set(), []
    while len(out) < n:
        t = rnd.choice(texts).strip()
        k = rnd.randint(2, 10)
        if len(t) < k:
            continue
        i = rnd.randrange(len(t) - k + 1)
        q = t[i:i + k]
        if "\n" in q or not normalise_query(q) or q in seen or q.strip() != q:
            continue
        seen.add(q)
        out.append(q)
    return out


def unit_urls(corpus: "Corpus", units: list[int]) -> list[str]:
    return [f"{corpus.docs[corpus.units[i][0]].url}#{corpus.units[i][1].anchor}" for i in units]


def score(truth: list, got: list) -> dict:
    """Micro- and macro-averaged recall and precision; items compared as multisets
    (several units may share one URL: the unplaced texts of an assessment)."""
    tp_all = n_truth = n_got = 0
    per_q_r, per_q_p, all_found, only_right = [], [], 0, 0
    for t, g in zip(truth, got):
        t, g = Counter(t), Counter(g)
        tp = sum((t & g).values())
        nt, ng = sum(t.values()), sum(g.values())
        tp_all += tp
        n_truth += nt
        n_got += ng
        if nt:
            per_q_r.append(tp / nt)
        if ng:
            per_q_p.append(tp / ng)
        all_found += tp == nt
        only_right += tp == ng
    return {
        "recall": tp_all / n_truth if n_truth else 1.0,
        "precision": tp_all / n_got if n_got else 1.0,
        "recall_macro": statistics.mean(per_q_r) if per_q_r else 1.0,
        "precision_macro": statistics.mean(per_q_p) if per_q_p else 1.0,
        "queries_all_found": all_found, "queries_only_right": only_right, "queries": len(truth),
        "results_expected": n_truth, "results_returned": n_got,
    }


# --- pages for Pagefind --------------------------------------------------------------------------


def pagefind_pages(corpus: Corpus, root: Path, per: str) -> dict[str, int]:
    """Write pages for Pagefind; returns page URL -> page id (unit index or doc index)."""
    mapping: dict[str, int] = {}
    head = '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{}</title></head><body><main data-pagefind-body>'
    tail = "</main></body></html>"

    def paras(text: str) -> str:
        return "".join(f"<p>{html.escape(v)}</p>" for v in text.split(SEPARATOR))

    if per == "unit":
        for i, (_d, u) in enumerate(corpus.units):
            rel = f"u/{i}.html"
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(head.format(html.escape(u.title)) + paras(u.text) + tail, "utf-8")
            mapping["/" + rel] = i
    else:
        by_doc: dict[int, list] = {}
        for d, u in corpus.units:
            by_doc.setdefault(d, []).append(u)
        for d, units in by_doc.items():
            rel = f"d/{d}.html"
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            body = "".join(f'<section id="{html.escape(u.anchor)}">{paras(u.text)}</section>' for u in units)
            (root / rel).write_text(head.format(html.escape(corpus.docs[d].title)) + body + tail, "utf-8")
            mapping["/" + rel] = d
    (root / "search.html").write_text(
        '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>pagefind</title></head><body><p>pagefind</p></body></html>', "utf-8")
    return mapping


def pagefind_ids(root: Path) -> dict[str, str]:
    """Pagefind result id -> page URL, read from its fragments."""
    out = {}
    for f in (root / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(f.read_bytes())
        data = data[data.index(b"{"):]
        out[f.stem] = json.loads(data)["url"]
    return out


# --- browser measurements ----------------------------------------------------------------------

# A first page is what the search page asks for: `limit` results within its bytes budget.
JS_MINE = """async ([q, limit]) => {
  performance.clearResourceTimings();
  const t0 = performance.now();
  const r = await piaSearch.search(q, limit ? {limit, budget: piaSearch.pageBytes} : {});
  const ms = performance.now() - t0;
  return {ms, urls: r.map(x => x.url), more: r.more, budgetHit: r.budgetHit, checked: r.checked};
}"""

JS_PF = """async ([q, first, all]) => {
  performance.clearResourceTimings();
  const t0 = performance.now();
  if (!window.pf) { window.pf = await import('./pagefind/pagefind.js'); await window.pf.init(); }
  const s = await window.pf.search(q);
  const data = await Promise.all(s.results.slice(0, first).map(r => r.data()));
  const ms = performance.now() - t0;
  return {ms, ids: all ? s.results.map(r => r.id) : [], n: s.results.length, shown: data.length};
}"""


def browser_runs(server: "Server", base_url: str, pf_url: str | None, queries: list[str], cold: list[str], pf_cold: list[str],
                 full_ok) -> dict:
    from playwright.sync_api import sync_playwright

    out: dict = {"mine": {}, "pagefind": {}}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        errors: list[str] = []

        def new_page(url, ready):
            ctx = b.new_context()
            page = ctx.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "favicon" not in (m.location or {}).get("url", "") else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url)
            while not page.evaluate(ready):  # not wait_for_function: its eval is refused by the pages' CSP
                page.wait_for_timeout(20)
            page.evaluate("performance.setResourceTimingBufferSize(100000)")
            server.take()
            return ctx, page

        def measure(page, js, arg):
            r = page.evaluate(js, arg)
            sent = server.take()
            r["bytes"] = sum(n for _p, n in sent)
            r["code"] = sum(n for p_, n in sent if p_.endswith((".js", ".pagefind", "pagefind-entry.json")))
            r["files"] = len(sent)
            return r

        # pia-site: cold first page, one fresh context per query.
        cold_runs = []
        for q in cold:
            ctx, page = new_page(base_url + "search/index.html", "window.piaSearch !== undefined")
            r = measure(page, JS_MINE, [q, FIRST_PAGE])
            cold_runs.append({"q": q, "ms": r["ms"], "bytes": r["bytes"], "files": r["files"], "urls": r["urls"],
                              "budgetHit": r["budgetHit"], "checked": r["checked"]})
            ctx.close()
        out["mine"]["cold"] = cold_runs
        # pia-site: warm, one page for every query (first page), then the same query again.
        ctx, page = new_page(base_url + "search/index.html", "window.piaSearch !== undefined")
        measure(page, JS_MINE, ["個人情報", FIRST_PAGE])  # the first query of a visit is the cold one
        warm, repeat, first_pages = [], [], {}
        for q in queries:
            r = measure(page, JS_MINE, [q, FIRST_PAGE])
            warm.append({"q": q, "ms": r["ms"], "bytes": r["bytes"]})
            first_pages[q] = r
            r2 = measure(page, JS_MINE, [q, FIRST_PAGE])
            repeat.append(r2["ms"])
        out["mine"]["warm"] = warm
        out["mine"]["repeat_ms"] = repeat
        out["mine"]["first_pages"] = first_pages
        # pia-site: complete result lists (recall and precision measured in the browser).
        full = {}
        for q in queries:
            if full_ok(q):
                full[q] = measure(page, JS_MINE, [q, 0])["urls"]
        out["mine"]["full"] = full
        ctx.close()

        if pf_url:
            cold_runs = []
            for q in pf_cold:
                ctx, page = new_page(pf_url + "search.html", "document.readyState === 'complete'")
                r = measure(page, JS_PF, [q, FIRST_PAGE, False])
                cold_runs.append({"q": q, "ms": r["ms"], "bytes": r["bytes"], "code": r["code"], "files": r["files"]})
                ctx.close()
            out["pagefind"]["cold"] = cold_runs
            ctx, page = new_page(pf_url + "search.html", "document.readyState === 'complete'")
            measure(page, JS_PF, ["個人情報", FIRST_PAGE, False])
            warm, ids = [], {}
            for q in queries:
                r = measure(page, JS_PF, [q, FIRST_PAGE, True])
                warm.append({"q": q, "ms": r["ms"], "bytes": r["bytes"]})
                ids[q] = r["ids"]
            out["pagefind"]["warm"] = warm
            out["pagefind"]["ids"] = ids
            ctx.close()
        out["console_errors"] = errors
        b.close()
    return out


# --- one corpus ----------------------------------------------------------------------------------


def run_corpus(name: str, site, work: Path, n_queries: int, n_cold: int, n_pf_cold: int, pagefind: str | None, pf_per: str,
               render_pages: bool, full_limit: int) -> dict:
    print(f"\n== {name}: {len(site.assessments)} assessments", flush=True)
    res: dict = {"name": name, "assessments": len(site.assessments), "municipalities": len(site.municipalities)}
    t0, c0 = time.perf_counter(), time.process_time()
    docs = site_docs(site)
    t1, c1 = time.perf_counter(), time.process_time()
    files = index_docs(site, docs)
    t2, c2 = time.perf_counter(), time.process_time()
    res["build_s"] = {"units": t1 - t0, "index": t2 - t1, "total": t2 - t0,
                      "units_cpu": c1 - c0, "index_cpu": c2 - c1, "loadavg": os.getloadavg()}
    corpus = Corpus(docs)
    res["units"] = len(corpus.units)
    res["chars"] = sum(len(u.text) for _d, u in corpus.units)
    print(f"units {res['units']}, chars {res['chars']}, build {res['build_s']}", flush=True)

    site_dir = work / name / "site"
    env = make_environment(None)
    if render_pages:
        pages = render_site(site, env)
    else:  # the search page and the pages of a sample of assessments (for visible-text queries)
        rnd = random.Random(2)
        some = {d.url for d in rnd.sample(docs, min(VISIBLE_PAGES, len(docs)))}
        pages = render_site(site, env, only=some | {"search/index.html"})
    write_site(pages, site_dir, None, extra=files)
    data = site_dir / "search" / "data"
    index_files = [p for p in data.rglob("*") if p.is_file()]
    res["index_bytes"] = {"total": sum(p.stat().st_size for p in index_files),
                          "packs": sum(p.stat().st_size for p in (data / "p").iterdir())}
    res["index_files"] = len(index_files)
    site_files = len([p for p in site_dir.rglob("*") if p.is_file()]) if render_pages else (
        len(page_specs(site, env)) + len(list((site_dir / "assets").rglob("*"))) + len(index_files) + 1)
    res["site_files"] = site_files
    res["files_per_assessment"] = site_files / len(docs)
    res["index_files_per_assessment"] = len(index_files) / len(docs)
    res["client_js_bytes"] = (site_dir / "assets" / "search.js").stat().st_size

    value_queries = corpus.queries(n_queries, seed=1)
    texts = visible_texts(site_dir, [d for d in docs if (site_dir / d.url).exists()], VISIBLE_PAGES, seed=3)
    vis_queries = [q for q in visible_queries(texts, n_queries, seed=4) if q not in value_queries]
    queries = value_queries + vis_queries
    res["query_classes"] = {"values": len(value_queries), "visible": len(vis_queries)}
    cold = KNOWN + [q for q in queries if q not in KNOWN][: max(0, n_cold - len(KNOWN))]
    pf_cold = cold[:n_pf_cold]
    truth = {q: corpus.truth(q) for q in queries + KNOWN}
    raw_truth = {q: corpus.raw_truth(q) for q in queries}

    # Reference client (same algorithm and files as search.js): complete result lists.
    reader = IndexReader.from_dir(site_dir)
    ref = {}
    cut: list[dict] = []
    for q in queries:
        hits = reader.search(q)
        ref[q] = [h.url for h in hits]
    # Cold first page for every query (reference client, a fresh cache each): the whole distribution.
    # The first page is what the search page asks for: FIRST_PAGE results within PAGE_BYTES.
    first = []
    ref_first = {}
    for q in queries + KNOWN:
        r = IndexReader.from_dir(site_dir)
        page = r.search(q, limit=FIRST_PAGE, budget=PAGE_BYTES)
        ref_first[q] = (r.bytes_fetched, [h.url for h in page], page.budget_hit, page.checked)
        first.append((r.bytes_fetched, len(r.fetched), q))
        if page.budget_hit:
            cut.append({"q": q, "bytes": r.bytes_fetched, "shown": len(page), "checked": page.checked,
                        "candidates": page.candidates, "complete": len(IndexReader.from_dir(site_dir).search(q))})
    fb = sorted(b for b, _n, _q in first)
    res["first_page_cold_bytes_reference"] = {
        "queries": len(fb), "median": med(fb), "p90": pct(fb, 90), "p99": pct(fb, 99), "max": fb[-1],
        "over_100KB": sum(1 for b in fb if b > 100_000), "over_300KB": sum(1 for b in fb if b > 300_000),
        "page_bytes_budget": PAGE_BYTES, "cut_by_budget": cut, "worst": sorted(first)[-3:]}
    res["mine_reference"] = score([unit_urls(corpus, truth[q]) for q in queries], [ref[q] for q in queries])
    for cls, qs in (("values", value_queries), ("visible", vis_queries)):
        res[f"mine_reference_{cls}"] = score([unit_urls(corpus, truth[q]) for q in qs], [ref[q] for q in qs])
        res[f"{cls}_found"] = sum(1 for q in qs if ref[q])  # queries with at least one result
    res["visible_not_found"] = [q for q in vis_queries if not ref[q]][:20]
    res["mine_reference_raw_recall"] = score([unit_urls(corpus, raw_truth[q]) for q in queries], [ref[q] for q in queries])["recall"]
    print("reference:", res["mine_reference"], flush=True)

    # Pagefind over the same texts.
    pf_url = None
    pf_root = work / name / "pf"
    mapping = {}
    if pagefind:
        if pf_root.exists():
            shutil.rmtree(pf_root)
        pf_root.mkdir(parents=True)
        mapping = pagefind_pages(corpus, pf_root, pf_per)
        t = time.perf_counter()
        r = subprocess.run([pagefind, "--site", str(pf_root)], capture_output=True, text=True)
        res["pagefind_build_s"] = time.perf_counter() - t
        if r.returncode != 0:
            print(r.stdout[-2000:], r.stderr[-2000:], file=sys.stderr)
            pagefind = None
        else:
            res["pagefind_index_bytes"], res["pagefind_index_files"] = dir_bytes(pf_root / "pagefind")
            frag, nfrag = dir_bytes(pf_root / "pagefind" / "fragment")
            res["pagefind_fragment_bytes"] = frag
            res["pagefind_version"] = subprocess.run([pagefind, "--version"], capture_output=True, text=True).stdout.strip()

    server = Server(work / name)
    try:
        base = server.url + "site/"
        pf_url = server.url + "pf/" if pagefind else None
        full_ok = lambda q: len(ref[q]) <= full_limit  # noqa: E731
        br = browser_runs(server, base, pf_url, queries, cold, pf_cold, full_ok)
    finally:
        server.close()
    res["console_errors"] = br["console_errors"]

    mine = br["mine"]
    strip = lambda urls: [u[len(base):] for u in urls]  # noqa: E731
    cold_bytes = sorted(r["bytes"] for r in mine["cold"])
    res["mine_cold"] = {"bytes_median": med(cold_bytes), "bytes_p90": pct(cold_bytes, 90), "bytes_max": cold_bytes[-1],
                        "over_300KB": sum(1 for b in cold_bytes if b > 300_000),
                        "cut_by_budget": [(r["q"], len(r["urls"]), r["bytes"]) for r in mine["cold"] if r["budgetHit"]],
                        "ms_median": med([r["ms"] for r in mine["cold"]]), "queries": len(mine["cold"]),
                        "known": {r["q"]: {"bytes": r["bytes"], "ms": round(r["ms"], 1)} for r in mine["cold"] if r["q"] in KNOWN}}
    res["mine_warm"] = {"ms_median": med([r["ms"] for r in mine["warm"]]), "ms_p90": pct([r["ms"] for r in mine["warm"]], 90),
                        "bytes_median": med([r["bytes"] for r in mine["warm"]]), "bytes_p90": pct([r["bytes"] for r in mine["warm"]], 90),
                        "repeat_ms_median": med(mine["repeat_ms"])}
    # Cold: the very files and results of the reference's cold first page.
    res["mine_cold_equals_reference"] = sum(
        1 for r in mine["cold"] if (r["bytes"], strip(r["urls"]), r["budgetHit"], r["checked"]) == ref_first[r["q"]])
    # Warm (files of earlier queries cached, which cost nothing): a prefix of the complete list,
    # the first FIRST_PAGE results unless the budget cut the page.
    res["mine_first_page_equals_reference"] = sum(
        1 for q in queries
        if strip(mine["first_pages"][q]["urls"]) == ref[q][:len(mine["first_pages"][q]["urls"])]
        and (mine["first_pages"][q]["budgetHit"] or len(mine["first_pages"][q]["urls"]) == min(FIRST_PAGE, len(ref[q]))))
    full_qs = list(mine["full"])
    res["mine_browser"] = score([unit_urls(corpus, truth[q]) for q in full_qs], [strip(mine["full"][q]) for q in full_qs])
    res["mine_browser_equals_reference"] = sum(1 for q in full_qs if strip(mine["full"][q]) == ref[q])
    # Page-level scores (the unit of a Pagefind result on the large corpus).
    page_of = (lambda i: i) if pf_per == "unit" else (lambda i: corpus.units[i][0])
    doc_of_url = {d.url: i for i, d in enumerate(corpus.docs)}
    if pf_per == "doc":
        res["mine_reference_pages"] = score([{page_of(i) for i in truth[q]} for q in queries],
                                            [{doc_of_url[u.split("#")[0]] for u in ref[q]} for q in queries])
    # files per assessment over the whole site, and the index's share
    print("files per assessment:", res["files_per_assessment"], "index files:", res["index_files"], flush=True)
    if pagefind:
        pf = br["pagefind"]
        ids = pagefind_ids(pf_root)
        got = [{mapping[ids[x]] for x in pf["ids"][q] if x in ids} for q in queries]
        res["pagefind"] = score([{page_of(i) for i in truth[q]} for q in queries], got)
        for cls, qs in (("values", value_queries), ("visible", vis_queries)):
            sel = [i for i, q in enumerate(queries) if q in set(qs)]
            res[f"pagefind_{cls}"] = score([{page_of(i) for i in truth[queries[k]]} for k in sel], [got[k] for k in sel])
        res["pagefind_raw_recall"] = score([{page_of(i) for i in raw_truth[q]} for q in queries], got)["recall"]
        res["pagefind_unmapped_ids"] = sum(1 for q in queries for x in pf["ids"][q] if x not in ids)
        res["pagefind_cold"] = {"bytes_median": med([r["bytes"] for r in pf["cold"]]), "bytes_max": max(r["bytes"] for r in pf["cold"]),
                                "code_bytes": med([r["code"] for r in pf["cold"]]), "ms_median": med([r["ms"] for r in pf["cold"]]),
                                "known": {r["q"]: {"bytes": r["bytes"], "ms": round(r["ms"], 1)} for r in pf["cold"] if r["q"] in KNOWN}}
        res["pagefind_warm"] = {"ms_median": med([r["ms"] for r in pf["warm"]]), "ms_p90": pct([r["ms"] for r in pf["warm"]], 90),
                                "bytes_median": med([r["bytes"] for r in pf["warm"]]), "bytes_p90": pct([r["bytes"] for r in pf["warm"]], 90)}
    print(json.dumps({k: v for k, v in res.items()}, ensure_ascii=False, indent=1, default=str), flush=True)
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--assessments", type=int, default=3000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--cold", type=int, default=25, help="cold first queries of pia-site (fresh browser context each)")
    ap.add_argument("--pagefind-cold", type=int, default=25, help="cold first queries of Pagefind (the first of pia-site's)")
    ap.add_argument("--pagefind", help="pagefind_extended binary (default: pip install into a temp venv)")
    ap.add_argument("--no-pagefind", action="store_true")
    ap.add_argument("--skip-large", action="store_true")
    ap.add_argument("--skip-sample", action="store_true")
    ap.add_argument("--work", help="working directory (default: a temporary one, removed afterwards)")
    ap.add_argument("--json", default=str(Path(__file__).with_name("results.json")))
    args = ap.parse_args(argv)

    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="pia-search-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        pagefind = None if args.no_pagefind else find_pagefind(args.pagefind, work)
        base, diags = load_site(REPO / "content")
        assert base is not None, diags
        results = {"python": sys.version.split()[0], "first_page": FIRST_PAGE, "loadavg_start": os.getloadavg(),
                   "cpus": os.cpu_count()}
        if not args.skip_sample:
            results["sample"] = run_corpus("sample", base, work, args.queries, args.cold, args.pagefind_cold, pagefind, "unit", True, full_limit=10**9)
        if not args.skip_large:
            t = time.perf_counter()
            big = synthetic_site(base, args.assessments, seeds_dir=REPO.parent / "shared" / "seeds")
            gen = time.perf_counter() - t
            results["large"] = run_corpus("large", big, work, args.queries, args.cold, args.pagefind_cold, pagefind, "doc", False, full_limit=300)
            results["large"]["generate_s"] = gen
        results["loadavg_end"] = os.getloadavg()
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str) + "\n", "utf-8")
        print(f"\nwrote {args.json}")
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
