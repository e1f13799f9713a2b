"""What CI installs is what is tested: the wheel built from the tracked files ships every file
of the default theme (top-level templates/ and assets/) and every module, setuptools leaves the
site's build/ folder alone, and the wheel installed (not editable) in a fresh virtual
environment runs the commands of docs/github-pages.yml."""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from support import REPO

WORKFLOW = REPO / "docs" / "github-pages.yml"
SKIPPED_DIRS = {".git", ".venv", "build", "__pycache__", ".pia-cache", ".pytest_cache", "node_modules"}


def tracked_files() -> list[str]:
    """The repository's files (POSIX, relative): ``git ls-files``, or without git the file tree
    minus what .gitignore leaves out (virtual environment, caches, build output)."""
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
        files = [f for f in out.decode("utf-8").split("\0") if f]
        if files:
            return [f for f in files if (REPO / f).is_file()]
    except (OSError, subprocess.CalledProcessError):
        pass
    found = []
    for root, dirs, names in os.walk(REPO):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.endswith(".egg-info")]
        found += [Path(root, n).relative_to(REPO).as_posix() for n in names if not n.endswith((".pyc", ".pyo"))]
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """(the wheel, the source copy it was built from)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    for rel in tracked_files():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, src / rel)
    # no build isolation: setuptools comes from the test extras, so this needs no network
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
                        "--no-build-isolation", "-w", str(tmp / "dist"), str(src)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    wheels = list((tmp / "dist").glob("pia_site-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0], src


def test_the_wheel_ships_every_file_of_the_default_theme(built):
    wheel, _ = built
    names = set(zipfile.ZipFile(wheel).namelist())
    theme = sorted(f for f in tracked_files() if f.startswith(("templates/", "assets/")))
    assert "templates/feed.xml" in theme and "templates/partials/footer.html" in theme and "assets/search.js" in theme
    shipped = sorted(n[len("pia_site/"):] for n in names if n.startswith(("pia_site/templates/", "pia_site/assets/")))
    assert shipped == theme


def test_the_wheel_ships_every_module_and_catalog_file(built):
    wheel, _ = built
    names = set(zipfile.ZipFile(wheel).namelist())
    package = [f for f in tracked_files() if f.startswith("pia_site/") and f.endswith((".py", ".yaml"))]
    assert "pia_site/theme.py" in package and "pia_site/catalog/families.yaml" in package
    assert [f for f in package if f not in names] == []


def test_building_the_wheel_leaves_the_build_folder_alone(built):
    """setuptools' scratch files stay out of build/, pia-site's default output folder."""
    _, src = built
    assert not (src / "build").exists()


def _fresh_venv(where: Path) -> Path:
    """A virtual environment without pip that sees this one's dependencies (not its pia_site:
    an editable install is reached through a finder that a plain path entry does not load)."""
    venv.create(where, with_pip=False, symlinks=os.name != "nt")
    python = where / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "_pia_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return python


def test_the_installed_wheel_runs_the_workflow_commands(built, tmp_path):
    wheel, _ = built
    python = _fresh_venv(tmp_path / "venv")
    r = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                        "--no-index", "--disable-pip-version-check", str(wheel)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    found = subprocess.run([str(python), "-c", "import pia_site.theme as t; print(t.DEFAULT_TEMPLATES)"],
                           cwd=site, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(found).is_relative_to(tmp_path / "venv")  # the wheel's copy, not this checkout's
    import yaml

    steps = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["build"]["steps"]
    commands = [shlex.split(s["run"]) for s in steps if s.get("run", "").startswith("pia-site ")]
    assert [c[1] for c in commands] == ["check", "build"]
    bindir = python.parent
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("PYTHONPATH", None)
    for argv in commands:
        r = subprocess.run([str(bindir / argv[0]), *argv[1:]], cwd=site, capture_output=True, text=True, env=env, timeout=600)
        assert r.returncode == 0, f"{' '.join(argv)} failed:\n{r.stdout}\n{r.stderr}"
    out = site / "build"
    assert (out / "feed.xml").is_file() and (out / "koshigaya" / "feed.xml").is_file()
    assert (out / "koshigaya" / "keijidosha-fuka" / "index.html").is_file() and (out / "assets" / "search.js").is_file()
