"""Watch: which file-system events matter to the preview, debounced into batches.

``WatchTargets.relevant`` decides per path (content YAML, the theme's template and
asset roots as ``theme.Theme`` lists them, the form catalog; never the output, .git,
build/ or editor temp files).  ``Debouncer`` is the pure batching logic (a quiet period, capped by a
maximum wait).  ``Watcher`` glues both to a watchdog observer (inotify and the
like, or polling with ``poll=True`` for network drives) and calls back on one
worker thread, one batch at a time.
"""
from __future__ import annotations

import os
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from watchdog.events import (
    EVENT_TYPE_CLOSED_NO_WRITE, EVENT_TYPE_OPENED, FileSystemEvent, FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from .. import content_tree
from ..theme import Theme

IGNORED_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", ".pia-cache", "build"})
TEMP_SUFFIXES = (".swp", ".swo", ".swx", ".swpx", ".tmp", ".temp", ".bak", ".orig", ".part", ".crdownload")


def is_temp_name(name: str) -> bool:
    """Editor droppings: ``.#x`` (Emacs locks), ``#x#``, ``x~``, ``.x.swp``, Vim's ``4913``, JetBrains' ``___jb_``."""
    return (name.startswith((".", "#")) or name.endswith("~") or name == "4913"
            or name.lower().endswith(TEMP_SUFFIXES) or "___jb_" in name)


def _abs(p: str | os.PathLike) -> Path:
    return Path(os.path.abspath(p))


def _within(p: Path, root: Path) -> bool:
    return p == root or root in p.parents


@dataclass(frozen=True)
class WatchTargets:
    """What a preview of ``content`` watches, and what it must ignore (``ignore``: the output).
    ``templates`` and ``assets``: the theme's roots; ``theme_dir``: the site's theme folder."""

    content: Path
    catalog: Path
    templates: tuple[Path, ...] = ()
    assets: tuple[Path, ...] = ()
    theme_dir: Path | None = None
    ignore: tuple[Path, ...] = ()
    extra_catalogs: tuple[Path, ...] = ()  # the folders of PIA_SITE_CATALOG

    @classmethod
    def for_site(cls, content: Path, out: Path | None = None, theme: Theme | None = None) -> "WatchTargets":
        from ..catalog import catalog_dirs

        theme = theme or Theme()
        catalog, *extra = (_abs(d) for d in catalog_dirs())
        return cls(_abs(content), catalog, tuple(_abs(r) for r in theme.template_roots),
                   tuple(_abs(r) for r in theme.asset_roots), _abs(theme.override) if theme.override else None,
                   (_abs(out),) if out else (), tuple(extra))

    @property
    def theme_roots(self) -> tuple[Path, ...]:
        return self.templates + self.assets

    def relevant(self, path: str | os.PathLike, is_directory: bool = False) -> bool:
        p = _abs(path)
        if any(_within(p, d) for d in self.ignore):
            return False
        for root in (self.content, *self.theme_roots, self.catalog, *self.extra_catalogs):
            if _within(p, root):
                rel = p.relative_to(root).parts
                if root == self.content:  # the entries content_tree reads or warns about
                    return self._content_relevant(rel, is_directory)
                if any(is_temp_name(part) for part in rel):
                    return False
                if any(part in IGNORED_DIRS for part in rel):
                    return False
                if root == self.catalog or root in self.extra_catalogs:
                    return not rel or (len(rel) == 1 and p.suffix == ".yaml")
                return True
        # the theme folder appearing or going (its templates/ and assets/ are roots above)
        return p == self.theme_dir

    @staticmethod
    def _content_relevant(rel: tuple[str, ...], is_directory: bool) -> bool:
        if not rel:
            return True  # the content folder itself
        if len(rel) == 1:
            if is_directory:
                return content_tree.folder_ok(rel[0])  # not the folders the loader skips (_schema/ …)
            return content_tree.looks_like_yaml(rel[0])  # site.yaml, or a name warned about
        if len(rel) == 2:
            # a source, or a name warned about (a.YAML, ..yaml); not editor droppings
            return content_tree.folder_ok(rel[0]) and not is_directory and content_tree.looks_like_yaml(rel[1])
        return False

    def event_paths(self, event: FileSystemEvent) -> list[str]:
        """The relevant paths an event touches (both ends of a move)."""
        if event.event_type in (EVENT_TYPE_OPENED, EVENT_TYPE_CLOSED_NO_WRITE):
            return []
        if event.is_directory and event.event_type == "modified":
            return []  # a file inside changed: that file has its own event
        paths = [event.src_path] + ([event.dest_path] if getattr(event, "dest_path", "") else [])
        return [os.fsdecode(p) for p in paths if self.relevant(os.fsdecode(p), event.is_directory)]


class Debouncer:
    """Collects paths; a batch is due once no path arrived for ``quiet`` seconds, or
    ``max_wait`` seconds after its first path, whichever comes first."""

    def __init__(self, quiet: float = 0.05, max_wait: float = 0.5):
        self.quiet = quiet
        self.max_wait = max_wait
        self._paths: dict[str, None] = {}
        self._first = self._last = 0.0

    def add(self, paths: Iterable[str], now: float) -> None:
        paths = list(paths)
        if not paths:
            return
        if not self._paths:
            self._first = now
        self._last = now
        self._paths.update(dict.fromkeys(paths))

    def wait_time(self, now: float) -> float | None:
        """Seconds until the pending batch is due (0: due now); None when nothing is pending."""
        if not self._paths:
            return None
        due = min(self._last + self.quiet, self._first + self.max_wait)
        return max(0.0, due - now)

    def take(self, now: float) -> list[str] | None:
        """The batch, in arrival order, if it is due; otherwise None."""
        if self.wait_time(now) != 0.0:
            return None
        paths, self._paths = list(self._paths), {}
        return paths

    @property
    def pending(self) -> bool:
        return bool(self._paths)


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: "Watcher"):
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.watcher._event(event)


