"""Browser backstop, as built: every page starts its <head> with a Content-Security-Policy, has
no inline script, its own scripts carry the integrity of the bytes written (a site's asset
override included), and a template override that turns autoescaping off is a build error
unless site.yaml allows it."""
from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pia_site.build import build, check
from pia_site.preview.incremental import IncrementalBuilder
from pia_site.template_audit import audit_template
from pia_site.theme import DEFAULT_ASSETS, DEFAULT_TEMPLATES

from support import REPO, make_content, tree_bytes, write

CSP = {"script-src": "'self'", "object-src": "'none'", "base-uri": "'self'"}


class Head(HTMLParser):
    """The first element in <head>, every <script> and every on* attribute of a page."""

    def __init__(self):
        super().__init__()
        self.in_head = False
        self.first: tuple[str, dict] | None = None
        self.scripts: list[dict] = []
        self.handlers: list[str] = []
        self._script_text = False
        self.inline: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "head":
            self.in_head = True
        elif self.in_head and self.first is None:
            self.first = (tag, a)
        if tag == "script":
            self.scripts.append(a)
            self._script_text = "src" not in a
        self.handlers += [k for k in a if k.startswith("on")]

    def handle_endtag(self, tag):
        if tag == "script":
            self._script_text = False

    def handle_data(self, data):
        if self._script_text and data.strip():
            self.inline.append(data)


def parse(html: str) -> Head:
    h = Head()
    h.feed(html)
    return h


def policy(meta: dict) -> dict[str, str]:
    out = {}
    for part in meta["content"].split(";"):
        words = part.split()
        if words:
            out[words[0]] = " ".join(words[1:])
    return out


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("csp") / "out"
    build(REPO / "content", out)
    return out


def test_every_page_kind_starts_its_head_with_the_csp_and_has_no_inline_script(sample):
    pages = sorted(p.relative_to(sample).as_posix() for p in sample.rglob("*.html"))
    kinds = {"index.html", "search/index.html", "changes/index.html", "koshigaya/index.html",
             "koshigaya/keijidosha-fuka/index.html", "koshigaya/keijidosha-fuka/changes/index.html"}
    assert kinds <= set(pages)
    for rel in pages:
        h = parse((sample / rel).read_text(encoding="utf-8"))
        assert h.first is not None and h.first[0] == "meta", rel
        assert h.first[1].get("http-equiv") == "Content-Security-Policy", (rel, h.first)
        got = policy(h.first[1])
        assert {k: got.get(k) for k in CSP} == CSP, (rel, got)
        assert h.inline == [] and h.handlers == [], rel
        assert all(s.get("src") for s in h.scripts), rel


def test_the_sites_own_scripts_carry_the_integrity_of_the_bytes_written(sample):
    h = parse((sample / "search" / "index.html").read_text(encoding="utf-8"))
    assert [s["src"] for s in h.scripts] == ["../assets/search.js"]
    written = (sample / "assets" / "search.js").read_bytes()
    assert h.scripts[0]["integrity"] == sri(written)
    assert written == (DEFAULT_ASSETS / "search.js").read_bytes()


def _with(content: Path, lines: str) -> None:
    site_yaml = content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8") + lines, encoding="utf-8")


def test_an_overridden_script_carries_its_own_integrity(tmp_path):
    content = make_content(tmp_path)
    _with(content, "theme_dir: ../theme\n")
    override = write(tmp_path / "theme" / "assets" / "search.js", "/* the site's own search */\n")
    build(content, tmp_path / "out")
    h = parse((tmp_path / "out" / "search" / "index.html").read_text(encoding="utf-8"))
    assert (tmp_path / "out" / "assets" / "search.js").read_bytes() == override.read_bytes()
    assert h.scripts[0]["integrity"] == sri(override.read_bytes())


