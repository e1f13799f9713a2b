"""End-to-end build checks: determinism, atomic output, relative links, fidelity."""
import hashlib
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from pia_site.build import build
from pia_site.diagnostics import DiagnosticsError

from support import REPO, fidelity, make_content, seed, tree_bytes, write

CONTENT = REPO / "content"


def run_build(content: Path, out: Path, env_extra: dict) -> subprocess.CompletedProcess:
    env = {**os.environ, **env_extra}
    return subprocess.run([sys.executable, "-m", "pia_site", "build", "--content", str(content), "--out", str(out)],
                          capture_output=True, text=True, env=env, cwd=REPO)


def test_two_builds_are_byte_identical_whatever_the_hash_seed_and_timezone(tmp_path):
    a = run_build(CONTENT, tmp_path / "a", {"PYTHONHASHSEED": "1", "TZ": "UTC"})
    b = run_build(CONTENT, tmp_path / "b", {"PYTHONHASHSEED": "4242", "TZ": "Asia/Tokyo"})
    assert a.returncode == 0, a.stderr
    assert b.returncode == 0, b.stderr
    ta, tb = tree_bytes(tmp_path / "a"), tree_bytes(tmp_path / "b")
    assert len(ta) > 3
    assert ta == tb


def test_failed_build_leaves_previous_output_untouched(tmp_path):
    content = make_content(tmp_path, {"x": (CONTENT / "koshigaya" / "keijidosha-fuka.yaml").read_text(encoding="utf-8")})
    out = tmp_path / "out"
    build(content, out)
    before = tree_bytes(out)
    assert "koshigaya/x/index.html" in before
    broken = (content / "koshigaya" / "x.yaml")
    broken.write_text(broken.read_text(encoding="utf-8").replace("subjects: 10万人以上30万人未満", "subjects: 不明"), encoding="utf-8")
    with pytest.raises(DiagnosticsError) as exc:
        build(content, out)
    assert any(d.code == "V031" for d in exc.value.diagnostics)
    assert tree_bytes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "out"]  # no temp dirs left behind


def test_render_failure_midway_leaves_no_partial_output(tmp_path, monkeypatch):
    content = make_content(tmp_path, {"x": (CONTENT / "koshigaya" / "keijidosha-fuka.yaml").read_text(encoding="utf-8")})
    out = tmp_path / "out"
    build(content, out)
    before = tree_bytes(out)
    real = Path.write_bytes
    calls = {"n": 0}

    def flaky(self, data):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", flaky)
    with pytest.raises(OSError):
        build(content, out)
    monkeypatch.setattr(Path, "write_bytes", real)
    assert tree_bytes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "out"]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.external: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "external" in (a.get("rel") or "").split():
            self.external.append(a.get("href") or "")
            return
        for key in ("href", "src"):
            if a.get(key) and tag in ("a", "link", "script", "img"):
                if tag == "a" and urlsplit(a[key]).scheme in ("http", "https"):
                    self.external.append(a[key])  # a link for the reader to follow (the data licence); never a resource
                else:
                    self.links.append(a[key])


