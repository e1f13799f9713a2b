"""Render: site views -> {output path: html}.  One Jinja environment, autoescape
on, StrictUndefined, loading from the theme's template roots (``theme.Theme``: the site's
overrides first, then the default templates).

Each page is described by a ``PageSpec`` naming the inputs it depends on, so an
incremental builder can re-render exactly the pages an edit affects.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, meta, nodes
from jinja2.loaders import split_template_path

from . import urls
from .catalog import form_names
from .compare import compare_pages, compare_record, page_context, tally
from .compare.fingerprint import COMPARE_FORMS, compare_key
from .theme import Theme
from .symlinks import leaves
from .model import Assessment, Municipality, Site
from .partner import partner_keys
from .views.assessment import assessment_view
from .views.listing import index_view, municipality_view
from .views.memo import IdentityMemo
from .views.state import state_labels
from .views.changes import changes_page, feed_context, newest_changes
from .views.findability import page_url, sitemap_context
from .opendata.page import data_page_view

# input keys a page may depend on
SITE = "site"            # site.yaml
CATALOG = "catalog"      # the form catalog files


def municipality_key(slug: str) -> str:
    return f"municipality:{slug}"


def assessment_key(municipality: str, slug: str) -> str:
    return f"assessment:{municipality}/{slug}"


def listing_key(municipality: str) -> str:
    """The listing data of one municipality: its record and its assessments' titles, numbers, dates."""
    return f"listing:{municipality}"


def template_key(name: str) -> str:
    return f"template:{name}"


class _ContainedLoader(FileSystemLoader):
    """A folder's templates; a template that is a link leaving the folder is never read
    (``build`` and ``check`` report it as E013 first)."""

    def get_source(self, environment, template):
        root = Path(self.searchpath[0])
        candidate = root.joinpath(*split_template_path(template))
        if (candidate.exists() or candidate.is_symlink()) and leaves(candidate, root):
            raise TemplateNotFound(template)
        return super().get_source(environment, template)


def asset_key(name: str) -> str:
    """The bytes of the asset written as ``assets/<name>`` (a page that names its integrity)."""
    return f"asset:{name}"


INTEGRITY = "integrity"  # the template function: {{ integrity('search.js') }} -> "sha384-…"


