"""Render: site views -> {output path: html}.  One Jinja environment, autoescape
on, StrictUndefined; a site's own ``templates/`` overrides any default template."""
from __future__ import annotations

from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from . import urls
from .model import Site
from .views import assessment_view, index_view, municipality_view

DEFAULT_TEMPLATES = Path(__file__).parent / "templates"


def make_environment(site_templates: Path | None = None) -> Environment:
    loaders = []
    if site_templates is not None and site_templates.is_dir():
        loaders.append(FileSystemLoader(str(site_templates)))
    loaders.append(FileSystemLoader(str(DEFAULT_TEMPLATES)))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    return env


def _root(page: str) -> str:
    depth = page.count("/")
    return "../" * depth


def render_site(site: Site, env: Environment) -> dict[str, str]:
    """Every page of the site, keyed by its output path (POSIX, relative)."""
    out: dict[str, str] = {}

    def page(path: str, template: str, **ctx) -> None:
        if path in out:
            raise ValueError(f"two pages render to {path}")
        out[path] = env.get_template(template).render(site=site.config, root=_root(path), page=path, **ctx)

    page(urls.site_index(), "index.html", groups=index_view(site))
    for m in site.municipalities:
        page(urls.municipality_page(m.slug), "municipality.html", view=municipality_view(site, m))
    for a in site.assessments:
        page(urls.assessment_page(a.municipality, a.slug), "assessment.html", view=assessment_view(site, a))
    return out
