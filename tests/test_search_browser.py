"""Search in headless Chromium: the JS client (assets/search.js) against the built
index, over HTTP on 127.0.0.1.

* known queries (個人情報, 委託先, サーバ, ＩＣカード) return exactly the units a
  brute-force scan finds, in the same order as the Python reference client;
* the JS normaliser agrees with pia_site/search/normalise.py;
* the search page works from the keyboard, under a subpath, with facets;
* text that looks like markup (<img src=x onerror=…>) is shown, never run;
* no console errors.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pia_site.search.client import PAGE_BYTES, IndexReader
from pia_site.search.normalise import normalise_query, normalise_text

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
KNOWN = ("個人情報", "委託先", "サーバ", "ＩＣカード")
XSS = "<img src=x onerror=window.__xss=1>"



def wait_js(page, expression: str, timeout: float = 30.0) -> None:
    """Wait until ``expression`` is true in the page.  (``page.wait_for_function`` evaluates its
    predicate with ``eval``, which the pages' Content-Security-Policy forbids; ``evaluate`` is
    not bound by it.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {expression}")
        page.wait_for_timeout(50)

def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text} {m.location.get('url', '')}")
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico") else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"requestfailed: {r.url}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    return problems


@pytest.fixture()
def open_search(browser):
    contexts = []

    def go(url: str):
        ctx = browser.new_context()
        contexts.append(ctx)
        page = ctx.new_page()
        problems = _watch(page)
        page.goto(url)
        wait_js(page, "window.piaSearch !== undefined")
        return page, problems

    yield go
    for c in contexts:
        c.close()


@pytest.fixture(scope="module")
def sample_docs():
    from pia_site.build import load_site
    from pia_site.search.units import site_docs

    site, diags = load_site(REPO / "content")
    assert site is not None, diags
    return site_docs(site)


def js_search(page, q: str, opts: dict | None = None) -> list[dict]:
    return page.evaluate("([q, o]) => piaSearch.search(q, o).then(r => r.map(x => Object.assign({}, x)))", [q, opts or {}])


def test_known_queries_match_brute_force_and_reference(open_search, sample_build, sample_server, sample_docs):
    page, problems = open_search(sample_server + "search/index.html")
    reader = IndexReader.from_dir(sample_build)
    for q in KNOWN:
        got = js_search(page, q)
        nq = normalise_query(q)
        truth = [f"{sample_server}{d.url}#{u.anchor}" for d in sample_docs for u in d.units if nq in normalise_text(u.text)]
        assert truth, q
        assert [r["url"] for r in got if r["match"] == "answer"] == truth, q
        assert [r["url"] for r in js_search(page, q, {"filters": {"match": "answer"}})] == truth, q
        assert [r["url"] for r in got] == [sample_server + h.url for h in reader.search(q)], q
        assert [r["match"] for r in got] == [h.match for h in reader.search(q)], q
        for r in got:
            assert r["title"] and r["municipality"] and r["form"] in ("全項目評価書", "重点項目評価書")
            hl = r["highlights"]
            assert hl, (q, r["snippet"])
            assert all(normalise_query(r["snippet"][a:b]) == nq for a, b in hl), (q, r["snippet"], hl)
    assert js_search(page, "サーバー") == js_search(page, "サーバ")
    assert [r["url"] for r in js_search(page, "ｉｃカード")] == [r["url"] for r in js_search(page, "ＩＣカード")]
    # A result's URL leads to its item on the page.
    first = js_search(page, "委託先")[0]
    page.goto(first["url"])
    assert page.locator(f"[id='{first['url'].split('#', 1)[1]}']").count() == 1
    assert problems == []


