"""Model: frozen records built by ``validate`` (the typed PIA schema).

Values keep the catalog's shape: a container's values are a mapping from catalog
key to a typed value; group instances, files and III blocks carry stable ids.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Union

from .catalog import Form
from .diagnostics import SourceLocation


@dataclass(frozen=True, slots=True)
class DateValue:
    """An ISO date; ``precision`` is ``day`` or ``month`` (``2015-10``)."""

    iso: str
    precision: str = "day"

    @property
    def year(self) -> int:
        return int(self.iso[:4])

    @property
    def month(self) -> int:
        return int(self.iso[5:7])

    @property
    def day(self) -> int | None:
        return int(self.iso[8:10]) if self.precision == "day" else None


@dataclass(frozen=True, slots=True)
class Period:
    start: DateValue | None
    end: DateValue | None


@dataclass(frozen=True)
class CheckItem:
    text: str
    detail: str | None = None


DASH = "—"
Value = Union[str, None, DateValue, Period, tuple, bool, "RecordItems", "Instance"]


@dataclass(frozen=True)
class Instance:
    """One instance of a repeated group (システムn, 委託事項n, …)."""

    id: str
    no: int
    values: Mapping[str, Any]


@dataclass(frozen=True)
class RecordGroup:
    name: str
    items: tuple[str, ...]
    start: int = 1


@dataclass(frozen=True)
class RecordItems:
    groups: tuple[RecordGroup, ...]
    note: str | None = None


@dataclass(frozen=True)
class Diagram:
    title: str | None
    subtitle: str | None
    figure: str | None
    notes: str | None


@dataclass(frozen=True)
class FileEntry:
    """特定個人情報ファイル: its id, printed name, and its file-scoped parts."""

    id: str
    name: str
    no: int
    parts: Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class Block:
    """One III block, covering one or several files."""

    id: str
    no: int
    files: tuple[str, ...]
    values: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """A 変更箇所 row as published."""

    line: int
    date: DateValue | None
    item: str
    before: str | None
    after: str | None
    timing: str | None  # 事前 | 事後 | None
    timing_note: str | None
    targets: tuple[str, ...] = ()

    @property
    def is_continuation(self) -> bool:
        return self.date is None and not self.timing and not self.timing_note


@dataclass(frozen=True)
class Unplaced:
    """Source text an importer could not place under an item (kept, never dropped)."""

    source_line: int
    text: str
    near: str = ""  # the key path it was found near, if known


@dataclass(frozen=True)
class Withheld:
    """An item not published for security reasons (規則第13条).  It stands in the record where
    the item's value was: the text itself never enters the record, so no output can show it."""


WITHHELD = Withheld()

# document states (status.state), in the order of the life cycle
DRAFT, COMMENT, PUBLISHED, ENDED, SUPERSEDED = "作成中", "意見聴取中", "公表", "終了", "置き換え"
STATES = (DRAFT, COMMENT, PUBLISHED, ENDED, SUPERSEDED)
FINAL_STATES = (PUBLISHED, ENDED, SUPERSEDED)  # filed and published: 公表日 required
REVISION_KINDS = ("再実施", "修正")
CURRENT_REVISION = "current"  # the revisions key of the undated rows (今回, the edition being published)


@dataclass(frozen=True)
class Status:
    """The document's life cycle (status: in the YAML): its state and what the state needs.

    ``revisions`` types each revision of the change log (its ISO date, or ``current`` for
    the undated rows) as 再実施 or 修正.  ``declared`` is False when the YAML has no state
    and it was derived (公表 when complete, else 作成中)."""

    state: str = PUBLISHED
    declared: bool = False
    ended: DateValue | None = None  # 事務の終了日 (終了)
    replaced_by: str = ""  # the successor's slug, same municipality (置き換え)
    replaces: str = ""  # the predecessor's slug (on the successor)
    reviewed: DateValue | None = None  # the last yearly review (見直し)
    revisions: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Assessment:
    slug: str
    municipality: str
    source: str
    form: Form
    parts: Mapping[str, Any]  # document-scoped part key -> values / list of blocks
    files: tuple[FileEntry, ...]
    changes: tuple[ChangeRow, ...]
    status: Status = field(default_factory=Status)
    withheld: tuple[str, ...] = ()  # anchors of the items not published (規則第13条)
    unplaced: tuple[Unplaced, ...] = ()
    kiso: str = ""  # the file name (slug) of this document's 基礎項目評価書, same municipality (partner.py)
    # per change row: the anchors it links to (filled by the link stage; empty = not linked)
    change_links: tuple[tuple[str, ...], ...] = ()
    locations: Mapping[str, SourceLocation] = field(default_factory=dict)
    source_url: str = ""  # the document as filed (https, usually its PDF)
    ppc_url: str = ""  # the document's page on the 個人情報保護委員会's site (https)

    def cover(self, key: str) -> Any:
        return self.parts.get("cover", {}).get(key)

    @property
    def title(self) -> str:
        return self.cover("title") or self.slug

    @property
    def published(self) -> DateValue | None:
        v = self.cover("published")
        return v if isinstance(v, DateValue) else None

    @property
    def ended(self) -> DateValue | None:
        return self.status.ended


@dataclass(frozen=True)
class Municipality:
    slug: str
    name: str
    prefecture: str
    code: str
    bodies: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class SiteConfig:
    title: str
    description: str = ""
    base_url: str = ""
    gannen: bool = True  # print 令和元年 rather than 令和1年
    seireki: str = "after"  # after | before | none
    empty_buckets: bool = True  # print empty slot headers (システム2～5 …)
    source: str = ""
    personal_data_allow: tuple[str, ...] = ()  # public office numbers/addresses the guard lets through
    theme_dir: str = ""  # the site's theme overrides (absolute; "" for none), see theme.Theme
    allow_unsafe_templates: bool = False  # the overrides may use |safe, autoescape false, Markup(
    data_license: str = "公共データ利用規約（第1.0版）"  # the open data's licence (data/, datapackage.json)
    data_license_url: str = "https://www.digital.go.jp/resources/open_data/public_data_license_v1.0"
    as_of: DateValue | None = None  # the date the procedure lints judge by (site.yaml as_of, SOURCE_DATE_EPOCH)


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    municipalities: tuple[Municipality, ...]
    assessments: tuple[Assessment, ...]

    def assessments_of(self, slug: str) -> tuple[Assessment, ...]:
        return tuple(a for a in self.assessments if a.municipality == slug)
