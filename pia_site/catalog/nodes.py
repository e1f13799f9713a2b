"""The form catalog: official form structure loaded once from data files.

Validation, rendering, the JSON Schema, scaffolding, the importer and change-log
resolution all read these objects; which forms exist (their names, aliases, 様式 numbers
and editions) and their structure are written only in ``pia_site/catalog/*.yaml`` and in
the folders of the ``PIA_SITE_CATALOG`` search path (see docs/catalog.md).

Check the catalog files with::

    python -c "from pia_site.catalog import all_forms; print([f.id for f in all_forms()])"
"""
from __future__ import annotations

import copy
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import yaml

from . import wareki

CATALOG_DIR = Path(__file__).parent / "catalog"
# extra catalog folders, separated like PATH (os.pathsep); read by all_forms() and reload()
PATH_ENV = "PIA_SITE_CATALOG"
FAMILIES_FILE = "families.yaml"
FORM_FIELDS = {"form", "edition", "yoshiki", "name", "aliases", "title", "stamp", "parts", "extends", "patches"}
# the columns of a change row (model.ChangeRow); their printed headings are catalog data
CHANGE_COLUMNS = ("date", "item", "before", "after", "timing", "timing_note")
CHANGE_TARGET = ("target", "対象箇所")  # pia-site's own column: the change's anchor(s)
CONTAINER_KINDS = {"part", "section", "risk", "group"}
VALUE_KINDS = {"text", "rich", "choice", "check", "date", "period", "count", "flag"}
STATIC_KINDS = {"ref", "fixed", "derived", "heading"}
SPECIAL_KINDS = {"record_items", "diagrams", "changelog"}
ALL_KINDS = CONTAINER_KINDS | VALUE_KINDS | STATIC_KINDS | SPECIAL_KINDS
NODE_FIELDS = {
    "key", "no", "label", "kind", "star", "star_note", "important", "options", "count", "rows",
    "children", "optional", "aliases", "text", "scope", "source", "instance_label", "max", "buckets",
    "month", "note", "role", "columns",
}
SCOPES = {"document", "file", "file_block"}
DASHES = {"—", "―", "－", "-", "ー", "‐"}


class CatalogError(Exception):
    """A defect in a catalog data file (a developer error, not an author's)."""


@dataclass(frozen=True)
class Option:
    text: str
    number: int
    detail: str | None = None  # None | "text" | "count"
    suffix: str = ""
    exclusive: bool = False
    caption: str = ""  # printed group caption of checkbox sets (C-主な記録項目)


@dataclass(frozen=True)
class Family:
    id: str
    kind: str  # choice | check
    options: tuple[Option, ...]
    aliases: tuple[tuple[str, str], ...] = ()

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(o.text for o in self.options)

    def canonical(self, value: str) -> str | None:
        """The printed option a value stands for (exact or a known alias)."""
        if value in self.texts:
            return value
        for variant, target in self.aliases:
            if value == variant:
                return target
        return None

    def option(self, text: str) -> Option | None:
        for o in self.options:
            if o.text == text:
                return o
        return None

    @property
    def captions(self) -> tuple[tuple[str, tuple[Option, ...]], ...]:
        out: list[tuple[str, list[Option]]] = []
        for o in self.options:
            if not out or out[-1][0] != o.caption:
                out.append((o.caption, []))
            out[-1][1].append(o)
        return tuple((c, tuple(os)) for c, os in out)


@dataclass(frozen=True, eq=False)
class Node:
    key: str
    kind: str
    path: tuple[str, ...]  # catalog path (keys from the part down)
    label: str = ""
    no: str = ""
    star: bool = False
    star_note: str = ""
    important: bool = False  # effective ※ (重要な変更) status
    family: Family | None = None
    count_key: str = ""
    count_suffix: str = ""
    rows: tuple["Node", ...] = ()
    children: tuple["Node", ...] = ()
    optional: bool = False
    aliases: tuple[str, ...] = ()
    text: str = ""
    scope: str = "document"
    source: str = ""
    instance_label: str = ""
    max: int = 0
    buckets: tuple[tuple[int, int], ...] = ()
    month: bool = False
    note: str = ""
    role: str = ""  # "title": printed in the header of its group instance (委託事項n <title>)
    columns: tuple[tuple[str, str], ...] = ()  # changelog: (column key, printed heading)

    @property
    def id(self) -> str:
        return ".".join(self.path)

    @property
    def is_container(self) -> bool:
        return self.kind in CONTAINER_KINDS

    @property
    def has_value(self) -> bool:
        return self.kind in VALUE_KINDS or self.kind in SPECIAL_KINDS

    @property
    def printed(self) -> str:
        """Number and label as printed, e.g. ``②事務の内容``, ``1. 監査``."""
        if not self.no:
            return self.label
        if self.kind == "risk":
            return f"{self.no}：{self.label}" if self.label else self.no
        if self.kind == "part" or self.no.endswith("."):
            return f"{self.no} {self.label}".strip()
        return f"{self.no}{self.label}"

    def data_members(self) -> tuple["Node", ...]:
        """Nodes whose keys live in this container's data mapping (children and their rows)."""
        return self._expanded("_data_members", self.children)

    def all_rows(self) -> tuple["Node", ...]:
        return self._expanded("_all_rows", self.rows)

    def _expanded(self, key: str, nodes: tuple["Node", ...]) -> tuple["Node", ...]:
        """``nodes``, each followed by all its rows; computed once (nodes are immutable, and
        validate, link and views ask often)."""
        cached = self.__dict__.get(key)
        if cached is None:
            out: list[Node] = []
            for n in nodes:
                out.append(n)
                out.extend(n.all_rows())
            cached = self.__dict__[key] = tuple(out)
        return cached

    def walk(self) -> Iterator["Node"]:
        yield self
        for r in self.rows:
            yield from r.walk()
        for c in self.children:
            yield from c.walk()