def test_js_normaliser_agrees_with_python(open_search, sample_server, sample_docs):
    page, problems = open_search(sample_server + "search/index.html")
    samples = ["ＩＣカード", "ｻｰﾊﾞｰ", "ｶﾞｲﾄﾞ", "個人 情報\u3000です", "①②③", "㈱〜－—―", "Ａ\u200bＢ\ufeff", "İstanbul ΣΑΣ", "𠮷野家", "\tx\ny\r"]
    rnd_texts = [u.text[:200] for d in sample_docs for u in d.units][:300]
    got = page.evaluate("xs => xs.map(piaSearch.normalise)", samples + rnd_texts)
    assert got == [normalise_query(s) for s in samples + rnd_texts]
    assert problems == []


def test_search_page_keyboard_and_facets(open_search, sample_server, sample_docs):
    page, problems = open_search(sample_server + "search/index.html")
    assert page.locator("#pia-search").is_visible()
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # site title
    page.keyboard.press("Tab")  # 全文検索 link
    page.keyboard.press("Tab")  # breadcrumb 団体一覧
    page.locator("#pia-q").focus()
    page.keyboard.type("委託先")
    page.keyboard.press("Enter")
    page.wait_for_selector(".hit mark")
    status = page.inner_text("#pia-status")
    assert "委託先" in status and "件" in status
    assert page.locator(".hit-group h2 a").count() >= 1
    marks = page.locator(".hit mark").all_inner_texts()
    assert marks and all(normalise_query(m) == normalise_query("委託先") for m in marks)
    # The first result link is reachable with Tab from the search box's button onwards.
    page.locator("#pia-q").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.hit') !== null"):
            break
    else:
        pytest.fail("no result link reachable by keyboard")
    # More results by keyboard when there are more than one page.
    total = len(js_search(page, "情報"))
    page.fill("#pia-q", "情報")
    page.keyboard.press("Enter")
    wait_js(page, "document.querySelectorAll('.hit').length > 0 && !document.getElementById('pia-status').textContent.includes('検索しています')")
    if total > page.locator(".hit").count():
        page.locator("#pia-more").focus()
        page.keyboard.press("Enter")
        wait_js(page, f"document.querySelectorAll('.hit').length === Math.min({total}, 40)")
        assert page.evaluate("document.activeElement.closest('.hit') !== null"), "focus is lost after さらに表示"
    # Facets: one form only.
    forms = {d.form for d in sample_docs}
    for form in sorted(forms):
        page.select_option("#pia-form", form)
        wait_js(page, "!document.getElementById('pia-status').textContent.includes('検索しています')")
        got = js_search(page, "委託先", {"filters": {"form": form, "match": "answer"}})
        assert all(r["form"] == form for r in got)
        expected = [f"{sample_server}{d.url}#{u.anchor}" for d in sample_docs if d.form == form for u in d.units
                    if normalise_query("委託先") in normalise_text(u.text)]
        assert [r["url"] for r in got] == expected
    page.select_option("#pia-form", "")
    # Facets: one document state (the sample's さいたま市 document is 作成中, 越谷市's 公表).
    states = {d.state for d in sample_docs}
    assert {"作成中", "公表"} <= states
    for state in sorted(states):
        page.select_option("#pia-state", state)
        wait_js(page, "!document.getElementById('pia-status').textContent.includes('検索しています')")
        got = js_search(page, "委託先", {"filters": {"state": state, "match": "answer"}})
        expected = [f"{sample_server}{d.url}#{u.anchor}" for d in sample_docs if d.state == state for u in d.units
                    if normalise_query("委託先") in normalise_text(u.text)]
        assert got and [r["url"] for r in got] == expected, state
        assert all(r["state"] == state for r in got)
        # a draft says so in each result group's line; a published document needs no word
        metas = page.locator(".hit-group .meta").all_inner_texts()
        assert metas and all(("作成中" in t) == (state == "作成中") for t in metas), state
    page.select_option("#pia-state", "")
    # The query is kept in the address, so a reload shows the same search.
    assert "q=" in page.url
    assert problems == []


def test_works_under_a_subpath(open_search, serve, sample_build, tmp_path):
    root = tmp_path / "host"
    shutil.copytree(sample_build, root / "deep" / "sub" / "path")
    base = serve(root)
    page, problems = open_search(base + "deep/sub/path/search/index.html?q=" + "サーバ")
    page.wait_for_selector(".hit")
    got = js_search(page, "サーバ")
    assert got and all(r["url"].startswith(base + "deep/sub/path/") for r in got)
    assert problems == []


