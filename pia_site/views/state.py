"""The document state as citizens see it (templates/partials/state.html): a label, the dates
that go with it and, for a replaced document, the link to its successor.  Made from one
assessment and the site settings alone, so a listing can keep it in a per-assessment summary."""
from __future__ import annotations

from dataclasses import dataclass

from .. import urls
from ..filters import period_ja, wareki
from ..model import COMMENT, DRAFT, ENDED, PUBLISHED, STATES, SUPERSEDED, Assessment, Period, SiteConfig

KEYS = {DRAFT: "draft", COMMENT: "comment", PUBLISHED: "published", ENDED: "ended", SUPERSEDED: "superseded"}
LABELS = {DRAFT: "作成中", COMMENT: "意見聴取中", PUBLISHED: "公表", ENDED: "終了", SUPERSEDED: "再評価で置き換え"}


def state_labels() -> list[str]:
    """The states as citizens read them, in the order of the life cycle (the search page's facet)."""
    return [LABELS[s] for s in STATES]


@dataclass(frozen=True)
class StateView:
    key: str  # draft | comment | published | ended | superseded (the CSS class)
    label: str  # 作成中, 意見聴取中, 公表, 終了, 再評価で置き換え
    detail: str  # the dates, e.g. 令和8年1月26日から令和8年2月24日まで; "" when none
    iso: str  # the date the state dates from ("" when none)
    final: bool  # filed and published (公表, 終了, 置き換え)
    successor_href: str = ""  # 置き換え: the successor's page, relative to the page shown on
    note: str = ""  # one sentence for the assessment page

    @property
    def text(self) -> str:
        """One line for feeds and plain listings: 「意見聴取中（…から…まで）」."""
        return f"{self.label}（{self.detail}）" if self.detail else self.label


def state_view(config: SiteConfig, a: Assessment, from_page: str) -> StateView:
    st = a.status
    key = KEYS[st.state]
    day = (lambda d: wareki(d, config.gannen, config.seireki)) if config else str
    pub = a.published
    if st.state == DRAFT:
        return StateView(key, LABELS[DRAFT], "未公表", "", False,
                         note="この評価書は作成中で、まだ公表されていません。内容は確定したものではありません。")
    if st.state == COMMENT:
        p = ((a.parts.get("procedures") or {}).get("public_comment") or {}).get("period")
        detail = period_ja(p, config.gannen, config.seireki) if isinstance(p, Period) else ""
        iso = p.start.iso if isinstance(p, Period) and p.start else ""
        return StateView(key, LABELS[COMMENT], detail, iso, False,
                         note="この評価書は意見聴取のために公示している案です。内容は確定したものではありません。")
    if st.state == ENDED:
        ended = st.ended
        return StateView(key, LABELS[ENDED], f"{day(ended)} 事務終了" if ended else "", ended.iso if ended else "", True,
                         note="この評価書の事務は終了しました。終了後も少なくとも3年間は公表を続けます。")
    if st.state == SUPERSEDED:
        href = urls.relative(from_page, urls.assessment_page(a.municipality, st.replaced_by)) if st.replaced_by else ""
        return StateView(key, LABELS[SUPERSEDED], f"公表日 {day(pub)}" if pub else "", pub.iso if pub else "", True, href,
                         note="この評価書は、再評価による新しい評価書に置き換えられました。")
    return StateView(key, LABELS[PUBLISHED], f"公表日 {day(pub)}" if pub else "", pub.iso if pub else "", True)
