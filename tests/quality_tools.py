"""The quality gates' tools, installed on first use into .pia-cache/ (git-ignored): axe-core and
the Nu Html Checker (npm ``vnu-jar``, run with Java), and the folder the browser tests keep their
screenshots and PDFs in (test-artefacts/, git-ignored)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NPM_PREFIX = REPO / ".pia-cache" / "npm"
NPM_PACKAGES = {"axe-core": "^4.10.0", "vnu-jar": ">=24.10.17"}
ARTEFACTS = REPO / "test-artefacts"


def npm_tools() -> Path:
    """node_modules with axe-core and vnu-jar, installed with npm when missing."""
    modules = NPM_PREFIX / "node_modules"
    wanted = [modules / "axe-core" / "axe.min.js", modules / "vnu-jar" / "build" / "dist" / "vnu.jar"]
    if all(p.exists() for p in wanted):
        return modules
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to install axe-core and vnu-jar for the quality gates (Debian: apt-get install npm)")
    NPM_PREFIX.mkdir(parents=True, exist_ok=True)
    # the vnu-jar package ships vnu.jar itself; its install script (a Java downloader) is not needed
    subprocess.run([npm, "install", "--prefix", str(NPM_PREFIX), "--no-audit", "--no-fund", "--ignore-scripts",
                    *(f"{name}@{version}" for name, version in NPM_PACKAGES.items())],
                   check=True, stdout=subprocess.DEVNULL, env={**os.environ, "npm_config_update_notifier": "false"})
    missing = [str(p) for p in wanted if not p.exists()]
    if missing:
        raise RuntimeError(f"npm install did not provide {missing}")
    return modules


def java() -> str:
    found = shutil.which("java") or ("/usr/bin/java" if Path("/usr/bin/java").exists() else None)
    if found is None:
        raise RuntimeError("Java is needed to run the Nu Html Checker (Debian: apt-get install default-jre-headless)")
    return found


WRITTEN: list[Path] = []  # artefact folders written to in this test session (conftest prints them)


def artefacts_dir() -> Path:
    ARTEFACTS.mkdir(exist_ok=True)
    if ARTEFACTS not in WRITTEN:
        WRITTEN.append(ARTEFACTS)
    return ARTEFACTS
