"""Quality gates on every page kind of the sample build (issue 13.8), in headless Chromium:

* axe-core (from npm, current 4.x) finds no WCAG 2.2 A/AA violation, at 1280 px and at 390 px;
* the Nu Html Checker (npm ``vnu-jar``) reports no error;
* no page is wider than the viewport at 320 px;
* screenshots at 390 px and 1280 px and an A4 PDF of each page kind are kept in test-artefacts/;
* the A4 print of the 越谷市 assessment shows every column of its 変更箇所, with the running header
  and page numbers;
* at 390 px every section of the さいたま市 assessment is two taps from the top of the page, and
  the way back to the contents is one.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from quality_tools import artefacts_dir, java, npm_tools
from support import without_most_compare_pages

pytestmark = pytest.mark.browser

WCAG22 = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG22}, "resultTypes": ["violations"]}

# one page of each kind (the sample has two assessments, both kept)
KINDS = {
    "top": "index.html",
    "municipality": "saitama/index.html",
    "assessment-koshigaya": "koshigaya/keijidosha-fuka/index.html",
    "assessment-saitama": "saitama/kokuho-fuka-shuno/index.html",
    "changes": "koshigaya/keijidosha-fuka/changes/index.html",
    "site-changes": "changes/index.html",
    "search": "search/index.html",
    "about": "about/index.html",
}
CHANGELOG_HEADINGS = ["変更日", "項目", "変更前の記載", "変更後の記載", "提出時期", "提出時期に係る説明"]


def html_pages(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html") if not p.relative_to(out).as_posix().startswith("assets/"))


def browser_pages(out: Path) -> list[str]:
    return without_most_compare_pages(out, html_pages(out))


@pytest.fixture(scope="module")
def tools() -> Path:
    return npm_tools()


@pytest.fixture(scope="module")
def artefacts() -> Path:
    return artefacts_dir()


def new_page(browser, width: int, **extra):
    context = browser.new_context(locale="ja-JP", viewport={"width": width, "height": 844 if width < 600 else 900}, **extra)
    return context, context.new_page()


def test_every_page_kind_is_in_the_sample(sample_build):
    pages = html_pages(sample_build)
    assert set(KINDS.values()) <= set(pages), sorted(set(KINDS.values()) - set(pages))


@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_no_wcag22_violation(browser, sample_build, sample_server, tools, width):
    axe_source = (tools / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
    context, page = new_page(browser, width)
    found: list[str] = []
    try:
        for rel in browser_pages(sample_build):
            page.goto(sample_server + rel, wait_until="load")
            page.evaluate(axe_source)  # through DevTools, so the pages' CSP stays as published
            result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
            for v in result["violations"]:
                targets = "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:5])
                found.append(f"{rel} @{width}px: {v['id']} [{v.get('impact')}] {v['help']} — {len(v['nodes'])} node(s): {targets}")
        version = page.evaluate("axe.version")
    finally:
        context.close()
    assert not found, f"axe-core {version} ({', '.join(WCAG22)}) violations:\n" + "\n".join(found)


def test_nu_html_checker_finds_no_error(sample_build, tools):
    jar = tools / "vnu-jar" / "build" / "dist" / "vnu.jar"
    files = [str(sample_build / rel) for rel in html_pages(sample_build)]
    proc = subprocess.run([java(), "-jar", str(jar), "--errors-only", "--format", "json", *files],
                          capture_output=True, text=True, timeout=300)
    messages = json.loads(proc.stderr or proc.stdout or '{"messages": []}')["messages"]
    errors = [f"{m.get('url', '').rsplit('/build/', 1)[-1]}:{m.get('lastLine')}: {m['message']}" for m in messages
              if m.get("type") == "error" or m.get("subType") == "fatal"]
    assert not errors, f"Nu Html Checker: {len(errors)} error(s):\n" + "\n".join(errors[:40])
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_no_page_scrolls_sideways_at_320px(browser, sample_build, sample_server):
    context, page = new_page(browser, 320)
    wide: list[str] = []
    try:
        for rel in browser_pages(sample_build):
            page.goto(sample_server + rel, wait_until="load")
            width = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
            if width > 320:
                culprit = page.evaluate("""() => { const w = document.documentElement.clientWidth;
                    const e = [...document.querySelectorAll('body *')].find(e => e.getBoundingClientRect().right > w + 1);
                    return e ? e.tagName + '.' + e.className + ' ' + (e.id || '') : '' }""")
                wide.append(f"{rel}: {width} px wide ({culprit})")
    finally:
        context.close()
    assert not wide, "pages wider than a 320 px screen:\n" + "\n".join(wide)


def test_screenshots_and_a4_pdfs_of_every_page_kind(browser, sample_server, artefacts):
    """Kept as artefacts: <kind>-390.png, <kind>-1280.png (the top 6,000 px) and <kind>-A4.pdf."""
    written = []
    for width in (390, 1280):
        context, page = new_page(browser, width)
        try:
            for kind, rel in KINDS.items():
                page.goto(sample_server + rel, wait_until="load")
                height = min(page.evaluate("document.documentElement.scrollHeight"), 6000)
                path = artefacts / f"{kind}-{width}.png"
                page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height})
                written.append(path)
        finally:
            context.close()
    context, page = new_page(browser, 1280)
    try:
        for kind, rel in KINDS.items():
            page.goto(sample_server + rel, wait_until="load")
            path = artefacts / f"{kind}-A4.pdf"
            page.emulate_media(media="print")
            page.pdf(path=str(path), prefer_css_page_size=True, print_background=True)
            written.append(path)
    finally:
        context.close()
    for path in written:
        assert path.stat().st_size > 1000, path
    print(f"\ntest artefacts: {artefacts}")


def pdf_text(path: Path, *args: str) -> str:
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext is missing (Debian's poppler-utils; scripts/test installs it)"
    return subprocess.run([pdftotext, *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_a4_print_of_koshigaya_shows_every_change_log_column(browser, sample_server, site, artefacts):
    fonts = subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True).stdout
    assert fonts.strip(), "no Japanese font for print (Debian's fonts-noto-cjk; scripts/test installs it)"
    a = next(a for a in site.assessments if a.municipality == "koshigaya")
    context, page = new_page(browser, 1280)
    try:
        page.goto(sample_server + KINDS["assessment-koshigaya"], wait_until="load")
        # print with every section folded: printing opens them (assets/nav.js, beforeprint)
        page.evaluate("document.querySelectorAll('details.fold').forEach(d => d.open = false)")
        path = artefacts / "koshigaya-print-check-A4.pdf"
        page.pdf(path=str(path), prefer_css_page_size=True)
    finally:
        context.close()
    text = pdf_text(path)
    layout = pdf_text(path, "-layout")
    # the header row: every column heading on one printed line, in the form's order (none cut off or wrapped)
    header = [line for line in layout.splitlines() if "変更前の記載" in line and "変更後の記載" in line]
    assert header, "no change-log header row in print"
    for line in header:
        at = [line.find(h, line.find(CHANGELOG_HEADINGS[i - 1]) + 1 if i else 0) for i, h in enumerate(CHANGELOG_HEADINGS)]
        assert -1 not in at and at == sorted(at), f"a column heading is missing from the printed header row: {line.strip()}"
    # every row's 提出時期 and the start of each 提出時期に係る説明 are printed
    flat = squeeze(layout)
    timings = [r.timing for r in a.changes if r.timing]
    notes = {squeeze(r.timing_note)[:6] for r in a.changes if r.timing_note}
    assert timings and notes
    start = flat.index("変更日項目変更前の記載")
    table = flat[start:]
    assert table.count("事前") + table.count("事後") >= len(timings), "the 提出時期 column is cut off in print"
    missing = sorted(n for n in notes if n not in table)
    assert not missing, f"the 提出時期に係る説明 column is cut off in print: {missing}"
    # the running header (title, body, 公表日) and page numbers on every page
    pages = text.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) > 3
    for no, p in enumerate(pages, 1):
        assert squeeze(a.title) in squeeze(p), f"page {no}: no running header"
        assert "公表日" in p, f"page {no}: no 公表日 in the running header"
        assert re.search(rf"\b{no} / {len(pages)}\b", p), f"page {no}: no page number"
    # no interactive toggle in print
    assert "変更履歴（" not in text and "小見出し（" not in text and "目次へ" not in text


def test_every_saitama_section_is_two_taps_from_the_top_and_back_in_one(browser, sample_server):
    context, page = new_page(browser, 390, has_touch=True, is_mobile=True)
    try:
        page.goto(sample_server + KINDS["assessment-saitama"], wait_until="load")
        sections = page.eval_on_selector_all(".doc-body section.box.level-2, .doc-body section.box.level-3, .doc-body section.part",
                                             "els => els.map(e => e.id)")
        listed = page.eval_on_selector_all("#toc a", "els => els.map(a => a.getAttribute('href').slice(1))")
        assert sections and set(sections) <= set(listed), f"sections missing from the contents: {sorted(set(sections) - set(listed))}"
        assert len(sections) > 30
        top_level = set(page.eval_on_selector_all("#toc > ol > li > a", "els => els.map(a => a.getAttribute('href').slice(1))"))
        for anchor in sections:
            page.evaluate("() => { document.querySelectorAll('#toc details').forEach(d => d.open = false); window.scrollTo(0, 0); }")
            taps = 0
            link = page.locator(f'#toc a[href="#{anchor}"]')
            if anchor not in top_level:
                page.locator("#toc > ol > li").filter(has=page.locator(f'a[href="#{anchor}"]')).locator("summary").tap()
                taps += 1
            link.tap()
            taps += 1
            assert taps <= 2
            page.wait_for_function("id => location.hash === '#' + id", arg=anchor)
            heading = page.locator(f'[id="{anchor}"]').locator("h2, h3").first
            box = heading.bounding_box()
            assert box and 0 <= box["y"] < 844, f"{anchor}: its heading is not on screen after {taps} tap(s) (y={box and box['y']})"
            back = page.locator(".to-toc a")
            assert back.is_visible(), f"{anchor}: no 目次へ button on screen"
            back.tap()
            page.wait_for_function("() => location.hash === '#toc'")
            toc = page.locator("#toc-heading").bounding_box()
            assert toc and 0 <= toc["y"] < 844, "the 目次へ button did not bring the contents back"
    finally:
        context.close()


def test_a_link_into_a_folded_section_opens_it(browser, sample_server):
    context, page = new_page(browser, 390)
    try:
        page.goto(sample_server + KINDS["assessment-saitama"], wait_until="load")
        row = page.locator("section.box.level-3 table.form tr[id]").nth(3)
        anchor = row.get_attribute("id")
        page.evaluate("() => document.querySelectorAll('details.fold').forEach(d => d.open = false)")
        assert not row.is_visible()
        page.evaluate("id => { location.hash = id; }", anchor)
        page.wait_for_function("id => location.hash === '#' + id", arg=anchor)
        row.wait_for(state="visible")
        assert page.evaluate("id => document.getElementById(id).matches(':target')", anchor)
        # the landed-on item is highlighted
        color = page.evaluate("id => getComputedStyle(document.getElementById(id).querySelector('th, td')).backgroundColor", anchor)
        assert color == "rgb(255, 244, 194)", color
    finally:
        context.close()


def test_dates_and_numbers_do_not_switch_typeface(browser, sample_server):
    """A 和暦 date with its 西暦 digits is drawn in one face (the stack puts no Latin-only face first)."""
    context, page = new_page(browser, 1280)
    try:
        page.goto(sample_server + KINDS["assessment-koshigaya"], wait_until="load")
        cdp = context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        doc = cdp.send("DOM.getDocument", {"depth": 0})
        for selector in (".doc-header .meta time", "#cover\\.number td", "table.changelog time"):
            node = cdp.send("DOM.querySelector", {"nodeId": doc["root"]["nodeId"], "selector": selector})
            assert node["nodeId"], selector
            text = page.locator(selector).first.inner_text()
            assert re.search(r"\d", text), (selector, text)
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
            assert len(fonts) == 1, f"{selector} 「{text}」 is drawn in {[f['familyName'] for f in fonts]}"
    finally:
        context.close()


def test_an_items_link_is_copied_when_clicked(browser, sample_server):
    context, page = new_page(browser, 1280, permissions=["clipboard-read", "clipboard-write"])
    try:
        url = sample_server + KINDS["assessment-koshigaya"]
        page.goto(url, wait_until="load")
        link = page.locator('tr[id="cover.title"] a.pl')
        link.click()
        page.wait_for_function("() => location.hash === '#cover.title'")
        assert page.evaluate("navigator.clipboard.readText()") == url + "#cover.title"
        assert "リンクをコピーしました" in page.locator(".copy-status[role=status]").inner_text()
    finally:
        context.close()