@dataclass(frozen=True, eq=False)
class Form:
    kind: str  # the form's id in the catalog (juten, zenkoumoku, …)
    edition: str
    yoshiki: str
    name: str
    title: str
    stamp: str
    parts: tuple[Node, ...]
    families: dict[str, Family]
    nodes: dict[str, Node] = field(default_factory=dict)  # catalog id -> node
    aliases: tuple[str, ...] = ()  # other names an author may write in `form:`

    @property
    def id(self) -> str:
        return f"{self.kind}/{self.edition}"

    @property
    def change_columns(self) -> dict[str, str]:
        """{column key: printed heading} of the form's 変更箇所 table ({} without one)."""
        for p in self.parts:
            if p.kind == "changelog":
                return dict(p.columns)
        return {}

    @property
    def change_keys(self) -> dict[str, str]:
        """The keys an author writes in a change row, with their Japanese names."""
        return {**self.change_columns, CHANGE_TARGET[0]: CHANGE_TARGET[1]} if self.change_columns else {}

    def part(self, key: str) -> Node | None:
        for p in self.parts:
            if p.key == key:
                return p
        return None

    def walk(self) -> Iterator[Node]:
        for p in self.parts:
            yield from p.walk()

    def parent_of(self, node: Node) -> Node | None:
        return self._parents.get(node.id)

    def ancestors(self, node: Node) -> list[Node]:
        out = []
        cur = self.parent_of(node)
        while cur is not None:
            out.append(cur)
            cur = self.parent_of(cur)
        return out[::-1]


# libyaml when PyYAML has it: the same data for the catalog files (tests/test_load_fast.py checks)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_SAFE_LOADER)


def _build_families(raw: dict) -> dict[str, Family]:
    out: dict[str, Family] = {}
    for fid, spec in raw.items():
        kind = spec.get("kind")
        if kind not in ("choice", "check"):
            raise CatalogError(f"family {fid}: kind must be choice or check")
        options: list[Option] = []

        def add(items, caption=""):
            for item in items:
                if isinstance(item, str):
                    item = {"text": item}
                unknown = set(item) - {"text", "detail", "suffix", "exclusive"}
                if unknown:
                    raise CatalogError(f"family {fid}: unknown option fields {sorted(unknown)}")
                options.append(Option(str(item["text"]), len(options) + 1, item.get("detail"), item.get("suffix", ""), bool(item.get("exclusive", False)), caption))

        if "groups" in spec:
            for g in spec["groups"]:
                add(g["options"], g.get("caption", ""))
        else:
            add(spec.get("options") or [])
        if not options:
            raise CatalogError(f"family {fid}: no options")
        if len({o.text for o in options}) != len(options):
            raise CatalogError(f"family {fid}: duplicate options")
        aliases = tuple((str(k), str(v)) for k, v in (spec.get("aliases") or {}).items())
        for _, target in aliases:
            if target not in {o.text for o in options}:
                raise CatalogError(f"family {fid}: alias target {target!r} is not an option")
        out[fid] = Family(fid, kind, tuple(options), aliases)
    return out


