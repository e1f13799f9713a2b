"""Change-log (変更箇所) resolution: free-text 項目 breadcrumbs -> catalog items.

How a row is resolved: ``docs/changelog-resolve.md``.  Public API::

    from pia_site.changelog import resolve_rows, resolve_assessment, changelog_diagnostics
    from pia_site.changelog.table import parse_table

* ``resolve_rows(rows, form, assessment=None)`` -> ``list[RowResult]``
* ``resolve_assessment(assessment)`` -> ``list[RowResult]`` for the assessment's own change rows
* ``changelog_diagnostics(assessment)`` -> ``list[Diagnostic]`` (warnings only), for ``pia-site check``
* ``history(results)`` -> ``{anchor: [row index, …]}`` for the per-item 変更履歴

A ``RowResult`` carries ``targets`` (each with ``anchor`` when resolved against an assessment,
``label_path``, ``locator``), ``confidence`` (0–1), ``status`` (resolved / needs-data /
instance-missing / ambiguous / unresolved), ``reason`` and ``candidates``.  Link a row only when
``RowResult.linked`` (resolved, confidence ≥ 0.7); below 0.9 ``pia-site check`` warns.
"""
from __future__ import annotations

from .resolve import RowResult, Target, history, resolve_assessment, resolve_rows, resolve_text
from .check import changelog_diagnostics

__all__ = ["RowResult", "Target", "changelog_diagnostics", "history", "resolve_assessment", "resolve_rows", "resolve_text"]
