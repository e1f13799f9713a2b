"""Build: the pipeline load -> validate -> link -> render -> write, stage order only."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, DiagnosticsError, has_errors
from .link import link_assessment, link_site
from .load import load_content
from .model import Site
from .outdir import check_out_dir
from .render import DEFAULT_TEMPLATES, iter_pages, make_environment
from .search import build_search_index
from .symlinks import link_diagnostics
from .validate import validate_assessment, validate_municipality, validate_site
from .write import PACKAGE_ASSETS, WriteReport, write_site

PACKAGE_DIR = Path(__file__).parent


@dataclass(frozen=True)
class BuildReport:
    diagnostics: tuple[Diagnostic, ...]
    written: WriteReport | None


def project_dir(content: Path) -> Path:
    """Site overrides (templates/, assets/) live beside the content directory."""
    return content.resolve().parent


def theme_roots(content: Path) -> list[Path]:
    """The site's own template and asset folders (overrides of the package's)."""
    root = project_dir(content)
    return [root / "templates", root / "assets"]


def protected_dirs(content: Path) -> list[tuple[Path, str]]:
    """The folders an output folder must not be, hold or lie inside: what the author keeps and pia-site itself."""
    root = project_dir(content)
    return [(content, "コンテンツのフォルダ"), (root / "templates", "サイトのテンプレートのフォルダ"),
            (root / "assets", "サイトのアセットのフォルダ"), (DEFAULT_TEMPLATES, "pia-site の既定のテンプレートのフォルダ"),
            (PACKAGE_ASSETS, "pia-site の既定のアセットのフォルダ"), (PACKAGE_DIR, "pia-site 本体のフォルダ")]


def check_out(content: Path, out: Path) -> Path:
    """The resolved output folder for a site in ``content``, or ``outdir.OutDirError``."""
    return check_out_dir(out, protected_dirs(content), anchors=(content, Path.cwd()))


def load_site(content: Path) -> tuple[Site | None, list[Diagnostic]]:
    source, diags = load_content(content)
    config, d = validate_site(source.site)
    diags += d
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
    return (None if has_errors(diags) else site), diags


def check(content: Path, strict: bool = False) -> list[Diagnostic]:
    _, diags = load_site(content)
    return diags + link_diagnostics(theme_roots(content))


def build(content: Path, out: Path, strict: bool = False) -> BuildReport:
    """Raises ``outdir.OutDirError`` (before reading anything) for an output folder pia-site must not write."""
    check_out(content, out)
    site, diags = load_site(content)
    diags += link_diagnostics(theme_roots(content))
    if site is None or has_errors(diags) or (strict and diags):
        raise DiagnosticsError(diags)
    templates, assets = theme_roots(content)
    extra = build_search_index(site)
    # pages are rendered as they are written: memory does not grow with the number of pages
    written = write_site(iter_pages(site, make_environment(templates)), out, assets, extra=extra)
    return BuildReport(tuple(diags), written)
