"""URL and output-path scheme as pure functions.  All links are relative, and
point at ``index.html`` files explicitly so the site also works from ``file://``."""
from __future__ import annotations

from posixpath import relpath

INDEX = "index.html"

# First path segments the site itself generates: a municipality folder may not be named so
# (its pages would overwrite these).  Compared without regard to case, as on the file
# systems of Windows and macOS.
RESERVED_TOP = frozenset({INDEX, "search", "changes", "about", "assets", "feed.xml", "data", "sitemap.xml", "compare"})
# Names inside a municipality's folder the site keeps for itself: an assessment may not be
# named so (``changes``: the municipality's own 更新履歴 page, <municipality>/changes/).
RESERVED_IN_MUNICIPALITY = frozenset({INDEX, "changes", "feed.xml"})


def site_index() -> str:
    return INDEX


def municipality_page(slug: str) -> str:
    return f"{slug}/{INDEX}"


def assessment_page(municipality: str, slug: str) -> str:
    return f"{municipality}/{slug}/{INDEX}"


def assessment_changes_page(municipality: str, slug: str) -> str:
    return f"{municipality}/{slug}/changes/{INDEX}"


def search_page() -> str:
    return f"search/{INDEX}"


def about_page() -> str:
    return f"about/{INDEX}"


def site_changes_page() -> str:
    return f"changes/{INDEX}"


def site_feed() -> str:
    return "feed.xml"


def municipality_feed(slug: str) -> str:
    return f"{slug}/feed.xml"


def data_page() -> str:
    """The about-the-data page (データについて); the open data itself lies beside it (opendata/)."""
    return f"data/{INDEX}"


def sitemap() -> str:
    return "sitemap.xml"


def compare_index() -> str:
    """The list of the items that can be compared across bodies (項目ごとの比較)."""
    return f"compare/{INDEX}"


def compare_page(kind: str, item: str) -> str:
    """One item's answers in every assessment on its form (他団体の記載と比べる): ``kind`` is the
    form kind (catalog), ``item`` the item's catalog id (ASCII keys joined by ``.``)."""
    return f"compare/{kind}/{item}/{INDEX}"


def compare_prefecture_page(kind: str, item: str, prefecture: str, page: int = 1) -> str:
    """The answers of one prefecture's assessments (``prefecture``: the two-digit code), in pages."""
    tail = f"{page}/{INDEX}" if page > 1 else INDEX
    return f"compare/{kind}/{item}/{prefecture}/{tail}"


def asset(name: str) -> str:
    return f"assets/{name}"


_ODD = frozenset({"", ".", ".."})  # components posixpath.relpath would normalise away


def relative(from_page: str, to: str) -> str:
    """Relative URL from one output path to another (both relative to the site root)."""
    start = from_page.rsplit("/", 1)[0] if "/" in from_page else "."
    # posixpath.relpath's answer without its two abspath calls (a compare page has a hundred
    # links), for the plain paths the site makes: no empty, "." or ".." component
    here = start.split("/") if start != "." else []
    there = to.split("/")
    if _ODD.isdisjoint(here) and _ODD.isdisjoint(there):
        i, n = 0, min(len(here), len(there))
        while i < n and here[i] == there[i]:
            i += 1
        parts = [".."] * (len(here) - i) + there[i:]
        return "/".join(parts) if parts else "."
    return relpath(to, start)
