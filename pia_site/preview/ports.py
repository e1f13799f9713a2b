"""Which port the preview listens on: the default one, or the next free one when it is taken.

An explicitly requested port that is taken is the caller's error (``OSError`` with ``EADDRINUSE``);
for the default, pia-site tries ``DEFAULT_PORT`` and the ``TRIES - 1`` ports after it, then lets the
system choose one. The sockets are bound (and listening) before the first build, so the port is
known, and kept, from the start.
"""
from __future__ import annotations

import errno
import socket

from tornado.netutil import bind_sockets

DEFAULT_PORT = 8000
TRIES = 20


def bind_preview(host: str, port: int | None) -> tuple[list[socket.socket], int]:
    """Listening sockets on ``host`` and their port. ``port`` None: the default, or a free one."""
    if port is not None:
        sockets = bind_sockets(port, address=host)
        return sockets, sockets[0].getsockname()[1]
    for candidate in range(DEFAULT_PORT, DEFAULT_PORT + TRIES):
        try:
            sockets = bind_sockets(candidate, address=host)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            continue
        return sockets, candidate
    sockets = bind_sockets(0, address=host)
    return sockets, sockets[0].getsockname()[1]
