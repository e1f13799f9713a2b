"""File watching: which paths matter, how events are batched, and one real watchdog run."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from watchdog.events import DirModifiedEvent, FileClosedNoWriteEvent, FileModifiedEvent, FileMovedEvent, FileOpenedEvent

from pia_site.theme import DEFAULT_ASSETS, DEFAULT_TEMPLATES, Theme
from pia_site.preview.watch import Debouncer, WatchTargets, Watcher, is_temp_name


@pytest.fixture
def targets(tmp_path: Path) -> WatchTargets:
    theme = Theme(tmp_path / "theme")
    return WatchTargets.for_site(tmp_path / "content", tmp_path / ".pia-cache" / "serve", theme)


@pytest.mark.parametrize("name", [".#keijidosha-fuka.yaml", "keijidosha-fuka.yaml~", ".keijidosha-fuka.yaml.swp",
                                  "4913", "#keijidosha-fuka.yaml#", "x.yaml.tmp", "x.yaml___jb_tmp___", ".DS_Store"])
def test_editor_temp_files_are_ignored(targets, name):
    assert is_temp_name(name)
    assert not targets.relevant(targets.content / "koshigaya" / name)


@pytest.mark.parametrize("rel", ["site.yaml", "koshigaya/municipality.yaml", "koshigaya/keijidosha-fuka.yaml", "koshigaya/x.yml"])
def test_content_yaml_is_relevant(targets, rel):
    assert targets.relevant(targets.content / rel)


@pytest.mark.parametrize("rel", ["notes.txt", "koshigaya/readme.md", "koshigaya/figures/a.yaml", "_schema/juten.json",
                                 "_drafts/x.yaml", ".git/HEAD"])
def test_other_content_files_are_not(targets, rel):
    assert not targets.relevant(targets.content / rel)


def test_municipality_folders_are_relevant_as_folders(targets):
    assert targets.relevant(targets.content / "koshigaya", is_directory=True)
    assert targets.relevant(targets.content, is_directory=True)
    assert not targets.relevant(targets.content / "_schema", is_directory=True)


def test_templates_assets_and_catalog(targets, tmp_path):
    theme = tmp_path / "theme"
    assert targets.relevant(theme / "templates" / "partials" / "footer.html")
    assert targets.relevant(theme / "assets" / "logo.png")
    assert targets.relevant(targets.catalog / "families.yaml")
    assert not targets.relevant(targets.catalog / "README.md")
    assert targets.relevant(theme / "templates", is_directory=True)  # templates/ created in the theme folder
    assert targets.relevant(theme, is_directory=True)  # the theme folder itself created
    assert not targets.relevant(theme / "notes.txt")


def test_the_default_theme_is_watched_and_templates_beside_content_are_not(tmp_path):
    targets = WatchTargets.for_site(tmp_path / "content")
    assert targets.relevant(DEFAULT_TEMPLATES / "base.html")
    assert targets.relevant(DEFAULT_TEMPLATES / "partials" / "footer.html")
    assert targets.relevant(DEFAULT_ASSETS / "style.css")
    assert not targets.relevant(tmp_path / "templates" / "base.html")  # no implicit overrides any more


def test_output_build_and_git_are_ignored(targets, tmp_path):
    assert not targets.relevant(tmp_path / ".pia-cache" / "serve" / "index.html")
    assert not targets.relevant(tmp_path / "build" / "index.html")
    assert not targets.relevant(tmp_path / ".git" / "index")
    assert not targets.relevant(targets.templates[0] / ".git" / "index")
    assert not targets.relevant(targets.assets[0] / "node_modules" / "x.js")
    assert not targets.relevant(targets.content / ".git" / "index")
    assert not targets.relevant(tmp_path / "README.md")
    out_inside = WatchTargets(targets.content, targets.catalog, targets.templates, targets.assets, None, (targets.content / "out",))
    assert not out_inside.relevant(targets.content / "out", is_directory=True)


def test_event_paths(targets):
    yaml = str(targets.content / "koshigaya" / "a.yaml")
    tmp = str(targets.content / "koshigaya" / ".a.yaml.tmp")
    assert targets.event_paths(FileModifiedEvent(yaml)) == [yaml]
    assert targets.event_paths(FileMovedEvent(tmp, yaml)) == [yaml]  # an editor's atomic save
    assert targets.event_paths(FileOpenedEvent(yaml)) == []
    assert targets.event_paths(FileClosedNoWriteEvent(yaml)) == []
    assert targets.event_paths(DirModifiedEvent(str(targets.content / "koshigaya"))) == []


def test_debounce_waits_for_quiet_then_delivers_once_in_order():
    d = Debouncer(quiet=0.1, max_wait=1.0)
    assert d.wait_time(0.0) is None and d.take(0.0) is None
    d.add(["a"], now=0.0)
    d.add(["b", "a"], now=0.05)
    assert d.take(0.1) is None
    assert d.wait_time(0.1) == pytest.approx(0.05)
    assert d.take(0.16) == ["a", "b"]
    assert not d.pending and d.take(0.3) is None


def test_debounce_max_wait_caps_a_stream_of_events():
    d = Debouncer(quiet=0.1, max_wait=0.5)
    t = 0.0
    while t < 0.45:
        d.add([f"p{t:.2f}"], now=t)
        t += 0.05
        assert d.take(t) is None
    d.add(["last"], now=0.48)
    assert d.wait_time(0.48) == pytest.approx(0.02)
    batch = d.take(0.5)
    assert batch is not None and batch[-1] == "last" and len(batch) == 11


def test_debounce_ignores_empty_additions():
    d = Debouncer()
    d.add([], now=1.0)
    assert not d.pending


@pytest.mark.parametrize("poll", [False, True], ids=["native", "polling"])
def test_real_watchdog_sees_an_edit_and_ignores_temp_files(tmp_path, poll):
    content = tmp_path / "content"
    (content / "koshigaya").mkdir(parents=True)
    target = content / "koshigaya" / "a.yaml"
    target.write_text("x: 1\n", encoding="utf-8")
    batches: list[list[str]] = []
    got = threading.Event()

    def on_batch(paths):
        batches.append(paths)
        got.set()

    targets = WatchTargets(content, tmp_path / "catalog")
    w = Watcher(targets, on_batch, poll=poll, poll_interval=0.2, quiet=0.05)
    w.start()
    try:
        time.sleep(0.3)
        (content / "koshigaya" / ".a.yaml.swp").write_text("swap", encoding="utf-8")
        (content / "koshigaya" / "4913").write_text("", encoding="utf-8")
        target.write_text("x: 2\n", encoding="utf-8")
        assert got.wait(timeout=10), "no event within 10 s"
        time.sleep(0.3)
    finally:
        w.stop()
    seen = {p for b in batches for p in b}
    assert seen == {str(target)}


@pytest.mark.parametrize("poll", [False, True], ids=["native", "polling"])
def test_real_watchdog_sees_an_edit_to_a_default_template(tmp_path, monkeypatch, poll):
    """``serve`` rebuilds when a default template or asset changes (a theme under development)."""
    import pia_site.theme as theme_mod

    defaults = tmp_path / "defaults"
    (defaults / "templates").mkdir(parents=True)
    (defaults / "assets").mkdir()
    base = defaults / "templates" / "base.html"
    base.write_text("<html></html>\n", encoding="utf-8")
    css = defaults / "assets" / "style.css"
    css.write_text("body{}\n", encoding="utf-8")
    monkeypatch.setattr(theme_mod, "DEFAULT_TEMPLATES", defaults / "templates")
    monkeypatch.setattr(theme_mod, "DEFAULT_ASSETS", defaults / "assets")
    (tmp_path / "content").mkdir()
    seen: list[str] = []
    got = threading.Event()

    def on_batch(paths):
        seen.extend(paths)
        if str(base) in seen and str(css) in seen:
            got.set()

    w = Watcher(WatchTargets.for_site(tmp_path / "content"), on_batch, poll=poll, poll_interval=0.2, quiet=0.05)
    w.start()
    try:
        time.sleep(0.3)
        base.write_text("<html><body></body></html>\n", encoding="utf-8")
        css.write_text("body{color:red}\n", encoding="utf-8")
        assert got.wait(timeout=10), f"default theme edits not seen within 10 s: {seen}"
    finally:
        w.stop()
