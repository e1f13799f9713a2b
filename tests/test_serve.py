"""Live preview: serves the site, rebuilds on edits, shows errors as an overlay over the
last good site, and recovers by itself.  Browser tests drive ``pia-site serve`` in a
subprocess from headless Chromium; the others run the server in a thread."""
from __future__ import annotations

import json
import re
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from pia_site.diagnostics import Diagnostic, Severity, SourceLocation
from pia_site.preview.overlay import OVERLAY_ID, STATUS_PATH, overlay_html
from pia_site.preview.serve import PreviewServer

from support import REPO

CONTENT = REPO / "content"
PAGE = "koshigaya/keijidosha-fuka/index.html"
YAML = Path("content/koshigaya/keijidosha-fuka.yaml")
GOOD_CHOICE = "subjects: 10万人以上30万人未満"
BAD_CHOICE = "subjects: 不明"
WAIT = 20.0  # seconds: the bound of every wait below


def wait_for(predicate, timeout: float = WAIT, what: str = "condition"):
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode("utf-8")


def status(base: str) -> dict:
    return json.loads(get(base.rstrip("/") + STATUS_PATH))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def page_generation(base: str, page: str) -> int:
    """The generation of the last build that changed ``page`` (what a served page's check asks)."""
    return json.loads(get(base.rstrip("/") + STATUS_PATH + "?page=" + urllib.parse.quote("/" + page)))["page"]


def after(base: str, generation: int) -> dict:
    """The status once a rebuild newer than ``generation`` has finished."""
    return wait_for(lambda: (s := status(base))["generation"] > generation and s, what="a rebuild")


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    shutil.copytree(CONTENT, tmp_path / "content")
    monkeypatch.chdir(tmp_path)  # diagnostics name files relative to the working directory
    return tmp_path


# --- the overlay itself --------------------------------------------------------------------


def test_overlay_escapes_and_lists_errors_only():
    diags = [Diagnostic("V031", "「<script>alert(1)</script>」は選択肢にありません。選択肢: 1) A 2) B", SourceLocation("content/x/y.yaml", 3, 7), "a.b", "③対象人数"),
             Diagnostic("W001", "値が空です。", SourceLocation("content/x/y.yaml", 9, 1), "c", severity=Severity.WARNING)]
    html = overlay_html(diags)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "content/x/y.yaml:3:7: エラー[V031] a.b 「③対象人数」" in html
    assert "W001" not in html
    assert f'id="{OVERLAY_ID}"' in html and 'role="alertdialog"' in html


# --- the server in a thread ----------------------------------------------------------------


@pytest.fixture
def server(project: Path):
    srv = PreviewServer(Path("content"), Path(".pia-cache/serve"), host="127.0.0.1", port=0, log=lambda msg: None)
    srv.start()
    # edits from here on are the tests' own: the take-over of the first build is done
    # (edits saved during it are tested in test_serve_cache.py)
    assert srv.ready.wait(120), "the builder did not take the first build over"
    try:
        yield srv
    finally:
        srv.stop()


def test_serves_the_site_on_loopback_only_with_livereload(server):
    assert server.addresses and all(addr[0] == "127.0.0.1" for addr in server.addresses)
    page = get(server.url + PAGE)
    assert '<script src="/__pia__/preview.js" data-generation="' in page and "軽自動車税" in page
    # the page's CSP allows no inline script: the preview's scripts are files of the server
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    preview = get(server.url + "__pia__/preview.js")
    assert '"/livereload.js?port="' in preview and "/__pia__/status" in preview
    assert get(server.url + "livereload.js").startswith("(function")
    assert status(server.url)["ok"] is True


def test_a_file_replaced_while_it_is_served_arrives_whole(server):
    """The builder replaces output files (atomically) while browsers read them: every response is
    one version, whole, never the length of one and the bytes of the other."""
    out = server.out / "probe"
    out.mkdir()
    versions = ["あ" * 90_000, "い" * 60_000 + "\n"]
    target, stop = out / "file.txt", threading.Event()
    target.write_text(versions[0], encoding="utf-8")

    def replace():
        n = 0
        while not stop.is_set():
            n += 1
            tmp = out / f".file.{n}.tmp"
            tmp.write_text(versions[n % 2], encoding="utf-8")
            os.replace(tmp, target)

    writer = threading.Thread(target=replace)
    writer.start()
    try:
        bodies = [get(server.url + "probe/file.txt") for _ in range(150)]
    finally:
        stop.set()
        writer.join()
    assert set(bodies) <= set(versions)
    assert len(set(bodies)) == 2  # the file did change under the requests


