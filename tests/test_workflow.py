"""The example GitHub Pages workflow in docs/: well-formed, and its pia-site commands
succeed when run locally on content/ exactly as the workflow runs them."""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from pia_site.build import cache_dir
from support import REPO

WORKFLOW = REPO / "docs" / "github-pages.yml"


def load() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(data: dict, job: str) -> list[dict]:
    return data["jobs"][job]["steps"]


def test_workflow_shape():
    data = load()
    assert {"push", "pull_request"} <= set(data["on"])
    build = steps(data, "build")
    uses = [s.get("uses", "") for s in build]
    assert any(u.startswith("actions/checkout@") for u in uses)
    assert any(u.startswith("actions/setup-python@") for u in uses)
    runs = [s["run"] for s in build if "run" in s]
    check = [r for r in runs if r.startswith("pia-site check")]
    assert check and "--format github" in check[0]
    assert runs.index(check[0]) < next(i for i, r in enumerate(runs) if r.startswith("pia-site build"))
    # the build cache is restored before the build, from where pia-site keeps it for --content
    cache = next(i for i, s in enumerate(build) if s.get("uses", "").startswith("actions/cache@"))
    build_step = next(i for i, s in enumerate(build) if s.get("run", "").startswith("pia-site build"))
    content = Path(shlex.split(build[build_step]["run"])[shlex.split(build[build_step]["run"]).index("--content") + 1])
    project = Path("/project")  # the folder the workflow runs in
    assert cache < build_step and Path(build[cache]["with"]["path"]) == cache_dir(project / content).relative_to(project)
    upload = next(s for s in build if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    out = shlex.split(next(r for r in runs if r.startswith("pia-site build")))
    assert upload["with"]["path"] == out[out.index("--out") + 1]
    deploy = data["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in deploy["steps"])
    assert "pull_request" in deploy["if"] and "refs/heads/main" in deploy["if"]


def test_the_workflow_commands_succeed_locally(tmp_path):
    shutil.copytree(REPO / "content", tmp_path / "content")
    commands = [shlex.split(s["run"]) for s in steps(load(), "build") if s.get("run", "").startswith("pia-site ")]
    assert len(commands) == 2
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for argv in commands:
        r = subprocess.run([sys.executable, "-m", "pia_site", *argv[1:]], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=600)
        assert r.returncode == 0, f"{' '.join(argv)} failed:\n{r.stdout}\n{r.stderr}"
        if argv[1] == "check":
            lines = [ln for ln in r.stdout.splitlines() if ln]
            assert all(ln.startswith(("::warning ", "::error ")) for ln in lines), lines[:3]
            assert not [ln for ln in lines if ln.startswith("::error ")]
    out = tmp_path / "build"
    assert (out / "index.html").is_file() and (out / "koshigaya" / "keijidosha-fuka" / "index.html").is_file()
    assert any((tmp_path / ".pia-cache" / "build" / "entries").rglob("*"))  # what the cache step keeps
