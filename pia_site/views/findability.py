"""Findability: absolute page URLs for ``<link rel="canonical">``, OGP and ``sitemap.xml``.

Absolute URLs need site.yaml ``base_url``; without it the site has only relative links (it
works from any folder and from ``file://``), so it has no canonical or OGP URLs and no
sitemap.xml (the sitemaps protocol accepts absolute URLs only).  A folder's ``index.html``
is named by the folder (``https://example.jp/pia/koshigaya/``), as web servers serve it.
"""
from __future__ import annotations

from typing import Iterable

from ..model import SiteConfig
from ..urls import INDEX


def page_url(base_url: str, path: str) -> str:
    """The absolute URL of an output path ("" without ``base_url``)."""
    if not base_url:
        return ""
    if path == INDEX or path.endswith("/" + INDEX):
        path = path[: -len(INDEX)]
    return f"{base_url.rstrip('/')}/{path}"


def sitemap_context(config: SiteConfig, paths: Iterable[str]) -> dict:
    """The template context of sitemap.xml: the absolute URL of every HTML page, in page order."""
    return {"urls": [page_url(config.base_url, p) for p in paths if p.endswith(".html")]}
