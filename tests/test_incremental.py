"""Incremental builds: after any sequence of edits, the output is byte-identical to a
fresh full build of the same content; an edit re-renders only the pages it affects."""
from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest

import pia_site.catalog as cat
import pia_site.preview.sources as sources
import pia_site.render as render
from pia_site.build import build, check
from pia_site.diagnostics import DiagnosticsError, format_diagnostics
from pia_site.preview.incremental import IncrementalBuilder
from pia_site.theme import DEFAULT_ASSETS, DEFAULT_TEMPLATES

from support import REPO, tree_bytes

CONTENT = REPO / "content"
JUTEN_SUBJECTS = ("1,000人未満", "1,000人以上1万人未満", "1万人以上10万人未満", "10万人以上30万人未満")
KOSHIGAYA = "koshigaya/keijidosha-fuka.yaml"


def _read(p: Path) -> str:
    return p.read_text(encoding="utf-8")


def _write(p: Path, text: str) -> None:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")


class Editor:
    """Random, realistic edits to a copy of content/ (and templates/, assets/ of its theme folder).
    Each edit returns the paths it touched, as a file watcher would report them."""

    def __init__(self, project: Path, rng: random.Random, catalog: Path | None = None):
        self.project = project
        self.content = project / "content"
        self.rng = rng
        self.catalog = catalog  # a copy of the form catalog that the build reads (see catalog_copy)
        self.n = 0
        self.juten = _read(CONTENT / KOSHIGAYA)
        self.broken: Path | None = None

    # helpers
    def assessments(self, juten_only: bool = False) -> list[Path]:
        files = sorted(p for p in self.content.glob("*/*.yaml") if p.stem != "municipality")
        return [p for p in files if not juten_only or "重点項目評価書" in _read(p)[:400]]

    def sub(self, path: Path, pattern: str, repl, count: int = 1) -> list[Path]:
        text = _read(path)
        new, n = re.subn(pattern, repl, text, count=count, flags=re.M)
        assert n, (path, pattern)
        _write(path, new)
        return [path]

    # edits
    def text_value(self):
        f = self.rng.choice(self.assessments())
        lines = [m for m in re.finditer(r"^( +(?:- )?(?:name|head_title|function): )([^|>\"'\[{&*!#\n][^\n]*)$", _read(f), re.M)]
        m = self.rng.choice(lines)
        text = _read(f)
        _write(f, text[: m.start(2)] + m.group(2).rstrip() + f"（改{self.n}）" + text[m.end(2):])
        return [f]

    def choice_value(self):
        if not self.assessments(juten_only=True):
            return self.add()
        f = self.rng.choice(self.assessments(juten_only=True))
        return self.sub(f, r"^(    subjects: ).*$", lambda m: m.group(1) + self.rng.choice(JUTEN_SUBJECTS))

    def title(self):
        f = self.rng.choice(self.assessments())
        return self.sub(f, r"^(  title: )(.*)$", lambda m: f"{m.group(1)}{m.group(2).split('〔')[0]}〔{self.n}〕")

    def number(self):
        f = self.rng.choice(self.assessments())
        return self.sub(f, r'^(  number: ).*$', lambda m: f'{m.group(1)}"{self.rng.randint(1, 30)}"')

    def change_row(self):
        """The 変更箇所: a row's date or 提出時期 (feeds and the site-wide 更新履歴 list them)."""
        f = self.rng.choice(self.assessments())
        rows = list(re.finditer(r"^  - date: (\d{4})-(\d{2})-(\d{2})$", _read(f), re.M))
        if not rows:
            return self.text_value()
        m = self.rng.choice(rows)
        text = _read(f)
        if self.rng.random() < 0.5:
            new = f"  - date: {self.rng.randint(2015, 2025)}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"
            _write(f, text[: m.start()] + new + text[m.end():])
            return [f]
        rest = text[m.end():]
        t = re.search(r"^    timing: (事前|事後)$", rest, re.M)
        if t is None:
            return self.text_value()
        flipped = "事前" if t.group(1) == "事後" else "事後"
        _write(f, text[: m.end()] + rest[: t.start()] + f"    timing: {flipped}" + rest[t.end():])
        return [f]

    def municipality(self):
        f = self.rng.choice(sorted(self.content.glob("*/municipality.yaml")))
        if self.rng.random() < 0.5:
            return self.sub(f, r"^(name: )([^\n（]*).*$", lambda m: f"{m.group(1)}{m.group(2)}（{self.n}）")
        return self.sub(f, r"^bodies: .*$", lambda m: f"bodies: [{self.rng.choice(['市長', '教育委員会', '市長, 教育委員会'])}]")

    def site(self):
        f = self.content / "site.yaml"
        if self.rng.random() < 0.5:
            return self.sub(f, r"^(gannen: )(true|false)", lambda m: m.group(1) + ("false" if m.group(2) == "true" else "true"))
        return self.sub(f, r"^(title: )([^\n〔]*).*$", lambda m: f"{m.group(1)}{m.group(2)}〔{self.n}〕")

    def template(self):
        override = self.project / "theme" / "templates" / "partials" / "footer.html"
        if override.exists() and self.rng.random() < 0.4:
            override.unlink()
            if self.rng.random() < 0.5:
                shutil.rmtree(self.project / "theme" / "templates")
                return [self.project / "theme" / "templates"]
            return [override]
        base = _read(DEFAULT_TEMPLATES / "partials" / "footer.html")
        _write(override, base.replace("</footer>", f"<p>改訂 {self.n}</p>\n</footer>"))
        return [override]

    def asset(self):
        css = self.project / "theme" / "assets" / "style.css"
        if css.exists() and self.rng.random() < 0.5:
            css.unlink()
            return [css]
        _write(css, _read(DEFAULT_ASSETS / "style.css") + f"\n/* {self.n} */\n")
        return [css]

    def catalog_label(self):
        """A printed label in the form catalog: every 重点項目 record and page changes."""
        if self.catalog is None:
            return self.text_value()
        return self.sub(self.catalog / "juten-r06-10.yaml", r"(label: 事務の名称)(〔\d+〕)?", f"\\1〔{self.n}〕")

    def two_folders(self):
        """One batch with edits in two municipality folders (a watcher coalesces them)."""
        by_folder: dict[Path, list[Path]] = {}
        for f in self.assessments():
            by_folder.setdefault(f.parent, []).append(f)
        if len(by_folder) < 2:
            return self.text_value()
        paths = []
        for folder in self.rng.sample(sorted(by_folder), 2):
            f = self.rng.choice(by_folder[folder])
            paths += self.sub(f, r"^(  title: )(.*)$", lambda m: f"{m.group(1)}{m.group(2).split('〔')[0]}〔{self.n}〕")
        return paths

    def add(self):
        folder = self.rng.choice(sorted(p.parent for p in self.content.glob("*/municipality.yaml")))
        f = folder / f"added-{self.n}.yaml"
        _write(f, self.juten.replace("title: 軽自動車税(種別割)賦課に関する事務 重点項目評価", f"title: 追加された評価書 {self.n}"))
        return [f]

    def delete(self):
        files = self.assessments()
        if len(files) <= 1:
            return self.add()
        f = self.rng.choice(files)
        f.unlink()
        return [f]

    def municipality_folder(self):
        folder = self.content / "testcity"
        if folder.exists():
            shutil.rmtree(folder)
            return [folder]
        _write(folder / "municipality.yaml", "name: テスト市\nprefecture: 埼玉県\ncode: \"112011\"\n")
        _write(folder / "one.yaml", self.juten)
        return [folder, folder / "municipality.yaml", folder / "one.yaml"]

    def break_(self):
        if not self.assessments(juten_only=True):
            return self.add()
        f = self.rng.choice(self.assessments(juten_only=True))
        self.broken = f
        return self.sub(f, r"^(    subjects: ).*$", r"\1不明")

    def fix(self):
        f, self.broken = self.broken, None
        if not f.exists():
            return [f]
        return self.sub(f, r"^(    subjects: ).*$", r"\g<1>10万人以上30万人未満")  # whatever edits came between

    EDITS = ("text_value", "choice_value", "title", "number", "change_row", "municipality", "site", "template", "asset",
             "add", "delete", "municipality_folder", "break_", "catalog_label", "two_folders")

    def step(self) -> tuple[str, list[Path]]:
        self.n += 1
        if self.broken is not None and self.rng.random() < 0.6:
            return "fix", self.fix()
        name = self.rng.choice(self.EDITS)
        if name == "break_" and self.broken is not None:
            name = "text_value"
        return name, getattr(self, name)()


