"""Results of ``worker.process`` over the jobs, in job order, from ``jobs`` processes (1: in this
process, no pool).  Workers start by ``fork`` where the process has a single thread (the
catalog and the templates already loaded are shared), else by ``forkserver``/``spawn``."""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from typing import Callable, Iterator, Sequence, TypeVar

from .summary import Result
from .worker import Job, Shared, process

_shared: Shared | None = None
T, R = TypeVar("T"), TypeVar("R")


def _init(shared: Shared) -> None:
    global _shared
    _shared = shared
    # a forked worker inherits the parent's handler (cli: SIGTERM raises SystemExit); the pool
    # stops its workers with SIGTERM, and they have nothing to clean up
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run(job: Job) -> Result:
    assert _shared is not None
    return process(job, _shared)


def default_jobs() -> int:
    return os.cpu_count() or 1


def _context():
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _init_plain() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def each(fn: Callable[[T], R], items: Sequence[T], workers: int) -> Iterator[R]:
    """``fn`` (a module-level function) over ``items``, in their order, from ``workers`` processes
    (1: in this process)."""
    workers = max(1, min(workers, len(items)))
    if workers == 1:
        yield from map(fn, items)
        return
    with _context().Pool(workers, initializer=_init_plain) as pool:
        yield from pool.imap(fn, items, chunksize=1)


def _init_with(setup: Callable, args: tuple) -> None:
    _init_plain()
    setup(*args)


class Workers:
    """``workers`` processes that several kinds of work share (1: none, the work is done in this
    process), each set up once by ``setup(*args)`` (module-level) when given.  One pool rather
    than two at once: a pool's threads rule out ``fork`` for the next one (``_context``).  Use it
    as a context manager: leaving the block stops the processes."""

    def __init__(self, workers: int, setup: Callable | None = None, args: tuple = ()):
        self.count = max(1, workers)
        self._pool = None
        if self.count > 1:
            init, initargs = (_init_with, (setup, args)) if setup is not None else (_init_plain, ())
            self._pool = _context().Pool(self.count, initializer=init, initargs=initargs)

    @property
    def pooled(self) -> bool:
        return self._pool is not None

    def imap(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
        """``fn`` over ``items``, started now (in this process: as they are asked for); the
        results in the order of ``items``, as they come."""
        if self._pool is None:
            return map(fn, items)
        return self._pool.imap(fn, items, chunksize=1)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Background:
    """``fn`` over ``items`` in ``workers`` processes (or in the processes of a ``Workers``, which
    stay its own) while this process goes on (1: done here, at once); ``get()`` waits for the
    results, in the order of ``items``.  Use it as a context manager: leaving the block stops the
    processes it started if ``get`` was not reached."""

    def __init__(self, fn: Callable[[T], R], items: Sequence[T], workers: "int | Workers"):
        shared = workers if isinstance(workers, Workers) else None
        count = max(1, min(shared.count if shared is not None else workers, len(items)))
        self._pool = self._async = None
        self._own = shared is None
        if count == 1 or (shared is not None and not shared.pooled):
            self._done = [fn(item) for item in items]
            return
        self._pool = shared._pool if shared is not None else _context().Pool(count, initializer=_init_plain)
        self._async = self._pool.map_async(fn, items, chunksize=1)

    def get(self) -> list:
        if self._pool is None:
            return self._done
        try:
            self._done = self._async.get()
        finally:
            self._stop()
        return self._done

    def _stop(self) -> None:
        if self._pool is not None:
            if self._own:
                self._pool.terminate()
                self._pool.join()
            self._pool = None

    def __enter__(self) -> "Background":
        return self

    def __exit__(self, *exc) -> None:
        self._stop()


def results(jobs: Sequence[Job], shared: Shared, workers: int) -> Iterator[Result]:
    """Each job's result, in the order of ``jobs``; at most a few are waiting at any time."""
    workers = max(1, min(workers, len(jobs)))
    if workers == 1:
        for job in jobs:
            yield process(job, shared)
        return
    with _context().Pool(workers, initializer=_init, initargs=(shared,)) as pool:
        yield from pool.imap(_run, jobs, chunksize=1)
