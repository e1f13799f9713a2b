"""Compare one item across bodies (他団体の記載と比べる): per-assessment records, tallies, pages."""
from __future__ import annotations

from .items import COMPARED_KINDS, DISTRIBUTION_KINDS, Item, ItemTable, compared, item_table
from .pages import PAGE_SIZE, ComparePage, compare_pages, page_context
from .record import CompareRecord, compare_record, spots
from .tally import KindTally, tally

__all__ = [
    "COMPARED_KINDS", "DISTRIBUTION_KINDS", "PAGE_SIZE", "CompareRecord", "ComparePage", "Item", "ItemTable",
    "KindTally", "compare_pages", "compare_record", "compared", "item_table", "page_context", "spots", "tally",
]
