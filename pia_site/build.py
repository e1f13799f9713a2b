"""Build: the pipeline load -> validate -> link -> render -> write, stage order only."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, has_errors
from .link import link_assessment, link_site
from .load import ContentSource, load_content
from .model import Site, SiteConfig
from .outdir import check_out_dir
from .pipeline import run_build, run_check
from .progress import NULL_PROGRESS, Progress
from .pipeline.run import Inputs, theme_checks  # noqa: F401 - re-exported
from .theme import DEFAULT_ASSETS, DEFAULT_TEMPLATES, Theme
from .validate import validate_assessment, validate_municipality, validate_site
from .write import WriteReport

PACKAGE_DIR = Path(__file__).parent


@dataclass(frozen=True)
class BuildReport:
    diagnostics: tuple[Diagnostic, ...]
    written: WriteReport | None
    inputs: Inputs | None = None  # what the output was made from (``serve`` takes it over with them)


def project_dir(content: Path) -> Path:
    """The folder that holds the content folder (the site's project)."""
    return content.resolve().parent


def protected_dirs(content: Path) -> list[tuple[Path, str]]:
    """The folders an output folder must not be, hold or lie inside: what the author keeps and pia-site itself."""
    root = project_dir(content)
    return [(content, "コンテンツのフォルダ"), (root / "templates", "サイトのテンプレートのフォルダ"),
            (root / "assets", "サイトのアセットのフォルダ"), (DEFAULT_TEMPLATES, "pia-site の既定のテンプレートのフォルダ"),
            (DEFAULT_ASSETS, "pia-site の既定のアセットのフォルダ"), (PACKAGE_DIR, "pia-site 本体のフォルダ"),
            (cache_dir(content), "ビルドのキャッシュのフォルダ（.pia-cache/build）")]


def check_out(content: Path, out: Path, theme: Theme | None = None) -> Path:
    """The resolved output folder for a site in ``content``, or ``outdir.OutDirError``."""
    protected = protected_dirs(content)
    if theme is not None:  # the site's own templates/ and assets/ (site.yaml theme_dir)
        protected += [(root, f"サイトのテーマの {root.name}/ フォルダ（theme_dir）") for root in theme.override_roots]
    return check_out_dir(out, protected, anchors=(content, Path.cwd()))


def load_site(content: Path) -> tuple[Site | None, list[Diagnostic]]:
    site, diags, _, _ = _load(content)
    return site, diags


def _load(content: Path) -> tuple[Site | None, list[Diagnostic], ContentSource, SiteConfig | None]:
    source, diags = load_content(content)
    config, d = validate_site(source.site)
    diags += d
    diags += theme_checks(config)
    municipalities, assessments = [], []
    for ms in source.municipalities:
        if ms.municipality is not None:
            m, d = validate_municipality(ms.municipality, ms.slug)
            diags += d
            if m is not None:
                municipalities.append(m)
        for doc in ms.assessments:
            a, d = validate_assessment(doc, ms.slug)
            diags += d
            if a is not None:
                a, d = link_assessment(a)
                diags += d
                assessments.append(a)
    site, d = link_site(config, municipalities, assessments)
    diags += d
    return (None if has_errors(diags) else site), diags, source, config


def cache_dir(content: Path) -> Path:
    """Where builds keep what they can reuse: ``.pia-cache/build`` in the site's project."""
    return project_dir(content) / ".pia-cache" / "build"


def check(content: Path, strict: bool = False, jobs: int = 1, progress: Progress = NULL_PROGRESS) -> list[Diagnostic]:
    """Everything build would report before rendering, personal-data findings in the YAML included."""
    return run_check(content, jobs, progress)


def build(content: Path, out: Path, strict: bool = False, jobs: int = 1, cache: Path | None | bool = False,
          progress: Progress = NULL_PROGRESS) -> BuildReport:
    """Raises ``outdir.OutDirError`` (before reading anything) for an output folder pia-site must not write.
    ``jobs``: processes (1: this one).  ``cache``: a cache folder, True for ``cache_dir(content)``,
    False for none.  ``progress`` hears of the stages and of each assessment done (``progress.py``)."""
    check_out(content, out)
    where = cache_dir(content) if cache is True else (cache or None)
    result = run_build(content, out, strict=strict, jobs=jobs, cache_dir=where,
                       check_out=lambda theme: check_out(content, out, theme), progress=progress)
    return BuildReport(result.diagnostics, result.written, result.inputs)