def _build_node(raw: dict, parent_path: tuple[str, ...], families: dict[str, Family], inherited: bool, where: str) -> Node:
    if not isinstance(raw, dict) or "key" not in raw:
        raise CatalogError(f"{where}: every node needs a key: {raw!r}")
    unknown = set(raw) - NODE_FIELDS
    if unknown:
        raise CatalogError(f"{where}.{raw['key']}: unknown fields {sorted(unknown)}")
    key = str(raw["key"])
    path = parent_path + (key,)
    kind = raw.get("kind") or ("section" if raw.get("children") else "text")
    if kind not in ALL_KINDS:
        raise CatalogError(f"{'.'.join(path)}: unknown kind {kind!r}")
    star = bool(raw.get("star", False))
    important = raw["important"] if "important" in raw else (star or inherited)
    family = None
    if kind in ("choice", "check"):
        fid = raw.get("options")
        if fid not in families:
            raise CatalogError(f"{'.'.join(path)}: unknown option family {fid!r}")
        family = families[fid]
        if family.kind != kind:
            raise CatalogError(f"{'.'.join(path)}: family {fid} is a {family.kind}, node is a {kind}")
    count = raw.get("count") or {}
    # a leaf's own ※ does not pass to its sub-rows; an explicit `important` (or a container's ※) does
    row_inherited = raw["important"] if "important" in raw else inherited
    rows = tuple(_build_node(r, parent_path, families, bool(row_inherited), ".".join(path)) for r in raw.get("rows") or [])
    children = tuple(_build_node(c, path, families, bool(important), ".".join(path)) for c in raw.get("children") or [])
    if children and kind not in CONTAINER_KINDS:
        raise CatalogError(f"{'.'.join(path)}: only containers have children (use rows for sub-rows)")
    node = Node(
        key=key, kind=kind, path=path, label=str(raw.get("label", "")), no=str(raw.get("no", "") or ""),
        star=star, star_note=str(raw.get("star_note", "") or ""), important=bool(important), family=family,
        count_key=str(count.get("key", "")), count_suffix=str(count.get("suffix", "件")), rows=rows,
        children=children, optional=bool(raw.get("optional", False)),
        aliases=tuple(str(a) for a in raw.get("aliases") or ()), text=str(raw.get("text", "") or ""),
        scope=str(raw.get("scope", "document")), source=str(raw.get("source", "") or ""),
        instance_label=str(raw.get("instance_label", "") or ""), max=int(raw.get("max", 0) or 0),
        buckets=tuple(tuple(b) for b in raw.get("buckets") or ()), month=bool(raw.get("month", False)),
        note=str(raw.get("note", "") or ""), role=str(raw.get("role", "") or ""),
        columns=tuple((str(k), str(v)) for k, v in (raw.get("columns") or {}).items()),
    )
    if kind == "changelog" and tuple(k for k, _ in node.columns) != CHANGE_COLUMNS:
        raise CatalogError(f"{node.id}: a changelog needs columns {list(CHANGE_COLUMNS)} (printed headings), in that order")
    if node.scope not in SCOPES:
        raise CatalogError(f"{node.id}: unknown scope {node.scope!r}")
    if node.is_container:
        keys = [m.key for m in node.data_members()]
        dup = {k for k in keys if keys.count(k) > 1}
        if dup:
            raise CatalogError(f"{node.id}: duplicate data keys {sorted(dup)}")
        if node.count_key and node.count_key not in keys:
            raise CatalogError(f"{node.id}: count key {node.count_key} missing")
    return node


def _apply_patches(raw: dict, patches: list[dict], families_raw: dict) -> None:
    for patch in patches:
        if "node" in patch:
            target = _find_raw(raw["parts"], patch["node"].split("."))
            target.update(patch.get("set") or {})
        elif "family" in patch:
            fam = families_raw[patch["family"]]
            rep = patch["replace_option"]
            lists = [g["options"] for g in fam["groups"]] if "groups" in fam else [fam["options"]]
            hits = 0
            for opts in lists:
                for i, o in enumerate(opts):
                    text = o if isinstance(o, str) else o.get("text")
                    if text == rep["from"]:
                        opts[i] = rep["to"] if isinstance(o, str) else {**o, "text": rep["to"]}
                        hits += 1
            if hits != 1:
                raise CatalogError(f"patch {patch}: option not found")
            aliases = fam.setdefault("aliases", {})
            aliases[rep["from"]] = rep["to"]
        else:
            raise CatalogError(f"unknown patch {patch}")


def _find_raw(nodes: list[dict], keys: list[str]) -> dict:
    for n in nodes:
        if n.get("key") == keys[0]:
            if len(keys) == 1:
                return n
            return _find_raw((n.get("children") or []) + (n.get("rows") or []), keys[1:])
        for r in n.get("rows") or []:
            if r.get("key") == keys[0]:
                return _find_raw([r], keys)
    raise CatalogError(f"patch target {'.'.join(keys)} not found")


def _index(form: Form) -> None:
    parents: dict[str, Node] = {}

    def visit(node: Node, parent: Node | None):
        if node.id in form.nodes and form.nodes[node.id] is not node:
            raise CatalogError(f"{form.id}: duplicate node id {node.id}")
        form.nodes[node.id] = node
        if parent is not None:
            parents[node.id] = parent
        for r in node.rows:
            visit(r, node)
        for c in node.children:
            visit(c, node)

    for p in form.parts:
        visit(p, None)
    object.__setattr__(form, "_parents", parents)


