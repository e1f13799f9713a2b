"""Link: cross-document facts derived from validated records (anchors, targets,
change-log rows resolved to the items they changed), and the one assembly of the site from
its records (``link_site``), shared by ``build``, ``check`` and the live preview: checks
across documents (generated-path collisions, L002) live there."""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from . import urls
from .anchors import anchors
from .changelog import changelog_diagnostics, resolve_assessment
from .changelog.result import RESOLVED
from .diagnostics import Diagnostic, SourceLocation, has_errors
from .model import Assessment, Municipality, Site, SiteConfig
from .partner import partner_diagnostics, threshold_inputs
from .validate.lifecycle import hide_row
from .validate.procedure import ThresholdInputs, dated_diagnostics, important_change_diagnostics, threshold_diagnostics
from .validate.succession import succession_diagnostics


def check_targets(a: Assessment) -> list[Diagnostic]:
    """Explicit change-log targets must name an item of this assessment."""
    known = anchors(a)
    diags = []
    for row in a.changes:
        for t in row.targets:
            if t not in known:
                diags.append(Diagnostic("L001", f"target「{t}」はこの評価書の項目にありません。", SourceLocation(a.source, row.line, 1), "changes.target", "変更箇所"))
    return diags


def link_assessment(a: Assessment) -> tuple[Assessment, list[Diagnostic]]:
    """Resolve every change row to the item(s) it changed; the record comes back with
    ``change_links`` set, plus the change-log warnings for ``pia-site check``."""
    diags = check_targets(a)
    if not a.changes:
        return a, diags
    results = resolve_assessment(a)
    links = tuple(tuple(dict.fromkeys(t.anchor for t in r.targets if t.anchor)) if r.linked else () for r in results)
    diags += changelog_diagnostics(a, results)
    diags += important_change_diagnostics(a, [r.status == RESOLVED and any(t.node.important for t in r.targets) for r in results])
    return replace(a, change_links=links, changes=hide_withheld_rows(a, links)), diags


def hide_withheld_rows(a: Assessment, links: tuple[tuple[str, ...], ...]) -> tuple:
    """The change rows, those linked to a withheld item (規則第13条) without their before/after."""
    if not a.withheld:
        return a.changes
    paths = set(a.withheld)
    return tuple(hide_row(row) if any(x in paths for x in linked) else row for row, linked in zip(a.changes, links))


def item_history(a: Assessment) -> dict[str, tuple[int, ...]]:
    """Anchor -> 1-based numbers of the change rows linked to it (変更履歴)."""
    out: dict[str, list[int]] = {}
    for i, linked in enumerate(a.change_links, 1):
        for anchor in linked:
            out.setdefault(anchor, []).append(i)
    return {k: tuple(v) for k, v in out.items()}


def _collision(message: str, source: str) -> Diagnostic:
    return Diagnostic("L002", message, SourceLocation(source))


def path_collisions(municipalities: Sequence[Municipality], assessments: Sequence[Assessment]) -> list[Diagnostic]:
    """Records whose pages would land where other pages are (L002), located at the record
    that comes later in content order.  Names are compared without regard to case: on the
    file systems of Windows and macOS ``Search/`` is ``search/``."""
    diags: list[Diagnostic] = []
    folders: dict[str, Municipality] = {}
    for m in municipalities:
        key = m.slug.casefold()
        if key in urls.RESERVED_TOP:
            diags.append(_collision(f"団体のフォルダ名「{m.slug}」はサイト自身のページ（{key}）が使う名前で、"
                                    "URL が重なるため使えません。フォルダ名を変えてください。", m.source))
        elif key in folders:
            diags.append(_collision(f"団体のフォルダ名「{m.slug}」は「{folders[key].slug}」と大文字・小文字だけが違い、"
                                    f"同じ URL（{urls.municipality_page(key)}）になります。どちらかの名前を変えてください。", m.source))
        else:
            folders[key] = m
    pages: dict[tuple[str, str], Assessment] = {}
    for a in assessments:
        key = (a.municipality.casefold(), a.slug.casefold())
        if key[1] in urls.RESERVED_IN_MUNICIPALITY:
            diags.append(_collision(f"ファイル名「{a.slug}」は団体のフォルダの中でサイトが使う名前で、"
                                    f"ページ（{urls.assessment_page(a.municipality, a.slug)}）が重なるため使えません。"
                                    "ファイル名を変えてください。", a.source))
        elif key in pages:
            first = pages[key].source.replace("\\", "/").rsplit("/", 1)[-1]
            diags.append(_collision(f"このファイルは「{first}」と同じページ（{urls.assessment_page(a.municipality, a.slug)}）になります。"
                                    "拡張子（.yaml と .yml）や大文字・小文字だけが違うファイルは、どちらか一方にしてください。", a.source))
        else:
            pages[key] = a
    return diags


def partner_threshold_diagnostics(assessments: Sequence[Assessment]) -> list[Diagnostic]:
    """The しきい値判断 checked exactly with the 取扱者数 and 重大事故 of a 基礎項目評価書 partner
    (R020), where 対象人数 alone left it open (validate checks that part per document)."""
    out: list[Diagnostic] = []
    by_municipality: dict[str, list[Assessment]] = {}
    for a in assessments:
        by_municipality.setdefault(a.municipality, []).append(a)
    for a in assessments:
        if not a.kiso or threshold_diagnostics(a):
            continue  # no partner, or already reported without it
        facts = threshold_inputs(by_municipality[a.municipality], a)
        if facts is not None:
            out += threshold_diagnostics(a, ThresholdInputs(facts.handlers_500_or_more, facts.accident_occurred))
    return out


def link_site(config: SiteConfig | None, municipalities: Sequence[Municipality],
              assessments: Sequence[Assessment]) -> tuple[Site | None, list[Diagnostic]]:
    """The site from its validated (and per-assessment linked) records, in content order,
    with the diagnostics of the checks across documents.  The site is None when there is no
    config or a check found an error; a caller that has errors from earlier stages drops it
    too."""
    diags = (path_collisions(municipalities, assessments) + partner_diagnostics(assessments)
             + succession_diagnostics(assessments))
    if config is not None:  # deadlines judged against the site's as_of date (never the clock)
        diags += [d for a in assessments for d in dated_diagnostics(a, config.as_of)]
    diags += partner_threshold_diagnostics(assessments)
    if config is None or has_errors(diags):
        return None, diags
    return Site(config, tuple(municipalities), tuple(assessments)), diags
