"""`pia-site serve` without --port takes 8000 or, when it is taken, a free port and says which;
an explicit --port that is taken is a clear error before anything is built. Real sockets,
real `pia-site serve` processes, always on 127.0.0.1."""
from __future__ import annotations

import errno
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from pia_site.preview import ports

from support import REPO

ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def hold(port: int) -> socket.socket | None:
    """A listening socket on 127.0.0.1:port, or None when someone else already listens there."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", port))
    except OSError as exc:
        s.close()
        assert exc.errno == errno.EADDRINUSE, exc
        return None
    s.listen(1)
    return s


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "content", tmp_path / "content")
    return tmp_path


def _lines(stream, out: queue.Queue) -> None:
    for line in stream:
        out.put(line)
    out.put(None)


def test_the_default_port_taken_serve_picks_a_free_one_and_says_which(project):
    held = hold(ports.DEFAULT_PORT)  # taken by this test, or already by another program
    err = queue.Queue()
    proc = subprocess.Popen([sys.executable, "-m", "pia_site", "serve"], cwd=project, env=ENV, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    threading.Thread(target=_lines, args=(proc.stderr, err), daemon=True).start()
    try:
        out: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: out.put(proc.stdout.readline()), daemon=True).start()
        url = out.get(timeout=120).strip()
        m = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/", url)
        assert m, url
        port = int(m.group(1))
        assert port != ports.DEFAULT_PORT
        with urllib.request.urlopen(url + "koshigaya/keijidosha-fuka/index.html", timeout=30) as r:
            assert "軽自動車税" in r.read().decode("utf-8")
    finally:
        proc.terminate()
        code = proc.wait(timeout=30)
        if held is not None:
            held.close()
    said = []
    while (line := err.get(timeout=10)) is not None:
        said.append(line)
    assert code == 0
    assert f"ポート {ports.DEFAULT_PORT} は使用中のため、ポート {port} で待ち受けます。\n" in said, said


def test_an_explicit_port_that_is_taken_is_an_error_before_building(project):
    taken = hold(0)
    port = taken.getsockname()[1]
    try:
        r = subprocess.run([sys.executable, "-m", "pia_site", "serve", "--port", str(port)], cwd=project, env=ENV,
                           capture_output=True, text=True, timeout=120)
    finally:
        taken.close()
    assert r.returncode == 1
    assert f"エラー: ポート {port} は使用中です（127.0.0.1）。" in r.stderr and "Traceback" not in r.stderr
    assert r.stdout == ""
    assert not (project / ".pia-cache" / "serve").exists()  # nothing was built


def test_bind_preview_walks_up_from_the_default_and_keeps_to_the_host(monkeypatch):
    first = hold(0)
    base = first.getsockname()[1]
    monkeypatch.setattr(ports, "DEFAULT_PORT", base)
    following = hold(base + 1)  # when base + 1 is someone else's, it is taken all the same
    try:
        sockets, port = ports.bind_preview("127.0.0.1", None)
        try:
            assert port > base + 1 and all(s.getsockname() == ("127.0.0.1", port) for s in sockets)
        finally:
            for s in sockets:
                s.close()
        with pytest.raises(OSError) as caught:
            ports.bind_preview("127.0.0.1", base)
        assert caught.value.errno == errno.EADDRINUSE
    finally:
        first.close()
        if following is not None:
            following.close()


def test_serve_verbosity_quiet_says_nothing_verbose_lists_every_warning(project, monkeypatch):
    from pia_site.preview.serve import PreviewServer

    monkeypatch.chdir(project)
    said: dict[int, list[str]] = {}
    for verbosity in (-1, 0, 1):
        said[verbosity] = []
        srv = PreviewServer(Path("content"), Path(f".pia-cache/serve{verbosity + 1}"), port=0, log=said[verbosity].append,
                            verbosity=verbosity)
        srv.start()
        srv.stop()
    assert said[-1] == []
    assert any(re.fullmatch(r"\d+ ページをビルドしました（[\d.]+ 秒）。", s) for s in said[0])
    assert any(re.fullmatch(r"警告 \d+ 件（pia-site check で一覧できます）。", s) for s in said[0])
    listed = "\n".join(said[1])
    assert re.search(r"content/koshigaya/keijidosha-fuka\.yaml:\d+:\d+: 警告\[W004\]", listed)
    assert re.search(r"エラー 0 件、警告 \d+ 件", listed)