def _clear_catalog_caches() -> None:
    for obj in vars(cat).values():
        if callable(getattr(obj, "cache_clear", None)):
            obj.cache_clear()


@pytest.fixture
def catalog_copy(tmp_path, monkeypatch):
    """The build reads the form catalog from a copy that a test may edit."""
    copy = tmp_path / "catalog"
    shutil.copytree(cat.CATALOG_DIR, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))  # the data files
    _clear_catalog_caches()
    monkeypatch.setattr(cat.load, "CATALOG_DIR", copy)  # the module whose catalog_dirs() reads it
    yield copy
    _clear_catalog_caches()  # no form of the edited copy outlives the test


def _copy_project(tmp_path: Path) -> Path:
    """A copy of content/ whose site.yaml names a theme folder (empty at first) beside it."""
    project = tmp_path / "site"
    shutil.copytree(CONTENT, project / "content")
    (project / "theme").mkdir()
    site_yaml = project / "content" / "site.yaml"
    _write(site_yaml, _read(site_yaml) + "theme_dir: ../theme\n")
    return project


@pytest.mark.parametrize("seed", [11, 2024])
def test_random_edits_keep_the_incremental_output_identical_to_a_full_build(tmp_path, seed, catalog_copy):
    project = _copy_project(tmp_path)
    content = project / "content"
    out, ref = tmp_path / "incremental", tmp_path / "full"
    builder = IncrementalBuilder(content, out)
    first = builder.update()
    assert first.ok and first.full
    build(content, ref)
    assert tree_bytes(out) == tree_bytes(ref)
    rng = random.Random(seed)
    editor = Editor(project, rng, catalog_copy)
    kinds = set()
    for step in range(22):
        name, paths = editor.step()
        kinds.add(name)
        before = tree_bytes(out)
        # as a watcher reports them; now and then a full rescan instead
        result = builder.update(None if rng.random() < 0.15 else paths)
        expected_diags = format_diagnostics(check(content))
        assert format_diagnostics(result.diagnostics) == expected_diags, f"step {step} ({name})"
        try:
            build(content, ref)
        except DiagnosticsError:
            assert not result.ok, f"step {step} ({name}): the full build fails, the incremental one did not"
            assert tree_bytes(out) == before, f"step {step} ({name}): a failed update touched the output"
            continue
        assert result.ok, f"step {step} ({name}): {format_diagnostics(result.diagnostics)}"
        got, want = tree_bytes(out), tree_bytes(ref)
        assert sorted(got) == sorted(want), f"step {step} ({name}): file lists differ"
        differing = [p for p in want if got[p] != want[p]]
        assert not differing, f"step {step} ({name}): {differing[:5]}"
        assert not [p for p in out.rglob(".*") if p.name != ".pia-site-output"], "temporary files left in the output"
    assert len(kinds) >= 7, kinds


