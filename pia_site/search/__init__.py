"""Static full-text search: Japanese-aware character n-gram index built at site
build time (``build_search_index``) and queried by ``assets/search.js``.

Modules: ``normalise`` (the declared normalisation rules), ``units`` (what a
result is: an item or section of an assessment, its text as the page shows it),
``index`` (chunks, grams, shards, file encoding).
"""
from .builder import IndexBuilder
from .index import build_search_index
from .normalise import normalise_query, normalise_text

__all__ = ["IndexBuilder", "build_search_index", "normalise_query", "normalise_text"]
