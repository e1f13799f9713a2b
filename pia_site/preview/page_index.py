"""The pages of the last good build and the inputs they depend on, kept between incremental
updates so that an update costs what changed, not the size of the site.

Pages belong to owners: the site (top page, search page, 更新履歴, site feed), each
municipality (listing page, feed) and each assessment (its page, its 変更箇所 page).  For each
owner the index keeps the ``PageSpec``s that ``render.page_specs`` lists for it; for each input
key its fingerprint; and a reverse index key -> pages.  ``sync`` moves the index from the last
good state to a newly assembled site, looking only at the folders that are not the same
objects as last time, and returns the keys that changed, the pages to render (the assessments'
own pages first, then the listings: the page being edited shows before the site-wide pages are
rendered) and the pages that are gone: what comparing the specs and keys of the whole site
would give.

Keys: ``site`` is site.yaml's settings, ``catalog`` the catalog files' digest,
``assessment:m/s`` the source file's digest and path, ``municipality:m`` the municipality
record, ``listing:m`` the record and what listings show of each of its assessments
(``views.changes.listing_record``), ``template:name`` the template's source, ``asset:name``
the bytes of an asset whose integrity a template prints (``render.asset_key``).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Callable

from .. import render
from .sources import Assembly, Folder
from ..views.memo import IdentityMemo
from ..model import Site
from ..render import CATALOG, SITE, PageSpec, assessment_key, listing_key, municipality_key
from ..views.changes import listing_record
from ..compare import compare_record
from ..compare.fingerprint import Fingerprints

SITE_OWNER = ("site",)
COMPARE_OWNER = ("compare",)  # the compare pages (他団体の記載と比べる): specs made from every assessment's record
TEMPLATE_PREFIX = "template:"
ASSET_PREFIX = "asset:"
_FILE_PREFIXES = (TEMPLATE_PREFIX, ASSET_PREFIX)  # keys read from theme files, counted in _template_refs


def _municipality_owner(slug: str) -> tuple:
    return ("municipality", slug)


def _assessment_owner(municipality: str, slug: str) -> tuple:
    return ("assessment", municipality, slug)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Step:
    """What one ``sync`` found."""

    keys: dict[str, str]  # every input key's fingerprint (a new dict; the previous one is left as it was)
    changed: frozenset[str]  # keys added, removed or with another fingerprint
    todo: list[str]  # pages to render: their inputs changed, or they are new; in render order (``_in_render_order``)
    gone: list[str]  # pages no longer in the site (sorted)
    own: int = 0  # the first ``own`` pages of ``todo`` are assessments' own pages; the listings follow


class PageIndex:
    def __init__(self, env):
        self.keys: dict[str, str] = {}
        self._folders: dict[str, Folder] = {}  # as of the last sync
        self._listings: dict[str, dict[str, str]] = {}  # folder -> assessment slug -> its listing_record
        self._config = None
        self._municipalities: tuple[str, ...] | None = None  # slugs, as the site pages' specs were made for
        self._owned: dict[tuple, tuple[Any, tuple[PageSpec, ...]]] = {}  # owner -> (record, its specs)
        self._owner_of: dict[str, tuple] = {}  # page -> owner
        self._pages_of: dict[str, set[str]] = {}  # input key -> pages that depend on it
        self._template_refs: dict[str, int] = {}  # template key -> number of pages that depend on it
        # each assessment's revisions for the 更新履歴 and feeds, kept while its record is the same object
        self._memo = IdentityMemo()
        self._compare = Fingerprints()  # each assessment's compare record and the compare: keys' sums
        self.set_env(env)

    def set_env(self, env) -> None:
        """A new template environment (a template changed): every page's specs are made again."""
        self.env = env
        self._closure: Callable[[str], frozenset[str]] = render.template_deps(env)
        self._template_digests: dict[str, str] = {}
        self._respec_all = True

    def has_page(self, path: str) -> bool:
        return path in self._owner_of

    # -- sync -----------------------------------------------------------------------------
    def sync(self, asm: Assembly, catalog_digest: str) -> Step:
        """Bring the index to ``asm`` (a site without errors).  On an exception the index is
        half-updated: drop it and start from a new one."""
        site = asm.site
        assert site is not None
        keys = dict(self.keys)
        touched: set[str] = set()
        respec: dict[tuple, Any] = {}  # owner -> its new record, or None when it is gone

        def put(key: str, value: str) -> None:
            keys[key] = value
            touched.add(key)

        def drop(key: str) -> None:
            keys.pop(key, None)
            touched.add(key)

        if site.config is not self._config:
            put(SITE, _digest(repr(site.config)))
        put(CATALOG, catalog_digest)
        names = [n for n in self._folders if n not in asm.folders]
        names += [n for n, f in asm.folders.items() if f is not self._folders.get(n)]
        compare_touched: set[str] = set()
        for name in names:
            self._sync_folder(site, name, self._folders.get(name), asm.folders.get(name), put, drop, respec)
            compare_touched |= self._sync_compare(name, self._folders.get(name), asm.folders.get(name))
        for key in compare_touched:
            value = self._compare.value(key)
            put(key, value) if value is not None else drop(key)
        if self._respec_all or any(keys.get(k) != self.keys.get(k) for k in compare_touched):
            respec[COMPARE_OWNER] = site  # the set of compare pages follows the answers (prefectures, pages)
        municipalities = tuple(m.slug for m in site.municipalities)
        if municipalities != self._municipalities or self._respec_all:
            respec[SITE_OWNER] = site
        if self._respec_all:
            for owner, (record, _) in self._owned.items():
                respec.setdefault(owner, record)

        old_templates = set(self._template_refs)
        old_deps: dict[str, frozenset[str]] = {}
        for owner in respec:
            owned = self._owned.pop(owner, None)
            for spec in owned[1] if owned else ():
                old_deps[spec.path] = spec.deps
                self._unindex(spec)
        todo: set[str] = set()
        for owner, record in respec.items():
            if record is None:
                continue
            specs = tuple(self._make_specs(owner, record, site))
            for spec in specs:  # no two owners share a page: link.link_site sees to that (L002)
                self._index(owner, spec)
                if old_deps.get(spec.path) != spec.deps:
                    todo.add(spec.path)
            self._owned[owner] = (record, specs)
        for key in old_templates - set(self._template_refs):
            drop(key)
        for key in self._template_refs:
            if key.startswith(ASSET_PREFIX):  # read every time: an asset changes without a new environment
                put(key, render.asset_fingerprint(self.env, key[len(ASSET_PREFIX):]))
            else:
                put(key, self._template_digest(key[len(TEMPLATE_PREFIX):]))

        changed = frozenset(k for k in touched if keys.get(k) != self.keys.get(k))
        for key in changed:
            todo |= self._pages_of.get(key, set())
        gone = sorted(p for p in old_deps if p not in self._owner_of)
        self.keys = keys
        self._folders = asm.folders
        self._config = site.config
        self._municipalities = municipalities
        self._respec_all = False
        ordered = self._in_render_order(todo, asm)
        own = sum(1 for p in ordered if self._owner_of[p][0] == "assessment")
        return Step(keys, changed, ordered, gone, own)

    def _sync_folder(self, site: Site, name: str, old: Folder | None, new: Folder | None, put, drop, respec) -> None:
        """One municipality folder that is not the same object as at the last sync."""
        old_m = old.municipality if old is not None else None
        new_m = new.municipality if new is not None else None
        if new_m is None:  # the folder is gone (a site without errors has every folder's record)
            drop(municipality_key(name))
            drop(listing_key(name))
            respec[_municipality_owner(name)] = None
        elif new_m is not old_m:
            put(municipality_key(name), _digest(repr(new_m)))
            respec[_municipality_owner(name)] = new_m
        before = {a.slug: (a, s) for a, s in zip(old.assessments, old.sources)} if old is not None else {}
        after = {a.slug: (a, s) for a, s in zip(new.assessments, new.sources)} if new is not None else {}
        old_listings = self._listings.pop(name, {})
        listings: dict[str, str] = {}
        listing_changed = new_m is not old_m
        for slug in before:
            if slug not in after:
                drop(assessment_key(name, slug))
                respec[_assessment_owner(name, slug)] = None
                listing_changed = True
        for slug, (a, src) in after.items():
            prev = before.get(slug)
            if prev is not None and prev[0] is a:
                listings[slug] = old_listings[slug]
                continue
            listings[slug] = listing_record(a)
            put(assessment_key(name, slug), f"{src.digest}:{a.source}")
            respec[_assessment_owner(name, slug)] = a
            listing_changed = listing_changed or prev is None or old_listings.get(slug) != listings[slug]
        if new is not None:
            self._listings[name] = listings
        if new_m is not None and listing_changed:
            put(listing_key(name), _digest(repr(new_m) + "\n" + "\n".join(sorted(listings.values()))))

    def _sync_compare(self, name: str, old: Folder | None, new: Folder | None) -> set[str]:
        """The compare records of a folder that is not the same object as at the last sync:
        those of its new or edited assessments, or all of them when its record changed (a
        record names the body and its prefecture); the ``compare:`` keys whose sums moved."""
        new_m = new.municipality if new is not None else None
        same_m = old is not None and new_m is not None and new_m is old.municipality
        before = {a.slug: a for a in old.assessments} if old is not None else {}
        after = {a.slug: a for a in new.assessments} if new is not None and new_m is not None else {}
        touched: set[str] = set()
        for slug in before:
            if slug not in after:
                touched |= self._compare.set((name, slug), None)
        for slug, a in after.items():
            if same_m and before.get(slug) is a:
                continue
            touched |= self._compare.set((name, slug), compare_record(a, new_m))
        return touched

    # -- specs ----------------------------------------------------------------------------
    def page_specs(self, pages: list[str], site: Site) -> list[PageSpec]:
        """The specs of these pages, in the order given, rendering from ``site``."""
        made: dict[tuple, dict[str, PageSpec]] = {}
        out = []
        for path in pages:
            owner = self._owner_of[path]
            if owner not in made:
                made[owner] = {s.path: s for s in self._make_specs(owner, self._owned[owner][0], site)}
            out.append(made[owner][path])
        return out

    def _make_specs(self, owner: tuple, record: Any, site: Site) -> list[PageSpec]:
        if owner == SITE_OWNER:
            # the sitemap (with base_url) lists the compare pages too
            compare = render.compare_page_specs(self._compare.records(), self._closure) if site.config.base_url else ()
            return render.site_page_specs(site, self._closure, self._memo, compare)
        if owner == COMPARE_OWNER:
            return render.compare_page_specs(self._compare.records(), self._closure)
        if owner[0] == "municipality":
            return render.municipality_page_specs(site, record, self._closure, self._memo)
        return render.assessment_page_specs(site, record, self._closure)

    def _index(self, owner: tuple, spec: PageSpec) -> None:
        self._owner_of[spec.path] = owner
        for key in spec.deps:
            self._pages_of.setdefault(key, set()).add(spec.path)
            if key.startswith(_FILE_PREFIXES):
                self._template_refs[key] = self._template_refs.get(key, 0) + 1

    def _unindex(self, spec: PageSpec) -> None:
        del self._owner_of[spec.path]
        for key in spec.deps:
            pages = self._pages_of[key]
            pages.discard(spec.path)
            if not pages:
                del self._pages_of[key]
            if key.startswith(_FILE_PREFIXES):
                self._template_refs[key] -= 1
                if not self._template_refs[key]:
                    del self._template_refs[key]

    def _template_digest(self, name: str) -> str:
        if name not in self._template_digests:
            self._template_digests[name] = _digest(self.env.loader.get_source(self.env, name)[0])
        return self._template_digests[name]

    def _in_render_order(self, pages: set[str], asm: Assembly) -> list[str]:
        """The assessments' own pages (what an author edits and looks at) in ``render.page_specs``
        order, then the site pages and the municipalities' pages (listings, 更新履歴, feeds) in
        ``render.page_specs`` order, then the compare pages."""
        folder_rank = {name: i for i, name in enumerate(asm.folders)}
        positions: dict[str, dict[str, int]] = {}

        def rank(path: str) -> tuple:
            owner = self._owner_of[path]
            within = next(i for i, s in enumerate(self._owned[owner][1]) if s.path == path)
            if owner == SITE_OWNER:
                return (1, 0, 0, within)
            if owner == COMPARE_OWNER:  # last: after the edited pages and the listings an author looks at first
                return (3, 0, 0, within)
            if owner[0] == "municipality":
                return (2, folder_rank[owner[1]], 0, within)
            folder = owner[1]
            if folder not in positions:
                positions[folder] = {a.slug: i for i, a in enumerate(asm.folders[folder].assessments)}
            return (0, folder_rank[folder], positions[folder][owner[2]], within)

        return sorted(pages, key=rank)