def _counting(monkeypatch) -> list[str]:
    rendered: list[str] = []
    real = render.render_page

    def counted(site, env, spec):
        rendered.append(spec.path)
        return real(site, env, spec)

    monkeypatch.setattr(render, "render_page", counted)
    return rendered


def _pages_depending_on(content: Path, key: str) -> set[str]:
    from pia_site.build import load_site
    from pia_site.theme import Theme

    site, _ = load_site(content)
    return {s.path for s in render.page_specs(site, render.make_environment(Theme.for_config(site.config))) if key in s.deps}


def test_editing_one_assessment_body_re_renders_only_that_page(tmp_path, monkeypatch):
    project = _copy_project(tmp_path)
    builder = IncrementalBuilder(project / "content", tmp_path / "out")
    assert builder.update().ok
    page = tmp_path / "out" / "koshigaya" / "keijidosha-fuka" / "index.html"
    others = {p: p.stat().st_mtime_ns for p in (tmp_path / "out").rglob("*.html") if p != page}
    f = project / "content" / KOSHIGAYA
    _write(f, _read(f).replace("head_title: 課長", "head_title: 課長（兼務）"))
    rendered = _counting(monkeypatch)
    result = builder.update([f])
    assert result.ok
    assert result.changed_keys == {"assessment:koshigaya/keijidosha-fuka"}
    # the assessment page, and any page of that assessment alone (e.g. its change log); nothing else
    own = _pages_depending_on(project / "content", "assessment:koshigaya/keijidosha-fuka")
    assert "koshigaya/keijidosha-fuka/index.html" in own and "koshigaya/index.html" not in own
    assert all(p.startswith("koshigaya/keijidosha-fuka/") for p in own)
    assert sorted(rendered) == sorted(own) == sorted(result.rendered)
    assert "課長（兼務）" in page.read_text(encoding="utf-8")
    assert {p: p.stat().st_mtime_ns for p in others} == others  # no other page rewritten


