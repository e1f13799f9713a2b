"""Build: the pipeline load -> validate -> model -> render -> write, stage order only."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, DiagnosticsError, has_errors
from .link import link_assessment
from .load import load_content
from .model import Site
from .render import iter_pages, make_environment
from .search import build_search_index
from .template_audit import audit_theme
from .theme import Theme
from .validate import validate_assessment, validate_municipality, validate_site
from .write import WriteReport, write_site


@dataclass(frozen=True)
class BuildReport:
    diagnostics: tuple[Diagnostic, ...]
    written: WriteReport | None


def project_dir(content: Path) -> Path:
    """The folder that holds the content folder (the site's project)."""
    return content.resolve().parent


def load_site(content: Path) -> tuple[Site | None, list[Diagnostic]]:
    source, diags = load_content(content)
    config, d = validate_site(source.site)
    diags += d
    if config is not None:
        diags += audit_theme(Theme.for_config(config))  # the site's template overrides
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
    if has_errors(diags) or config is None:
        return None, diags
    return Site(config, tuple(municipalities), tuple(assessments)), diags


def check(content: Path, strict: bool = False) -> list[Diagnostic]:
    _, diags = load_site(content)
    return diags


def build(content: Path, out: Path, strict: bool = False) -> BuildReport:
    site, diags = load_site(content)
    if site is None or (strict and diags):
        raise DiagnosticsError(diags)
    theme = Theme.for_config(site.config)
    extra = build_search_index(site)
    # pages are rendered as they are written: memory does not grow with the number of pages
    written = write_site(iter_pages(site, make_environment(theme)), out, theme.asset_files(), extra=extra)
    return BuildReport(tuple(diags), written)
