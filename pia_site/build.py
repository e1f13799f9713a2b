"""Build: the pipeline load -> validate -> link -> render -> write, stage order only."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import guard
from .diagnostics import Diagnostic, DiagnosticsError, has_errors
from .link import link_assessment, link_site
from .load import ContentSource, display_path, load_content
from .model import Site, SiteConfig
from .opendata import open_data
from .outdir import check_out_dir
from .progress import NULL_PROGRESS, STAGE_LOAD, STAGE_PAGES, STAGE_SEARCH, STAGE_VALIDATE, Progress
from .render import iter_pages, make_environment
from .search import build_search_index
from .symlinks import link_diagnostics
from .template_audit import audit_theme
from .theme import DEFAULT_ASSETS, DEFAULT_TEMPLATES, Theme
from .validate import validate_assessment, validate_municipality, validate_site
from .write import WriteReport, write_site

PACKAGE_DIR = Path(__file__).parent


@dataclass(frozen=True)
class BuildReport:
    diagnostics: tuple[Diagnostic, ...]
    written: WriteReport | None


def project_dir(content: Path) -> Path:
    """The folder that holds the content folder (the site's project)."""
    return content.resolve().parent


def theme_checks(config: SiteConfig | None) -> list[Diagnostic]:
    """The site's theme overrides (site.yaml ``theme_dir``): links leaving them (E013) and
    templates that switch autoescaping off (T001)."""
    if config is None:
        return []
    theme = Theme.for_config(config)
    return link_diagnostics(theme.override_roots) + audit_theme(theme)


def protected_dirs(content: Path) -> list[tuple[Path, str]]:
    """The folders an output folder must not be, hold or lie inside: what the author keeps and pia-site itself."""
    root = project_dir(content)
    return [(content, "コンテンツのフォルダ"), (root / "templates", "サイトのテンプレートのフォルダ"),
            (root / "assets", "サイトのアセットのフォルダ"), (DEFAULT_TEMPLATES, "pia-site の既定のテンプレートのフォルダ"),
            (DEFAULT_ASSETS, "pia-site の既定のアセットのフォルダ"), (PACKAGE_DIR, "pia-site 本体のフォルダ")]


def check_out(content: Path, out: Path, theme: Theme | None = None) -> Path:
    """The resolved output folder for a site in ``content``, or ``outdir.OutDirError``."""
    protected = protected_dirs(content)
    if theme is not None:  # the site's own templates/ and assets/ (site.yaml theme_dir)
        protected += [(root, f"サイトのテーマの {root.name}/ フォルダ（theme_dir）") for root in theme.override_roots]
    return check_out_dir(out, protected, anchors=(content, Path.cwd()))


def load_site(content: Path) -> tuple[Site | None, list[Diagnostic]]:
    site, diags, _, _ = _load(content)
    return site, diags


def _load(content: Path, progress: Progress = NULL_PROGRESS) -> tuple[Site | None, list[Diagnostic], ContentSource, SiteConfig | None]:
    progress.on_start(0, STAGE_LOAD)
    source, diags = load_content(content)
    progress.on_start(sum(len(ms.assessments) for ms in source.municipalities), STAGE_VALIDATE)
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
            progress.advance()
    site, d = link_site(config, municipalities, assessments)
    diags += d
    return (None if has_errors(diags) else site), diags, source, config


def _allow(config: SiteConfig | None, source: ContentSource) -> frozenset[str]:
    if config is not None:
        return guard.allowlist(config.personal_data_allow)
    return guard.allowlist(guard.allow_entries(source.site))  # site.yaml has errors: read the list as written


def check(content: Path, strict: bool = False, progress: Progress = NULL_PROGRESS) -> list[Diagnostic]:
    """Everything build would report before rendering, personal-data findings in the YAML included."""
    _, diags, source, config = _load(content, progress)
    return diags + guard.source_diagnostics(guard.scan_source(source, _allow(config, source)))


def build(content: Path, out: Path, strict: bool = False, progress: Progress = NULL_PROGRESS) -> BuildReport:
    """Raises ``outdir.OutDirError`` (before reading anything) for an output folder pia-site must not write.
    ``progress`` hears of the stages and of each assessment and page done (``progress.py``)."""
    check_out(content, out)
    site, diags, source, config = _load(content, progress)
    theme = Theme.for_config(config)
    check_out(content, out, theme)  # again: site.yaml may name a theme folder
    allow = _allow(config, source)
    found = guard.scan_source(source, allow)
    everything = diags + guard.source_diagnostics(found)
    if site is None or has_errors(everything) or (strict and everything):
        raise DiagnosticsError(everything)
    assets = theme.asset_files()
    progress.on_start(0, STAGE_SEARCH)
    extra = {**build_search_index(site), **open_data(site)}  # search index, data/ (open data)
    scanner = guard.OutputScanner(allow)
    for path in sorted(extra):
        scanner.file(path, extra[path])
    _scan_assets(assets, scanner)
    report = list(everything)

    def verdict() -> None:
        """Runs after the last page is rendered and before write_site swaps the new tree in:
        raising here leaves the previous output untouched."""
        report[:] = diags + guard.merged_diagnostics(found, scanner.findings, display_path(out),
                                                     lambda value: guard.holders(source, value))
        if has_errors(report) or (strict and report):
            raise DiagnosticsError(report)

    # pages are rendered as they are written: memory does not grow with the number of pages
    progress.on_start(0, STAGE_PAGES)
    pages = _scanned(iter_pages(site, make_environment(theme)), scanner, verdict, progress)
    written = write_site(pages, out, assets, extra=extra)
    return BuildReport(tuple(report), written)


def _scanned(pages, scanner: "guard.OutputScanner", done, progress: Progress = NULL_PROGRESS):
    """Pass pages through while the personal-data guard reads them; ``done`` when all have passed."""
    for path, html in pages:
        scanner.page(path, html)
        yield path, html
        progress.advance()
    done()


def _scan_assets(assets: dict[str, Path], scanner: "guard.OutputScanner") -> None:
    for path, source in assets.items():
        scanner.file(path, source.read_bytes())
