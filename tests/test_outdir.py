"""The output folder is pia-site's, and only pia-site's: ``build`` and ``serve`` refuse an
``--out`` that would replace what the author keeps, refuse a non-empty folder pia-site did
not write (the marker), swap the new site in with one atomic step, and the next build
removes what killed builds left behind."""
from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pia_site import outdir, write
from pia_site.build import build, check_out, protected_dirs
from pia_site.cli import main
from pia_site.outdir import MARKER, OutDirError, check_out_dir
from pia_site.theme import DEFAULT_TEMPLATES
from pia_site.theme import DEFAULT_ASSETS as PACKAGE_ASSETS

from support import REPO, make_content, scaffold_text, tree_bytes, write as write_text


@pytest.fixture
def content(tmp_path) -> Path:
    return make_content(tmp_path / "site", {"a": scaffold_text()})


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else b"<dir>") for p in sorted(root.rglob("*"))}


def refused(capsys, argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("エラー: 出力先 ")
    return err


# -- what is refused -----------------------------------------------------------------------
@pytest.mark.parametrize("command", ["build", "serve"])
@pytest.mark.parametrize("where, says", [
    ("content", "コンテンツのフォルダ（{content}）そのものです"),
    ("content/koshigaya", "コンテンツのフォルダ（{content}）の中にあります"),
    ("content/new/deeper", "コンテンツのフォルダ（{content}）の中にあります"),
    (".", "コンテンツのフォルダ（{content}）を含んでいます"),
    ("templates", "サイトのテンプレートのフォルダ"),
    ("assets/css", "サイトのアセットのフォルダ"),
])
def test_build_and_serve_refuse_an_out_that_is_holds_or_lies_inside_the_authors_folders(capsys, content, command, where, says):
    site = content.parent
    write_text(site / "templates" / "base.html", "{% block x %}{% endblock %}")
    write_text(site / "assets" / "css" / "site.css", "body{}")
    before = snapshot(site)
    argv = [command, "--content", str(content), "--out", str(site / where)] + (["--port", "0"] if command == "serve" else [])
    err = refused(capsys, argv)
    assert says.format(content=content) in err
    assert "--out で指定してください" in err
    assert snapshot(site) == before  # nothing written, nothing removed


def test_paths_are_compared_after_resolving_symlinks_and_dotdot(capsys, content, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(content, target_is_directory=True)
    before = snapshot(content)
    assert "そのものです" in refused(capsys, ["build", "--content", str(content), "--out", str(link)])
    assert "そのものです" in refused(capsys, ["build", "--content", str(content), "--out", f"{content}/koshigaya/.."])
    assert "を含んでいます" in refused(capsys, ["build", "--content", str(link), "--out", str(content.parent)])
    assert snapshot(content) == before


@pytest.mark.parametrize("marker", [".git", "pyproject.toml"])
def test_a_project_root_is_refused_and_so_is_a_folder_holding_one(capsys, tmp_path, marker, monkeypatch):
    content = make_content(tmp_path / "elsewhere", {"a": scaffold_text()})
    project = tmp_path / "holder" / "project"
    (project / marker).mkdir(parents=True) if marker == ".git" else write_text(project / marker, "[project]\n")
    write_text(project / "notes.txt", "keep me")
    before = snapshot(tmp_path / "holder")
    err = refused(capsys, ["build", "--content", str(content), "--out", str(project)])
    assert "プロジェクトのルート" in err
    monkeypatch.chdir(project)  # the working folder's project is protected too
    err = refused(capsys, ["build", "--content", str(content), "--out", str(tmp_path / "holder")])
    assert f"プロジェクトのルート（{project}）を含んでいます" in err
    assert snapshot(tmp_path / "holder") == before


def test_the_default_theme_and_the_package_are_protected(content):
    for folder in (DEFAULT_TEMPLATES, PACKAGE_ASSETS, DEFAULT_TEMPLATES / "partials", DEFAULT_TEMPLATES.parent, DEFAULT_TEMPLATES.parent.parent):
        with pytest.raises(OutDirError):
            check_out(content, folder)  # checked only: nothing is built here


def test_the_rule_takes_any_list_of_protected_folders(tmp_path):
    theme = tmp_path / "theme"
    theme.mkdir()
    with pytest.raises(OutDirError, match="テーマ"):
        check_out_dir(theme / "out", [(theme, "テーマ")])
    with pytest.raises(OutDirError, match="保護されたフォルダ"):
        check_out_dir(tmp_path, [theme])
    assert check_out_dir(tmp_path / "out", [theme]) == tmp_path.resolve() / "out"
    assert [p for p, _ in protected_dirs(tmp_path / "content")][:3] == [tmp_path / "content", tmp_path / "templates", tmp_path / "assets"]


def test_a_non_empty_folder_pia_site_did_not_write_is_refused(capsys, content):
    out = content.parent / "public"
    write_text(out / "report.docx", "the only copy")
    for command in (["build"], ["serve", "--port", "0"]):
        err = refused(capsys, [*command, "--content", str(content), "--out", str(out)])
        assert "pia-site が書き出したフォルダではありません" in err and "report.docx" in err
    assert (out / "report.docx").read_text() == "the only copy"
    assert not list(out.parent.glob(".public.*"))


def test_setuptools_build_folders_are_refused_with_a_hint(capsys, content):
    out = content.parent / "build"
    (out / "lib" / "pia_site").mkdir(parents=True)
    (out / "bdist.linux-x86_64").mkdir()
    err = refused(capsys, ["build", "--content", str(content), "--out", str(out)])
    assert "pip install ." in err
    assert (out / "lib" / "pia_site").is_dir()


def test_a_file_is_refused(capsys, content):
    out = content.parent / "out"
    out.write_text("x")
    assert "フォルダではありません" in refused(capsys, ["build", "--content", str(content), "--out", str(out)])
    assert out.read_text() == "x"


def test_an_empty_folder_or_one_pia_site_wrote_is_accepted_and_replaced_whole(capsys, content):
    out = content.parent / "out"
    out.mkdir()
    assert main(["build", "--content", str(content), "--out", str(out)]) == 0
    assert (out / MARKER).read_bytes() == outdir.MARKER_TEXT and (out / "index.html").is_file()
    first = tree_bytes(out)
    write_text(out / "stray.html", "left by hand")
    assert main(["build", "--content", str(content), "--out", str(out)]) == 0
    assert tree_bytes(out) == first  # the marked folder is pia-site's: replaced whole
    # nothing is left beside the output but the build cache (.pia-cache, beside the content folder)
    assert sorted(p.name for p in out.parent.iterdir()) == [".pia-cache", "content", "out"]


# -- the swap and the leftovers --------------------------------------------------------------
def test_the_next_build_removes_marked_leftovers_and_leaves_everything_else(content):
    parent = content.parent
    out = parent / "out"
    build(content, out)
    for name in (".out.tmp-dead1", ".out.old-dead2"):
        write_text(parent / name / "half" / "page.html", "half written")
        (parent / name / MARKER).write_bytes(outdir.MARKER_TEXT)
    (parent / ".out.tmp-empty").mkdir()
    write_text(parent / ".out.tmp-notours" / "x.txt", "not ours")  # no marker: not ours to remove
    write_text(parent / ".other.tmp-x" / MARKER, "")  # another output's
    alive = parent / ".out.tmp-alive"  # a build still writing (it holds its tree)
    alive.mkdir()
    (alive / MARKER).write_bytes(outdir.MARKER_TEXT)
    with outdir.held(alive):
        build(content, out)
    assert sorted(p.name for p in parent.iterdir()) == [".other.tmp-x", ".out.tmp-alive", ".out.tmp-notours", "content", "out"]
    build(content, out)
    assert ".out.tmp-alive" not in [p.name for p in parent.iterdir()]


def test_the_swap_is_one_exchange_and_the_fallback_two_renames(content, monkeypatch):
    out = content.parent / "out"
    build(content, out)
    inode = out.stat().st_ino
    calls = []
    real = write.exchange
    monkeypatch.setattr(write, "exchange", lambda a, b: calls.append((a, b)) or real(a, b))
    build(content, out)
    assert len(calls) == 1 and calls[0][1] == out and out.stat().st_ino != inode
    assert sorted(p.name for p in out.parent.iterdir()) == ["content", "out"]
    monkeypatch.setattr(write, "exchange", lambda a, b: False)  # no renameat2 here
    renames = []
    real_rename = os.rename
    monkeypatch.setattr(os, "rename", lambda a, b: renames.append(Path(b).name) or real_rename(a, b))
    before = tree_bytes(out)
    build(content, out)
    assert tree_bytes(out) == before
    assert len(renames) == 2 and renames[0].startswith(".out.old-") and renames[1] == "out"
    assert sorted(p.name for p in out.parent.iterdir()) == ["content", "out"]


def test_exchange_swaps_two_folders(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_text(a / "x", "A")
    write_text(b / "y", "B")
    assert write.exchange(a, b)  # Linux: renameat2(RENAME_EXCHANGE)
    assert (a / "y").read_text() == "B" and (b / "x").read_text() == "A"


# -- a kill at any instant -------------------------------------------------------------------
# A zygote: one process imports pia-site (and reads the catalog) once, then forks a fresh child per build (so a
# kill test does not pay the imports 25 times).  The child counts its file-system
# operations and SIGKILLs itself before the ``kill_at``-th; or the zygote SIGKILLs it
# ``delay`` seconds after the fork.  One JSON request and one JSON reply per line.
ZYGOTE = r"""
import json, os, signal, sys, time
from pathlib import Path
from pia_site import cli, write
from pia_site.build import load_site

for content in sys.argv[1:]:
    load_site(Path(content))  # warm: the imports and the catalog, read once here

def run(req, report):
    ops = []

    def counted(name, fn):
        def op(*args, **kwargs):
            ops.append(name)
            if len(ops) == req["kill_at"]:
                os.kill(os.getpid(), signal.SIGKILL)  # before the operation
            return fn(*args, **kwargs)
        return op

    for name in ("mkdir", "chmod", "rename", "replace", "unlink", "rmdir"):
        setattr(os, name, counted(name, getattr(os, name)))
    write.exchange = counted("exchange", write.exchange)
    # without the build cache: its writes would shift the operation count between runs
    code = cli.main(["build", "--content", req["content"], "--out", req["out"], "--no-cache"])
    os.write(report, json.dumps(ops).encode())
    return code

for line in sys.stdin:
    req = json.loads(line)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        code = 1
        try:
            code = run(req, w)
        finally:
            os._exit(code)
    os.close(w)
    reaped = (0, 0)
    if req.get("delay") is not None:
        end = time.monotonic() + req["delay"]
        while time.monotonic() < end and (reaped := os.waitpid(pid, os.WNOHANG)) == (0, 0):
            time.sleep(0.002)
        if reaped == (0, 0):
            os.kill(pid, signal.SIGKILL)  # not reaped yet: the pid is still this child's
    status = reaped[1] if reaped != (0, 0) else os.waitpid(pid, 0)[1]
    ops = b""
    while chunk := os.read(r, 65536):
        ops += chunk
    os.close(r)
    print(json.dumps({"status": status, "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0,
                      "ops": json.loads(ops) if ops else None}), flush=True)
"""

SEEDS = range(24)
AT_THE_EXCHANGE = {1: 0, 2: 1, 3: 2}  # seed -> kill before the exchange, or the first or second operation after it


def digests(root: Path) -> dict[str, str] | None:
    if not root.exists():
        return None
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_build_killed_at_any_instant_leaves_the_old_site_or_the_new_one_whole(tmp_path):
    """Builds in a child process are SIGKILLed: before their k-th file-system operation (k
    seeded, and exactly before and after the exchange), or after a seeded delay.  Afterwards
    the output is always one of the two reference sites, whole, or (before a first build) none;
    the next build leaves no leftovers."""
    sites = {
        "A": make_content(tmp_path / "A"),  # no assessment yet
        "B": make_content(tmp_path / "B", {"a": scaffold_text()}),
    }
    refs = {}
    for name, content in sites.items():
        build(content, tmp_path / f"ref-{name}")
        refs[name] = digests(tmp_path / f"ref-{name}")
    assert set(refs["A"]) != set(refs["B"])
    out = tmp_path / "pub" / "site"
    zygote = subprocess.Popen([sys.executable, "-c", ZYGOTE, *map(str, sites.values())], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=tmp_path, text=True)

    def child(target: str, kill_at: int = 0, delay: float | None = None) -> dict:
        zygote.stdin.write(json.dumps({"content": str(sites[target]), "out": str(out), "kill_at": kill_at, "delay": delay}) + "\n")
        zygote.stdin.flush()
        return json.loads(zygote.stdout.readline())

    def state() -> str | None:
        found = digests(out)
        if found is None:
            return None
        for name, ref in refs.items():
            if found == ref:
                return name
        raise AssertionError(f"the output is neither site whole: {sorted(found)[:8]}")

    def leftovers() -> list[str]:
        return sorted(p.name for p in out.parent.iterdir() if p.name != "site") if out.parent.exists() else []

    try:
        # a complete run over an existing output counts its operations and finds the exchange
        build(sites["A"], out)
        t0 = time.monotonic()
        done = child("B")
        duration = time.monotonic() - t0  # only to spread the timed kills over a build's life
        assert done["status"] == 0 and state() == "B" and leftovers() == []
        ops = done["ops"]
        assert ops.count("exchange") == 1
        exch = ops.index("exchange") + 1  # 1-based, as kill_at: the kill comes before that operation

        shutil.rmtree(out.parent)
        outcomes = []
        saw_leftovers = False
        for seed in SEEDS:
            rng = random.Random(seed)
            exact = seed in AT_THE_EXCHANGE
            old = "A" if exact else state()  # the exchange was counted building B over A
            target = "B" if old == "A" else "A"
            if old is not None and (exact or rng.random() < 0.7):
                # the next build: it removes every leftover and writes the whole site
                saw_leftovers |= bool(leftovers())
                build(sites[old], out)
                assert state() == old and leftovers() == [], seed
            if exact:
                r = child(target, exch + AT_THE_EXCHANGE[seed])
                assert r["signal"] == signal.SIGKILL and state() == (old if AT_THE_EXCHANGE[seed] == 0 else target), seed
            elif seed % 4 == 0:
                child(target, delay=rng.uniform(0.0, duration))
            else:
                child(target, rng.randint(1, len(ops) + 2))
            now = state()
            assert now in (old, target), (seed, old, target, now)
            outcomes.append("new" if now == target else "old")
    finally:
        zygote.stdin.close()
        zygote.wait(timeout=60)
    assert {"old", "new"} <= set(outcomes)
    assert saw_leftovers  # some kills left trees behind, and a later build removed them
    final = state() or "A"
    build(sites[final], out)
    assert state() == final and leftovers() == []


@pytest.mark.parametrize("sub", ["templates", "assets"])
def test_the_theme_folders_site_yaml_names_are_protected(capsys, content, sub):
    """site.yaml ``theme_dir`` names the site's own templates/ and assets/: an --out there is refused
    once site.yaml is read, and nothing in them is touched."""
    theme = content.parent / "site-theme"
    write_text(theme / sub / "keep.txt", "the author's file\n")
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "theme_dir: ../site-theme\n", encoding="utf-8")
    before = snapshot(theme)
    err = refused(capsys, ["build", "--content", str(content), "--out", str(theme / sub / "out")])
    assert f"サイトのテーマの {sub}/ フォルダ" in err
    assert snapshot(theme) == before
