"""Static full-text search: Japanese-aware character n-gram index built at site
build time (``IndexBuilder``, streaming; ``build_search_index``, a whole site) and
queried by ``assets/search.js``.

Modules: ``normalise`` (the declared normalisation rules), ``units`` (what a
result is: an item or section of an assessment, its text as the page shows it),
``formtext`` and ``slots`` (the form's own text, once per edition), ``grams``,
``postings``, ``spill`` (postings in bounded memory), ``pack`` (few big files),
``builder`` and ``index`` (the layout).
"""
from .builder import IndexBuilder, IndexMeta
from .index import build_search_index
from .normalise import normalise_query, normalise_text
from .units import Doc

__all__ = ["Doc", "IndexBuilder", "IndexMeta", "build_search_index", "normalise_query", "normalise_text"]
