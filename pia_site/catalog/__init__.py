"""The form catalog: official form structure loaded once from data files.

Validation, rendering, the JSON Schema, scaffolding, the importer and change-log
resolution all read these objects; which forms exist (their names, aliases, 様式 numbers
and editions) and their structure are written only in ``pia_site/catalog/*.yaml`` and in
the folders of the ``PIA_SITE_CATALOG`` search path (see docs/catalog.md).

The package: ``nodes`` (the objects), ``parse`` (raw data → objects), ``load`` (the folders and
files, cached per search path), ``forms`` (the forms' names and editions).  The data files sit
in this folder beside the modules.

Check the catalog files with::

    python -c "from pia_site.catalog import all_forms; print([f.id for f in all_forms()])"
"""
from __future__ import annotations

# the cached loaders (_files, _families_raw, _all_forms, _form_kinds) are here too: reload() and
# incremental's sweep over vars(catalog) clear them; _read_yaml for tests/test_load_fast.py
from .forms import (
    FormKind, _form_kinds, choose_form, editions, form_choices_ja, form_kind, form_kinds, form_names,
    form_names_ja, kind_info,
)
from .load import (
    CATALOG_DIR, FAMILIES_FILE, FORM_FIELDS, PATH_ENV, _all_forms, _families_raw, _files, _read_yaml,
    all_forms, catalog_dirs, catalog_files, find_form,
)
from .nodes import (
    ALL_KINDS, CHANGE_COLUMNS, CHANGE_TARGET, CONTAINER_KINDS, DASHES, NODE_FIELDS, SCOPES, SPECIAL_KINDS,
    STATIC_KINDS, VALUE_KINDS, CatalogError, Family, Form, Node, Option, is_dash,
)


def reload() -> None:
    """Forget every loaded catalog file (after the files changed)."""
    for fn in (_files, _families_raw, _all_forms, _form_kinds):
        fn.cache_clear()


__all__ = [
    "ALL_KINDS", "CATALOG_DIR", "CHANGE_COLUMNS", "CHANGE_TARGET", "CONTAINER_KINDS", "DASHES", "FAMILIES_FILE",
    "FORM_FIELDS", "NODE_FIELDS", "PATH_ENV", "SCOPES", "SPECIAL_KINDS", "STATIC_KINDS", "VALUE_KINDS",
    "CatalogError", "Family", "Form", "FormKind", "Node", "Option", "all_forms", "catalog_dirs", "catalog_files",
    "choose_form", "editions", "find_form", "form_choices_ja", "form_kind", "form_kinds", "form_names",
    "form_names_ja", "is_dash", "kind_info", "reload",
]
