"""Build: the pipeline load -> validate -> model -> render -> write, stage order only."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import guard
from .diagnostics import Diagnostic, DiagnosticsError, has_errors
from .link import link_assessment
from .load import ContentSource, display_path, load_content
from .model import Site, SiteConfig
from .render import iter_pages, make_environment
from .search import build_search_index
from .validate import validate_assessment, validate_municipality, validate_site
from .write import WriteReport, write_site


@dataclass(frozen=True)
class BuildReport:
    diagnostics: tuple[Diagnostic, ...]
    written: WriteReport | None


def project_dir(content: Path) -> Path:
    """Site overrides (templates/, assets/) live beside the content directory."""
    return content.resolve().parent


def load_site(content: Path) -> tuple[Site | None, list[Diagnostic]]:
    site, diags, _, _ = _load(content)
    return site, diags


def _load(content: Path) -> tuple[Site | None, list[Diagnostic], ContentSource, SiteConfig | None]:
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
    if has_errors(diags) or config is None:
        return None, diags, source, config
    return Site(config, tuple(municipalities), tuple(assessments)), diags, source, config


def _allow(config: SiteConfig | None, source: ContentSource) -> frozenset[str]:
    if config is not None:
        return guard.allowlist(config.personal_data_allow)
    return guard.allowlist(guard.allow_entries(source.site))  # site.yaml has errors: read the list as written


def check(content: Path, strict: bool = False) -> list[Diagnostic]:
    """Everything build would report before rendering, personal-data findings in the YAML included."""
    _, diags, source, config = _load(content)
    return diags + guard.source_diagnostics(guard.scan_source(source, _allow(config, source)))


def build(content: Path, out: Path, strict: bool = False) -> BuildReport:
    site, diags, source, config = _load(content)
    allow = _allow(config, source)
    found = guard.scan_source(source, allow)
    everything = diags + guard.source_diagnostics(found)
    if site is None or has_errors(everything) or (strict and everything):
        raise DiagnosticsError(everything)
    root = project_dir(content)
    extra = build_search_index(site)
    scanner = guard.OutputScanner(allow)
    for path in sorted(extra):
        scanner.file(path, extra[path])
    _scan_site_assets(root / "assets", scanner)
    report = list(everything)

    def verdict() -> None:
        """Runs after the last page is rendered and before write_site swaps the new tree in:
        raising here leaves the previous output untouched."""
        report[:] = diags + guard.merged_diagnostics(found, scanner.findings, display_path(out),
                                                     lambda value: guard.holders(source, value))
        if has_errors(report) or (strict and report):
            raise DiagnosticsError(report)

    # pages are rendered as they are written: memory does not grow with the number of pages
    pages = _scanned(iter_pages(site, make_environment(root / "templates")), scanner, verdict)
    written = write_site(pages, out, root / "assets", extra=extra)
    return BuildReport(tuple(report), written)


def _scanned(pages, scanner: "guard.OutputScanner", done):
    """Pass pages through while the personal-data guard reads them; ``done`` when all have passed."""
    for path, html in pages:
        scanner.page(path, html)
        yield path, html
    done()


def _scan_site_assets(folder: Path, scanner: "guard.OutputScanner") -> None:
    if not folder.is_dir():
        return
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.name.startswith("."):
            scanner.file("assets/" + p.relative_to(folder).as_posix(), p.read_bytes())
