"""Serve: the live preview.  Builds the site, serves the output over HTTP with
livereload, rebuilds incrementally on every change and reloads the browser.  The first build is
``pia-site build``'s, through its cache, served at once; the incremental builder takes its output
over in the background (``IncrementalBuilder.adopt``) and then applies the edits saved meanwhile.

While the content has errors the last good site stays served, and every HTML
page carries an overlay with the diagnostics as ``format_diagnostics`` words
them (file:line:col, key path, label, allowed options); once the error is fixed
the next rebuild clears it and the browser reloads by itself.

A browser reloads when the page it shows was rewritten (or when every page changed: a
failed or recovered build, a full build, an asset).  The edited assessment's pages are
written, and their browsers reloaded, before the listings (top page, 更新履歴, feeds) are
rendered; a page reloaded then is not reloaded again when the listings are done.
"""
from __future__ import annotations

import asyncio
import json
import logging
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from livereload.handlers import LiveReloadJSHandler
from livereload.server import LiveScriptInjector
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.netutil import bind_sockets

from ..build import Inputs, build, check_out
from ..diagnostics import Diagnostic, format_diagnostics, has_errors
from ..outdir import OutDirError
from .incremental import IncrementalBuilder, UpdateResult
from .handlers import FileHandler, PreviewScriptHandler, StatusHandler, live_handler
from .overlay import PREVIEW_JS_PATH, STATUS_PATH, exception_diagnostic, preview_script
from .watch import Watcher, WatchTargets

def _is_page(path: str) -> bool:
    return path.endswith((".html", ".xml"))


@dataclass
class _State:
    """What the HTTP side reads: the diagnostics of a failed build, or none."""

    diagnostics: tuple[Diagnostic, ...] = ()
    generation: int = 0  # bumped after every build
    failed: bool = False
    everything: int = 0  # the last generation that changed every page (overlay, full build, assets)


