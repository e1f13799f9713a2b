"""Editions in force (issue 14.1): the earlier 様式3 edition and 様式4 平成26年4月 as catalog data;
documents on them validate, render with their own numbering and import to the right edition
without renumbering; change-log rows in any edition's wording resolve; rows naming a repeated
group without its instance stay ambiguous.

The documents are the seeds with exactly the differences the domain notes describe
(form-juten.md "Edition notes": II-3 情報の突合 unnumbered then ⑥使用開始日, ②所属長;
form-zenkoumoku.md "Edition differences": `[平成26年4月 様式4]`, ②所属長)."""
from __future__ import annotations

import functools

import pytest

from pia_site import catalog as cat
from pia_site.build import build, check
from pia_site.catalog import find_form
from pia_site.changelog import resolve_rows, resolve_text
from pia_site.diagnostics import has_errors
from pia_site.importer import import_source
from pia_site.model import Assessment, ChangeRow, FileEntry, Instance

from support import make_content, seed

SEED_003 = "003_9cb340eda5728da8.txt"
SEED_001 = "001_c176883cc507a412.txt"
J26, J06 = find_form("juten", "平成26年4月"), find_form("juten", "令和6年10月")
Z26, Z30 = find_form("zenkoumoku", "平成26年4月"), find_form("zenkoumoku", "平成30年5月")
USE_START = "overview.acquisition_use.use_start"
MATCHING = "overview.acquisition_use.matching"
HEAD = "basic_info.department.head_title"


def _body_and_log(text: str, heading: str) -> tuple[str, str]:
    i = text.index(heading)
    return text[:i], text[i:]


def juten_earlier(stamp: str = "") -> str:
    """Seed 003 printed on the earlier 様式3: the form's own labels changed, the change log as is."""
    body, log = _body_and_log(seed(SEED_003).read_text(encoding="utf-8"), "(別添2)変更箇所")
    body = (body.replace("[令和6年10月 様式3]", stamp).replace("⑥情報の突合", "情報の突合")
            .replace("⑦使用開始日", "⑥使用開始日").replace("②所属長の役職名", "②所属長"))
    return body + log


def zen_h26() -> str:
    body, log = _body_and_log(seed(SEED_001).read_text(encoding="utf-8"), "(別添3) 変更箇所")
    return body.replace("[平成30年5月 様式4]", "[平成26年4月 様式4]").replace("②所属長の役職名", "②所属長") + log


@functools.lru_cache(maxsize=None)
def imported(which: str):
    text = {"juten": juten_earlier(), "juten_stamped": juten_earlier("[平成26年4月 様式3]"), "zen": zen_h26(),
            "juten_r06": seed(SEED_003).read_text(encoding="utf-8")}[which]
    return import_source(text.encode("utf-8"))


# ---------------------------------------------------------------------------
# catalog

def test_the_editions_in_force_are_listed_oldest_first():
    assert cat.editions("juten") == ["平成26年4月", "令和6年10月"]
    assert cat.editions("zenkoumoku") == ["平成26年4月", "平成30年5月", "令和7年5月"]
    assert cat.kind_info("juten").latest == "令和6年10月"  # `new` still defaults to the newest


def _printed(form) -> dict[str, tuple]:
    parents = {}
    for n in form.walk():
        for r in n.rows:
            parents[r.id] = n.id
    return {nid: (n.no, n.label, n.kind, parents.get(nid), n.family.id if n.family else None)
            for nid, n in form.nodes.items()}


def test_earlier_juten_differs_only_where_the_notes_say():
    old, new = _printed(J26), _printed(J06)
    assert set(old) == set(new)
    differ = {k for k in old if old[k] != new[k]}
    assert differ == {USE_START, MATCHING, HEAD}
    assert J26.nodes[USE_START].printed == "⑥使用開始日" and J06.nodes[USE_START].printed == "⑦使用開始日"
    usage = J26.nodes["overview.acquisition_use.usage"]
    assert [r.key for r in usage.rows] == ["matching"] and J26.nodes[MATCHING].no == ""
    assert J26.nodes[HEAD].printed == "②所属長" and J06.nodes[HEAD].printed == "②所属長の役職名"
    assert J26.stamp == ""  # the notes: earlier 様式3 documents may print no stamp