JS_PAGE = """([q, o]) => { const b0 = piaSearch.stats.bytes; return piaSearch.search(q, o).then(r => ({
  urls: r.map(x => x.url), more: r.more, checked: r.checked, candidates: r.candidates, budgetHit: r.budgetHit,
  bytes: piaSearch.stats.bytes - b0})) }"""


def test_a_page_stops_at_its_bytes_budget_like_the_reference(open_search, sample_build, sample_server):
    """Under a bytes budget the JS client stops where the Python reference stops (a fresh page
    and a fresh reader: both start cold), and paging on loses nothing."""
    budget = 9_000
    for q in ("情報", "個人情報", "委託先"):
        page, problems = open_search(sample_server + "search/index.html")
        ref = IndexReader.from_dir(sample_build)
        full = [sample_server + h.url for h in IndexReader.from_dir(sample_build).search(q)]
        got_all: list[str] = []
        for _ in range(200):
            mine = page.evaluate(JS_PAGE, [q, {"limit": 20, "offset": len(got_all), "budget": budget}])
            before = ref.bytes_fetched
            r = ref.search(q, limit=20, offset=len(got_all), budget=budget)
            assert mine == {"urls": [sample_server + h.url for h in r], "more": r.more, "checked": r.checked,
                            "candidates": r.candidates, "budgetHit": r.budget_hit,
                            "bytes": ref.bytes_fetched - before}, q
            got_all += mine["urls"]
            if not mine["more"]:
                break
        assert got_all == full, q
        assert problems == []
    assert page.evaluate("piaSearch.pageBytes") == PAGE_BYTES


def test_a_batch_of_chunks_back_to_back_in_a_pack_comes_in_one_request_per_run(open_search, sample_build, sample_server):
    """The chunks of a batch that lie back to back in a pack come in one range request, and their
    table entries with their page of the table; each range has a URL of its own, so that Chromium's
    cache does not queue the ranges of one pack one behind another."""
    q = "個人情報"  # in nearly every chunk: its batches are runs of consecutive chunks
    ref = IndexReader.from_dir(sample_build)
    ref.search(q)
    chunks = [n for n, _b in ref.fetched if n.startswith("t/")]
    assert len(chunks) > 12
    page, problems = open_search(sample_server + "search/index.html")
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if "/search/data/" in r.url else None)
    urls = page.evaluate("q => piaSearch.search(q).then(r => r.map(x => x.url))", q)
    assert urls == [sample_server + h.url for h in ref.search(q)]
    packs = [u for u in seen if "/search/data/p/" in u]
    tables = [u for u in seen if "/search/data/blobs.idx" in u]
    shard_blobs = sum(1 for n, _b in ref.fetched if n.startswith("g/"))
    assert len(packs) <= shard_blobs + len(chunks) // 3, (len(packs), shard_blobs, len(chunks))
    assert len(tables) == len(ref.table_pages) < len(chunks)
    assert all("?r=" in u for u in packs + tables) and len(set(packs + tables)) == len(packs + tables)
    assert problems == []


