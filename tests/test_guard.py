"""Personal-data guard, unit level: patterns, published-text segments, diagnostics."""
import json
import zlib

import pytest

from pia_site.diagnostics import Severity, SourceLocation
from pia_site.guard import (
    Kind, OutputScanner, allowlist, data_segments, is_mynumber, markup_segments, merged_diagnostics,
    mynumber_check_digit, scan_text, source_diagnostics,
)
from pia_site.guard.output import OutputFinding
from pia_site.guard.source import Finding

VALID = "123456789018"  # check digit 8, computed by hand from the formula below
KINDS = lambda text, allow=frozenset(): [m.kind for m in scan_text(text, allow)]  # noqa: E731


def test_check_digit_follows_the_ministerial_formula():
    # 12345678901: P1..P11 (from the lowest digit) 1,0,9,8,7,6,5,4,3,2,1; Q 2..7,2..6 -> 212; 212 % 11 = 3 -> 8
    assert mynumber_check_digit("12345678901") == 8
    assert mynumber_check_digit("00000000006") == 0  # remainder 1 -> 0
    assert mynumber_check_digit("00000000000") == 0  # remainder 0 -> 0
    assert mynumber_check_digit("00000000001") == 9  # 2 % 11 = 2 -> 9
    assert is_mynumber(VALID) and not is_mynumber("123456789019") and not is_mynumber("1234567890180")


@pytest.mark.parametrize("written", [
    "123456789018", "１２３４５６７８９０１８", "1234 5678 9018", "１２３４　５６７８　９０１８",
    "1234-5678-9018", "１２３４－５６７８－９０１８", "1234‐5678‐9018",
])
@pytest.mark.parametrize("keyword", ["個人番号", "マイナンバー", "番号", "ﾏｲﾅﾝﾊﾞｰ"])
def test_a_valid_mynumber_next_to_a_keyword_is_an_error_in_every_written_form(written, keyword):
    found = scan_text(f"{keyword}：{written}")
    assert [m.kind for m in found] == [Kind.MYNUMBER]
    assert found[0].value == VALID
    assert found[0].is_error


def test_the_match_offsets_point_at_the_original_characters():
    text = "本人の個人番号は　１２３４　５６７８　９０１８　です"
    (m,) = scan_text(text)
    assert text[m.start:m.end] == "１２３４　５６７８　９０１８"


def test_keyword_after_the_number_and_window():
    assert KINDS(f"{VALID}（個人番号）") == [Kind.MYNUMBER]
    far = "個人番号" + "あ" * 30 + VALID
    assert KINDS(far) == [Kind.MYNUMBER_NO_KEYWORD]


def test_without_keyword_or_with_a_bad_check_digit_it_is_a_warning():
    assert KINDS(f"受付 {VALID}") == [Kind.MYNUMBER_NO_KEYWORD]
    assert KINDS("個人番号 123456789019") == [Kind.MYNUMBER_BAD_CHECK]
    assert KINDS("受付 123456789019") == []  # bad check digit, no keyword: just a number


@pytest.mark.parametrize("text", [
    "法人番号 1234567890123",       # a 法人番号: 13 digits
    "番号 1234 5678 9018 7",        # 12 digits inside a longer run
    "番号 A123456789018",           # part of an alphanumeric code
    "評価書番号 7", "令和6年4月1日", "番号法第19条第8号", "団体コード 112224", "平成25年法律第27号",
    "別表第二の2の項", "4情報(氏名、性別、生年月日、住所)", "〒343-8501", "様式4-2-1", "第3-1-2",
    "10万人以上30万人未満", "2024-01-01 から", "生年月日等を入手する。令和6年4月1日から施行",
])
def test_ordinary_assessment_text_is_not_personal_data(text):
    assert KINDS(text) == []


@pytest.mark.parametrize("text, kind", [
    ("電話: 048-963-9136", Kind.PHONE),
    ("連絡先 090-1234-5678", Kind.PHONE),
    ("TEL 0489639136", Kind.PHONE),
    ("（０４８）９６３－９１３６", Kind.PHONE),
    ("問合せ taro.yamada@example.jp", Kind.EMAIL),
    ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", Kind.EMAIL),
    ("生年月日：昭和50年1月2日", Kind.BIRTH_DATE),
    ("誕生日 1975/01/02", Kind.BIRTH_DATE),
    ("1975年1月2日生まれ", Kind.BIRTH_DATE),
    ("越谷市越ヶ谷1丁目2番3号", Kind.ADDRESS),
    ("越谷市越ヶ谷四丁目2番1号", Kind.ADDRESS),
    ("大字大間野123番地4", Kind.ADDRESS),
    ("越ヶ谷1-2-3", Kind.ADDRESS),
])
def test_neighbours_are_warnings(text, kind):
    found = scan_text(text)
    assert [m.kind for m in found] == [kind]
    assert not found[0].is_error


