"""Change-log (変更箇所) resolution: free-text 項目 breadcrumbs -> catalog items.

See ``/work/shared/domain/changelog.md`` §5–§6 for the design.  Public API::

    from pia_site.changelog import resolve_rows, resolve_assessment, changelog_diagnostics
    from pia_site.changelog.table import parse_table

* ``resolve_rows(rows, form, assessment=None)`` -> ``list[RowResult]``
* ``resolve_assessment(assessment)`` -> ``list[RowResult]`` for the assessment's own change rows
* ``changelog_diagnostics(assessment)`` -> ``list[Diagnostic]`` (warnings only), for ``pia-site check``
"""
from __future__ import annotations

from .resolve import RowResult, Target, resolve_assessment, resolve_rows, resolve_text
from .check import changelog_diagnostics

__all__ = ["RowResult", "Target", "changelog_diagnostics", "resolve_assessment", "resolve_rows", "resolve_text"]
