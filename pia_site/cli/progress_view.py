"""How a long build's progress (``pia_site.progress``) looks on the command line.

* ``BarProgress``: stderr is a terminal. One line redrawn in place (``\\r``), at most ten times a
  second and once a second while a stage makes no steps: stage, bar (or a count when the total is not
  known), percentage, seconds since the start.
* ``LineProgress``: CI logs and pipes. Nothing during the first ``quiet`` seconds (a small site prints
  only its summary); after that a plain line when a stage begins, when a tenth of a stage is done and
  at least every ``interval`` seconds.
* ``QuietProgress``: ``-q``; only the summary.

All three print the summary given to ``finish`` and, with ``verbose``, the seconds each stage took.
The command calls ``clear()`` before printing anything else on stderr (diagnostics), then ``finish``.
"""
from __future__ import annotations

import sys
import threading
import time
import unicodedata
from typing import Callable, TextIO

BAR_CELLS = 24


def _cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _clip(text: str, width: int) -> str:
    out, used = [], 0
    for c in text:
        w = 2 if unicodedata.east_asian_width(c) in "WF" else 1
        if used + w > width:
            break
        out.append(c)
        used += w
    return "".join(out)


class _Reporter:
    """Stage bookkeeping shared by the views; subclasses draw."""

    def __init__(self, stream: TextIO | None = None, verbose: bool = False, clock: Callable[[], float] = time.monotonic):
        self.stream = stream or sys.stderr
        self.verbose = verbose
        self.clock = clock
        self.started = clock()
        self.stage, self.total, self.done = "", 0, 0
        self._stage_started = self.started
        self.timings: list[tuple[str, float]] = []
        self._lock = threading.Lock()

    # -- the Progress interface ---------------------------------------------------------------
    def on_start(self, total: int, stage: str = "") -> None:
        with self._lock:
            self._end_stage()
            self.stage, self.total, self.done = stage, max(0, int(total)), 0
            self._stage_started = self.clock()
            self._began()

    def advance(self, n: int = 1) -> None:
        with self._lock:
            self.done += n
            self._moved()

    def finish(self, summary: str = "") -> None:
        self.clear()
        with self._lock:
            self._end_stage()
            if self.verbose and self.timings:
                shown = "、".join(f"{name} {sec:.2f} 秒" for name, sec in self.timings)
                print(f"段階ごとの時間: {shown}（合計 {self.clock() - self.started:.2f} 秒）", file=self.stream)
            if summary:
                print(summary, file=self.stream)
            self.stream.flush()

    def clear(self) -> None:
        """Remove what is drawn in place (nothing, except for the bar)."""

    def tick(self) -> None:
        """Time passes without steps (called about once a second by ``Ticker``)."""

    # -- for subclasses -----------------------------------------------------------------------
    def _end_stage(self) -> None:
        if self.stage:
            self.timings.append((self.stage, self.clock() - self._stage_started))
            self.stage = ""

    def _began(self) -> None:
        pass

    def _moved(self) -> None:
        pass

    def elapsed(self) -> float:
        return self.clock() - self.started

    def status(self) -> str:
        """The current state as text: 検査 1,234/3,000 (41%)."""
        if self.total:
            pct = min(100, self.done * 100 // self.total)
            return f"{self.stage} {self.done:,}/{self.total:,}（{pct}%）"
        return f"{self.stage} {self.done:,} 件" if self.done else f"{self.stage}…"


class QuietProgress(_Reporter):
    """``-q``: the summary only (stage timings are not shown either)."""

    def __init__(self, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic):
        super().__init__(stream, False, clock)


class LineProgress(_Reporter):
    """Plain lines for logs: after ``quiet`` seconds, at each tenth of a stage and every ``interval`` seconds."""

    def __init__(self, stream: TextIO | None = None, verbose: bool = False, clock: Callable[[], float] = time.monotonic,
                 quiet: float = 5.0, interval: float = 10.0):
        super().__init__(stream, verbose, clock)
        self.quiet, self.interval = quiet, interval
        self._last_line = self.started
        self._tenth = 0

    def _emit(self) -> None:
        now = self.clock()
        self._last_line = now
        print(f"[{now - self.started:.0f} 秒] {self.status()}", file=self.stream, flush=True)

    def _began(self) -> None:
        self._tenth = 0
        if self.elapsed() >= self.quiet:
            self._emit()

    def _moved(self) -> None:
        tenth = self.done * 10 // self.total if self.total else 0
        due = self.clock() - self._last_line >= self.interval
        if self.elapsed() >= self.quiet and (tenth > self._tenth or due):
            self._emit()
        self._tenth = max(self._tenth, tenth)

    def tick(self) -> None:
        with self._lock:
            if self.stage and self.elapsed() >= self.quiet and self.clock() - self._last_line >= self.interval:
                self._emit()


class BarProgress(_Reporter):
    """A bar redrawn in place on a terminal."""

    def __init__(self, stream: TextIO | None = None, verbose: bool = False, clock: Callable[[], float] = time.monotonic,
                 width: Callable[[], int] | None = None, every: float = 0.1):
        super().__init__(stream, verbose, clock)
        self._width = width or (lambda: _terminal_columns(self.stream))
        self.every = every
        self._drawn_at = float("-inf")
        self._shown = False

    def line(self) -> str:
        if self.total:
            filled = min(BAR_CELLS, self.done * BAR_CELLS // self.total)
            pct = min(100, self.done * 100 // self.total)
            text = f"{self.stage} [{'#' * filled}{'.' * (BAR_CELLS - filled)}] {self.done:,}/{self.total:,} {pct}%"
        else:
            text = f"{self.stage} {self.done:,} 件" if self.done else f"{self.stage}…"
        return f"{text}  {self.elapsed():.0f} 秒"

    def _draw(self, force: bool = False) -> None:
        now = self.clock()
        if not force and now - self._drawn_at < self.every:
            return
        self._drawn_at = now
        self.stream.write("\r" + _clip(self.line(), max(10, self._width() - 1)) + "\x1b[K")
        self.stream.flush()
        self._shown = True

    def _began(self) -> None:
        self._draw(force=True)

    def _moved(self) -> None:
        self._draw(force=bool(self.total) and self.done >= self.total)  # a stage ends with its bar full

    def tick(self) -> None:
        with self._lock:
            if self.stage:
                self._draw(force=True)

    def clear(self) -> None:
        with self._lock:
            if self._shown:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self._shown = False


def _terminal_columns(stream: TextIO) -> int:
    import os

    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return 80
    return columns if columns > 0 else 80  # a pseudo-terminal nobody sized


class Ticker:
    """Calls ``view.tick()`` about once a second from a daemon thread while the build runs."""

    def __init__(self, view: _Reporter, period: float = 1.0):
        self.view, self.period = view, period
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pia-progress", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.period):
            self.view.tick()

    def __enter__(self) -> "Ticker":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def make_view(verbosity: int, stream: TextIO | None = None) -> _Reporter:
    """The view for ``-q`` (verbosity < 0), the default (0) or ``-v`` (> 0), by what stderr is."""
    stream = stream or sys.stderr
    if verbosity < 0:
        return QuietProgress(stream)
    import os

    is_tty = getattr(stream, "isatty", lambda: False)() and os.environ.get("TERM") != "dumb"
    return (BarProgress if is_tty else LineProgress)(stream, verbose=verbosity > 0)
