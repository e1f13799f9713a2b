"""The catalog's folders and files: which YAML files make the catalog, reading them (cached per
search path), ``extends``/``patches`` between forms, and the loaded forms."""
from __future__ import annotations

import copy
import os
from functools import lru_cache
from pathlib import Path

import yaml

from .editions import link_editions
from .nodes import CatalogError, Form
from .parse import _apply_patches, _build_families, _build_node, _index

# the package's own data files sit beside this module
CATALOG_DIR = Path(__file__).parent
# extra catalog folders, separated like PATH (os.pathsep); read by all_forms() and reload()
PATH_ENV = "PIA_SITE_CATALOG"
FAMILIES_FILE = "families.yaml"
FORM_FIELDS = {"form", "edition", "yoshiki", "name", "aliases", "title", "stamp", "parts", "extends", "patches"}

# libyaml when PyYAML has it: the same data for the catalog files (tests/test_load_fast.py checks)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_SAFE_LOADER)


def catalog_dirs() -> tuple[Path, ...]:
    """The package's catalog, then each folder of ``PIA_SITE_CATALOG`` (in its order)."""
    extra = [Path(p) for p in os.environ.get(PATH_ENV, "").split(os.pathsep) if p.strip()]
    for d in extra:
        if not d.is_dir():
            raise CatalogError(f"環境変数 {PATH_ENV} のフォルダ「{d}」がありません。")
    return (CATALOG_DIR, *extra)


@lru_cache(maxsize=None)
def _files(dirs: tuple[Path, ...]) -> tuple[dict[str, Path], tuple[Path, ...]]:
    """({form file stem: path}, families files) over the catalog folders."""
    forms: dict[str, Path] = {}
    families: list[Path] = []
    for d in dirs:
        for p in sorted(d.glob("*.yaml")):
            if p.name == FAMILIES_FILE:
                families.append(p)
            elif p.stem in forms:
                raise CatalogError(f"{p}: a catalog file named {p.name} is also in {forms[p.stem].parent}")
            else:
                forms[p.stem] = p
    return forms, tuple(families)


def catalog_files() -> list[Path]:
    """Every data file the catalog is read from (for watching and change detection)."""
    forms, families = _files(catalog_dirs())
    return sorted([*forms.values(), *families])


def _raw_form(stem: str, dirs: tuple[Path, ...]) -> dict:
    path = _files(dirs)[0].get(stem)
    if path is None:
        raise CatalogError(f"catalog file {stem}.yaml not found")
    raw = _read_yaml(path)
    unknown = set(raw) - FORM_FIELDS
    if unknown:
        raise CatalogError(f"{path}: unknown fields {sorted(unknown)}")
    if "extends" in raw:
        base = copy.deepcopy(_raw_form(raw["extends"], dirs))
        base.update({k: v for k, v in raw.items() if k not in ("extends", "patches")})
        base.setdefault("_patches", []).extend(raw.get("patches") or [])
        return base
    return raw


@lru_cache(maxsize=None)
def _families_raw(dirs: tuple[Path, ...]) -> dict:
    out: dict = {}
    for path in _files(dirs)[1]:
        for fid, spec in (_read_yaml(path).get("families") or {}).items():
            if fid in out:
                raise CatalogError(f"{path}: family {fid} is defined twice")
            out[fid] = spec
    return out


def _load_form(stem: str, dirs: tuple[Path, ...]) -> Form:
    raw = _raw_form(stem, dirs)
    families_raw = copy.deepcopy(_families_raw(dirs))
    _apply_patches(raw, raw.get("_patches", []), families_raw)
    families = _build_families(families_raw)
    parts = tuple(_build_node(p, (), families, False, stem) for p in raw["parts"])
    keys = [p.key for p in parts]
    if len(set(keys)) != len(keys):
        raise CatalogError(f"{stem}: duplicate part keys")
    for k in ("form", "edition", "yoshiki", "name", "title"):
        if not raw.get(k):
            raise CatalogError(f"{stem}: {k} is required")
    form = Form(str(raw["form"]), str(raw["edition"]), str(raw["yoshiki"]), str(raw["name"]),
                str(raw["title"]), str(raw.get("stamp", "")), parts, families,
                aliases=tuple(str(a) for a in raw.get("aliases") or ()))
    _index(form)
    return form


def all_forms() -> tuple[Form, ...]:
    """Every form edition of the catalog folders (loaded once per search path)."""
    return _all_forms(catalog_dirs())


@lru_cache(maxsize=None)
def _all_forms(dirs: tuple[Path, ...]) -> tuple[Form, ...]:
    forms = tuple(_load_form(s, dirs) for s in sorted(_files(dirs)[0]))
    seen: set[str] = set()
    for f in forms:
        if f.id in seen:
            raise CatalogError(f"{f.id}: two catalog files describe this edition")
        seen.add(f.id)
    link_editions(forms)
    return forms



def find_form(kind: str, edition: str) -> Form | None:
    for f in all_forms():
        if f.kind == kind and f.edition == edition:
            return f
    return None
