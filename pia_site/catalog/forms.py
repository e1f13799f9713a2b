"""The forms (kinds) of the catalog, each with its editions: the names an author may write in
``form:`` / ``--form``, and choosing a form edition from them."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .. import wareki
from .load import _all_forms, catalog_dirs, find_form
from .nodes import CatalogError, Form


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
