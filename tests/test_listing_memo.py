"""The site-wide 更新履歴 and feeds after one edit: each assessment's revisions are kept in a
memo while its record is the same object, and derived again when it is a new one (a stale
listing is a bug), with the same result as deriving everything afresh."""
from __future__ import annotations

import dataclasses

import pytest

import pia_site.views.changes as views_changes
from pia_site.build import load_site
from pia_site.views.memo import IdentityMemo
from pia_site.model import Site
from pia_site.render import make_environment, page_specs, render_page, site_page_specs, template_deps
from pia_site.views.changes import feed_context, newest_changes, site_changes

from support import REPO


def test_identity_memo_reuses_a_value_only_for_the_same_objects():
    memo = IdentityMemo()
    calls: list[str] = []

    def make(tag):
        calls.append(tag)
        return tag

    a = {"title": "x"}
    equal_but_new = {"title": "x"}
    assert memo.get((a,), lambda: make("first")) == "first"
    assert memo.get((a,), lambda: make("again")) == "first"
    assert memo.get((equal_but_new,), lambda: make("new object")) == "new object"  # equality is not enough
    assert memo.get((a, "settings"), lambda: make("other inputs")) == "other inputs"
    assert calls == ["first", "new object", "other inputs"]


def test_identity_memo_sweep_forgets_what_was_not_asked_for():
    memo = IdentityMemo()
    kept, gone = object(), object()
    memo.get((kept,), lambda: 1)
    memo.get((gone,), lambda: 2)
    memo.sweep()
    assert len(memo) == 2  # both were asked for since the (first) sweep
    memo.get((kept,), lambda: 3)
    memo.sweep()
    assert len(memo) == 1
    assert memo.get((kept,), lambda: 4) == 1
    assert memo.get((gone,), lambda: 5) == 5


def _retitled(site: Site, slug: str, title: str) -> Site:
    """The site with one assessment replaced by a new record whose cover title differs."""
    def edit(a):
        if a.slug != slug:
            return a
        return dataclasses.replace(a, parts={**a.parts, "cover": {**a.parts["cover"], "title": title}})

    return dataclasses.replace(site, assessments=tuple(edit(a) for a in site.assessments))


@pytest.fixture(scope="module")
def sample_site() -> Site:
    site, _ = load_site(REPO / "content")
    assert len(site_changes(site)) > 3
    return site


def test_newest_changes_is_the_head_of_the_sorted_list(sample_site):
    every = site_changes(sample_site)
    for limit in (1, 3, len(every), len(every) + 5):
        found = newest_changes(sample_site, limit)
        assert found.changes == every[:limit]
        assert found.total == len(every)
        assert found.newest_date == max(c.iso for c in every if c.iso)
    slug = sample_site.municipalities[0].slug
    mine = newest_changes(sample_site, 2, slug)
    assert mine.changes == site_changes(sample_site, slug)[:2]
    assert all(c.assessment.municipality == slug for c in mine.changes)


def test_an_edited_assessment_is_derived_again_and_the_others_are_reused(sample_site, monkeypatch):
    derived: list[str] = []
    real = views_changes.assessment_site_changes

    def counted(config, m, a):
        derived.append(a.slug)
        return real(config, m, a)

    monkeypatch.setattr(views_changes, "assessment_site_changes", counted)
    memo = IdentityMemo()
    first = newest_changes(sample_site, 1000, memo=memo)
    assert sorted(derived) == sorted(a.slug for a in sample_site.assessments)
    slug = first.changes[0].assessment.slug
    edited = _retitled(sample_site, slug, "改題した評価書")
    derived.clear()
    again = newest_changes(edited, 1000, memo=memo)
    assert derived == [slug]  # only the new record
    assert {c.assessment.title for c in again.changes if c.assessment.slug == slug} == {"改題した評価書"}
    derived.clear()
    assert again == newest_changes(edited, 1000)  # same as without the memo
    # editing it back makes yet another record: derived again, not the entry of the first one
    back = _retitled(edited, slug, first.changes[0].assessment.title)
    derived.clear()
    assert newest_changes(back, 1000, memo=memo) == first
    assert derived == [slug]


def test_a_settings_change_derives_every_assessment_again(sample_site):
    memo = IdentityMemo()
    before = newest_changes(sample_site, 1000, memo=memo)
    other = dataclasses.replace(sample_site, config=dataclasses.replace(sample_site.config, gannen=not sample_site.config.gannen,
                                                                          seireki="none"))
    after = newest_changes(other, 1000, memo=memo)
    assert after == newest_changes(other, 1000)
    assert [c.date_text for c in after.changes] != [c.date_text for c in before.changes]


def test_site_pages_rendered_with_a_kept_memo_match_a_fresh_render_after_an_edit(sample_site):
    """As the incremental builder renders them: one memo across versions of the site."""
    env = make_environment(None)
    closure = template_deps(env)
    memo = IdentityMemo()
    for spec in site_page_specs(sample_site, closure, memo):
        render_page(sample_site, env, spec)
    slug = site_changes(sample_site)[0].assessment.slug
    edited = _retitled(sample_site, slug, "〔新しい題名〕")
    kept = {s.path: render_page(edited, env, s) for s in site_page_specs(edited, closure, memo)}
    fresh = {s.path: render_page(edited, env, s) for s in page_specs(edited, env) if s.path in kept}
    assert kept == fresh
    assert "〔新しい題名〕" in kept["changes/index.html"] and "〔新しい題名〕" in kept["feed.xml"]
    muni = next(a.municipality for a in edited.assessments if a.slug == slug)
    feed = feed_context(edited, f"{muni}/feed.xml", next(m for m in edited.municipalities if m.slug == muni), memo)
    assert "〔新しい題名〕" in {c.assessment.title for c in feed["changes"]}