def make_environment(theme: Theme | None = None) -> Environment:
    theme = theme or Theme()
    loaders = [_ContainedLoader(str(root)) for root in theme.template_roots]
    env = Environment(loader=ChoiceLoader(loaders), autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    # the Subresource Integrity of an asset as written (the site's override included)
    env.globals[INTEGRITY] = theme.integrity
    env.globals["page_url"] = page_url  # {{ page_url(site.base_url, page) }}: canonical / OGP URL
    return env


def asset_fingerprint(env: Environment, name: str) -> str:
    """What ``asset_key(name)`` stands for: the asset's integrity ("" when it is missing)."""
    try:
        return env.globals[INTEGRITY](name)
    except FileNotFoundError:
        return ""


def template_closure(env: Environment, name: str) -> frozenset[str]:
    """The template and every template it extends, includes or imports."""
    return _references(env, name)[0]


def _references(env: Environment, name: str) -> tuple[frozenset[str], frozenset[str]]:
    """(the template and every template it extends, includes or imports; the assets whose
    integrity they ask for, as ``integrity('<literal name>')``)."""
    seen: set[str] = set()
    assets: set[str] = set()
    todo = [name]
    while todo:
        t = todo.pop()
        if t in seen:
            continue
        seen.add(t)
        ast = env.parse(env.loader.get_source(env, t)[0])
        todo.extend(r for r in meta.find_referenced_templates(ast) if r)
        for call in ast.find_all(nodes.Call):
            if isinstance(call.node, nodes.Name) and call.node.name == INTEGRITY:
                args = call.args
                if len(args) == 1 and isinstance(args[0], nodes.Const) and isinstance(args[0].value, str):
                    assets.add(args[0].value)
                else:  # the page could not be re-rendered when the asset changes
                    raise ValueError(f"{t}: {INTEGRITY}() takes one literal asset name, e.g. {INTEGRITY}('search.js')")
    return frozenset(seen), frozenset(assets)


@dataclass(frozen=True)
class PageSpec:
    path: str
    template: str
    deps: frozenset[str]
    context: Callable[[], dict]


def _root(page: str) -> str:
    return "../" * page.count("/")


def template_deps(env: Environment) -> Callable[[str], frozenset[str]]:
    """The input keys of a template (it and every template it extends, includes or imports),
    remembered per name: an environment's templates change only with a new environment."""
    def deps(name: str) -> frozenset[str]:
        templates, assets = _references(env, name)
        return frozenset(template_key(t) for t in templates) | frozenset(asset_key(a) for a in assets)

    return lru_cache(maxsize=None)(deps)


def site_page_specs(site: Site, closure: Callable[[str], frozenset[str]], memo: IdentityMemo | None = None,
                    compare: Sequence[PageSpec] = ()) -> list[PageSpec]:
    """The site-wide pages: top page, search page, about page, 更新履歴 and the site feed (and, with
    ``base_url``, the sitemap, which lists the ``compare`` pages too).  ``memo`` keeps
    each assessment's revisions between renders (see ``memo``): pass the same one to every
    render of a site and its later versions."""
    memo = IdentityMemo() if memo is None else memo
    base = frozenset({SITE})
    every_listing = frozenset(listing_key(m.slug) for m in site.municipalities)
    specs = [
        PageSpec(urls.site_index(), "index.html", base | closure("index.html") | every_listing,
                 lambda: {"groups": index_view(site)}),
        # the catalog too: the form facet lists its forms
        PageSpec(urls.search_page(), "search.html", base | closure("search.html") | every_listing | {CATALOG},
                 lambda: {"groups": index_view(site), "forms": form_names(), "states": state_labels()}),
        PageSpec(urls.about_page(), "about.html", base | closure("about.html"), dict),
        PageSpec(urls.site_changes_page(), "site_changes.html", base | closure("site_changes.html") | every_listing,
                 lambda: _site_changes_context(site, memo)),
        PageSpec(urls.site_feed(), "feed.xml", base | closure("feed.xml") | every_listing,
                 lambda: feed_context(site, urls.site_feed(), memo=memo)),
        PageSpec(urls.data_page(), "data.html", base | closure("data.html") | every_listing | {CATALOG},
                 lambda: {"view": data_page_view(site)}),
    ]
    if site.config.base_url:  # a sitemap lists absolute URLs only (views/findability.py)
        own = [s.path for s in specs]
        compared = [s.path for s in compare]
        listed = frozenset().union(*(s.deps for s in compare))  # the compare pages that exist follow their answers
        specs.append(PageSpec(urls.sitemap(), "sitemap.xml", base | closure("sitemap.xml") | every_listing | listed,
                              lambda: sitemap_context(site.config, _every_path(site, closure, own) + compared)))
    return specs


def _every_path(site: Site, closure: Callable[[str], frozenset[str]], site_paths: list[str]) -> list[str]:
    """The path of every page, in ``page_specs`` order."""
    return (site_paths + [s.path for m in site.municipalities for s in municipality_page_specs(site, m, closure)]
            + [s.path for a in site.assessments for s in assessment_page_specs(site, a, closure)])


def municipality_page_specs(site: Site, m: Municipality, closure: Callable[[str], frozenset[str]],
                            memo: IdentityMemo | None = None) -> list[PageSpec]:
    """A municipality's listing page and feed."""
    base = frozenset({SITE, listing_key(m.slug)})
    return [
        PageSpec(urls.municipality_page(m.slug), "municipality.html", base | closure("municipality.html"),
                 lambda: {"view": municipality_view(site, m)}),
        PageSpec(urls.municipality_feed(m.slug), "feed.xml", base | closure("feed.xml"),
                 lambda: feed_context(site, urls.municipality_feed(m.slug), m, memo)),
    ]


def assessment_page_specs(site: Site, a: Assessment, closure: Callable[[str], frozenset[str]]) -> list[PageSpec]:
    """An assessment's page and, if it has a 変更箇所, its changes page."""
    base = frozenset({SITE, municipality_key(a.municipality), assessment_key(a.municipality, a.slug)})
    partners = frozenset(assessment_key(m, s) for m, s in partner_keys(site.assessments, a))  # 基礎 links both ways
    specs = [PageSpec(urls.assessment_page(a.municipality, a.slug), "assessment.html", base | partners | closure("assessment.html") | {CATALOG},
                      lambda: {"view": assessment_view(site, a)})]
    if a.changes:
        # the catalog too: its rows name the items they changed by their printed labels
        specs.append(PageSpec(urls.assessment_changes_page(a.municipality, a.slug), "changes.html", base | closure("changes.html") | {CATALOG},
                              lambda: {"view": changes_page(site, a)}))
    return specs


SITE_CHANGES_SHOWN = 500  # revisions on the site-wide 更新履歴 page (each assessment's 変更箇所 page has all of its own)


def _site_changes_context(site: Site, memo: IdentityMemo) -> dict:
    found = newest_changes(site, SITE_CHANGES_SHOWN, memo=memo)
    return {"changes": found.changes, "total": found.total}


def compare_page_specs(records, closure: Callable[[str], frozenset[str]], answers=None) -> list[PageSpec]:
    """The compare pages (他団体の記載と比べる, ``compare``) from the assessments' ``CompareRecord``s:
    each depends on the ``compare:`` keys of what it prints (``compare.fingerprint``) and, for a
    prefecture's list of answers, on the listings of the bodies it names; never on an
    assessment's whole source.  ``answers``: as for ``compare.tally``."""
    tallies = tally(records, answers)
    specs = []
    for page in compare_pages(tallies):
        deps = frozenset({SITE, CATALOG}) | closure(page.template)
        if page.item < 0:
            deps |= {COMPARE_FORMS}
        else:
            item = next(t for t in tallies if t.kind == page.kind).table.items[page.item].id
            deps |= {compare_key(page.kind, item, page.prefecture)}
            deps |= frozenset(listing_key(m) for m in page.municipalities)
        specs.append(PageSpec(page.path, page.template, deps, lambda page=page: page_context(tallies, page)))
    return specs


def site_compare_records(site: Site) -> list:
    """Every assessment's ``CompareRecord`` (what the build's workers return, made here from the site)."""
    by_slug = {m.slug: m for m in site.municipalities}
    return [compare_record(a, by_slug[a.municipality]) for a in site.assessments]


def page_specs(site: Site, env: Environment) -> list[PageSpec]:
    """Every page of the site with the inputs it depends on."""
    closure = template_deps(env)
    memo = IdentityMemo()  # one build: the site pages and feeds share each assessment's revisions
    compare = compare_page_specs(site_compare_records(site), closure)
    specs = site_page_specs(site, closure, memo, compare)
    for m in site.municipalities:
        specs += municipality_page_specs(site, m, closure, memo)
    for a in site.assessments:
        specs += assessment_page_specs(site, a, closure)
    return specs + compare


def render_page(site: Site, env: Environment, spec: PageSpec) -> str:
    return render_with(site, env, spec, spec.context())


def render_with(site: Site, env: Environment, spec: PageSpec, context: dict) -> str:
    """A page from a context already made by ``spec.context()`` (whose views a caller reuses)."""
    return env.get_template(spec.template).render(site=site.config, root=_root(spec.path), page=spec.path, **context)


def render_site(site: Site, env: Environment, only: set[str] | None = None) -> dict[str, str]:
    """Pages keyed by output path (POSIX, relative); ``only`` restricts to those paths."""
    out: dict[str, str] = {}
    for spec in page_specs(site, env):  # no two specs share a path: link.link_site sees to that (L002)
        if only is None or spec.path in only:
            out[spec.path] = render_page(site, env, spec)
    return out


def iter_pages(site: Site, env: Environment):
    """``(path, html)`` of every page, rendered one at a time as they are asked for
    (``write.write_site`` refuses a path twice)."""
    for spec in page_specs(site, env):
        yield spec.path, render_page(site, env, spec)