# ---------------------------------------------------------------------------
# the catalog's folders and files

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
    return forms


def reload() -> None:
    """Forget every loaded catalog file (after the files changed)."""
    for fn in (_files, _families_raw, _all_forms, _form_kinds):
        fn.cache_clear()


def find_form(kind: str, edition: str) -> Form | None:
    for f in all_forms():
        if f.kind == kind and f.edition == edition:
            return f
    return None


# ---------------------------------------------------------------------------
# the forms (kinds), each with its editions

@dataclass(frozen=True)
class FormKind:
    kind: str  # juten
    name: str  # 重点項目評価書
    yoshiki: str  # 様式3
    aliases: tuple[str, ...]  # 重点項目, 重点
    editions: tuple[str, ...]  # oldest first

    @property
    def names(self) -> tuple[str, ...]:
        """Every name accepted in `form:` / `--form`: the name, the aliases, the id, the 様式."""
        return tuple(dict.fromkeys((self.name, *self.aliases, self.kind, self.yoshiki)))

    @property
    def latest(self) -> str:
        return self.editions[-1]


def _yoshiki_no(yoshiki: str) -> int:
    m = re.search(r"\d+", unicodedata.normalize("NFKC", yoshiki))
    return int(m.group()) if m else 0


def form_kinds() -> tuple[FormKind, ...]:
    """The forms in the catalog, highest 様式 number first (全項目評価書 様式4, then 様式3, …)."""
    return _form_kinds(catalog_dirs())


@lru_cache(maxsize=None)
def _form_kinds(dirs: tuple[Path, ...]) -> tuple[FormKind, ...]:
    by_kind: dict[str, list[Form]] = {}
    for f in _all_forms(dirs):
        by_kind.setdefault(f.kind, []).append(f)
    out: list[FormKind] = []
    owner: dict[str, str] = {}
    for kind, forms in by_kind.items():
        first = forms[0]
        for f in forms[1:]:
            if (f.name, f.yoshiki, f.aliases) != (first.name, first.yoshiki, first.aliases):
                raise CatalogError(f"{f.id}: name, yoshiki and aliases differ from {first.id}")
        editions = tuple(sorted((f.edition for f in forms), key=wareki.year_month_key))
        fk = FormKind(kind, first.name, first.yoshiki, first.aliases, editions)
        for n in fk.names:
            if owner.setdefault(n, kind) != kind:
                raise CatalogError(f"{kind}: the name {n!r} also names {owner[n]}")
        out.append(fk)
    return tuple(sorted(out, key=lambda k: (-_yoshiki_no(k.yoshiki), k.kind)))


def form_kind(name: str) -> str | None:
    """The form id an author's name stands for (重点項目評価書, 重点, 様式3, juten → juten)."""
    name = (name or "").strip()
    for fk in form_kinds():
        if name in fk.names:
            return fk.kind
    return None


def kind_info(kind: str) -> FormKind:
    for fk in form_kinds():
        if fk.kind == kind:
            return fk
    raise KeyError(kind)


def form_names() -> list[str]:
    """The forms' names, as the search page's facet and messages list them."""
    return [fk.name for fk in form_kinds()]


def form_names_ja() -> str:
    """``「全項目評価書」か「重点項目評価書」`` for messages."""
    quoted = [f"「{n}」" for n in form_names()]
    return quoted[0] if len(quoted) == 1 else "、".join(quoted[:-1]) + "か" + quoted[-1]


def form_choices_ja() -> str:
    """The forms for --help: ``全項目評価書（全項目）、重点項目評価書（重点項目）``."""
    return "、".join(f"{k.name}（{k.aliases[0]}）" if k.aliases else k.name for k in form_kinds())


def editions(kind: str) -> list[str]:
    """The editions of a form, oldest first."""
    return list(kind_info(kind).editions) if any(fk.kind == kind for fk in form_kinds()) else []


def choose_form(name: str | None, edition: str | None) -> tuple[Form | None, str]:
    """The form an author names (an edition, or the latest), or a Japanese message why not."""
    kind = form_kind(name or "")
    if kind is None:
        what = f"評価書の種類「{name}」は使えません。" if name else "評価書の種類を指定してください。"
        return None, what + f"{form_names_ja()}を指定してください。"
    info = kind_info(kind)
    ed = (edition or "").strip() or info.latest
    form = find_form(kind, ed)
    if form is None:
        return None, f"{info.name}の様式の版「{ed}」は未対応です。対応している版: {'、'.join(info.editions)}"
    return form, ""


def is_dash(value: str | None) -> bool:
    return value is not None and value.strip() in DASHES
