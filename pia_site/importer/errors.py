"""The one exception the importer raises for a source it cannot import."""
from __future__ import annotations


class ImportFailure(Exception):
    """A source that cannot be imported.  ``str(exc)`` is a Japanese message for the user."""
