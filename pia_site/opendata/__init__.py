"""Open data under ``data/``: what the site publishes, for reuse (オープンデータ).

Pipeline, per assessment then site-wide:

* ``records.assessment_open_data(config, municipality, assessment)`` → ``({path: bytes}, DataRecord)``:
  the assessment's JSON (``document``: the YAML's shape, valid against its form's JSON Schema)
  and a small picklable record of its rows;
* ``tables.site_open_data(config, records)`` → ``{path: bytes}``: ``assessments.csv``,
  ``changes.csv`` (UTF-8 with BOM, Japanese headings, ISO dates), the forms' JSON Schemas and
  ``datapackage.json`` (with the licence of site.yaml ``data_license``).

The about-the-data page (``data/index.html``) is a page like the others (``page.data_page``,
templates/data.html).  Everything here is bytes returned to the caller; ``write`` writes it and
the personal-data guard reads it first, as every other output.
"""
from __future__ import annotations

from ..model import Site
from .records import DATA_DIR, DataRecord, assessment_json_path, assessment_open_data, publication_state, site_url
from .tables import ASSESSMENTS_CSV, CHANGES_CSV, DATAPACKAGE, site_files, site_open_data, write_tables


def open_data(site: Site) -> dict[str, bytes]:
    """Every open-data file of the site (the per-assessment step, then the site-wide one)."""
    munis = {m.slug: m for m in site.municipalities}
    files: dict[str, bytes] = {}
    records: list[DataRecord] = []
    for a in site.assessments:
        own, record = assessment_open_data(site.config, munis[a.municipality], a)
        files.update(own)
        records.append(record)
    files.update(site_open_data(site.config, records))
    return files


__all__ = ["ASSESSMENTS_CSV", "CHANGES_CSV", "DATAPACKAGE", "DATA_DIR", "DataRecord", "assessment_json_path",
           "assessment_open_data", "open_data", "publication_state", "site_files", "site_open_data", "site_url",
           "write_tables"]
