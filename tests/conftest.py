"""Shared fixtures: the repository, the sample build, a local HTTP server
and a headless Chromium (Debian's /usr/bin/chromium driven by Playwright)."""
from __future__ import annotations

import functools
import io
import os
import re
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def working_directory(path: Path):
    """Run a block in ``path`` (diagnostics show paths relative to the working directory)."""
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def site(repo_root: Path):
    """The validated sample site in content/ (the model every index test starts from)."""
    from pia_site.build import load_site

    s, diags = load_site(Path(repo_root) / "content")
    assert s is not None, diags
    return s


@pytest.fixture(scope="session")
def docs(site):
    """The sample site's search documents."""
    from pia_site.search.units import site_docs

    return site_docs(site)


@pytest.fixture(scope="session")
def sample_build(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site in content/, built once per session; returns the output directory.

    Missing or invalid sample content is a test failure, never a skip."""
    from pia_site.build import build
    from pia_site.diagnostics import DiagnosticsError, format_diagnostics

    out = tmp_path_factory.mktemp("sample") / "build"
    with working_directory(repo_root):
        try:
            build(Path("content"), out)
        except DiagnosticsError as exc:
            pytest.fail("the sample content in content/ does not build:\n" + format_diagnostics(exc.diagnostics), pytrace=False)
    return out


class RangeHandler(SimpleHTTPRequestHandler):
    """Python's static handler plus single ``Range: bytes=a-b`` requests (206), as static hosts
    serve them (the search index is read with range requests)."""

    def send_head(self):
        m = re.fullmatch(r"bytes=(\d+)-(\d+)", self.headers.get("Range", ""))
        path = self.translate_path(self.path)
        if m is None or not os.path.isfile(path):
            return super().send_head()
        with open(path, "rb") as f:
            data = f.read()
        start, end = int(m[1]), min(int(m[2]), len(data) - 1)
        if start > end:
            self.send_error(416)
            return None
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        return io.BytesIO(data[start:end + 1])


@pytest.fixture(scope="session")
def serve():
    """``serve(directory) -> base URL``: a threaded static HTTP server on 127.0.0.1 (ephemeral port)."""
    servers: list[tuple[ThreadingHTTPServer, threading.Thread]] = []

    class QuietHandler(RangeHandler):
        def log_message(self, format, *args):  # noqa: A002 - keep the test output clean
            pass

    def start(directory: Path) -> str:
        handler = functools.partial(QuietHandler, directory=str(directory))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, name=f"http-{directory.name}", daemon=True)
        thread.start()
        servers.append((server, thread))
        host, port = server.server_address[:2]
        return f"http://{host}:{port}/"

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def sample_server(sample_build: Path, serve) -> str:
    """Base URL of the sample build served over HTTP."""
    return serve(sample_build)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found (scripts/test installs Debian's chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path: Path):
    """One headless Chromium for the whole session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def pytest_terminal_summary(terminalreporter):
    """Say where the quality gates left their screenshots and PDFs (tests/quality_tools.py)."""
    import sys

    tools = sys.modules.get("quality_tools")
    for folder in getattr(tools, "WRITTEN", ()):
        terminalreporter.write_line(f"test artefacts (screenshots at 390/1280 px, A4 PDFs): {folder}")
