"""基礎項目評価書 (様式2) as a catalog form, and its partner links (issue 14, part 2).

The fixture is transcribed from a published 基礎項目評価書 (tests/fixtures/kiso/README.md)."""
import json
import shutil
import subprocess
import sys

import pytest

from pia_site import catalog as cat
from pia_site import partner
from pia_site.build import build, check, load_site
from pia_site.importer import import_source
from support import FIXTURES, REPO, make_content, write

KISO = FIXTURES / "kiso"
SITE = KISO / "site"
DOC = SITE / "amagasaki" / "boshi-fushi-kafu.yaml"


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "pia_site", *args], capture_output=True, text=True, cwd=cwd)


def test_catalog_has_the_form_under_its_names():
    for name in ("基礎項目評価書", "基礎項目", "基礎", "様式2", "kiso"):
        assert cat.form_kind(name) == "kiso"
    form = cat.find_form("kiso", "平成26年4月")
    assert form.title == "特定個人情報保護評価書(基礎項目評価書)" and form.stamp == "[平成26年4月 様式2]"
    assert "基礎項目評価書" in cat.form_names()
    labels = {n.id: n.label for n in form.walk()}
    assert labels["basic_info"] == "関連情報" and labels["basic_info.jimu.description"] == "事務の概要"
    assert labels["threshold"] == "しきい値判断項目" and labels["threshold.handlers"] == "取扱者数"
    assert not form.change_columns  # no 変更箇所 attachment: not confirmed for 様式2


def test_fixture_validates_with_only_the_untranscribed_item_warned():
    diags = check(SITE)
    assert not [d for d in diags if d.is_error], diags
    assert [(d.code, d.key_path) for d in diags] == [("W001", "basic_info.jimu.systems")]
    site, _ = load_site(SITE)
    (a,) = site.assessments
    assert a.form.kind == "kiso" and a.cover("number") == "108" and a.published.iso == "2015-03-30"


def test_fixture_renders_with_its_labels_and_the_search_facet_lists_the_form(tmp_path):
    build(SITE, tmp_path / "out")
    page = (tmp_path / "out" / "amagasaki" / "boshi-fushi-kafu" / "index.html").read_text(encoding="utf-8")
    for text in ("特定個人情報保護評価書(基礎項目評価書)", "[平成26年4月 様式2]", "関連情報", "事務の概要",
                 "母子父子寡婦福祉資金貸付事務", "尼崎市長"):
        assert text in page, text
    search = (tmp_path / "out" / "search" / "index.html").read_text(encoding="utf-8")
    assert "基礎項目評価書" in search


def test_new_scaffolds_every_item_and_schema_describes_the_form(tmp_path):
    proc = run("new", "--municipality", "town", "--form", "基礎項目", "--name", "jimu", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "content" / "town" / "jimu.yaml").read_text(encoding="utf-8")
    assert "form: 基礎項目評価書" in text and "edition: 平成26年4月" in text
    for key in ("declaration:", "systems:", "handlers:", "accident:", "# II しきい値判断項目"):
        assert key in text, key
    schema = json.loads((tmp_path / "content" / "_schema" / "kiso-h26-04.schema.json").read_text(encoding="utf-8"))
    assert "基礎項目評価書" in schema["title"]
    assert set(schema["properties"]) >= {"cover", "basic_info", "threshold", "form", "edition"}
    (tmp_path / "content" / "site.yaml").write_text("title: t\n", encoding="utf-8")
    (tmp_path / "content" / "town" / "municipality.yaml").write_text('name: 町\nprefecture: 県\ncode: "112224"\n', encoding="utf-8")
    assert run("check", cwd=tmp_path).returncode == 0  # a scaffold has warnings only


def test_import_of_the_text_rendition_gives_the_transcribed_values(tmp_path):
    result = import_source((KISO / "amagasaki-kiso.txt").read_bytes(), "amagasaki-kiso.txt")
    assert result.summary and result.tree["form"] == "基礎項目評価書" and result.tree["edition"] == "平成26年4月"
    content = make_content(tmp_path, {"imported": result.yaml_text}, muni=(SITE / "amagasaki" / "municipality.yaml").read_text(encoding="utf-8"), slug="amagasaki")
    shutil.copy(DOC, content / "amagasaki" / "transcribed.yaml")
    site, diags = load_site(content)
    assert site is not None, diags
    got = {a.slug: a.parts for a in site.assessments}
    imported, transcribed = got["imported"], got["transcribed"]
    assert imported["cover"] == transcribed["cover"]
    assert imported["basic_info"]["jimu"] == transcribed["basic_info"]["jimu"]
    assert not any(site.assessments[i].unplaced for i in range(2))


JUTEN = (REPO / "content" / "koshigaya" / "keijidosha-fuka.yaml").read_text(encoding="utf-8")