class PreviewServer:
    """``start()`` builds, serves and watches; ``stop()`` ends all of it."""

    def __init__(self, content: Path, out: Path, host: str = "127.0.0.1", port: int = 8000, poll: bool = False,
                 log: Callable[[str], None] | None = None, quiet: float = 0.05, sockets: list | None = None,
                 verbosity: int = 0, jobs: int = 1):
        self.content = Path(content)
        self.out = Path(out)
        self.host = host
        self.port = port
        self.poll = poll
        self.log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
        self.quiet = quiet
        self.state = _State()
        self.builder = IncrementalBuilder(self.content, self.out)
        self._waiters: dict = {}  # livereload connection -> the page it shows (None: unknown)
        self._written_at: dict[str, int] = {}  # output file -> the generation that last wrote or removed it
        self._lock = threading.Lock()  # one build at a time
        self._index_wanted = threading.Event()
        self._indexer_thread: threading.Thread | None = None
        self._stopping = False
        self._loop: IOLoop | None = None
        self._thread: threading.Thread | None = None
        self._watcher: Watcher | None = None
        self.addresses: list[tuple] = []
        self._sockets = sockets  # bound beforehand (preview/ports.py), or bound by start() on ``port``
        self.verbosity = verbosity  # -1: errors only, 1: every warning too
        self.jobs = jobs  # processes of the first build (pipeline.pool)
        self._pending: list[str] | None = None  # paths saved while the builder takes the first build's output over
        self._pending_lock, self._loader_thread = threading.Lock(), None
        self.ready = threading.Event()  # the builder holds the site: edits are applied from now on

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        """Raises ``outdir.OutDirError`` (before building or serving) for an output folder pia-site must not write."""
        check_out(self.content, self.out)
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self._watcher = Watcher(WatchTargets.for_site(self.content, self.out), self._on_batch, on_idle=self._idle,
                                poll=self.poll, quiet=self.quiet)
        self._pending = []
        self._watcher.start()  # watching first: edits saved during the first build are not lost
        inputs = self._first_build()
        if inputs is None:  # the builder builds the site in memory and writes it whole, as before there was a cache
            with self._lock:
                self._take_pending()  # it reads everything after these edits
                self._build(None)
                self.ready.set()
            self._index_wanted.set()  # that build leaves the search index to the indexer
        self._indexer_thread = threading.Thread(target=self._indexer, name="pia-search-index", daemon=True)
        self._indexer_thread.start()
        self._start_http()
        if inputs is not None:
            self._loader_thread = threading.Thread(target=self._take_over, args=(inputs,), name="pia-serve-load", daemon=True)
            self._loader_thread.start()

    def stop(self) -> None:
        self._stopping = True
        self._index_wanted.set()
        if self._watcher is not None:
            self._watcher.stop()  # waits for a build in progress
            self._watcher = None
        if self._loop is not None:
            self._loop.add_callback(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop = None
        if self._loader_thread is not None:
            self._loader_thread.join(timeout=1)  # a daemon thread: a long load does not hold Ctrl+C up
            self._loader_thread = None
        if self._indexer_thread is not None:
            # a search index still computing is abandoned (a daemon thread that writes nothing
            # once stopping, and whose writes are atomic anyway): Ctrl+C is not held up by it
            self._indexer_thread.join(timeout=1)
            self._indexer_thread = None

    def __enter__(self) -> "PreviewServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- building ---------------------------------------------------------------------------
    def _first_build(self) -> Inputs | None:
        """The site as ``pia-site build`` writes it, through the persistent cache (.pia-cache/build
        beside the content: what ``pia-site build`` left is reused, and the other way round); what
        it was made from, or None when it fails (the in-memory build then shows why)."""
        t0 = time.perf_counter()
        try:
            report = build(self.content, self.out, jobs=self.jobs, cache=True)
        except Exception as exc:  # noqa: BLE001 - errors in the content, a template error: shown by the in-memory build
            if isinstance(exc, OutDirError):
                raise
            return None
        self.state = _State((), 1, False, 1)
        if self.verbosity >= 0:
            self.log(f"{report.written.pages} ページをビルドしました（{time.perf_counter() - t0:.2f} 秒）。")
        if report.diagnostics and self.verbosity >= 0:  # as ``_build`` says them
            self.log(format_diagnostics(list(report.diagnostics)) if self.verbosity > 0 else f"警告 {len(report.diagnostics)} 件（pia-site check で一覧できます）。")
        return report.inputs

    def _take_over(self, inputs: Inputs) -> None:
        """Have the builder take over the first build's output (it reads the content: on a large
        site a while, the site is served meanwhile), then apply the edits saved since."""
        t0 = time.perf_counter()
        with self._lock:
            if self._stopping:
                return
            try:
                stale = self.builder.adopt(inputs)
            except Exception:  # noqa: BLE001 - the update below writes the site whole and shows what failed
                stale = None
            pending = self._take_pending()
            if stale is None:
                self._build(None)
            elif stale or pending:
                self._build([str(p) for p in stale] + pending)
            else:
                self._follow_theme()
            self.ready.set()
        if self.verbosity >= 0:
            self.log(f"サイトを読み込みました。保存した変更を反映します（{time.perf_counter() - t0:.2f} 秒）。")
        self._index_wanted.set()

    def _take_pending(self) -> list[str]:  # the paths saved so far; later batches are built as they come
        with self._pending_lock:
            pending, self._pending = self._pending or [], None
        return pending

    def page_generation(self, page: str, state: _State | None = None) -> int:
        """The last generation that changed this output file (or every page)."""
        state = state or self.state
        return max(state.everything, self._written_at.get(page, 0))

    def _build(self, paths: list[str] | None) -> None:
        was_failed = self.state.failed
        early: set[str] = set()

        def own_pages(written: tuple[str, ...]) -> None:
            """The edited assessment's pages are written, the listings not yet: reload those now."""
            if was_failed:
                return  # every page reloads at the end (the overlay goes)
            early.update(written)
            self._publish(_State((), self.state.generation + 1, False, self.state.everything), written)

        try:
            result = self.builder.update(paths, defer_extra=True, on_own_pages=own_pages)
        except Exception as exc:  # noqa: BLE001 - a template or catalog error: show it, keep serving
            result = UpdateResult(False, (exception_diagnostic(exc),))
        self._follow_theme()
        generation = self.state.generation + 1
        if not result.ok:
            # only a failed update is scanned for errors (a successful one has none, and many warnings)
            self.state = _State(result.diagnostics, generation, has_errors(result.diagnostics), generation)
            self.log(format_diagnostics([d for d in result.diagnostics if d.is_error]))
            self.log("ビルドを中止しました。前回のサイトを表示したまま、ブラウザにエラーを表示します。")
            self._reload("*")
            return
        changed = list(result.written) + list(result.removed)
        if self.verbosity < 0:
            pass
        elif result.full:
            self.log(f"{len(result.rendered)} ページをビルドしました（{result.seconds:.2f} 秒）。")
        elif paths is not None:
            self.log(f"{len(result.rendered)} ページを再生成、{len(changed)} ファイルを更新しました（{result.seconds:.2f} 秒）。")
        warnings = len(result.diagnostics)
        if warnings and (was_failed or result.full) and self.verbosity >= 0:
            self.log(format_diagnostics(result.diagnostics) if self.verbosity > 0 else
                     f"警告 {warnings} 件（pia-site check で一覧できます）。")
        later = [p for p in changed if p not in early and not p.startswith("search/data/")]
        if was_failed or result.full:
            self.state = _State(result.diagnostics, generation, False, generation)
            self._reload("*")
        elif not all(_is_page(p) for p in later):  # an asset: every page uses it
            self.state = _State(result.diagnostics, generation, False, generation)
            css_only = all(p.endswith(".css") for p in later)
            self._reload(later[0] if css_only else "*")
        else:
            self._publish(_State(result.diagnostics, generation, False, self.state.everything), later)

    def _follow_theme(self) -> None:
        """Watch the theme folder site.yaml chooses (it may have changed with this build)."""
        targets = WatchTargets.for_site(self.content, self.out, self.builder.theme)
        if self._watcher is not None and targets != self._watcher.targets:
            self._watcher.retarget(targets)

    def _publish(self, state: _State, pages) -> None:
        """A new state in which these pages changed; the browsers showing them reload."""
        for p in pages:
            self._written_at[p] = state.generation
        self.state = state
        if pages:
            self._reload("*", frozenset(pages))

    def _on_batch(self, paths: list[str]) -> None:
        with self._pending_lock:
            if self._pending is not None:  # applied once the builder holds the site (``_take_over``)
                self._pending.extend(paths)
                return
        with self._lock:
            self._build(paths)

    def _idle(self) -> None:
        self._index_wanted.set()

    def _indexer(self) -> None:
        """Bring the search index up to date after the pages, computing it outside the build
        lock so that an edit saved meanwhile is not held back; a stale result is dropped."""
        while True:
            self._index_wanted.wait()
            self._index_wanted.clear()
            if self._stopping:
                return
            with self._lock:
                job = None if self.state.failed else self.builder.prepare_extra()
            if job is None:
                continue
            try:
                job.compute()
                with self._lock:
                    if self._stopping:
                        return
                    if self.builder.apply_extra(job) is None:
                        self._index_wanted.set()  # the site moved on: index the newer one
            except Exception as exc:  # noqa: BLE001 - the pages stay served; the next update writes everything
                self.log(f"検索索引を更新できませんでした（{type(exc).__name__}: {exc}）。")

    def _reload(self, path: str, pages: frozenset[str] | None = None) -> None:
        """Reload the browsers (those showing one of ``pages``, when given)."""
        loop = self._loop
        if loop is not None:
            loop.add_callback(self._send_reload, path, pages)

    def _send_reload(self, path: str, pages: frozenset[str] | None = None) -> None:
        msg = {"command": "reload", "path": path, "liveCSS": True, "liveImg": True}
        for w, shown in list(self._waiters.items()):
            if pages is not None and shown is not None and shown not in pages:
                continue
            try:
                w.write_message(json.dumps(msg))
            except Exception:  # noqa: BLE001 - a browser that went away
                self._waiters.pop(w, None)

    # -- HTTP -------------------------------------------------------------------------------
    def _app(self) -> web.Application:
        class Injector(LiveScriptInjector):
            def __init__(self, request):
                super().__init__(request)
                self.request = request

            @property
            def script(self) -> bytes:
                return preview_script(getattr(self.request, "pia_generation", None)).encode("utf-8")

        return web.Application(
            [
                (r"/livereload", live_handler(self._waiters)),
                (r"/livereload\.js", LiveReloadJSHandler),
                (STATUS_PATH, StatusHandler, {"preview": self}),
                (PREVIEW_JS_PATH, PreviewScriptHandler),
                (r"/(.*)", FileHandler, {"path": str(self.out.resolve()), "default_filename": "index.html", "preview": self}),
            ],
            transforms=[Injector],
        )

    def _start_http(self) -> None:
        sockets = self._sockets or bind_sockets(self.port, address=self.host)  # only the given host
        self.addresses = [s.getsockname() for s in sockets]
        self.port = self.addresses[0][1]
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(asyncio.new_event_loop())
            loop = IOLoop.current()
            try:
                server = HTTPServer(self._app())
                server.add_sockets(sockets)
            except BaseException as exc:  # noqa: BLE001 - reported to start()
                failure.append(exc)
                ready.set()
                return
            self._loop = loop
            ready.set()
            loop.start()
            server.stop()
            loop.close(all_fds=True)

        logging.getLogger("tornado.access").setLevel(logging.WARNING)
        self._thread = threading.Thread(target=run, name="pia-serve-http", daemon=True)
        self._thread.start()
        ready.wait(timeout=30)
        if failure:
            raise failure[0]
