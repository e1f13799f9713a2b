"""Findability: page titles 「評価書名｜団体名｜サイト名」, sitemap.xml, canonical URLs and OGP /
Twitter metadata when site.yaml has base_url (and none of them without it)."""
from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import pytest

from pia_site.build import build, load_site
from pia_site.views.findability import page_url

from support import REPO

BASE = "https://example.jp/pia"
SM = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def title(html: str) -> str:
    return unescape(re.search(r"<title>(.*?)</title>", html, re.S).group(1))


def meta(html: str, attr: str, name: str) -> str | None:
    m = re.search(rf'<meta {attr}="{re.escape(name)}" content="([^"]*)">', html)
    return unescape(m.group(1)) if m else None


def canonical(html: str) -> str | None:
    m = re.search(r'<link rel="canonical" href="([^"]*)">', html)
    return m.group(1) if m else None


@pytest.fixture(scope="module")
def with_base(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("findable")
    shutil.copytree(REPO / "content", root / "content")
    site_yaml = root / "content/site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8") + f"base_url: {BASE}/\n", encoding="utf-8")
    build(root / "content", root / "out")
    return root / "out"


def test_page_titles_follow_the_pattern(sample_build):
    site, _ = load_site(REPO / "content")
    name = site.config.title
    a = next(x for x in site.assessments if x.slug == "keijidosha-fuka")
    read = lambda p: (sample_build / p).read_text(encoding="utf-8")  # noqa: E731
    assert title(read("koshigaya/keijidosha-fuka/index.html")) == f"{a.title}｜越谷市｜{name}"
    assert title(read("koshigaya/keijidosha-fuka/changes/index.html")) == f"変更箇所：{a.title}｜越谷市｜{name}"
    assert title(read("koshigaya/index.html")) == f"越谷市の特定個人情報保護評価書｜{name}"
    assert title(read("changes/index.html")) == f"更新履歴｜{name}"
    assert title(read("search/index.html")) == f"全文検索｜{name}"
    assert title(read("data/index.html")) == f"オープンデータ｜{name}"
    assert title(read("index.html")) == name


def test_without_base_url_there_are_no_absolute_urls_and_no_sitemap(sample_build):
    assert not (sample_build / "sitemap.xml").exists()
    for page in sample_build.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert canonical(html) is None and meta(html, "property", "og:url") is None, page
    # the description is there all the same
    html = (sample_build / "koshigaya/keijidosha-fuka/index.html").read_text(encoding="utf-8")
    assert meta(html, "name", "description").startswith("越谷市が公表した重点項目評価書「軽自動車税(種別割)")


def test_sitemap_lists_every_html_page_once(with_base):
    root = ET.parse(with_base / "sitemap.xml").getroot()
    locs = [e.text for e in root.findall("s:url/s:loc", SM)]
    pages = sorted(p.relative_to(with_base).as_posix() for p in with_base.rglob("*.html"))
    assert len(locs) == len(set(locs)) == len(pages)
    assert sorted(locs) == sorted(page_url(BASE, p) for p in pages)
    assert f"{BASE}/koshigaya/keijidosha-fuka/" in locs and f"{BASE}/" in locs
    assert all(u.startswith(BASE + "/") for u in locs)


def test_canonical_and_ogp_name_each_page(with_base):
    for page in with_base.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        url = page_url(BASE, page.relative_to(with_base).as_posix())
        assert canonical(html) == url == meta(html, "property", "og:url"), page
        assert meta(html, "property", "og:title") == title(html)
        assert meta(html, "property", "og:site_name") and meta(html, "name", "twitter:card") == "summary"
        assert meta(html, "property", "og:locale") == "ja_JP"
    html = (with_base / "koshigaya/keijidosha-fuka/index.html").read_text(encoding="utf-8")
    assert meta(html, "property", "og:type") == "article"
    assert meta(html, "property", "og:description") == meta(html, "name", "description")
    assert meta((with_base / "index.html").read_text(encoding="utf-8"), "property", "og:type") == "website"


def test_open_data_urls_are_absolute_with_base_url(with_base):
    text = (with_base / "data/assessments.csv").read_bytes().decode("utf-8-sig")
    assert f"{BASE}/koshigaya/keijidosha-fuka/," in text
    assert f"{BASE}/data/assessments/koshigaya/keijidosha-fuka.json" in text


def test_page_url():
    assert page_url("", "koshigaya/index.html") == ""
    assert page_url(BASE, "index.html") == f"{BASE}/"
    assert page_url(BASE + "/", "koshigaya/keijidosha-fuka/index.html") == f"{BASE}/koshigaya/keijidosha-fuka/"
    assert page_url(BASE, "feed.xml") == f"{BASE}/feed.xml"