def test_ranges_of_a_file_are_served_as_a_static_host_serves_them(server):
    """The search page reads the index's packs by byte range: 206 with the bytes asked for, the
    whole file for a header it does not read, 416 past the end."""
    data = bytes(range(256)) * 4
    (server.out / "probe.bin").write_bytes(data)

    def fetch(rng: str | None):
        req = urllib.request.Request(server.url + "probe.bin", headers={"Range": rng} if rng else {})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.headers.get("Content-Range"), r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Range"), b""

    assert fetch("bytes=10-19") == (206, "bytes 10-19/1024", data[10:20])
    assert fetch("bytes=1000-") == (206, "bytes 1000-1023/1024", data[1000:])
    assert fetch("bytes=-4") == (206, "bytes 1020-1023/1024", data[-4:])
    assert fetch(None) == (200, None, data)
    assert fetch("bytes=0-1,5-6") == (200, None, data)
    assert fetch("bytes=2000-") == (416, "bytes */1024", b"")


def test_error_overlay_over_the_last_good_site_then_recovery(server, project):
    gen = status(server.url)["generation"]
    edit(project / YAML, "head_title: 課長", "head_title: 課長（編集後）")
    gen = after(server.url, gen)["generation"]
    assert "課長（編集後）" in get(server.url + PAGE)

    edit(project / YAML, GOOD_CHOICE, BAD_CHOICE)
    s = after(server.url, gen)
    assert s["ok"] is False
    page = get(server.url + PAGE)
    assert f'id="{OVERLAY_ID}"' in page
    assert "content/koshigaya/keijidosha-fuka.yaml:21:15" in page
    assert "basic_info.jimu.subjects" in page and "「不明」は選択肢にありません" in page
    assert "1) 1,000人未満 2) 1,000人以上1万人未満 3) 1万人以上10万人未満 4) 10万人以上30万人未満" in page
    assert "課長（編集後）" in page  # the last good page is still under the overlay
    assert BAD_CHOICE not in (project / ".pia-cache/serve" / PAGE).read_text(encoding="utf-8")
    assert OVERLAY_ID in get(server.url)  # every page carries it
    assert OVERLAY_ID in get(server.url + "koshigaya/no-such-page/index.html")

    edit(project / YAML, BAD_CHOICE, GOOD_CHOICE)
    s = after(server.url, s["generation"])
    assert s["ok"] is True
    page = get(server.url + PAGE)
    assert OVERLAY_ID not in page and "課長（編集後）" in page


def test_the_served_output_catches_up_with_a_full_build(server, project, tmp_path):
    """Pages first, the search index (deferred) afterwards: in the end, byte for byte a full build."""
    from pia_site.build import build

    from support import tree_bytes

    gen = status(server.url)["generation"]
    edit(project / YAML, "title: 軽自動車税(種別割)賦課に関する事務 重点項目評価", "title: 軽自動車税の評価書（改題）")
    after(server.url, gen)
    build(Path("content"), tmp_path / "ref")
    want = tree_bytes(tmp_path / "ref")
    wait_for(lambda: tree_bytes(project / ".pia-cache" / "serve") == want, what="the search index to catch up")


class _FakeBrowser:
    """A livereload connection as the server sees it: the reload messages it was sent."""

    def __init__(self):
        self.messages: list[dict] = []

    def write_message(self, text: str) -> None:
        self.messages.append(json.loads(text))


def test_a_title_edit_reloads_the_edited_page_once_before_the_listings_and_leaves_other_pages_alone(server, project):
    """The edited page is written and its browser reloaded before the listings are rendered; when
    they are done, the browsers showing a listing reload, the edited page not again, and a page
    that did not change not at all (nor does its generation check fire)."""
    import pia_site.render as render

    listing, other = "koshigaya/index.html", "saitama/index.html"
    browsers = {page: _FakeBrowser() for page in (PAGE, listing, other)}
    server._waiters.update({b: page for page, b in browsers.items()})
    start = {page: page_generation(server.url, page) for page in browsers}
    events: list[tuple[str, dict]] = []
    real_render = render.render_page

    def watched(site, env, spec):
        events.append((spec.path, {p: len(b.messages) for p, b in browsers.items()}))
        return real_render(site, env, spec)

    render.render_page = watched
    try:
        gen = status(server.url)["generation"]
        edit(project / YAML, "title: 軽自動車税(種別割)賦課に関する事務 重点項目評価", "title: 軽自動車税の評価書（改題）")
        after(server.url, gen)  # may be the state in which only the edited page is written
        wait_for(lambda: browsers[listing].messages, what="the listing's reload")
        done = status(server.url)  # the listings' state is published before their browsers reload
    finally:
        render.render_page = real_render
    rendered = [p for p, _ in events]
    assert rendered[0] == PAGE and "index.html" in rendered and listing in rendered
    first_listing = min(rendered.index(p) for p in ("index.html", "changes/index.html", "feed.xml", listing))
    # the server sends from its event loop: give the early message a moment to be on its way
    wait_for(lambda: browsers[PAGE].messages, what="the edited page's reload")
    time.sleep(0.3)
    assert len(browsers[PAGE].messages) == 1 and len(browsers[listing].messages) == 1 and browsers[other].messages == []
    assert all(p.startswith("koshigaya/keijidosha-fuka/") for p in rendered[:first_listing])
    gens = {page: page_generation(server.url, page) for page in browsers}
    assert gens[PAGE] > start[PAGE] and gens[listing] > gens[PAGE]  # written before the listing, once
    assert gens[listing] == done["generation"]
    assert gens[other] == start[other]  # unchanged: its open page does not reload
    assert "軽自動車税の評価書（改題）" in get(server.url + listing)