def parse(path: Path) -> _Links:
    p = _Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def test_all_links_are_relative_and_land_on_existing_files_and_anchors(tmp_path):
    out = tmp_path / "site"
    build(CONTENT, out)
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 5
    parsed = {p: parse(p) for p in pages}
    broken = []
    for page, info in parsed.items():
        assert all(urlsplit(x).scheme == "https" and urlsplit(x).netloc for x in info.external), (page, info.external)
        for link in info.links:
            parts = urlsplit(link)
            if parts.scheme == "data":
                continue  # inline favicon, no request
            assert not parts.scheme and not parts.netloc and not link.startswith("/"), f"{page}: {link}"
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_file():
                broken.append(f"{page.relative_to(out)} -> {link}")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else parse(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{page.relative_to(out)} -> {link} (no anchor)")
    assert broken == []


def test_every_id_is_unique_per_page(tmp_path):
    out = tmp_path / "site"
    build(CONTENT, out)
    for page in out.rglob("*.html"):
        ids = re.findall(r'\sid="([^"]+)"', page.read_text(encoding="utf-8"))
        dup = {i for i in ids if ids.count(i) > 1}
        assert not dup, (page, sorted(dup)[:5])


@pytest.mark.parametrize("seed_name,page,minimum", [
    ("003_9cb340eda5728da8.txt", "koshigaya/keijidosha-fuka/index.html", 99.0),
    ("001_c176883cc507a412.txt", "saitama/kokuho-fuka-shuno/index.html", 99.0),
])
def test_fidelity_of_sample_pages(sample_build, seed_name, page, minimum):
    seen, total, report = fidelity(seed(seed_name), sample_build / page)
    assert total > 2000
    assert 100 * seen / total >= minimum, report


def _with_theme(content: Path, theme_dir: str = "../site-theme") -> None:
    site_yaml = content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8") + f"theme_dir: {theme_dir}\n", encoding="utf-8")


def test_site_overrides_a_template_and_an_asset(tmp_path):
    content = make_content(tmp_path)
    _with_theme(content)
    write(tmp_path / "site-theme" / "templates" / "partials" / "footer.html", "<footer><p>独自フッター {{ site.title }}</p></footer>\n")
    write(tmp_path / "site-theme" / "assets" / "style.css", "body{color:red}\n")
    write(tmp_path / "site-theme" / "assets" / "img" / "logo.svg", "<svg/>\n")
    out = tmp_path / "out"
    build(content, out)
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "独自フッター テストサイト" in html
    assert (out / "assets" / "style.css").read_text() == "body{color:red}\n"
    assert (out / "assets" / "img" / "logo.svg").read_text() == "<svg/>\n"
    assert (out / "assets" / "search.js").is_file()  # the defaults the theme does not replace


def test_templates_beside_content_are_not_overrides_without_theme_dir(tmp_path):
    content = make_content(tmp_path)
    write(tmp_path / "templates" / "partials" / "footer.html", "<footer><p>独自フッター</p></footer>\n")
    report = build(content, tmp_path / "out")
    assert "独自フッター" not in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    w080 = [d for d in report.diagnostics if d.code == "W080"]
    assert len(w080) == 1 and "theme_dir" in w080[0].message and w080[0].location.path.endswith("site.yaml")


def test_a_missing_theme_dir_is_a_located_error(tmp_path, monkeypatch):
    content = make_content(tmp_path)
    _with_theme(content, "../nowhere")
    monkeypatch.chdir(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "pia_site", "check", "--content", "content"], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "content/site.yaml:4:12: エラー[V080] theme_dir 「テーマのフォルダ」" in proc.stderr
    assert "「../nowhere」が見つかりません" in proc.stderr


def test_strict_undefined_fails_loudly(tmp_path):
    content = make_content(tmp_path)
    _with_theme(content)
    write(tmp_path / "site-theme" / "templates" / "partials" / "footer.html", "<footer>{{ site.no_such_field }}</footer>\n")
    with pytest.raises(Exception) as exc:
        build(content, tmp_path / "out")
    assert "no_such_field" in str(exc.value)
    assert not (tmp_path / "out").exists()


def test_pages_are_written_as_they_are_rendered_and_a_failure_leaves_the_output(tmp_path):
    from pia_site.write import write_site

    out = tmp_path / "out"
    write_site({"index.html": "old"}, out)
    seen_on_disk: list[bool] = []

    def pages(fail: bool):
        for i in range(3):
            # the pages before this one are already in the new tree: only one is held at a time
            seen_on_disk.append(all(any(tmp_path.glob(f".out.tmp-*/p{j}.html")) for j in range(i)))
            yield f"p{i}.html", f"page {i}"
        if fail:
            raise RuntimeError("template error")

    with pytest.raises(RuntimeError):
        write_site(pages(True), out)
    assert sorted(p.name for p in out.iterdir()) == [".pia-site-output", "assets", "index.html"] and (out / "index.html").read_text() == "old"
    assert not list(tmp_path.glob(".out.*"))
    digests: dict[str, str] = {}
    report = write_site(pages(False), out, digests=digests)
    assert report.pages == 3 and (out / "p2.html").read_text() == "page 2" and not (out / "index.html").exists()
    assert digests["p1.html"] == hashlib.sha256(b"page 1").hexdigest()
    assert seen_on_disk == [True] * 6
    with pytest.raises(ValueError, match="two pages render to p.html"):
        write_site(iter([("p.html", "a"), ("p.html", "b")]), out)
    assert (out / "p2.html").exists()