def test_a_continuous_ten_digit_number_is_a_phone_only_next_to_a_phone_word():
    assert KINDS("受付番号 0489639136") == []
    assert KINDS("電話 0489639136") == [Kind.PHONE]


def test_allowlist_silences_warnings_after_normalisation_but_never_a_mynumber():
    allow = allowlist(["048 963 9136", "埼玉県越谷市越ヶ谷四丁目２番１号", "  "])
    assert len(allow) == 2
    assert KINDS("電話: ０４８－９６３－９１３６", allow) == []
    assert KINDS("電話: 048-963-9144", allow) == [Kind.PHONE]
    assert KINDS("越谷市越ヶ谷四丁目2番1号", allow) == []
    assert KINDS(f"個人番号 {VALID}", allowlist([VALID])) == [Kind.MYNUMBER]


def test_markup_segments_read_attributes_and_split_at_blocks_only():
    page = (f'<html><head><meta name="d" content="番号 {VALID}"><link title="x"></head><body>'
            f'<table><tr><th>個人番号</th><td>{VALID}</td></tr></table>'
            f'<p>個人番号 <b>1234</b> 5678 &#57;018</p><img alt="電話 048-963-9136" data-x="a@b.jp"></body></html>')
    segs = markup_segments(page)
    assert f"番号 {VALID}" in segs and "電話 048-963-9136" in segs and "a@b.jp" in segs
    assert "個人番号" in segs and VALID in segs  # a header cell does not label the next cell's number
    assert "個人番号 1234 5678 9018" in segs     # inline elements and character references joined


def test_output_scanner_reads_pages_feeds_and_inflated_search_files():
    s = OutputScanner(frozenset())
    s.page("a/index.html", f'<p><a href="#" title="個人番号 {VALID}">x</a></p>')
    s.page("feed.xml", f"<feed><entry><title>越谷市 番号{VALID}</title></entry></feed>")
    s.file("search/data/t/0.z", zlib.compress(json.dumps({"u": [["個人番号", f"マイナンバー {VALID}"]]}).encode()))
    s.file("assets/logo.png", b"\x89PNG 123456789018")
    assert [(f.path, f.kind) for f in s.findings] == [
        ("a/index.html", Kind.MYNUMBER), ("feed.xml", Kind.MYNUMBER), ("search/data/t/0.z", Kind.MYNUMBER)]
    assert data_segments("search/data/g/0.z", zlib.compress(b"\x00")) == []  # an empty postings shard


def test_output_scanner_reads_every_blob_of_a_search_pack():
    """A pack (search/data/p/<n>.bin) is zlib streams back to back: a shard, then a chunk."""
    from pia_site.search.postings import deflate, encode_shard, encode_entry

    pack = encode_shard([encode_entry("番号", [1, 2])]) + deflate(json.dumps({"u": [f"マイナンバー {VALID}"]}).encode())
    s = OutputScanner(frozenset())
    s.file("search/data/p/0.bin", pack)
    assert [(f.path, f.kind) for f in s.findings] == [("search/data/p/0.bin", Kind.MYNUMBER)]
    assert "番号" in data_segments("search/data/p/0.bin", pack)


def _finding(kind, line, value=VALID):
    return Finding(kind, value, value, SourceLocation("content/k/a.yaml", line, 5), "cover.title")


def test_output_findings_are_located_at_the_yaml_scalar_and_can_raise_its_severity():
    source = [_finding(Kind.MYNUMBER_NO_KEYWORD, 7)]
    output = [OutputFinding(Kind.MYNUMBER, VALID, VALID, "feed.xml")]
    (d,) = merged_diagnostics(source, output, "build")
    assert (d.code, d.severity, str(d.location)) == ("P001", Severity.ERROR, "content/k/a.yaml:7:5")
    assert "feed.xml" in d.message
    (d,) = merged_diagnostics(source, [OutputFinding(Kind.MYNUMBER_NO_KEYWORD, VALID, VALID, "feed.xml")], "build")
    assert (d.code, d.severity) == ("P002", Severity.WARNING)


def test_output_text_from_no_scalar_is_located_at_the_first_output_file():
    output = [OutputFinding(Kind.PHONE, "0489639136", "048-963-9136", p) for p in ("b.html", "a.html")]
    (d,) = merged_diagnostics([], output, "build")
    assert str(d.location) == "build/a.html" and d.code == "P010" and "ほか 1 ファイル" in d.message


def test_messages_are_masked_japanese_and_say_what_to_do():
    (d,) = source_diagnostics([_finding(Kind.MYNUMBER, 3)])
    assert d.code == "P001" and d.is_error and d.key_path == "cover.title"
    assert "1234********" in d.message and VALID not in d.message and "削除" in d.message
    (w,) = source_diagnostics([Finding(Kind.PHONE, "0489639136", "048-963-9136", SourceLocation("a.yaml", 1, 1))])
    assert "048-" in w.message and "9136" not in w.message and "personal_data_allow" in w.message
