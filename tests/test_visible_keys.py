"""Citizens see labels, never keys: no internal key (an anchor such as
``files.keiji.overview.basic.department``, a catalog path or a snake_case key) appears in
the visible text of any built page: its text nodes and its title, alt, aria-label and
placeholder attributes.  Ids and hrefs may hold anchors; what a reader reads may not."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from pia_site import anchors
from pia_site.catalog import all_forms

SHOWN_ATTRS = {"title", "alt", "aria-label", "placeholder", "aria-description"}
DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+")
FILE_NAME = re.compile(r"\.(csv|json|html|xml|css|js|txt|pdf|yaml)$")  # changes.csv is a file, not a key
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.hidden = 0  # inside <script> or <style>

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        self.texts.extend(v for k, v in attrs if k in SHOWN_ATTRS and v)

    def handle_endtag(self, tag) -> None:
        if tag in ("script", "style") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.texts.append(data)


def visible_texts(html: str) -> list[str]:
    p = _Visible()
    p.feed(html)
    p.close()
    return p.texts


def internal_keys(site) -> tuple[set[str], set[str]]:
    """(every anchor and catalog path and snake_case key, the first segments of dotted keys)."""
    keys: set[str] = set()
    heads = {anchors.FILES, anchors.CHANGES}
    for form in all_forms():
        for node in form.walk():
            keys.add(node.id)
            if "_" in node.key:
                keys.add(node.key)
        heads.update(p.key for p in form.parts)
    for a in site.assessments:
        keys.update(anchors.anchors(a))
    return keys, heads


def leaks(text: str, keys: set[str], heads: set[str]) -> list[str]:
    found = [t for t in DOTTED.findall(text) if t in keys or (t.split(".")[0] in heads and not FILE_NAME.search(t))]
    found += [t for t in SNAKE.findall(DOTTED.sub(" ", text)) if t in keys]
    return found


def scan(root: Path, keys: set[str], heads: set[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for page in sorted(root.rglob("*.html")):
        found = [k for t in visible_texts(page.read_text(encoding="utf-8")) for k in leaks(t, keys, heads)]
        if found:
            out[page.relative_to(root).as_posix()] = sorted(set(found))
    return out


def test_the_scanner_finds_a_key_shown_as_text(site):
    keys, heads = internal_keys(site)
    html = ('<p id="files.keiji.overview.basic.department">対象箇所: '
            '<a href="#files.keiji.overview.basic.department">files.keiji.overview.basic.department</a></p>'
            '<img alt="basic_info.jimu.name" src="x.png"><span title="subject_scope_necessity">x</span>'
            '<p>style.css と www.ppc.go.jp と changes.csv は鍵ではない</p>')
    found = [k for t in visible_texts(html) for k in leaks(t, keys, heads)]
    assert found == ["files.keiji.overview.basic.department", "basic_info.jimu.name", "subject_scope_necessity"]


def test_no_built_page_shows_an_internal_key(site, sample_build):
    keys, heads = internal_keys(site)
    pages = list(sample_build.rglob("*.html"))
    assert len(pages) >= 8
    assert scan(sample_build, keys, heads) == {}


def test_change_targets_show_the_printed_path_linked_to_the_item(sample_build):
    html = (sample_build / "koshigaya/keijidosha-fuka/changes/index.html").read_text(encoding="utf-8")
    block = html[html.index('id="change-2"'):html.index('id="change-3"')]
    assert ('<a href="../index.html#files.keiji.overview.basic.department">'
            "II 特定個人情報ファイルの概要 › 2. 基本情報 › ⑥事務担当部署</a>") in block
    # さいたま市 has two files: the part names the file it is about
    html = (sample_build / "saitama/kokuho-fuka-shuno/changes/index.html").read_text(encoding="utf-8")
    assert "II 特定個人情報ファイルの概要（国保賦課特定個人情報ファイル） › 5. 特定個人情報の提供・移転" in html