def test_search_page_continues_a_page_cut_by_its_budget(open_search, sample_build, sample_server):
    # a query whose hits are sparse among the chunks its grams point to, so that a 9,000-byte
    # page stops before it has found 20 (a dense one such as 情報 fills a page from its first
    # batch of chunks; this one finds 14 there: its grams meet in chunks that do not hold it)
    q = "特定個人情報を"
    ref = IndexReader.from_dir(sample_build).search(q, limit=20, budget=9000)
    assert ref.budget_hit and 0 < len(ref) < 20, "the sample no longer cuts this query's first page"
    full = [sample_server + h.url for h in IndexReader.from_dir(sample_build).search(q)]
    page, problems = open_search(sample_server + "search/index.html")
    page.evaluate("piaSearch.pageBytes = 9000")  # as an embedding page may set it
    page.fill("#pia-q", q)
    page.keyboard.press("Enter")
    page.wait_for_selector("#pia-more")
    assert page.inner_text("#pia-more") == "続きを検索"
    assert "% を確認しました" in page.inner_text("#pia-status")
    assert 0 < page.locator(".hit").count() < 20
    for _ in range(200):
        if page.locator("#pia-more").count() == 0:
            break
        page.locator("#pia-more").focus()
        page.keyboard.press("Enter")  # runs the search at once: the status says 検索しています until it is done
        wait_js(page, "!document.getElementById('pia-status').textContent.includes('検索しています')")
        # the keyboard stays in the results: on the first new result, or on the button when none came
        assert page.evaluate("document.activeElement.closest('.hit') !== null || document.activeElement.id === 'pia-more'"), \
            "focus is lost after 続きを検索"
    assert page.eval_on_selector_all(".hit > a", "as => as.map(a => a.href)") == full
    assert "続きがあります" not in page.inner_text("#pia-status")
    assert problems == []


@pytest.fixture(scope="module")
def xss_build(tmp_path_factory):
    """The sample content plus a municipality whose text looks like an <img onerror> tag."""
    content = tmp_path_factory.mktemp("xss") / "content"
    shutil.copytree(REPO / "content", content)
    run = lambda *a: subprocess.run([sys.executable, "-m", "pia_site", *a], check=True, cwd=REPO, capture_output=True)
    run("new", "--content", str(content), "--municipality", "xss", "--form", "重点項目", "--name", "a")
    (content / "xss" / "municipality.yaml").write_text(
        'name: 検証町\nprefecture: 検証県\ncode: "999997"\nbodies: [検証町長]\n', encoding="utf-8")
    doc = content / "xss" / "a.yaml"
    text = doc.read_text("utf-8")
    for old, new in (("  title:\n", "  title: 検証用の事務 重点項目評価書\n"), ("  published:\n", "  published: 2025-04-01\n"),
                     ("    name:\n", "    name: 検証用の事務\n"),
                     ("    description:\n", "    description: 検証文 &lt;img src=x onerror=window.__xss=1&gt; を表示する\n")):
        assert old in text
        text = text.replace(old, new, 1)
    doc.write_text(text, encoding="utf-8")
    out = content.parent / "build"
    run("build", "--content", str(content), "--out", str(out))
    return out


def test_markup_in_content_is_text_not_code(open_search, serve, xss_build):
    base = serve(xss_build)
    page, problems = open_search(base + "search/index.html")
    got = js_search(page, "onerror")
    assert [r["municipality"] for r in got] == ["検証町"]
    assert XSS in got[0]["snippet"]
    page.fill("#pia-q", "onerror=window")
    page.keyboard.press("Enter")
    page.wait_for_selector(".hit mark")
    assert XSS in page.inner_text("#pia-results")
    assert page.locator("#pia-results img").count() == 0
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    # The assessment page itself shows the text too, without running it.
    page.goto(got[0]["url"])
    assert XSS in page.inner_text("main")
    assert page.evaluate("window.__xss") is None
    assert problems == []


def test_no_search_requests_from_file_url(browser, sample_build):
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        problems = _watch(page)
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto((sample_build / "search" / "index.html").as_uri(), wait_until="load")
        # the script's integrity cannot be checked from file://, so the browser refuses it: the
        # page's own text says where to go instead
        assert page.locator("#pia-file").is_visible()
        assert page.locator("#pia-file a").get_attribute("href") == "../index.html"
        assert not page.locator("#pia-search").is_visible()
        assert [r for r in requests if "/search/data/" in r] == []
        assert [p for p in problems if "Subresource Integrity" not in p] == []
    finally:
        ctx.close()


RISK = "リスク2：権限のない者(元職員、アクセス権限のない職員等)によって不正に使用されるリスク"