def test_a_body_edit_rebuilds_the_search_index_to_the_bytes_of_a_full_build(tmp_path, monkeypatch):
    import pia_site.preview.incremental as incremental

    project = _copy_project(tmp_path)
    content, out = project / "content", tmp_path / "out"
    builder = IncrementalBuilder(content, out)
    assert builder.update().ok
    rebuilt: list[int] = []
    real = incremental.build_index

    def counted(site, docs, **kw):
        rebuilt.append(len(docs))
        return real(site, docs, **kw)

    monkeypatch.setattr(incremental, "build_index", counted)
    f = content / KOSHIGAYA
    _write(f, _read(f).replace("head_title: 課長", "head_title: 課長（検索索引の確認）"))
    result = builder.update([f])
    assert result.ok and not result.extra_pending
    assert rebuilt == [2]  # the packed index is rebuilt from the cached documents (search/update.py)
    assert "search/data/p/0.bin" in result.written
    ref = tmp_path / "full"
    build(content, ref)
    assert tree_bytes(out) == tree_bytes(ref)
    from pia_site.search.client import IndexReader

    hits = IndexReader.from_dir(out).search("検索索引の確認")
    assert [h.url.split("#")[0] for h in hits] == ["koshigaya/keijidosha-fuka/index.html"]


def test_a_title_edit_changes_the_listing_and_re_renders_the_listings(tmp_path, monkeypatch):
    project = _copy_project(tmp_path)
    builder = IncrementalBuilder(project / "content", tmp_path / "out")
    assert builder.update().ok
    f = project / "content" / KOSHIGAYA
    _write(f, _read(f).replace("title: 軽自動車税(種別割)賦課に関する事務 重点項目評価", "title: 新しい題名"))
    rendered = _counting(monkeypatch)
    result = builder.update([f])
    assert "listing:koshigaya" in result.changed_keys and "listing:saitama" not in result.changed_keys
    listing = _pages_depending_on(project / "content", "listing:koshigaya")
    assert {"index.html", "koshigaya/index.html"} <= listing and "saitama/index.html" not in listing
    assert set(rendered) == listing | _pages_depending_on(project / "content", "assessment:koshigaya/keijidosha-fuka")
    assert "新しい題名" in (tmp_path / "out" / "koshigaya" / "index.html").read_text(encoding="utf-8")


def test_repeated_title_and_date_edits_of_one_assessment_never_leave_a_stale_listing(tmp_path):
    """The site pages keep each assessment's revisions between updates (``memo``): every edit of
    the listing data must show on the 更新履歴, the feeds and the listings, byte for byte as a
    full build (including editing a title back to an earlier one)."""
    project = _bigger_project(tmp_path)
    content, out, ref = project / "content", tmp_path / "out", tmp_path / "ref"
    builder = IncrementalBuilder(content, out)
    assert builder.update().ok
    f = content / KOSHIGAYA
    original = _read(f)
    old_title = "title: 軽自動車税(種別割)賦課に関する事務 重点項目評価"
    dated = re.search(r"^  - date: \d{4}-\d{2}-\d{2}$", original, re.M).group(0)
    versions = [original.replace(old_title, "title: 一度目の題名"),
                original.replace(old_title, "title: 二度目の題名"),
                original.replace(old_title, "title: 二度目の題名").replace(dated, "  - date: 2031-01-15", 1),
                original]
    for n, text in enumerate(versions):
        _write(f, text)
        result = builder.update([f])
        assert result.ok and "listing:koshigaya" in result.changed_keys, n
        build(content, ref)
        got, want = tree_bytes(out), tree_bytes(ref)
        assert [p for p in want if got.get(p) != want[p]] == [], n
        site_pages = (out / "changes" / "index.html").read_text(encoding="utf-8") + (out / "feed.xml").read_text(encoding="utf-8")
        for title in ("一度目の題名", "二度目の題名"):
            assert (title in site_pages) == (title in text), (n, title)
    assert "2031" not in (out / "feed.xml").read_text(encoding="utf-8")


