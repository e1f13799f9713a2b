"""Per assessment: its open-data files and the small record the site-wide tables are made of.

``assessment_open_data(config, municipality, assessment)`` is a pure function of one
assessment (plus its municipality and the site settings), so a per-assessment pipeline can
run it anywhere and keep only the returned ``DataRecord`` (picklable: strings and tuples)
for ``site_open_data``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from .. import anchors, urls
from ..model import Assessment, Municipality, SiteConfig
from ..schema import schema_filename
from ..views.changes import effective_rows
from ..views.findability import page_url
from ..views.printed import JOIN, printed_paths
from .document import assessment_document

DATA_DIR = "data"
SCHEMA_DIR = f"{DATA_DIR}/schema"


def assessment_json_path(municipality: str, slug: str) -> str:
    return f"{DATA_DIR}/assessments/{municipality}/{slug}.json"


def publication_state(a: Assessment) -> str:
    """The document state (状態) as ``status: state:`` gives it (model.STATES: 作成中, 意見聴取中,
    公表, 終了, 置き換え; 公表 when the YAML does not say)."""
    return a.status.state


def site_url(config: SiteConfig, path: str) -> str:
    """An output path as a URL: absolute under ``base_url`` when it is set (a folder's index.html as
    the folder, as in the canonical URLs and the sitemap), else the path from the site root."""
    return page_url(config.base_url, path) if config.base_url else path


@dataclass(frozen=True)
class DataRecord:
    """What the site-wide open-data files need of one assessment (one row of assessments.csv,
    its rows of changes.csv), as strings."""

    sort_key: tuple[str, str, int, str, str]
    assessment: tuple[str, ...]
    changes: tuple[tuple[str, ...], ...]


def _sort_key(m: Municipality, a: Assessment) -> tuple[str, str, int, str, str]:
    n = str(a.cover("number") or "")
    return (m.code, m.slug, int(n) if n.isdigit() else 10**9, n, a.slug)


def assessment_open_data(config: SiteConfig, m: Municipality, a: Assessment) -> tuple[dict[str, bytes], DataRecord]:
    """``({data/assessments/<municipality>/<slug>.json: bytes}, record)``."""
    path = assessment_json_path(a.municipality, a.slug)
    body = json.dumps(assessment_document(a), ensure_ascii=False, separators=(",", ":")) + "\n"
    page = urls.assessment_page(a.municipality, a.slug)
    changes_page = urls.assessment_changes_page(a.municipality, a.slug)
    published = a.published
    row = (m.name, m.code, m.prefecture, a.cover("assessor") or "", a.form.name, a.form.yoshiki, a.form.edition,
           str(a.cover("number") or ""), a.title, publication_state(a), published.iso if published else "",
           a.ended.iso if a.ended else "", site_url(config, page), site_url(config, changes_page) if a.changes else "",
           site_url(config, path), site_url(config, f"{SCHEMA_DIR}/{schema_filename(a.form)}"))
    return {path: body.encode("utf-8")}, DataRecord(_sort_key(m, a), row, _change_rows(config, m, a))


def _change_rows(config: SiteConfig, m: Municipality, a: Assessment) -> tuple[tuple[str, ...], ...]:
    if not a.changes:
        return ()
    paths = printed_paths(a)
    links = a.change_links or tuple(() for _ in a.changes)
    page = urls.assessment_page(a.municipality, a.slug)
    changes_page = urls.assessment_changes_page(a.municipality, a.slug)
    out = []
    for (i, row, date, timing, _), targets in zip(effective_rows(a), links):
        ids = [anchors.parse(a.form, t)[0] for t in targets]
        out.append((
            m.name, m.code, str(a.cover("number") or ""), a.title, str(i),
            row.date.iso if row.date else "", date.iso if date else "", row.item, row.before or "", row.after or "",
            row.timing or "", row.timing_note or "",
            "\n".join(targets), "\n".join(n.id if n is not None else "" for n in ids),
            "\n".join(JOIN.join(paths.get(t, ())) for t in targets),
            "\n".join(site_url(config, f"{page}#{t}") for t in targets),
            site_url(config, f"{changes_page}#change-{i}"),
        ))
    return tuple(out)
