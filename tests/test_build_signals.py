"""A build stopped by a signal leaves nothing behind: its temporary files live beside the output in
a tree of the writer's (``write.Staging.scratch``), never in the system's temporary folder;
SIGTERM and Ctrl+C end it through its ``finally`` blocks, which remove them, and what a killed
build (SIGKILL) leaves there the next build removes.  The previous site stays as it was."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pia_site.build import build

from support import REPO, tree_bytes

SAMPLES = ("koshigaya/keijidosha-fuka.yaml", "saitama/kokuho-fuka-shuno.yaml")
COPIES = 30


def _site(root: Path) -> Path:
    """content/ with ``COPIES`` more copies of its assessments, each under its own name and title."""
    content = root / "content"
    shutil.copytree(REPO / "content", content)
    for i in range(COPIES):
        src = SAMPLES[i % 2]
        text = (REPO / "content" / src).read_text(encoding="utf-8").replace("title: ", f"title: 写し{i} ", 1)
        (content / src).with_name(f"copy{i:02d}.yaml").write_text(text, encoding="utf-8")
    return content


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a test runner in the background ignores SIGINT


def _mid_build(out: Path) -> bool:
    """The build is doing its assessments: records are being kept in its scratch tree."""
    return any(p.stat().st_size > 0 for p in out.parent.glob(f".{out.name}.tmp-*/records-*/*"))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=lambda s: s.name)
def test_a_build_stopped_by_a_signal_leaves_no_temporary_folder(tmp_path, sig):
    content = _site(tmp_path / "big")
    out = tmp_path / "site" / "out"
    build(REPO / "content", out)  # the previous site
    before = tree_bytes(out)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pia_site", "build", "--content", str(content), "--out", str(out), "--jobs", "2",
         "--no-cache", "-q"],
        env={**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(tmp)}, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, preexec_fn=_default_sigint)
    try:
        end = time.monotonic() + 120
        while not _mid_build(out):
            assert proc.poll() is None, "the build ended before it could be stopped: make the site larger"
            assert time.monotonic() < end, "the build never got to its assessments"
            time.sleep(0.02)
        proc.send_signal(sig)
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    assert code != 0
    if sig == signal.SIGTERM:  # a clean exit: the pool stopped its workers before the parent went
        assert code == 143 and "Traceback" not in stderr, stderr
    assert [p.name for p in tmp.iterdir() if p.name.startswith("pia-")] == []
    assert tree_bytes(out) == before  # the previous site, untouched
    left = sorted(p.name for p in out.parent.iterdir() if p.name != "out")
    if sig == signal.SIGKILL:
        assert left and all(n.startswith(".out.tmp-") for n in left)  # until the next build
    else:
        assert left == []  # removed on the way out
    report = build(REPO / "content", out)  # the next build
    assert report.written is not None
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]