def test_zenkoumoku_h26_differs_only_in_the_head_title():
    old, new = _printed(Z26), _printed(Z30)
    assert {k for k in old if old[k] != new[k]} == {HEAD}
    assert Z26.nodes[HEAD].printed == "②所属長" and Z26.stamp == "[平成26年4月 様式4]"


def test_each_node_knows_the_other_editions_wording():
    assert J06.nodes[USE_START].edition_nos == ("⑥",) and J26.nodes[USE_START].edition_nos == ("⑦",)
    assert J06.nodes[HEAD].edition_labels == ("所属長",)
    assert set(Z30.nodes[HEAD].edition_labels) == {"所属長"}


# ---------------------------------------------------------------------------
# import, check, render

def test_earlier_juten_imports_from_its_layout_without_renumbering():
    res, base = imported("juten"), imported("juten_r06")
    assert res.tree["edition"] == "平成26年4月"
    note = " ".join(res.summary.notes)
    assert "②所属長" in note and "⑥使用開始日" in note and "平成26年4月" in note
    old = res.tree["files"][0]["overview"]["acquisition_use"]
    new = base.tree["files"][0]["overview"]["acquisition_use"]
    assert old["use_start"] == new["use_start"] == "2016-01-01"
    assert old["matching"] == new["matching"] and old["matching"].startswith("<ul")
    assert res.tree["basic_info"]["department"]["head_title"] == "課長"
    assert res.tree.get("unplaced", []) == base.tree.get("unplaced", [])


def test_a_stamp_names_the_earlier_edition_too():
    res = imported("juten_stamped")
    assert res.tree["edition"] == "平成26年4月" and not res.summary.notes


def test_zenkoumoku_h26_imports_from_its_stamp():
    res = imported("zen")
    assert res.tree["edition"] == "平成26年4月" and res.tree["basic_info"]["department"]["head_title"]


@pytest.mark.parametrize("which,own,foreign", [
    ("juten", ["⑥使用開始日", ">情報の突合<", "②所属長<"], ["⑦使用開始日", "⑥情報の突合", "②所属長の役職名<"]),
    ("zen", ["②所属長<", "[平成26年4月 様式4]"], ["②所属長の役職名<", "[平成30年5月 様式4]"]),
])
def test_documents_validate_and_render_with_their_own_numbering(tmp_path, which, own, foreign):
    content = make_content(tmp_path, {"doc": imported(which).yaml_text})
    diags = check(content)
    assert not has_errors(diags), [str(d) for d in diags if d.is_error][:5]
    assert "V006" not in {d.code for d in diags}
    build(content, tmp_path / "site")
    page = (tmp_path / "site" / "koshigaya" / "doc" / "index.html").read_text(encoding="utf-8")
    body = page.split('id="changes"')[0]  # the change log quotes other editions' labels verbatim
    for text in own:
        assert text in body, text
    for text in foreign:
        assert text not in body, text


def test_unsure_layout_says_so_at_a_line_and_names_the_candidates():
    text = juten_earlier().replace("⑥使用開始日", "⑦使用開始日")  # 所属長 says earlier, ⑦ says later
    res = import_source(text.encode("utf-8"))
    note = next(n for n in res.summary.notes if "候補" in n)
    assert "平成26年4月" in note and "令和6年10月" in note and "番号の付け替えはしていません" in note
    assert any(r.line == 84 and "候補" in r.message for r in res.summary.reviews)
    assert f"# 確認（原本 84 行目）" in res.yaml_text
    # what was printed is kept: the edition chosen is said, nothing renumbered
    assert res.tree["files"][0]["overview"]["acquisition_use"]["use_start"] == "2016-01-01"


