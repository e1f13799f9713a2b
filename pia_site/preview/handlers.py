"""The preview's HTTP side: the output folder (whole files; the error overlay over pages while a
build fails), the status the pages poll, the preview script and livereload's websocket."""
from __future__ import annotations

import json
import os
import re
from urllib.parse import unquote, urlsplit

from livereload.handlers import LiveReloadHandler, StaticFileHandler
from tornado import web

from ..diagnostics import format_diagnostics
from .overlay import PREVIEW_JS, inject_overlay, overlay_html, overlay_page


def page_of(path: str) -> str:
    """The output file a (decoded) URL path serves (``/m/a/`` -> ``m/a/index.html``)."""
    path = path.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(start, end) of one ``Range: bytes=…`` within ``size`` bytes, end exclusive: the whole file
    for a header this server does not read (several ranges), None for one it cannot satisfy."""
    m = _RANGE.fullmatch(header.strip())
    if m is None or not (m[1] or m[2]):
        return (0, size)
    if not m[1]:  # the last n bytes
        n = int(m[2])
        return (max(0, size - n), size) if n > 0 and size > 0 else None
    start = int(m[1])
    if m[2] and int(m[2]) < start:  # not a range (RFC 9110): the header is ignored
        return (0, size)
    end = min(size, int(m[2]) + 1) if m[2] else size
    if start >= size or end <= start:
        return None
    return (start, end)


class FileHandler(StaticFileHandler):
    """The output directory; while the build fails, HTML pages carry the error overlay."""

    def initialize(self, path: str, default_filename: str | None = None, preview=None):  # serve.PreviewServer
        super().initialize(path, default_filename)
        self.preview = preview

    async def get(self, path: str, include_body: bool = True) -> None:
        state = self.preview.state
        # before the file is read: never newer than it
        self.request.pia_generation = self.preview.page_generation(page_of(path), state)
        if not state.failed:
            return self._serve_whole(path, include_body)
        root = os.path.realpath(self.root)
        target = os.path.realpath(os.path.join(root, path))
        if target != root and not target.startswith(root + os.sep):
            return self._serve_whole(path, include_body)  # refuses it as usual
        if os.path.isdir(target):
            target = os.path.join(target, self.default_filename or "index.html")
        if not target.endswith(".html"):
            return self._serve_whole(path, include_body)
        overlay = overlay_html(list(state.diagnostics))
        try:
            with open(target, encoding="utf-8") as f:
                body = inject_overlay(f.read(), overlay)
        except OSError:
            body = overlay_page(list(state.diagnostics))
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        if include_body:
            self.write(body)

    def _serve_whole(self, path: str, include_body: bool) -> None:
        """The file as one read: the builder replaces files while they are served, and tornado's
        own ``get`` takes the length from one ``stat`` and the bytes from later reads (a page
        replaced in between was sent cut short or too long)."""
        self.path = self.parse_url_path(path)
        self.absolute_path = self.validate_absolute_path(self.root, self.get_absolute_path(self.root, self.path))
        if self.absolute_path is None:  # a redirect to the folder's "/"
            return
        try:
            with open(self.absolute_path, "rb") as f:
                data = f.read()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):  # removed since it was found
            raise web.HTTPError(404) from None
        self.set_header("Content-Type", self.get_content_type())
        self.set_extra_headers(self.path)
        self.set_header("Accept-Ranges", "bytes")
        wanted = self.request.headers.get("Range")
        if wanted is not None:  # the search page reads the index's packs by range, as on a real host
            span = byte_range(wanted, len(data))
            if span is None:
                self.set_status(416)
                self.set_header("Content-Range", f"bytes */{len(data)}")
                return
            if span != (0, len(data)):
                self.set_status(206)
                self.set_header("Content-Range", f"bytes {span[0]}-{span[1] - 1}/{len(data)}")
            data = data[span[0]:span[1]]
        if include_body:
            self.write(data)
        else:
            self.set_header("Content-Length", len(data))

    def compute_etag(self) -> str | None:
        return None  # never cached (Cache-Control: no-store)

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", "no-store")


class StatusHandler(web.RequestHandler):
    def initialize(self, preview):  # serve.PreviewServer
        self.preview = preview

    def get(self) -> None:
        s = self.preview.state
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        # the errors only (what the overlay shows): every open page asks once a second, and a
        # large site has tens of thousands of warnings (``pia-site check`` lists them)
        errors = [d for d in s.diagnostics if d.is_error] if s.failed else []
        reply = {"generation": s.generation, "ok": not s.failed, "browsers": len(self.preview._waiters),
                 "diagnostics": format_diagnostics(errors)}
        page = self.get_argument("page", None)
        if page is not None:
            reply["page"] = self.preview.page_generation(page_of(unquote(page)), s)  # location.pathname: %-encoded
        self.write(json.dumps(reply, ensure_ascii=False))


class PreviewScriptHandler(web.RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.write(PREVIEW_JS)


def live_handler(waiters: dict) -> type:
    """livereload's websocket protocol, with this server's own browsers (each with the page it
    shows, from livereload's ``info`` message)."""

    class Handler(LiveReloadHandler):
        def on_message(self, message):
            msg = json.loads(message)
            if msg.get("command") == "hello":
                self.send_message({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"],
                                   "serverName": "pia-site"})
            elif msg.get("command") == "info":
                url = msg.get("url")
                waiters[self] = page_of(unquote(urlsplit(url).path)) if isinstance(url, str) else None

        def on_close(self):
            waiters.pop(self, None)

    return Handler
