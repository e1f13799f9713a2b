"""The anchor scheme (pia_site/anchors.py): one walk gives the ids of the assessment page, the
known change-log targets and the leaves ``changelog draft`` compares."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pia_site import anchors
from pia_site.build import load_site
from pia_site.model import ChangeRow, Instance
from pia_site.views.assessment import Box, Special, Table, assessment_view

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site():
    s, _ = load_site(REPO / "content")
    return s


def _by_slug(site, slug):
    return next(a for a in site.assessments if a.slug == slug)


def test_walk_spells_parts_files_blocks_instances_and_change_rows(site):
    a = _by_slug(site, "kokuho-fuka-shuno")
    spots = {s.anchor: s for s in anchors.walk(a)}
    assert spots["cover"].node.kind == "part"
    assert spots["files.fuka.overview"].node.scope == "file"
    assert spots["files.shuno.overview"].value is a.files[1].parts["overview"]
    block = a.parts["risk_measures"][0]
    assert spots[f"risk_measures.{block.id}"].value is block.values
    systems = spots["basic_info.systems"]
    assert systems.node.kind == "group" and all(isinstance(i, Instance) for i in systems.value)
    first = systems.value[0]
    inst = spots[f"basic_info.systems.{first.id}"]
    assert inst.value is first.values and inst.bindings == ((systems.node.id, first.no),)
    leaf = next(s for s in anchors.walk(a) if s.anchor.startswith(f"basic_info.systems.{first.id}.") and s.node.has_value)
    assert leaf.bindings == ((systems.node.id, first.no),)
    assert spots["changes"].value == a.changes
    assert [s.anchor for s in anchors.walk(a) if s.anchor.startswith("changes.")] == [
        f"changes.{i}" for i in range(1, len(a.changes) + 1)]
    assert anchors.anchors(a) == set(spots)


def test_parse_reads_every_anchor_back_to_its_node(site):
    for a in site.assessments:
        for s in anchors.walk(a):
            if s.node.kind == "changelog":
                continue
            node, bindings, file_id, block_id = anchors.parse(a.form, s.anchor)
            assert node is s.node, s.anchor
            part = a.form.ancestors(node)[0] if a.form.ancestors(node) else node
            assert (file_id is not None) == (part.scope == "file"), s.anchor
            assert (block_id is not None) == (part.scope == "file_block" and s.anchor != part.key), s.anchor
            assert [g for g, _ in bindings] == [g for g, _ in s.bindings][:len(bindings)], s.anchor


def test_parse_refuses_paths_the_form_does_not_have(site):
    form = _by_slug(site, "keijidosha-fuka").form
    assert anchors.parse(form, "basic_info.no_such_item")[0] is None
    assert anchors.parse(form, "overview.entrust")[0] is None  # a file-scoped part needs files.<id>.
    assert anchors.parse(form, "")[0] is None


def test_an_absent_part_has_no_anchor_but_draft_sees_its_leaves(site):
    a = _by_slug(site, "keijidosha-fuka")
    without = replace(a, parts={k: v for k, v in a.parts.items() if k != "disclosure"})
    assert any(x.startswith("disclosure") for x in anchors.anchors(a))
    assert not any(x.startswith("disclosure") for x in anchors.anchors(without))
    absent = [s for s in anchors.leaves(without, absent_parts=True) if s.anchor.startswith("disclosure.")]
    assert absent and all(s.value is None for s in absent)
    assert not any(s.anchor.startswith("disclosure.") for s in anchors.leaves(without))


def test_leaves_hold_values_only(site):
    for a in site.assessments:
        for s in anchors.leaves(a):
            assert s.node.has_value and not s.node.is_container and s.node.kind != "changelog"


def _view_anchors(view):
    out = []

    def rows(rs):
        for r in rs:
            out.append(r.anchor)
            rows(r.rows)

    def box(b):
        out.append(b.anchor)
        rows(b.flags)
        for x in b.body:
            if isinstance(x, Box):
                box(x)
            elif isinstance(x, Table):
                rows(x.rows)
            else:
                assert isinstance(x, Special) or not hasattr(x, "anchor")

    for b in view.parts:
        box(b)
    out.extend(c.anchor for c in view.changes)
    return out


def test_page_ids_are_anchors_apart_from_the_empty_slot_the_form_prints(site):
    """The views build ids with the same scheme: each id on the page is a known target, except
    under the slot 1 the form prints for a group with no instance (no data, so no target)."""
    for a in site.assessments:
        known = anchors.anchors(a)
        empty = {s.anchor for s in anchors.walk(a) if s.node.kind == "group" and not s.value}
        ids = _view_anchors(assessment_view(site, a))
        assert len(ids) > 100 and len(set(ids)) == len(ids)
        for anchor in ids:
            if anchor not in known:
                assert any(anchor == f"{g}.1" or anchor.startswith(f"{g}.1.") for g in empty), anchor


def test_explicit_targets_use_the_scheme(site):
    """An explicit ``target:`` is checked against the walk (link L001) and bound by the resolver."""
    from pia_site.changelog import resolve_assessment
    from pia_site.link import check_targets

    a = _by_slug(site, "keijidosha-fuka")
    leaf = next(s for s in anchors.leaves(a) if s.anchor.startswith("files.keiji."))
    row = ChangeRow(line=1, date=None, item="", before="a", after="b", timing="事後", timing_note=None,
                    targets=(leaf.anchor, "files.keiji.nope"))
    linked = replace(a, changes=(row,))
    assert [d.code for d in check_targets(linked)] == ["L001"]
    ok = replace(a, changes=(replace(row, targets=(leaf.anchor,)),))
    result = resolve_assessment(ok)[0]
    assert result.linked and [t.anchor for t in result.targets] == [leaf.anchor]
    assert result.targets[0].node is leaf.node and result.targets[0].file_id == "keiji"
