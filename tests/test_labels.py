"""One label key (pia_site/labels.py): the importer and the change-log resolver compare text with
the catalog's labels in the same way."""
from __future__ import annotations

import pytest

from pia_site.catalog import find_form
from pia_site.changelog.compare import contains
from pia_site.changelog.normalize import compact, nfkc
from pia_site.importer.labels import LabelIndex, nkey
from pia_site.labels import label_key

JUTEN = find_form("juten", "令和6年10月")

SAME = [
    ("概 要", "概要"),
    ("提供・移転の有無", "提供移転の有無"),
    ("時期、頻度。", "時期頻度"),
    ("「事務の名称」※", "事務の名称"),
    ("『事務の名称』", "事務の名称"),
    ("７．リスク１：", "7リスク1"),
    ("掲示", "揭示"),  # an OCR code point NFKC leaves alone
    ("2～5", "2〜5"),
    ("2~5", "2－5".replace("－", "~")),
    ("Ⅲ", "III"),
]


@pytest.mark.parametrize("a,b", SAME)
def test_the_key_ignores_what_never_distinguishes_two_labels(a, b):
    assert label_key(a) == label_key(b)


def test_circled_numbers_stay_circled_and_distinct():
    assert label_key("①事務の名称") == "①事務の名称"
    assert label_key("①") != label_key("1") != label_key("(1)")
    assert nfkc("⑳Ｘ") == "⑳X"


@pytest.mark.parametrize("text", [a for pair in SAME for a in pair] + [
    "II 特定個人情報ファイルの概要(収納) 4. 特定個人情報ファイルの取り扱いの委託 委託事項7",
    "＜選択肢＞ 1) 特に力を入れている", "⑥事務担当部署 ※(7. ②を除く。)", "#見出し *強調*",
])
def test_importer_and_changelog_share_the_key(text):
    """(Markup is each reader's own: the importer reads raw cells, the resolver stripped text.)"""
    assert nkey(text) == compact(text) == label_key(text)


def test_importer_matches_a_label_written_without_its_middle_dot():
    idx = LabelIndex(JUTEN)
    hits = idx.match("時期頻度 毎月")
    assert hits and hits[0].node.key == "timing" and hits[0].node.label == "時期・頻度"
    assert idx.match("特定個人情報の提供移転(委託に伴うものを除く。)")[0].node.label.startswith("特定個人情報の提供・移転")


RULES = ("1\\. ルールの内容 ・原則として提供は認めない。ただし、他者(再委託先)への特定個人情報の提供の際には、"
         "再委託の必要性、再委託先での管理方法、セキュリティ管理体制等の報告を受け、問題がない場合に限り承認する。 "
         "・特定個人情報の取扱責任者を明確にし、社内教育に関してはセキュリティ及びプライバシー保護に関する研修等を"
         "実施するなど、特定個人情報の保護を適切に行っていることを確認する。 2. ルール遵守の確認方法 委託契約の報告条項に"
         "基づき、定期的に特定個人情報の取扱いについて書面にて報告させる。また、ルールが遵守されているか、原則として作業実施期間中に"
         "立入調査を行い確認する(立入調査の実施が困難な場合のみ、委託先が作成した報告書等を確認する。)。")
ADDED = ("「特定個人情報の取扱責任者を明確にし、社内教育に関してはセキュリティ及びプライバシー保護に関する研修等を実施するなど、"
         "特定個人情報の保護を適切に行っていることを確認する。」を追加")


def test_changelog_compares_content_without_quotation_brackets():
    """The sample's saitama changes.46: the quoted sentence is in the current text (C104 said it was not)."""
    assert contains(RULES, ADDED) is True
    assert contains(RULES, "「委託先には提供を認めない。」を追加") is False


def test_label_key_is_the_key_of_each_character_in_turn():
    import random

    from pia_site.labels import CIRCLED, DROP, FOLD, key_char, label_key

    rnd = random.Random(7)
    alphabet = list(CIRCLED + "".join(DROP) + "".join(FOLD) + "ｱｶﾞﾊﾟＡ１ⅢⅣ㈱　 \t\n\u200b概要提供移転abc~-ﾞ\u3099")
    for n in (0, 1, 5, 199, 200, 201, 3000):  # below and above the cached length
        text = "".join(rnd.choice(alphabet) for _ in range(n))
        assert label_key(text) == "".join(key_char(ch) for ch in text)