@dataclass
class Watcher:
    """Watch ``targets``; call ``on_batch(paths)`` on a worker thread for every debounced
    batch, and ``on_idle()`` when a batch is done and nothing else is pending."""

    targets: WatchTargets
    on_batch: Callable[[list[str]], None]
    on_idle: Callable[[], None] | None = None
    poll: bool = False
    poll_interval: float = 1.0
    quiet: float = 0.05
    max_wait: float = 0.5
    clock: Callable[[], float] = time.monotonic
    _scheduled: set = field(default_factory=set, init=False)

    def start(self) -> None:
        self._debouncer = Debouncer(self.quiet, self.max_wait)
        self._cond = threading.Condition()
        self._stopping = False
        self._handler = _Handler(self)
        self._observer = PollingObserver(timeout=self.poll_interval) if self.poll else Observer()
        self._schedule_targets()
        self._observer.start()
        self._worker = threading.Thread(target=self._run, name="pia-watch", daemon=True)
        self._worker.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._observer.stop()
        self._observer.join(timeout=5)
        self._worker.join(timeout=30)

    def retarget(self, targets: WatchTargets) -> None:
        """Watch other targets from now on (site.yaml chose another theme folder)."""
        self.targets = targets
        self._schedule_targets()

    def _schedule_targets(self) -> None:
        """Watch every target folder that exists (those already watched stay as they are)."""
        t = self.targets
        for d in (t.content, *t.theme_roots):
            self._schedule(d, recursive=True)
        for d in (t.catalog, *t.extra_catalogs):
            self._schedule(d, recursive=False)
        if t.theme_dir is not None:
            self._schedule(t.theme_dir, recursive=False)  # notices templates/ and assets/ appearing
            self._schedule(t.theme_dir.parent, recursive=False)  # notices the theme folder appearing

    def _schedule(self, d: Path, recursive: bool) -> None:
        if (d, recursive) in self._scheduled or not d.is_dir():
            return
        try:
            self._observer.schedule(self._handler, str(d), recursive=recursive)
        except OSError:
            return  # gone again: its parent's event brings it back
        self._scheduled.add((d, recursive))

    def _event(self, event: FileSystemEvent) -> None:
        paths = self.targets.event_paths(event)
        if not paths:
            return
        if event.is_directory and event.event_type in ("created", "moved"):
            t = self.targets
            if any(_abs(p) in (t.content, t.theme_dir, *t.theme_roots) for p in paths):
                self._schedule_targets()
        with self._cond:
            self._debouncer.add(paths, self.clock())
            self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._stopping:
                        return
                    wait = self._debouncer.wait_time(self.clock())
                    if wait == 0.0:
                        batch = self._debouncer.take(self.clock())
                        break
                    self._cond.wait(timeout=wait)
            _guarded(self.on_batch, batch)
            with self._cond:
                idle = not self._debouncer.pending and not self._stopping
            if idle and self.on_idle is not None:
                _guarded(self.on_idle)


def _guarded(fn, *args) -> None:
    """A failing callback is reported and the watcher goes on."""
    try:
        fn(*args)
    except Exception:  # noqa: BLE001 - keep watching whatever one build did
        traceback.print_exc()
