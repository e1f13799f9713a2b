"""Browser tests: the built pages in headless Chromium.

* axe-core finds no WCAG 2 A/AA violation on any page of the sample build;
* no console error and no failed request, over HTTP and from file://;
* one h1 per page and html[lang=ja];
* content cannot inject script (text is escaped, rich text is audited and sanitised).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from support import without_most_compare_pages

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}, "resultTypes": ["violations"]}


# --- helpers ----------------------------------------------------------------------------------


def site_pages(out: Path) -> dict[str, list[str]]:
    """The HTML pages of a build, by kind, as POSIX paths relative to the output directory."""
    pages: dict[str, list[str]] = {"index": [], "municipality": [], "assessment": [], "other": []}
    for p in sorted(out.rglob("*.html")):
        rel = p.relative_to(out).as_posix()
        if rel.startswith("assets/"):
            continue
        depth = rel.count("/")
        kind = {0: "index", 1: "municipality", 2: "assessment"}.get(depth, "other")  # other: 変更箇所 pages
        pages[kind].append(rel)
    return pages


def all_pages(out: Path) -> list[str]:
    pages = site_pages(out)
    assert pages["index"] == ["index.html"], f"no site index in {out}"
    assert pages["municipality"], f"the sample build has no municipality page: {out}"
    assert pages["assessment"], f"the sample build has no assessment page: {out}"
    return without_most_compare_pages(out, pages["index"] + pages["municipality"] + pages["assessment"] + pages["other"])


@dataclass
class Watch:
    """Console errors, uncaught exceptions and failed requests seen by one page."""

    problems: list[str] = field(default_factory=list)

    # The browser asks for /favicon.ico on its own; the site has none and the test server
    # answers 404.  That is the server's business, not the pages'.
    IGNORED = ("/favicon.ico",)

    def _add(self, url: str, text: str) -> None:
        if not url.endswith(self.IGNORED):
            self.problems.append(text)

    def attach(self, page) -> None:
        def console(m):
            if m.type == "error":
                url = m.location.get("url", "")
                self._add(url, f"console error: {m.text} ({url})")

        page.on("console", console)
        page.on("pageerror", lambda e: self.problems.append(f"uncaught exception: {e}"))
        page.on("requestfailed", lambda r: self._add(r.url, f"request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and self._add(r.url, f"HTTP {r.status}: {r.url}"))


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


def set_yaml_value(text: str, path: list[str], value: str) -> str:
    """Fill one empty key of a scaffold (``key:`` with nothing after it), found by its key path."""
    lines = text.split("\n")
    start = 0
    for depth, key in enumerate(path):
        pad = "  " * depth
        for i in range(start, len(lines)):
            line = lines[i]
            stripped = line.lstrip(" ")
            if stripped and not stripped.startswith("#") and len(line) - len(stripped) < len(pad):
                raise AssertionError(f"key {'.'.join(path)} not found in the scaffold")
            if line.startswith(f"{pad}{key}:"):
                start = i
                break
        else:
            raise AssertionError(f"key {'.'.join(path)} not found in the scaffold")
        start_line = start
        start += 1
    assert lines[start_line].rstrip() == f"{'  ' * (len(path) - 1)}{path[-1]}:", lines[start_line]
    lines[start_line] += " " + json.dumps(value, ensure_ascii=False)
    return "\n".join(lines)


def line_of(text: str, needle: str) -> int:
    for no, line in enumerate(text.split("\n"), 1):
        if needle in line:
            return no
    raise AssertionError(needle)


# Text fields are escaped on output; a tag in one is also refused by the audit (H001),
# so the payloads that reach the page are attribute breakers and entity-encoded markup.
XSS_TEXT_ATTR = '" autofocus onfocus="window.__xss=1" x="'
XSS_TEXT_ENTITY = "&lt;script&gt;window.__xss=2&lt;/script&gt;"
XSS_TEXT_TAG_IMG = '<img src=x onerror="window.__xss=1">'
XSS_TEXT_TAG_SCRIPT = "<script>window.__xss=2</script>"
XSS_RICH_ESCAPED = "&lt;img src=x onerror=window.__xss=3&gt;"
XSS_RICH_SHOWN = "<img src=x onerror=window.__xss=3>"
XSS_RICH_REAL = "<img src=x onerror=window.__xss=4>"


def make_site(root: Path, title: str, jimu_name: str, declaration: str) -> Path:
    """A one-assessment site scaffolded by ``pia-site new``; returns its content directory.

    ``title`` (cover.title) and ``jimu_name`` (basic_info.jimu.name) are text fields,
    ``declaration`` (cover.declaration) is a rich field."""
    from pia_site.cli import main

    content = root / "content"
    assert main(["new", "--content", str(content), "--municipality", "xss", "--form", "重点項目", "--name", "a"]) == 0
    (content / "site.yaml").write_text("title: XSS テスト\ndescription: 危険な値が実行されないことを確かめます。\n", encoding="utf-8")
    (content / "xss" / "municipality.yaml").write_text(
        'name: 越谷市\nprefecture: 埼玉県\ncode: "112224"\nbodies: [越谷市長]\n', encoding="utf-8")
    doc = content / "xss" / "a.yaml"
    text = doc.read_text(encoding="utf-8")
    text = set_yaml_value(text, ["cover", "title"], title)
    text = set_yaml_value(text, ["basic_info", "jimu", "name"], jimu_name)
    text = set_yaml_value(text, ["cover", "declaration"], declaration)
    doc.write_text(text, encoding="utf-8")
    return content


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(directory).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(directory.rglob("*")) if p.is_file()}


# --- the sample build -------------------------------------------------------------------------


def test_axe_no_wcag2_violations(page, sample_build, sample_server):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found: list[str] = []
    for rel in all_pages(sample_build):
        page.goto(sample_server + rel, wait_until="load")
        results = axe.run(page, options=AXE_OPTIONS).response
        for v in results["violations"]:
            targets = "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:10])
            more = f" (+{len(v['nodes']) - 10} more)" if len(v["nodes"]) > 10 else ""
            found.append(f"{rel}: {v['id']} [{v.get('impact')}] {v['help']} — {len(v['nodes'])} node(s): {targets}{more}")
    assert not found, "axe-core (wcag2a, wcag2aa) violations:\n" + "\n".join(found)


def test_no_console_errors_or_failed_requests(page, sample_build, sample_server):
    watch = Watch()
    watch.attach(page)
    for rel in all_pages(sample_build):
        page.goto(sample_server + rel, wait_until="networkidle")
    assert not watch.problems, "\n".join(watch.problems)


def test_one_h1_and_lang_ja(page, sample_build, sample_server):
    problems = []
    for rel in all_pages(sample_build):
        page.goto(sample_server + rel, wait_until="load")
        h1 = page.locator("h1").count()
        if h1 != 1:
            problems.append(f"{rel}: {h1} h1 elements")
        if page.locator("html[lang=ja]").count() != 1:
            problems.append(f"{rel}: html lang is {page.locator('html').get_attribute('lang')!r}, not 'ja'")
    assert not problems, "\n".join(problems)


def test_stylesheet_applies(page, sample_build, sample_server):
    """The relative stylesheet link resolves on every page depth (the CSS is actually used)."""
    for rel in all_pages(sample_build):
        page.goto(sample_server + rel, wait_until="load")
        sheets = page.evaluate("Array.from(document.styleSheets).filter(s => s.href && s.cssRules.length > 0).length")
        assert sheets >= 1, f"{rel}: no stylesheet loaded"


def test_works_from_file_url(page, sample_build):
    watch = Watch()
    watch.attach(page)
    page.goto((sample_build / "index.html").resolve().as_uri(), wait_until="load")
    assert page.locator("h1").count() == 1
    page.locator("main ul.municipalities a").first.click()
    page.wait_for_load_state("load")
    assert page.url.startswith("file://") and page.url.endswith("/index.html"), page.url
    assert page.locator("main table.list a").count() >= 1, f"no assessment link on {page.url}"
    page.locator("main table.list a").first.click()
    page.wait_for_load_state("load")
    assert page.url.count("/") - (sample_build / "index.html").resolve().as_uri().count("/") == 2, page.url
    h1 = page.locator("article.assessment h1")
    assert h1.is_visible(), f"assessment h1 not visible on {page.url}"
    assert h1.inner_text().strip()
    # the breadcrumb leads back to the site index
    page.locator("nav.breadcrumb a").first.click()
    page.wait_for_load_state("load")
    assert page.url == (sample_build / "index.html").resolve().as_uri()
    assert not watch.problems, "\n".join(watch.problems)


# --- injection --------------------------------------------------------------------------------


def test_content_cannot_inject_script(page, tmp_path, serve):
    from pia_site.build import build

    content = make_site(tmp_path, XSS_TEXT_ATTR, XSS_TEXT_ENTITY, XSS_RICH_ESCAPED)
    out = tmp_path / "out"
    build(content, out)
    html = (out / "xss" / "a" / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script\b[^>]*>", html.lower())
    assert scripts == ['<script src="../../assets/nav.js" defer>'], f"a <script> tag reached the HTML: {scripts}"
    assert 'onfocus="' not in html, "an attribute breaker reached the HTML unescaped"

    watch = Watch()
    watch.attach(page)
    base = serve(out)
    page.goto(base + "xss/a/index.html", wait_until="load")
    page.keyboard.press("Tab")
    page.wait_for_timeout(300)  # give a (broken) handler every chance to run
    assert page.evaluate("typeof window.__xss") == "undefined", f"script ran: window.__xss = {page.evaluate('window.__xss')}"
    assert page.locator("body script").count() == 0
    assert page.locator("body img").count() == 0
    assert page.locator("[onfocus], [onerror], [autofocus]").count() == 0
    assert page.locator("h1").inner_text().strip() == XSS_TEXT_ATTR
    assert XSS_TEXT_ATTR in page.title()
    for shown in (XSS_TEXT_ATTR, XSS_TEXT_ENTITY, XSS_RICH_SHOWN):
        assert page.get_by_text(shown, exact=True).first.is_visible(), f"not shown literally: {shown}"
    assert not watch.problems, "\n".join(watch.problems)


def test_tags_in_text_fields_fail_build(tmp_path):
    """A tag in a plain text field is refused by the audit, located at its line."""
    from pia_site.build import build
    from pia_site.diagnostics import DiagnosticsError

    content = make_site(tmp_path, XSS_TEXT_TAG_IMG, XSS_TEXT_TAG_SCRIPT, XSS_RICH_ESCAPED)
    doc = content / "xss" / "a.yaml"
    text = doc.read_text(encoding="utf-8")
    with pytest.raises(DiagnosticsError) as info:
        build(content, tmp_path / "out")
    errors = {d.key_path: d for d in info.value.diagnostics if d.is_error}
    assert set(errors) == {"cover.title", "basic_info.jimu.name"}, "\n".join(map(str, info.value.diagnostics))
    assert errors["cover.title"].location.line == line_of(text, "window.__xss=1")
    assert errors["basic_info.jimu.name"].location.line == line_of(text, "window.__xss=2")
    assert not (tmp_path / "out").exists()


def test_rich_html_event_attribute_fails_build(tmp_path):
    from pia_site.build import build
    from pia_site.diagnostics import DiagnosticsError

    good = make_site(tmp_path / "good", "評価書", "事務", XSS_RICH_ESCAPED)
    out = tmp_path / "out"
    build(good, out)
    before = snapshot(out)
    assert before

    bad = make_site(tmp_path / "bad", "評価書", "事務", XSS_RICH_REAL)
    doc = bad / "xss" / "a.yaml"
    with pytest.raises(DiagnosticsError) as info:
        build(bad, out)
    errors = [d for d in info.value.diagnostics if d.is_error]
    assert errors, "the build failed without an error diagnostic"
    located = [d for d in errors if d.key_path == "cover.declaration"]
    assert located, "no error for cover.declaration:\n" + "\n".join(map(str, errors))
    d = located[0]
    assert Path(d.location.path).resolve() == doc.resolve(), d.location
    assert d.location.line == line_of(doc.read_text(encoding="utf-8"), "onerror=window.__xss=4"), d.location
    assert d.location.column > 0
    assert "img" in d.message, d.message

    assert snapshot(out) == before, "a failed build changed the output directory"
    leftovers = sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".out."))
    assert not leftovers, f"a failed build left temporary directories: {leftovers}"


def test_the_csp_stops_an_inline_script_that_reaches_a_page(page, tmp_path, serve):
    """The backstop: even when a site opts in to unsafe templates and an inline script and an
    event handler reach the HTML, the page's Content-Security-Policy keeps them from running,
    while the site's own script (with its integrity) still runs."""
    from pia_site.build import build

    content = make_site(tmp_path, "題名", "事務", "宣言")
    site_yaml = content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8")
                         + "theme_dir: ../theme\nallow_unsafe_templates: true\n", encoding="utf-8")
    footer = tmp_path / "theme" / "templates" / "partials" / "footer.html"
    footer.parent.mkdir(parents=True)
    footer.write_text('<footer>{{ "<script>window.__xss=1</script><img src=x onerror=\\"window.__xss=2\\">"|safe }}</footer>\n',
                      encoding="utf-8")
    out = tmp_path / "out"
    build(content, out)
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "<script>window.__xss=1</script>" in html and 'onerror="window.__xss=2"' in html  # it did reach the page
    blocked: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))
    base = serve(out)
    for rel in ("index.html", "search/index.html"):
        page.goto(base + rel, wait_until="load")
        page.wait_for_timeout(300)  # give the handler every chance to run
        assert page.evaluate("typeof window.__xss") == "undefined", f"{rel}: script ran: window.__xss = {page.evaluate('window.__xss')}"
    assert blocked, "no CSP violation reported: the inline script was not blocked by the policy"
    # the site's own script runs (integrity matches): the search page's form is wired
    page.goto(base + "search/index.html", wait_until="load")
    assert page.evaluate("typeof window.piaSearch") == "object"