def test_a_template_error_is_shown_and_recovers(server, project):
    gen = status(server.url)["generation"]
    override = project / "site-theme" / "templates" / "partials" / "footer.html"
    override.parent.mkdir(parents=True)
    override.write_text("<footer>{% if %}</footer>\n", encoding="utf-8")
    site_yaml = project / "content" / "site.yaml"  # the theme folder is chosen while serving: it is watched from then on
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8") + "theme_dir: ../site-theme\n", encoding="utf-8")
    s = after(server.url, gen)
    assert s["ok"] is False and "X001" in s["diagnostics"] and "footer.html" in s["diagnostics"]
    assert OVERLAY_ID in get(server.url + PAGE)
    override.write_text("<footer><p>独自のフッター</p></footer>\n", encoding="utf-8")
    s = wait_for(lambda: (x := status(server.url))["ok"] and x, what="recovery")
    wait_for(lambda: "独自のフッター" in get(server.url + PAGE), what="the new footer")


def test_a_first_build_with_errors_serves_the_overlay_and_recovers(project):
    edit(project / YAML, GOOD_CHOICE, BAD_CHOICE)
    with PreviewServer(Path("content"), Path(".pia-cache/serve"), port=0, log=lambda msg: None) as srv:
        page = get(srv.url + PAGE)
        assert OVERLAY_ID in page and "/__pia__/preview.js" in page and "onclick" not in page
        gen = status(srv.url)["generation"]
        edit(project / YAML, BAD_CHOICE, GOOD_CHOICE)
        assert after(srv.url, gen)["ok"] is True
        assert OVERLAY_ID not in get(srv.url + PAGE)


# --- pia-site serve in a subprocess, in a browser --------------------------------------------