def test_serve_rewrites_the_integrity_when_a_script_changes(tmp_path):
    """The incremental builder re-renders the pages that print an asset's integrity when the
    asset changes, and its output stays the full build's."""
    project = tmp_path / "site"
    content = make_content(project)
    _with(content, "theme_dir: ../theme\n")
    (project / "theme").mkdir()
    out = tmp_path / "out"
    builder = IncrementalBuilder(content, out)
    assert builder.update().ok
    js = write(project / "theme" / "assets" / "search.js", "/* first */\n")
    result = builder.update([js])
    assert result.ok and "search/index.html" in result.rendered and "index.html" not in result.rendered
    js.write_text("/* second */\n", encoding="utf-8")
    assert builder.update([js]).ok
    build(content, tmp_path / "ref")
    assert tree_bytes(out) == tree_bytes(tmp_path / "ref")
    assert sri(b"/* second */\n") in (out / "search" / "index.html").read_text(encoding="utf-8")


def test_the_default_templates_need_no_safe():
    templates = [p for p in DEFAULT_TEMPLATES.rglob("*") if p.is_file()]
    assert len(templates) >= 10
    assert [d for p in templates for d in audit_template(p, p.read_text(encoding="utf-8"))] == []


UNSAFE = [
    ("partials/footer.html", "<footer>\n<p>{{ site.title|safe }}</p>\n</footer>\n", 2, "|safe"),
    ("partials/footer.html", "<footer>{% autoescape false %}{{ site.title }}{% endautoescape %}</footer>\n", 1, "autoescape false"),
    ("index.html", '{% extends "base.html" %}\n{% block main %}\n{% filter safe %}{{ site.title }}{% endfilter %}\n{% endblock %}\n', 3, "|safe"),
    ("partials/footer.html", "<footer>\n\n{{ Markup(site.title) }}</footer>\n", 3, "Markup("),
]


@pytest.mark.parametrize("name,text,line,what", UNSAFE, ids=["safe", "autoescape", "filter-block", "markup"])
def test_an_override_that_turns_autoescaping_off_fails_the_build(tmp_path, monkeypatch, name, text, line, what):
    content = make_content(tmp_path)
    _with(content, "description: <img src=x onerror=alert(1)>\ntheme_dir: ../theme\n")
    write(tmp_path / "theme" / "templates" / name, text)
    monkeypatch.chdir(tmp_path)
    r = subprocess.run([sys.executable, "-m", "pia_site", "build", "--content", "content", "--out", "out"],
                       capture_output=True, text=True)
    assert r.returncode == 1, r.stderr
    assert f"theme/templates/{name}:{line}:" in r.stderr and f"エラー[T001]: テンプレートで {what} が使われています" in r.stderr
    assert "allow_unsafe_templates: true" in r.stderr
    assert not (tmp_path / "out").exists()
    assert any(d.code == "T001" for d in check(Path("content")))  # check reports it too


def test_the_site_can_opt_in_to_unsafe_templates(tmp_path, monkeypatch):
    content = make_content(tmp_path)
    _with(content, "description: <b>太字</b>\ntheme_dir: ../theme\nallow_unsafe_templates: true\n")
    write(tmp_path / "theme" / "templates" / "partials" / "footer.html", "<footer><p>{{ site.description|safe }}</p></footer>\n")
    monkeypatch.chdir(tmp_path)
    r = subprocess.run([sys.executable, "-m", "pia_site", "build", "--content", "content", "--out", "out"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "<p><b>太字</b></p>" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_the_incremental_builder_refuses_an_unsafe_override_until_it_is_fixed(tmp_path):
    content = make_content(tmp_path)
    _with(content, "theme_dir: ../theme\n")
    footer = write(tmp_path / "theme" / "templates" / "partials" / "footer.html", "<footer>{{ site.title|safe }}</footer>\n")
    builder = IncrementalBuilder(content, tmp_path / "out")
    first = builder.update()
    assert not first.ok and [d.code for d in first.diagnostics if d.is_error] == ["T001"]
    footer.write_text("<footer>{{ site.title }}</footer>\n", encoding="utf-8")
    assert builder.update([footer]).ok