def test_a_label_query_reaches_the_item_on_both_sample_assessments(open_search, sample_build, sample_server, sample_docs):
    """The form's wording (a risk title) is searchable from the search page: filtered to 様式の
    文言, it lists that item once per assessment, each link opens the page at the item, over
    HTTP and as the same file opened from file://."""
    page, problems = open_search(sample_server + "search/index.html")
    page.select_option("#pia-match", "form")
    page.fill("#pia-q", "アクセス権限のない職員等")
    page.keyboard.press("Enter")
    wait_js(page, "document.querySelectorAll('.hit').length > 0 && !document.getElementById('pia-status').textContent.includes('検索しています')")
    links = page.eval_on_selector_all(".hit a", "as => as.map(a => a.href)")
    tags = page.eval_on_selector_all(".hit .match", "xs => xs.map(x => x.textContent)")
    assert {u.split("#")[0] for u in links} == {sample_server + d.url for d in sample_docs}
    assert set(tags) == {"様式の文言"}
    for url in links:
        for target in (url, (sample_build / url[len(sample_server):].split("#")[0]).as_uri() + "#" + url.split("#")[1]):
            page.goto(target)
            item = page.locator(":target")
            assert item.count() == 1, target
            assert RISK in item.inner_text(), target
            assert item.is_visible()
    assert [p for p in problems if "Subresource Integrity" not in p] == []


def test_the_compare_page_of_an_item_written_in_words_lists_each_answer_from_the_index(open_search, sample_build, sample_server):
    """他団体の記載と比べる on an item written in words: search.js lists every answer from the index
    by item, each with its text and a link that opens the item; the prefecture select narrows the
    list; the JS API pages it like the reference client."""
    from pia_site import urls
    from pia_site.compare import item_table
    from pia_site.search.client import IndexReader

    item = "overview.entrust.entries.content"
    pos = item_table("zenkoumoku").index[item]
    ref = IndexReader.from_dir(sample_build).item("zenkoumoku", pos)
    assert 8 < len(ref) <= 20
    page, problems = open_search(sample_server + urls.compare_page("zenkoumoku", item))
    wait_js(page, "document.querySelectorAll('#pia-compare-list li').length > 0")
    assert page.locator("#pia-compare").is_visible() and not page.locator("#pia-compare-fallback").is_visible()
    links = page.eval_on_selector_all("#pia-compare-list li > a", "as => as.map(a => a.href)")
    snippets = page.eval_on_selector_all("#pia-compare-list .snippet", "ps => ps.map(p => p.textContent)")
    assert links == [sample_server + h.url for h in ref]
    assert snippets == [h.text[:140] + ("…" if len(h.text) > 140 else "") for h in ref]
    assert page.locator("#pia-compare-more").is_hidden()
    assert str(len(ref)) in page.locator("#pia-compare-status").inner_text()
    # another prefecture than the sample's: nothing; back to 全国: everything again
    options = page.eval_on_selector_all("#pia-compare-prefecture option", "os => os.map(o => o.value)")
    assert options == ["", "埼玉県"]
    page.evaluate("""() => { const s = document.getElementById('pia-compare-prefecture');
        s.add(new Option('東京都', '東京都')); s.value = '東京都'; s.dispatchEvent(new Event('change')); }""")
    wait_js(page, "document.getElementById('pia-compare-status').textContent.includes('ありません')")
    assert page.locator("#pia-compare-list li").count() == 0
    page.select_option("#pia-compare-prefecture", "")
    wait_js(page, f"document.querySelectorAll('#pia-compare-list li').length === {len(ref)}")
    # paged through the API: the same list, four at a time
    got = []
    for offset in range(0, len(ref), 4):
        got += page.evaluate("([k, n, o]) => piaSearch.item(k, n, {limit: 4, offset: o}).then(r => r.map(x => x.url))",
                             ["zenkoumoku", pos, offset])
    assert got == links
    # an answer opens the item it lists
    page.goto(links[3])
    assert page.locator(":target").count() == 1 and ref[3].text[:20] in page.locator(":target").inner_text()
    assert [p for p in problems if "Subresource Integrity" not in p] == []