def test_a_validation_error_leaves_the_output_untouched_and_a_fix_catches_up(tmp_path):
    project = _copy_project(tmp_path)
    out = tmp_path / "out"
    builder = IncrementalBuilder(project / "content", out)
    assert builder.update().ok
    before = tree_bytes(out)
    f = project / "content" / KOSHIGAYA
    good = _read(f)
    _write(f, good.replace("subjects: 10万人以上30万人未満", "subjects: 不明").replace("head_title: 課長", "head_title: 係長"))
    result = builder.update([f])
    assert not result.ok and any(d.code == "V031" for d in result.diagnostics)
    assert tree_bytes(out) == before
    _write(f, good.replace("head_title: 課長", "head_title: 係長"))
    result = builder.update([f])
    assert result.ok and "koshigaya/keijidosha-fuka/index.html" in result.rendered
    assert "koshigaya/index.html" not in result.rendered
    assert "係長" in (out / "koshigaya" / "keijidosha-fuka" / "index.html").read_text(encoding="utf-8")


def test_a_first_build_with_errors_writes_nothing_and_recovers(tmp_path):
    project = _copy_project(tmp_path)
    f = project / "content" / KOSHIGAYA
    good = _read(f)
    _write(f, good.replace("subjects: 10万人以上30万人未満", "subjects: 不明"))
    out = tmp_path / "out"
    builder = IncrementalBuilder(project / "content", out)
    assert not builder.update().ok
    assert not out.exists()
    _write(f, good)
    result = builder.update([f])
    assert result.ok and result.full
    build(project / "content", tmp_path / "ref")
    assert tree_bytes(out) == tree_bytes(tmp_path / "ref")


def test_template_and_asset_edits_saved_while_the_content_is_broken_show_after_the_fix(tmp_path):
    project = _copy_project(tmp_path)
    content, out = project / "content", tmp_path / "out"
    builder = IncrementalBuilder(content, out)
    assert builder.update().ok
    f = content / KOSHIGAYA
    good = _read(f)
    _write(f, good.replace("subjects: 10万人以上30万人未満", "subjects: 不明"))
    assert not builder.update([f]).ok
    footer = project / "theme" / "templates" / "partials" / "footer.html"
    _write(footer, _read(DEFAULT_TEMPLATES / "partials" / "footer.html").replace("</footer>", "<p>保存中の変更</p>\n</footer>"))
    css = project / "theme" / "assets" / "style.css"
    _write(css, _read(DEFAULT_ASSETS / "style.css") + "\n/* 保存中の変更 */\n")
    assert not builder.update([footer]).ok
    assert not builder.update([css]).ok
    _write(f, good)
    result = builder.update([f])
    assert result.ok and not result.full
    build(content, tmp_path / "ref")
    assert tree_bytes(out) == tree_bytes(tmp_path / "ref")
    assert "保存中の変更" in (out / "index.html").read_text(encoding="utf-8")


def test_a_page_path_collision_fails_as_the_full_build_does_and_a_fix_recovers(tmp_path):
    project = _copy_project(tmp_path)
    content, out = project / "content", tmp_path / "out"
    builder = IncrementalBuilder(content, out)
    assert builder.update().ok
    before = tree_bytes(out)
    folder = content / "search"  # its listing page would be search/index.html, the search page
    _write(folder / "municipality.yaml", "name: 検索市\nprefecture: 埼玉県\ncode: \"112011\"\n")
    with pytest.raises(DiagnosticsError) as full:
        build(content, tmp_path / "ref")
    result = builder.update([folder, folder / "municipality.yaml"])
    assert not result.ok
    collisions = [d for d in result.diagnostics if d.code == "L002"]
    assert len(collisions) == 1 and collisions[0].location.path.endswith("search/municipality.yaml")
    assert format_diagnostics(result.diagnostics) == format_diagnostics(full.value.diagnostics)
    assert tree_bytes(out) == before
    shutil.rmtree(folder)
    result = builder.update([folder])
    assert result.ok and not result.full and not result.written  # a refused update left the output as it was
    build(content, tmp_path / "ref")
    assert tree_bytes(out) == tree_bytes(tmp_path / "ref")


def _bigger_project(tmp_path: Path) -> Path:
    """The sample plus two more assessments in each municipality."""
    project = _copy_project(tmp_path)
    for src in sorted((project / "content").glob("*/*.yaml")):
        if src.stem != "municipality":
            for k in (1, 2):
                shutil.copy(src, src.with_name(f"{src.stem}-{k}.yaml"))
    return project


