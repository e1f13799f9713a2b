"""Validate: source documents -> typed model records, or located diagnostics.

Every independent problem in a file is reported in one run.  Types come only from
the form catalog; messages are Japanese and name the YAML key path and the label
printed on the form.

The package: ``checker`` (the located Checker), ``items`` (catalog-driven typing of items and
containers), ``assessment`` (an assessment document), ``lifecycle`` (its ``status:`` and
``withheld:`` items), ``procedure`` (the procedure lints of the 規則/指針, R02x–R03x),
``succession`` (a replaced document and its successor, across documents), ``municipality``
(municipality.yaml), ``site`` (site.yaml).
"""
from __future__ import annotations

from .assessment import validate_assessment
from .checker import DATE_RE, Checker
from .items import COUNT_RE, KIND_JA, TIMINGS
from .municipality import code_check_digit, validate_municipality
from .site import SITE_KEYS, validate_site

__all__ = [
    "COUNT_RE", "DATE_RE", "KIND_JA", "SITE_KEYS", "TIMINGS", "Checker", "code_check_digit",
    "validate_assessment", "validate_municipality", "validate_site",
]
