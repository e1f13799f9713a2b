"""The pages as built (issue 13: navigation, tables, official links, header and footer, print):
structure checked in the HTML; tests/test_quality_gates.py checks them in Chromium."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pia_site.build import build, check
from pia_site.schema import form_schema
from pia_site.catalog import find_form
from pia_site.validate.links import is_https_url

from support import REPO, make_content, scaffold_text

PPC = "https://www.ppc.go.jp/"


class Tags(HTMLParser):
    """Start tags with their attributes, in document order."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def tags(html: str) -> list[tuple[str, dict[str, str]]]:
    t = Tags()
    t.feed(html)
    return t.tags


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pages") / "out"
    build(REPO / "content", out)
    return out


def pages(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))


def test_every_page_has_the_site_navigation_the_ppc_and_about_links(sample):
    assert (sample / "about" / "index.html").exists()
    for rel in pages(sample):
        html = (sample / rel).read_text(encoding="utf-8")
        t = tags(html)
        hrefs = [a.get("href", "") for tag, a in t if tag == "a"]
        assert PPC in hrefs, f"{rel}: no link to 個人情報保護委員会"
        root = "../" * rel.count("/")
        assert f"{root}about/index.html" in hrefs, f"{rel}: no link to the about page"
        current = [a.get("href") for tag, a in t if tag == "a" and a.get("aria-current") == "page"]
        nav = {"index.html", "search/index.html", "changes/index.html", "about/index.html"}
        assert current == ([root + rel] if rel in nav else []), (rel, current)
        if rel != "index.html":
            assert 'aria-label="パンくずリスト"' in html, f"{rel}: no breadcrumb"


def test_the_about_page_explains_the_document_the_star_and_the_timing(sample):
    html = (sample / "about" / "index.html").read_text(encoding="utf-8")
    for words in ("評価書とは", "基礎項目評価書", "重点項目評価書", "全項目評価書", "重要な変更", "事前", "事後", "個人情報保護委員会"):
        assert words in html, words


