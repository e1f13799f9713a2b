"""Change-log (変更箇所) resolution: free-text 項目 breadcrumbs -> catalog items.

Pipeline: ``tokenize`` a row's 項目 -> ``descend`` the form's catalog -> ``resolve`` (classify,
chain rows, explicit targets) -> ``bind`` the targets to the assessment's data, giving each its
anchor (``pia_site.anchors``) -> ``check`` (warnings).  ``result`` holds what they all return.
How a row is resolved: ``docs/changelog-resolve.md``.  Public API::

    from pia_site.changelog import resolve_rows, resolve_assessment, changelog_diagnostics
    from pia_site.changelog.table import parse_table

* ``resolve_rows(rows, form, assessment=None)`` -> ``list[RowResult]``
* ``resolve_assessment(assessment)`` -> ``list[RowResult]`` for the assessment's own change rows
* ``changelog_diagnostics(assessment)`` -> ``list[Diagnostic]`` (warnings only), for ``pia-site check``

A ``RowResult`` carries ``targets`` (each with ``anchor`` when resolved against an assessment,
``label_path``, ``locator``), ``confidence`` (0–1), ``status`` (resolved / needs-data /
instance-missing / ambiguous / unresolved), ``reason`` and ``candidates``.  Link a row only when
``RowResult.linked`` (resolved, confidence ≥ 0.7); below 0.9 ``pia-site check`` warns.  The
per-item 変更履歴 comes from the linked rows: ``pia_site.link.item_history``.
"""
from __future__ import annotations

from .check import changelog_diagnostics
from .resolve import resolve_assessment, resolve_rows, resolve_text
from .result import RowResult, Target

__all__ = ["RowResult", "Target", "changelog_diagnostics", "resolve_assessment", "resolve_rows", "resolve_text"]
