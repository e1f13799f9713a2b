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


class Background:
    """``fn`` over ``items`` in ``workers`` processes while this process goes on (1: done here,
    at once); ``get()`` waits for the results, in the order of ``items``.  Use it as a context
    manager: leaving the block stops the processes if ``get`` was not reached."""

    def __init__(self, fn: Callable[[T], R], items: Sequence[T], workers: int):
        workers = max(1, min(workers, len(items)))
        self._pool = self._async = None
        if workers == 1:
            self._done = [fn(item) for item in items]
            return
        self._pool = _context().Pool(workers, initializer=_init_plain)
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
