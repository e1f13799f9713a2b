"""What one assessment leaves behind for the rest of the build: a small, picklable ``Summary``
(the record without its parts, files and change-log texts: enough for the listings, 更新履歴,
feeds and the checks across documents) and the ``Result`` of its worker."""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..catalog import find_form
from ..compare import CompareRecord
from ..diagnostics import Diagnostic
from ..guard import Finding, OutputFinding
from ..model import Assessment
from ..opendata import DataRecord
from ..search.builder import Prepared
from ..search.units import Doc
from ..views.changes import kept_item


NOTE = "…"  # stands for a change row's timing note in a summary


@dataclass(frozen=True)
class Summary:
    """An assessment as the site-wide pages see it.  ``record`` is the linked record with only
    its cover kept, its change rows without their before/after texts, and no form (the catalog
    object is shared, not copied: ``assessment()`` puts it back)."""

    record: Assessment
    form_kind: str
    form_edition: str

    @classmethod
    def of(cls, a: Assessment) -> "Summary":
        # what the site-wide pages show of a row: its date, 提出時期 and the start of its item
        # (``views.changes``); the timing note only says whether there is one (``is_continuation``)
        rows = tuple(replace(r, before=None, after=None, item=kept_item(r.item),
                             timing_note=NOTE if r.timing_note else r.timing_note, targets=()) for r in a.changes)
        # top-level keys (kiso: K001 is located there); status and procedures (the life-cycle deadlines, R0xx)
        top = {k: v for k, v in a.locations.items() if "." not in k or k.startswith(("status", "procedures"))}
        # the life cycle reads the 評価実施手続 (the 意見聴取 period of a 意見聴取中 state, the deadlines) and
        # the しきい値判断 its 対象人数 (checked with a 基礎項目評価書 partner across documents)
        jimu = ((a.parts.get("basic_info") or {}).get("jimu") or {})
        kept = {"cover": a.parts.get("cover", {}), "procedures": a.parts.get("procedures", {}),
                "basic_info": {"jimu": {"subjects": jimu.get("subjects")}},
                **({"threshold": a.parts["threshold"]} if "threshold" in a.parts else {})}  # 様式2 II
        slim = replace(a, form=None, parts=kept, files=(), changes=rows,
                       unplaced=(), change_links=(), locations=top)
        return cls(slim, a.form.kind, a.form.edition)

    def shared(self, table: dict) -> "Summary":
        """The same summary, its rows' dates, 提出時期 and items the very objects of every other
        summary given ``table`` (one per build): a site's rows share a few hundred dates, and the
        documents on one form name the same items in the same words."""
        rows = tuple(replace(r, date=table.setdefault(r.date, r.date), timing=table.setdefault(r.timing, r.timing),
                             item=table.setdefault(r.item, r.item))
                     for r in self.record.changes)
        record = self.record
        locations = {table.setdefault(k, k): v for k, v in record.locations.items()}
        return replace(self, record=replace(record, changes=rows, parts=_keys_shared(record.parts, table),
                                            locations=locations))

    def assessment(self) -> Assessment:
        form = find_form(self.form_kind, self.form_edition)
        if form is None:
            raise LookupError(f"form {self.form_kind}/{self.form_edition} is not in the catalog")
        return replace(self.record, form=form)


@dataclass(frozen=True)
class Result:
    """Everything the build keeps of one assessment file."""

    source: str  # the file as shown to authors
    load: tuple[Diagnostic, ...]  # reading it (encoding, YAML syntax)
    checks: tuple[Diagnostic, ...]  # validation and change-log linking
    findings: tuple[Finding, ...]  # the personal-data guard over its YAML
    output: tuple[OutputFinding, ...] = ()  # ... and over its pages
    summary: Summary | None = None  # None: not valid
    doc: "Doc | Prepared | None" = None  # its search document (None: not rendered; Prepared: cut by the worker for the index)
    pages: tuple[tuple[str, int], ...] = ()  # (output path, size) of the pages written
    digests: tuple[str, ...] = ()  # SHA-256 of each page (the cache keeps the bytes under it)
    key: str = ""  # its cache key ("" without a cache)
    source_digest: str = ""  # SHA-256 of the file's bytes as this build read them ("" if unreadable)
    data: DataRecord | None = None  # its rows of the site-wide open-data tables (opendata); None: not rendered
    compare: CompareRecord | None = None  # its answers on the compare pages (compare); None: not rendered


def _keys_shared(value, table: dict):
    """``value`` (the YAML's dicts and lists of strings) with its dict keys taken from ``table``:
    every document on a form has the same keys."""
    if type(value) is dict:
        return {table.setdefault(k, k): _keys_shared(v, table) for k, v in value.items()}
    if type(value) is list:
        return [_keys_shared(v, table) for v in value]
    return value