def test_a_body_edit_reads_and_lists_the_pages_of_its_own_assessment_only(tmp_path, monkeypatch):
    project = _bigger_project(tmp_path)
    builder = IncrementalBuilder(project / "content", tmp_path / "out")
    assert builder.update().ok
    calls: list[tuple] = []

    def spy(module, name, describe):
        real = getattr(module, name)

        def wrapper(*args):
            calls.append((name, describe(*args)))
            return real(*args)

        monkeypatch.setattr(module, name, wrapper)

    spy(sources, "load_source", lambda path, *rest: path.name)
    spy(render, "page_specs", lambda site, env: None)
    spy(render, "site_page_specs", lambda site, closure, memo=None: None)
    spy(render, "municipality_page_specs", lambda site, m, closure, memo=None: m.slug)
    spy(render, "assessment_page_specs", lambda site, a, closure: a.slug)
    f = project / "content" / KOSHIGAYA
    _write(f, _read(f).replace("head_title: 課長", "head_title: 課長（兼務）"))
    result = builder.update([f])
    assert result.ok and result.changed_keys == {"assessment:koshigaya/keijidosha-fuka"}
    assert {c for c in calls} == {("load_source", "keijidosha-fuka.yaml"), ("assessment_page_specs", "keijidosha-fuka")}
    build(project / "content", tmp_path / "ref")
    assert tree_bytes(tmp_path / "out") == tree_bytes(tmp_path / "ref")


def test_an_update_renders_the_assessments_own_pages_first_then_the_listings_in_page_specs_order(tmp_path):
    project = _bigger_project(tmp_path)
    content = project / "content"
    builder = IncrementalBuilder(content, tmp_path / "out")
    first = builder.update()
    assert first.ok
    from pia_site.build import load_site
    from pia_site.theme import Theme

    def specs_order() -> list[str]:
        site, _ = load_site(content)
        return [s.path for s in render.page_specs(site, render.make_environment(Theme.for_config(site.config)))]

    def own(path: str) -> bool:  # an assessment's page or its 変更箇所 page
        return path.count("/") >= 2 and not compare(path)

    def compare(path: str) -> bool:  # 他団体の記載と比べる: rendered after the listings
        return path.startswith("compare/")

    assert list(first.rendered) == sorted(specs_order())  # a full build lists them sorted
    f = content / "koshigaya" / "municipality.yaml"  # its listing, feed and every assessment page of it
    _write(f, _read(f).replace("name: 越谷市", "name: 越谷市（改）"))
    result = builder.update([f])
    rendered = set(result.rendered)
    assert len([p for p in rendered if own(p)]) > 4 and {"index.html", "koshigaya/index.html", "feed.xml"} <= rendered
    order = specs_order()
    assert any(compare(p) for p in rendered)  # the body's name is on its compare pages' answer lists
    assert list(result.rendered) == ([p for p in order if p in rendered and own(p)]
                                     + [p for p in order if p in rendered and not own(p) and not compare(p)]
                                     + [p for p in order if p in rendered and compare(p)])


def test_a_title_edit_writes_the_edited_page_before_rendering_the_listings(tmp_path, monkeypatch):
    """``on_own_pages`` is called once the edited assessment's pages are on disk and before any
    listing is rendered: a server reloads the edited page without waiting for the 更新履歴."""
    project = _bigger_project(tmp_path)
    content, out = project / "content", tmp_path / "out"
    builder = IncrementalBuilder(content, out)
    assert builder.update().ok
    f = content / KOSHIGAYA
    _write(f, _read(f).replace("title: 軽自動車税(種別割)賦課に関する事務 重点項目評価", "title: 先に書かれる題名"))
    rendered = _counting(monkeypatch)
    seen: list[tuple] = []

    def early(written):
        page = (out / "koshigaya" / "keijidosha-fuka" / "index.html").read_text(encoding="utf-8")
        listing = (out / "koshigaya" / "index.html").read_text(encoding="utf-8")
        seen.append((written, list(rendered), "先に書かれる題名" in page, "先に書かれる題名" in listing))

    result = builder.update([f], on_own_pages=early)
    assert result.ok and len(seen) == 1
    written, rendered_then, page_new, listing_new = seen[0]
    own = [p for p in result.rendered if p.startswith("koshigaya/keijidosha-fuka/")]
    assert own and rendered_then == own == list(result.rendered[:len(own)])
    assert "koshigaya/keijidosha-fuka/index.html" in written and page_new and not listing_new
    assert {"index.html", "changes/index.html", "feed.xml", "koshigaya/index.html"} <= set(result.rendered[len(own):])
    assert "先に書かれる題名" in (out / "koshigaya" / "index.html").read_text(encoding="utf-8")
    # an edit that touches no listing renders no listing: nothing to call back for
    _write(f, _read(f).replace("head_title: 課長", "head_title: 課長（兼務）"))
    seen.clear()
    assert builder.update([f], on_own_pages=early).ok and seen == []
