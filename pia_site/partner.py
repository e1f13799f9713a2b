"""基礎項目評価書 partners: a 重点項目評価書 or 全項目評価書 names the 基礎項目評価書 (様式2) of
the same 事務 with a top-level ``kiso: <file name without .yaml>`` in the same municipality; the
基礎 document's side is derived (never written twice).

Pure functions over validated records, used by ``validate`` (reading the key), ``link.link_site``
(K001–K003) and the assessment view (links both ways), and by the しきい値判断 lint, which reads
取扱者数 and 重大事故 from the partner (``threshold_inputs``).

Codes: K001 the named document is missing, K002 it is not a 基礎項目評価書, K003 two documents
name the same 基礎項目評価書 (warning), K004 ``kiso:`` on a 基礎項目評価書 or not a file name.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Iterable, Sequence

from . import urls
from .content_tree import ID_RE
from .diagnostics import Diagnostic, Severity, SourceLocation
from .model import Assessment

KISO_FORM = "kiso"  # the catalog's form id of the 基礎項目評価書 (pia_site/catalog/kiso-*.yaml)
KEY = "kiso"  # the top-level key of a 重点/全項目 document
LABEL = "基礎項目評価書"


def is_kiso(a: Assessment) -> bool:
    return a.form.kind == KISO_FORM


def read_partner(ck, top, form) -> str:
    """The ``kiso:`` value of a document being validated ("" when absent); K004 when misplaced."""
    node = top.get(KEY)
    if node is None:
        return ""
    value = (ck.scalar(node, KEY, LABEL) or "").strip()
    ck.locations[KEY] = node.loc
    if form.kind == KISO_FORM:
        ck.error("K004", "基礎項目評価書には kiso（対になる基礎項目評価書）を書けません。"
                 "重点項目評価書か全項目評価書の側に、この基礎項目評価書のファイル名を書いてください。", node, KEY, LABEL)
        return ""
    if value and not ID_RE.match(value):
        ck.error("K004", f"kiso には同じ団体のフォルダにある基礎項目評価書のファイル名（.yaml を除く）を書いてください: 「{value}」", node, KEY, LABEL)
        return ""
    return value


def _named(a: Assessment) -> str:
    return a.kiso


def _index(assessments: Iterable[Assessment]) -> dict[tuple[str, str], Assessment]:
    return {(a.municipality, a.slug): a for a in assessments}


# the site's documents by municipality, for the tuple last asked about: every page of a build asks
# with the same ``site.assessments``, so a page costs its municipality's documents, not the site's
_GROUPS: list = [None, {}]


def _municipality(assessments: Iterable[Assessment], municipality: str) -> list[Assessment]:
    if _GROUPS[0] is not assessments:
        groups: dict[str, list[Assessment]] = {}
        for b in assessments:
            groups.setdefault(b.municipality, []).append(b)
        if not isinstance(assessments, tuple):  # only an immutable sequence can be remembered
            return groups.get(municipality, [])
        _GROUPS[:] = [assessments, groups]
    return _GROUPS[1].get(municipality, [])


def kiso_partner(assessments: Iterable[Assessment], a: Assessment) -> Assessment | None:
    """The 基礎項目評価書 that ``a`` names (None when it names none, or a wrong one)."""
    name = _named(a)
    if not name:
        return None
    return next((b for b in _municipality(assessments, a.municipality) if b.slug == name and is_kiso(b)), None)


def main_partners(assessments: Iterable[Assessment], kiso: Assessment) -> list[Assessment]:
    """The 重点/全項目 documents that name ``kiso`` as their 基礎項目評価書, in content order."""
    return [a for a in _municipality(assessments, kiso.municipality) if _named(a) == kiso.slug and not is_kiso(a)]


def partner_diagnostics(assessments: Sequence[Assessment]) -> list[Diagnostic]:
    """K001–K003, located at the ``kiso:`` key."""
    index = _index(assessments)
    diags: list[Diagnostic] = []
    claimed: dict[tuple[str, str], Assessment] = {}
    for a in assessments:
        name = _named(a)
        if not name:
            continue
        loc = a.locations.get(KEY) or SourceLocation(a.source)
        target = index.get((a.municipality, name))
        if target is None:
            kisos = sorted(b.slug for b in assessments if b.municipality == a.municipality and is_kiso(b))
            hint = f"この団体の基礎項目評価書: {'、'.join(kisos)}" if kisos else "この団体には基礎項目評価書がありません。"
            diags.append(Diagnostic("K001", f"kiso に書いた「{name}」という評価書は、この団体（{a.municipality}）のフォルダにありません。{hint}",
                                    loc, KEY, LABEL))
        elif not is_kiso(target):
            diags.append(Diagnostic("K002", f"kiso に書いた「{name}」は{target.form.name}です。対になる基礎項目評価書のファイル名を書いてください。",
                                    loc, KEY, LABEL))
        elif (a.municipality, name) in claimed:
            first = claimed[(a.municipality, name)]
            diags.append(Diagnostic("K003", f"基礎項目評価書「{name}」は「{first.slug}」も対としています。1 つの事務の基礎項目評価書と対になる評価書は 1 つです。",
                                    loc, KEY, LABEL, Severity.WARNING))
        else:
            claimed[(a.municipality, name)] = a
    return diags


@dataclass(frozen=True)
class PartnerLink:
    label: str  # 基礎項目評価書 / 重点項目評価書 …
    title: str
    href: str


def partner_links(assessments: Iterable[Assessment], a: Assessment, page: str) -> tuple[PartnerLink, ...]:
    """Links from ``a``'s page to its partner(s): the 基礎 document, or the documents naming it."""
    others = main_partners(assessments, a) if is_kiso(a) else [p for p in (kiso_partner(assessments, a),) if p]
    return tuple(PartnerLink(p.form.name, p.title, urls.relative(page, urls.assessment_page(p.municipality, p.slug)))
                 for p in others)