def _ctrl_c_reaches_child() -> None:
    """A test runner started as a background job ignores SIGINT, and children inherit that;
    the server under test must get Ctrl+C as it would in a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def cli_server(project: Path):
    """``pia-site serve --port 0`` in ``project``; yields its base URL; stopped with Ctrl+C at the end."""
    err = open(project / "serve.log", "w", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "pia_site", "serve", "--content", "content", "--port", "0"],
                            cwd=project, stdout=subprocess.PIPE, stderr=err, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, preexec_fn=_ctrl_c_reaches_child)
    try:
        url = _first_line(proc)
        assert url.startswith("http://127.0.0.1:"), (url, (project / "serve.log").read_text(encoding="utf-8"))
        yield url
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(timeout=30)  # generous for loaded CI machines; a hang still fails
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
            raise AssertionError("pia-site serve did not stop on Ctrl+C")
        err.close()
        assert code == 0, (project / "serve.log").read_text(encoding="utf-8")


def _first_line(proc: subprocess.Popen, timeout: float = 60) -> str:
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: lines.put(proc.stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout).strip()
    except queue.Empty:
        proc.kill()
        raise AssertionError(f"pia-site serve printed no URL within {timeout} s")


def test_serve_command_stops_cleanly_on_sigterm(project):
    proc = subprocess.Popen([sys.executable, "-m", "pia_site", "serve", "--port", "0"], cwd=project,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        url = _first_line(proc)
        assert url.startswith("http://127.0.0.1:")
        assert "軽自動車税" in get(url + PAGE)
        assert (project / ".pia-cache" / "serve" / PAGE).is_file()  # the default output, not build/
        assert not (project / "build").exists()
    finally:
        proc.terminate()
        assert proc.wait(timeout=15) == 0


def _connected(page, base: str, action=None) -> None:
    """Run ``action`` (which makes the page reload) and wait until the reloaded page's
    livereload socket is registered with the server again."""
    with page.expect_websocket(timeout=WAIT * 1000) as ws_info:
        if action is not None:
            action()
    ws = ws_info.value
    if not ws.is_closed():
        try:
            ws.wait_for_event("framereceived", timeout=WAIT * 1000)  # the server's hello
        except Exception:  # noqa: BLE001 - already received before we listened
            pass
    wait_for(lambda: status(base)["browsers"] >= 1, what="the browser's livereload connection")
    time.sleep(0.2)  # the 'info' message that registers the page follows the hello


@pytest.mark.browser
def test_browser_shows_edits_errors_and_recovery_without_manual_reload(cli_server, project, browser):
    from playwright.sync_api import expect

    base = cli_server
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    csp_errors: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and csp_errors.append(m.text))
    try:
        _connected(page, base, lambda: page.goto(base + PAGE))
        expect(page.locator("h1")).to_contain_text("軽自動車税")

        # edit an item: the page shows it by itself
        _connected(page, base, lambda: edit(project / YAML, "head_title: 課長", "head_title: 課長（ライブ編集）"))
        expect(page.locator("body")).to_contain_text("課長（ライブ編集）", timeout=WAIT * 1000)

        # break a choice value: the overlay names the file, the line and the allowed options
        _connected(page, base, lambda: edit(project / YAML, GOOD_CHOICE, BAD_CHOICE))
        overlay = page.locator(f"#{OVERLAY_ID}")
        expect(overlay).to_be_visible(timeout=WAIT * 1000)
        expect(overlay).to_contain_text("content/koshigaya/keijidosha-fuka.yaml:21:15")
        expect(overlay).to_contain_text("basic_info.jimu.subjects")
        expect(overlay).to_contain_text("選択肢: 1) 1,000人未満 2) 1,000人以上1万人未満 3) 1万人以上10万人未満 4) 10万人以上30万人未満")
        expect(page.locator("h1")).to_contain_text("軽自動車税")  # the last good page, under the overlay

        # fix it: the page is back
        _connected(page, base, lambda: edit(project / YAML, BAD_CHOICE, GOOD_CHOICE))
        expect(overlay).to_have_count(0, timeout=WAIT * 1000)
        expect(page.locator("body")).to_contain_text("課長（ライブ編集）")
        assert csp_errors == []  # the preview's scripts run under the pages' CSP
    finally:
        context.close()


@pytest.mark.browser
def test_the_overlay_close_button_works_under_the_csp(server, project, browser):
    """No inline handler: the preview script wires the button (the CSP would block onclick)."""
    from playwright.sync_api import expect

    gen = status(server.url)["generation"]
    edit(project / YAML, GOOD_CHOICE, BAD_CHOICE)
    assert after(server.url, gen)["ok"] is False
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    try:
        page.goto(server.url + PAGE)
        overlay = page.locator(f"#{OVERLAY_ID}")
        expect(overlay).to_be_visible()
        page.locator(f"#{OVERLAY_ID} button").click()
        expect(overlay).to_have_count(0)
        expect(page.locator("h1")).to_contain_text("軽自動車税")
    finally:
        context.close()


@pytest.mark.browser
def test_a_page_that_missed_the_reload_message_reloads_by_itself(server, project, browser):
    """livereload's message can reach a page that is still navigating and be lost; each page
    also checks the server's build generation and reloads when a newer build is done."""
    from playwright.sync_api import expect

    server._send_reload = lambda *args: None  # every livereload message lost
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    try:
        page.goto(server.url + PAGE)
        assert "/__pia__/preview.js" in page.content()
        expect(page.locator("h1")).to_contain_text("軽自動車税")
        edit(project / YAML, "head_title: 課長", "head_title: 課長（通知なし）")
        expect(page.locator("body")).to_contain_text("課長（通知なし）", timeout=WAIT * 1000)
    finally:
        context.close()


@pytest.mark.browser
def test_a_browser_registers_the_page_it_shows_for_its_reloads(server, project, browser):
    """Reloads go to the browsers showing a changed page: livereload's info message names the
    page, for a file URL and for a folder URL alike."""
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    try:
        for url, shown in ((PAGE, PAGE), ("koshigaya/", "koshigaya/index.html")):
            page.goto(server.url + url)
            wait_for(lambda: shown in server._waiters.values(), what=f"{shown} among the registered pages")
    finally:
        context.close()
