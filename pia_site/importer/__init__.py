"""Import a text rendition of a published 評価書 into assessment YAML.

Pipeline (one module per step): ``clean`` (decode, pre-clean lines) → ``detect``
(form and edition) → ``segment`` (labels → fields, driven by the catalog) →
``assemble`` (typed values via ``values``, ``attachments`` and ``changelog``) →
``emit`` (deterministic YAML) → ``report`` (summary and review list).
"""
from __future__ import annotations

from .errors import ImportFailure
from .run import ImportResult, import_source

__all__ = ["ImportFailure", "ImportResult", "import_source"]