def test_a_layout_contradicting_the_stamp_is_reviewed():
    text = seed(SEED_003).read_text(encoding="utf-8").replace("⑦使用開始日", "⑥使用開始日")
    res = import_source(text.encode("utf-8"))
    assert res.tree["edition"] == "令和6年10月"
    assert any(r.line == 122 and "平成26年4月" in r.message for r in res.summary.reviews)


# ---------------------------------------------------------------------------
# change-log rows in each edition's wording

II3 = "II 特定個人情報ファイルの概要 3. 特定個人情報の入手・使用 "
I6 = "I 基本情報 6. 評価実施機関における担当部署 "


@pytest.mark.parametrize("form", [J26, J06], ids=["平成26年4月", "令和6年10月"])
@pytest.mark.parametrize("text,target", [
    (II3 + "⑥使用開始日", USE_START), (II3 + "⑦使用開始日", USE_START), (II3 + "⑥情報の突合", MATCHING),
    (II3 + "⑤使用方法 情報の突合", MATCHING), (I6 + "②所属長", HEAD), (I6 + "②所属長の役職名", HEAD),
])
def test_rows_in_either_editions_wording_resolve(form, text, target):
    r = resolve_text(text, form)
    assert r.status == "resolved" and [t.id for t in r.targets] == [target] and r.confidence >= 0.9, r.reason


def test_a_bare_number_follows_the_documents_own_edition():
    assert [t.id for t in resolve_text(II3 + "⑥", J26).targets] == [USE_START]
    assert [t.id for t in resolve_text(II3 + "⑥", J06).targets] == [MATCHING]


@pytest.mark.parametrize("text,group", [
    ("II 特定個人情報ファイルの概要 4. 特定個人情報ファイルの取扱いの委託 委託事項 ③委託先名", "overview.entrust.entries"),
    ("II 特定個人情報ファイルの概要 5. 特定個人情報の提供・移転(委託に伴うものを除く。) 提供先 ①法令上の根拠", "overview.transfer.provisions"),
    ("II 特定個人情報ファイルの概要 5. 特定個人情報の提供・移転(委託に伴うものを除く。) 移転先 ②移転先における用途", "overview.transfer.transfers"),
    ("I 基本情報 2. 特定個人情報ファイルを取り扱う事務において使用するシステム システム ②システムの機能", "basic_info.systems"),
])
def test_a_group_without_its_instance_is_ambiguous_never_certain(text, group):
    for form in (J26, J06):
        r = resolve_text(text, form)
        assert r.status in ("instance-missing", "ambiguous") and not r.linked, r.reason
        assert "ambiguous" in r.reason
        assert all(t.binding(group) in (None, "システム") for t in r.targets + r.candidates)


def _entries_assessment(after: str) -> Assessment:
    rows = (ChangeRow(10, None, "II 特定個人情報ファイルの概要 4. 特定個人情報ファイルの取扱いの委託 委託事項 ③委託先名",
                      "旧委託先株式会社", after, "事後", None, ()),)
    entries = tuple(Instance(str(n), n, {"title": f"委託事項{n}", "contractor": c})
                    for n, c in ((1, "株式会社いろは"), (2, "株式会社ほへと")))
    return Assessment("doc", "koshigaya", "doc.yaml", J26, {},
                      (FileEntry("f", "ファイル", 1, {"overview": {"entrust": {"entries": entries}}}),), rows)


def test_with_the_assessment_the_after_text_picks_the_instance():
    a = _entries_assessment("株式会社ほへと")
    (r,) = resolve_rows(a.changes, a.form, a)
    assert r.status == "resolved" and r.targets[0].anchor == "files.f.overview.entrust.entries.2.contractor"
    a = _entries_assessment("どこにもない株式会社")
    (r,) = resolve_rows(a.changes, a.form, a)
    assert r.status == "instance-missing" and not r.linked
    assert {c.anchor for c in r.candidates} == {f"files.f.overview.entrust.entries.{n}.contractor" for n in (1, 2)}