def partner_keys(assessments: Iterable[Assessment], a: Assessment) -> frozenset[tuple[str, str]]:
    """(municipality, slug) of every document whose change can change ``a``'s partner links: for a
    基礎 document every document of its municipality (any may come to name it), else the named one."""
    if is_kiso(a):
        return frozenset((b.municipality, b.slug) for b in _municipality(assessments, a.municipality))
    return frozenset({(a.municipality, _named(a))}) if _named(a) else frozenset()


@dataclass(frozen=True)
class ThresholdInputs:
    """II しきい値判断項目 of a 基礎項目評価書, as printed (text; the option lists of 様式2 are not in
    the catalog), with the two facts a lint needs read from that text when it is unambiguous."""

    source: Assessment  # the 基礎項目評価書 read
    subjects: str  # 対象人数
    handlers: str  # 取扱者数
    accident: str  # 重大事故の発生の有無
    handlers_500_or_more: bool | None  # None: not stated, or not readable
    accident_occurred: bool | None


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def _handlers_500(text: str) -> bool | None:
    t = _norm(text)
    more, less = "500人以上" in t, "500人未満" in t
    return None if more == less else more


def _accident(text: str) -> bool | None:
    t = _norm(text)
    yes, no = "発生あり" in t, "発生なし" in t
    return None if yes == no else yes


def threshold_inputs(assessments: Iterable[Assessment], a: Assessment) -> ThresholdInputs | None:
    """The しきい値判断項目 that apply to ``a``: its own when it is a 基礎項目評価書, else its partner's
    (None without a valid partner, or when the partner states none of them)."""
    src = a if is_kiso(a) else kiso_partner(assessments, a)
    if src is None:
        return None
    values = src.parts.get("threshold") or {}
    subjects, handlers, accident = (str(values.get(k) or "") for k in ("subjects", "handlers", "accident"))
    if not (subjects or handlers or accident):
        return None
    return ThresholdInputs(src, subjects, handlers, accident, _handlers_500(handlers), _accident(accident))