def test_the_star_and_the_timing_are_explained_in_visible_text(sample):
    page = (sample / "koshigaya" / "keijidosha-fuka" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<p class="legend"><span class="star">※</span> の付いた項目は、変更すると「重要な変更」', page)
    assert "「事前」は変更の前に、「事後」は変更の後に" in page
    changes = (sample / "koshigaya" / "keijidosha-fuka" / "changes" / "index.html").read_text(encoding="utf-8")
    assert "「事前」は変更の前に、「事後」は変更の後に" in changes


def test_the_contents_have_two_levels_and_list_every_part_and_section(sample):
    html = (sample / "saitama" / "kokuho-fuka-shuno" / "index.html").read_text(encoding="utf-8")
    toc = html[html.index('<nav class="toc" id="toc"'):html.index("</nav>", html.index('<nav class="toc" id="toc"'))]
    listed = re.findall(r'<a href="#([^"]+)">', toc)
    sections = re.findall(r'<section class="(?:box level-[23]|part[^"]*)" id="([^"]+)"', html)
    assert len(sections) > 30 and set(sections) <= set(listed), sorted(set(sections) - set(listed))
    assert toc.count('<details class="toc-sub">') >= 5  # the second level folds under its part


def test_every_item_has_a_permalink_and_sections_fold(sample):
    for rel in ("koshigaya/keijidosha-fuka/index.html", "saitama/kokuho-fuka-shuno/index.html"):
        html = (sample / rel).read_text(encoding="utf-8")
        ids = re.findall(r'<tr id="([^"]+)"', html)
        links = set(re.findall(r'<a class="pl" href="#([^"]+)"', html))
        assert ids and not [i for i in ids if i not in links], rel
        assert html.count('<details class="fold" open>') > 10
        assert '<script src="../../assets/nav.js" defer></script>' in html
        assert '<a href="#toc">目次へ</a>' in html


def test_listing_and_change_log_cells_carry_their_column_headings(sample):
    """The labels stacked rows show on narrow screens (assets/style.css, data-label)."""
    for rel, table in (("saitama/index.html", "list stack"), ("changes/index.html", "list stack"),
                       ("koshigaya/keijidosha-fuka/index.html", "changelog stack")):
        html = (sample / rel).read_text(encoding="utf-8")
        start = html.index(f'<table class="{table}">')
        body = html[html.index("<tbody>", start):html.index("</tbody>", start)]
        heads = re.findall(r'<th scope="col">([^<]+)</th>', html[start:html.index("<tbody>", start)])
        for row in re.findall(r"<tr[ >].*?</tr>", body, re.S):
            assert re.findall(r'data-label="([^"]+)"', row) == heads, (rel, row[:200])


def test_the_running_header_is_a_css_string_of_title_body_and_date(tmp_path):
    text = scaffold_text().replace("\n  title:\n", '\n  title: \'題名 "引用" と \\ 記号\'\n', 1)
    text = text.replace("\n  published:\n", "\n  published: 2025-04-01\n", 1)
    text = text.replace("\n  assessor:\n", "\n  assessor: 越谷市長\n", 1)
    content = make_content(tmp_path, {"a": text})
    build(content, tmp_path / "out")
    html = (tmp_path / "out" / "koshigaya" / "a" / "index.html").read_text(encoding="utf-8")
    style = next(a["style"] for tag, a in tags(html) if tag == "html")
    assert style == '--pia-running: "題名 \\"引用\\" と \\\\ 記号　越谷市（越谷市長）　公表日 令和7年4月1日(2025年)"', style


def with_links(lines: str) -> str:
    return scaffold_text().replace("edition: 令和6年10月\n", "edition: 令和6年10月\n" + lines, 1)


def test_official_links_are_shown_on_the_assessment_page(tmp_path):
    pdf = "https://www.city.example.lg.jp/hyoka/7.pdf"
    ppc = "https://www.ppc.go.jp/example/7"
    content = make_content(tmp_path, {"a": with_links(f"source_url: {pdf}\nppc_url: {ppc}\n")})
    build(content, tmp_path / "out")
    html = (tmp_path / "out" / "koshigaya" / "a" / "index.html").read_text(encoding="utf-8")
    assert f'<a href="{pdf}" rel="external">公表された評価書（原本の PDF）</a>' in html
    assert f'<a href="{ppc}" rel="external">個人情報保護委員会の公表ページ</a>' in html
    # without them, no such links
    bare = make_content(tmp_path / "bare", {"a": scaffold_text()})
    build(bare, tmp_path / "bare-out")
    assert "公表された評価書（原本の PDF）" not in (tmp_path / "bare-out" / "koshigaya" / "a" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("value", ["http://www.ppc.go.jp/x", "javascript:alert(1)", "www.ppc.go.jp/x", "https://", "https://a b/c",
                                   "https://user:pw@example.jp/"])
def test_an_official_link_that_is_not_an_https_url_is_a_located_error(tmp_path, monkeypatch, value):
    content = make_content(tmp_path, {"a": with_links(f"source_url: '{value}'\n")})
    monkeypatch.chdir(tmp_path)
    errors = [d for d in check(Path("content")) if d.is_error]
    assert [(d.code, d.key_path, d.location.line, d.location.column) for d in errors] == [("V085", "source_url", 4, 13)], errors
    assert "https:// で始まる URL" in errors[0].message
    assert content.exists()


def test_the_schema_declares_the_official_links():
    props = form_schema(find_form("juten", "令和6年10月"))["properties"]
    assert props["source_url"]["title"] == "公表された評価書（PDF）の URL"
    assert props["ppc_url"]["title"] == "個人情報保護委員会の公表ページの URL"
    assert is_https_url("https://www.ppc.go.jp/") and not is_https_url("https://exa mple.jp/")


def test_the_font_stack_puts_no_latin_only_face_before_the_japanese_ones():
    css = (REPO / "assets" / "style.css").read_text(encoding="utf-8")
    stack = [f.strip().strip('"') for f in re.search(r"--font:\s*([^;]+);", css).group(1).split(",")]
    assert stack[0] == "Noto Sans JP" and stack[-1] == "sans-serif", stack
    latin_only = {"system-ui", "-apple-system", "BlinkMacSystemFont", "Segoe UI", "Roboto", "Helvetica", "Arial", "Helvetica Neue"}
    assert not latin_only & set(stack), stack
    assert "font-family: var(--font)" in css.split("body {", 1)[1].split("}", 1)[0]
