"""Listing views: the site index (municipalities by prefecture) and a municipality's list of
assessments, each entry an ``AssessmentLink``."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from .. import urls
from ..filters import wareki
from ..model import Assessment, Municipality, Site
from .state import StateView, state_view


@dataclass(frozen=True)
class AssessmentLink:
    href: str
    title: str
    form_name: str
    number: str
    published: str
    published_iso: str
    assessor: str
    state: StateView


@dataclass(frozen=True)
class MunicipalityView:
    municipality: Municipality
    assessments: tuple[AssessmentLink, ...]


def assessment_link(site: Site, a: Assessment, from_page: str) -> AssessmentLink:
    pub = a.published
    return AssessmentLink(urls.relative(from_page, urls.assessment_page(a.municipality, a.slug)), a.title, a.form.name,
                          a.cover("number") or "", wareki(pub, site.config.gannen, site.config.seireki) if pub else "",
                          pub.iso if pub else "", a.cover("assessor") or "", state_view(site.config, a, from_page))


def municipality_view(site: Site, m: Municipality) -> MunicipalityView:
    page = urls.municipality_page(m.slug)
    items = sorted(site.assessments_of(m.slug), key=lambda a: (_num(a.cover("number")), a.slug))
    return MunicipalityView(m, tuple(assessment_link(site, a, page) for a in items))


def _num(v: Any) -> tuple[int, str]:
    s = str(v or "")
    return (int(s), s) if s.isdigit() else (10**9, s)


@dataclass(frozen=True)
class IndexEntry:
    href: str
    name: str
    code: str
    count: int


def index_view(site: Site) -> tuple[tuple[str, tuple[IndexEntry, ...]], ...]:
    """Municipalities grouped by prefecture, ordered by 団体コード."""
    counts = Counter(a.municipality for a in site.assessments)  # one pass, not one per municipality
    groups: dict[str, list[IndexEntry]] = {}
    for m in sorted(site.municipalities, key=lambda m: (m.code, m.slug)):
        groups.setdefault(m.prefecture, []).append(
            IndexEntry(urls.municipality_page(m.slug), m.name, m.code, counts[m.slug]))
    return tuple((p, tuple(es)) for p, es in groups.items())
