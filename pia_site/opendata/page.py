"""The about-the-data page (data/index.html, データについて): what the open data holds, its
files, its licence and how to read it."""
from __future__ import annotations

from dataclasses import dataclass

from .. import urls
from ..catalog import all_forms
from ..model import Site
from ..schema import schema_filename
from .records import SCHEMA_DIR
from .tables import ASSESSMENT_FIELDS, ASSESSMENTS_CSV, CHANGE_FIELDS, CHANGES_CSV, DATAPACKAGE


@dataclass(frozen=True)
class DataFile:
    href: str  # relative to the data page
    name: str
    what: str


@dataclass(frozen=True)
class DataPageView:
    assessments: int
    change_rows: int
    files: tuple[DataFile, ...]
    schemas: tuple[DataFile, ...]
    assessment_fields: tuple[tuple[str, str, str], ...]
    change_fields: tuple[tuple[str, str, str], ...]
    license: str
    license_url: str


def _href(path: str) -> str:
    return urls.relative(urls.data_page(), path)


def data_page_view(site: Site) -> DataPageView:
    files = (
        DataFile(_href(ASSESSMENTS_CSV), "assessments.csv", "評価書の一覧（1 行に 1 件の評価書）"),
        DataFile(_href(CHANGES_CSV), "changes.csv", "変更箇所（1 行に変更箇所の表の 1 行。対象箇所の項目と見出しつき）"),
        DataFile(_href(DATAPACKAGE), "datapackage.json", "このデータの説明（Frictionless Data Package。列の名前と型、利用条件）"),
    )
    schemas = tuple(DataFile(_href(f"{SCHEMA_DIR}/{schema_filename(f)}"), schema_filename(f), f"{f.name}（{f.edition}）")
                    for f in all_forms())
    return DataPageView(len(site.assessments), sum(len(a.changes) for a in site.assessments), files, schemas,
                        ASSESSMENT_FIELDS, CHANGE_FIELDS, site.config.data_license, site.config.data_license_url)