def partner_site(tmp_path, kiso_line="kiso: boshi-fushi-kafu\n", threshold=""):
    """The 尼崎市 fixture plus a 重点項目評価書 naming it.  The 重点 document is the sample's 越谷市
    one put in the same folder: the pairing is made up for the test, the link mechanics are not."""
    content = make_content(tmp_path, {"juten": kiso_line + JUTEN},
                           muni=(SITE / "amagasaki" / "municipality.yaml").read_text(encoding="utf-8"), slug="amagasaki")
    write(content / "amagasaki" / "boshi-fushi-kafu.yaml", DOC.read_text(encoding="utf-8") + threshold)
    return content


def test_partner_links_are_shown_on_both_pages(tmp_path):
    content = partner_site(tmp_path)
    build(content, tmp_path / "out")
    kiso_page = (tmp_path / "out" / "amagasaki" / "boshi-fushi-kafu" / "index.html").read_text(encoding="utf-8")
    juten_page = (tmp_path / "out" / "amagasaki" / "juten" / "index.html").read_text(encoding="utf-8")
    assert '<a href="../juten/index.html">重点項目評価書「' in kiso_page
    assert '<a href="../boshi-fushi-kafu/index.html">基礎項目評価書「尼崎市 母子父子寡婦福祉資金貸付事務 基礎項目評価書」</a>' in juten_page


@pytest.mark.parametrize("line, code, words", [
    ("kiso: nothere\n", "K001", "「nothere」という評価書は、この団体（amagasaki）のフォルダにありません。この団体の基礎項目評価書: boshi-fushi-kafu"),
    ("kiso: juten\n", "K002", "「juten」は重点項目評価書です"),
    ("kiso: ../x\n", "K004", "ファイル名"),
])
def test_a_wrong_partner_is_a_located_error(tmp_path, line, code, words):
    content = partner_site(tmp_path, kiso_line=line)
    diags = [d for d in check(content) if d.code.startswith("K")]
    assert [d.code for d in diags] == [code]
    (d,) = diags
    assert d.is_error and words in d.message and d.key_path == "kiso"
    assert d.location.path.endswith("juten.yaml") and d.location.line == 1


def test_two_documents_naming_one_kiso_warn_and_kiso_may_not_name_one(tmp_path):
    content = partner_site(tmp_path)
    write(content / "amagasaki" / "juten2.yaml", "kiso: boshi-fushi-kafu\n" + JUTEN)
    write(content / "amagasaki" / "kiso2.yaml", "kiso: boshi-fushi-kafu\n" + DOC.read_text(encoding="utf-8"))
    diags = {(d.code, d.location.path.rsplit("/", 1)[-1]): d for d in check(content) if d.code.startswith("K")}
    assert set(diags) == {("K003", "juten2.yaml"), ("K004", "kiso2.yaml")}
    assert not diags[("K003", "juten2.yaml")].is_error


def test_threshold_inputs_come_from_the_partner(tmp_path):
    threshold = "threshold:\n  subjects: 1万人以上10万人未満\n  handlers: ５００人未満\n  accident: 発生なし\n"
    site, diags = load_site(partner_site(tmp_path, threshold=threshold))
    assert site is not None, diags
    by_slug = {a.slug: a for a in site.assessments}
    got = partner.threshold_inputs(site.assessments, by_slug["juten"])
    assert got.source is by_slug["boshi-fushi-kafu"]
    assert (got.subjects, got.handlers, got.accident) == ("1万人以上10万人未満", "５００人未満", "発生なし")
    assert got.handlers_500_or_more is False and got.accident_occurred is False
    assert partner.threshold_inputs(site.assessments, by_slug["boshi-fushi-kafu"]) == got


def test_threshold_inputs_without_a_partner_or_values_are_none(tmp_path):
    site, _ = load_site(partner_site(tmp_path))
    by_slug = {a.slug: a for a in site.assessments}
    assert partner.threshold_inputs(site.assessments, by_slug["juten"]) is None  # the fixture states none
    site, _ = load_site(partner_site(tmp_path / "b", kiso_line=""))
    assert partner.threshold_inputs(site.assessments, {a.slug: a for a in site.assessments}["juten"]) is None


def test_partner_links_follow_the_site_asked_about(tmp_path):
    """Links come from the site passed in, also when an earlier site had other partners."""
    site1, _ = load_site(partner_site(tmp_path / "a"))
    site2, _ = load_site(partner_site(tmp_path / "b", kiso_line=""))
    for site, expected in ((site1, 1), (site2, 0), (site1, 1)):
        kiso = {a.slug: a for a in site.assessments}["boshi-fushi-kafu"]
        assert len(partner.partner_links(site.assessments, kiso, "amagasaki/boshi-fushi-kafu/index.html")) == expected
