"""和暦: one era table (pia_site/wareki.py), checked at the era boundaries through each of its
users: the page filters, the importer's date reader, the change-log table reader and validation."""
from __future__ import annotations

import datetime as dt

import pytest

from pia_site import wareki
from pia_site.changelog.table import parse_table, parse_wareki
from pia_site.diagnostics import has_errors
from pia_site.filters import wareki as show
from pia_site.importer.values import find_date
from pia_site.load import load_document
from pia_site.model import DateValue
from pia_site.validate import validate_assessment

# (ISO day, 和暦 as shown, 和暦 with 1年 for 元年): the last and first day of each era
BOUNDARIES = [
    ("1912-07-29", "明治45年7月29日", "明治45年7月29日"),
    ("1912-07-30", "大正元年7月30日", "大正1年7月30日"),
    ("1926-12-24", "大正15年12月24日", "大正15年12月24日"),
    ("1926-12-25", "昭和元年12月25日", "昭和1年12月25日"),
    ("1989-01-07", "昭和64年1月7日", "昭和64年1月7日"),
    ("1989-01-08", "平成元年1月8日", "平成1年1月8日"),
    ("2019-04-30", "平成31年4月30日", "平成31年4月30日"),
    ("2019-05-01", "令和元年5月1日", "令和1年5月1日"),
]


def test_each_era_ends_the_day_before_the_next_begins():
    assert [e.name for e in wareki.ERAS] == ["明治", "大正", "昭和", "平成", "令和"]
    assert [e.letter for e in wareki.ERAS] == ["M", "T", "S", "H", "R"]
    for older, newer in zip(wareki.ERAS, wareki.ERAS[1:]):
        assert older.last == newer.first - dt.timedelta(days=1)
    assert wareki.ERAS[-1].last is None


# ---------------------------------------------------------------------------
# the page filters (format)

@pytest.mark.parametrize("iso,shown,plain_one", BOUNDARIES)
def test_filters_show_the_era_of_the_day(iso, shown, plain_one):
    value = DateValue(iso)
    assert show(value, gannen=True, seireki="none") == shown
    assert show(value, gannen=False, seireki="none") == plain_one
    assert show(value) == f"{shown}({iso[:4]}年)"
    assert show(value, seireki="before") == f"{iso[:4]}年({shown})"


def test_filters_month_precision_reads_the_first_of_the_month():
    assert show(DateValue("2019-05", "month"), seireki="none") == "令和元年5月"
    assert show(DateValue("2019-04", "month"), seireki="none") == "平成31年4月"
    assert show(DateValue("1989-01", "month"), seireki="none") == "昭和64年1月"


def test_filters_show_meiji_from_the_gregorian_calendar_on():
    assert show(DateValue("1873-01-01"), seireki="none") == "明治6年1月1日"
    with pytest.raises(ValueError):
        show(DateValue("1872-12-31"))


# ---------------------------------------------------------------------------
# the importer's date reader

@pytest.mark.parametrize("iso,shown,plain_one", BOUNDARIES)
def test_importer_reads_both_sides_of_each_boundary(iso, shown, plain_one):
    for text in (shown, plain_one, f"{shown[:2]} {shown[2:]}"):
        got, precision, notes, _ = find_date(f"公表日 {text}")
        assert (got, precision, notes) == (iso, "day", []), text


@pytest.mark.parametrize("text,iso,era,which", [
    ("平成31年5月1日", "2019-05-01", "平成", "終わった後"),
    ("令和元年4月30日", "2019-04-30", "令和", "始まる前"),
    ("昭和64年1月8日", "1989-01-08", "昭和", "終わった後"),
    ("平成元年1月7日", "1989-01-07", "平成", "始まる前"),
    ("大正15年12月25日", "1926-12-25", "大正", "終わった後"),
    ("昭和元年12月24日", "1926-12-24", "昭和", "始まる前"),
    ("明治45年7月30日", "1912-07-30", "明治", "終わった後"),
])
def test_importer_notes_a_day_outside_its_era(text, iso, era, which):
    got, _, notes, _ = find_date(text)
    assert got == iso
    assert notes == [f"「{text}」は{era}が{which}の日付です（原本の誤りの可能性）。"]


def test_importer_reads_letter_forms():
    assert find_date("S64.1.7")[:3] == ("1989-01-07", "day", [])
    assert find_date("H元.1.8")[:3] == ("1989-01-08", "day", [])
    assert find_date("T1/7/30")[:3] == ("1912-07-30", "day", [])
    assert find_date("M45.7.29")[:3] == ("1912-07-29", "day", [])
    assert find_date("R1.5")[:2] == ("2019-05", "month")


# ---------------------------------------------------------------------------
# the change-log table reader

@pytest.mark.parametrize("iso,shown,plain_one", BOUNDARIES)
def test_changelog_table_reads_both_sides_of_each_boundary(iso, shown, plain_one):
    for text in (shown, plain_one):
        value, problem = parse_wareki(text)
        assert (value.iso, problem) == (iso, ""), text


@pytest.mark.parametrize("text,problem", [
    ("平成31年5月1日", "平成 date after 2019-04-30: 平成31年5月1日"),
    ("令和元年4月30日", "令和 date before 2019-05-01: 令和元年4月30日"),
    ("昭和64年1月8日", "昭和 date after 1989-01-07: 昭和64年1月8日"),
    ("平成元年1月7日", "平成 date before 1989-01-08: 平成元年1月7日"),
    ("大正15年12月25日", "大正 date after 1926-12-24: 大正15年12月25日"),
])
def test_changelog_table_flags_a_day_outside_its_era(text, problem):
    assert parse_wareki(text)[1] == problem


def test_changelog_table_reads_a_letter_form_date_cell():
    rows = parse_table("変更日\t項目\t変更前の記載\t変更後の記載\t提出時期\t提出時期に係る説明\n"
                       "H31.4.30\tI 基本情報\t旧\t新\t事後\t\n")
    assert [(t.row.date.iso, t.row.item, t.row.before) for t in rows] == [("2019-04-30", "I 基本情報", "旧")]


# ---------------------------------------------------------------------------
# validation: a date the pages cannot show in 和暦 is an error, not a crash of build

def _validate(tmp_path, published: str):
    path = tmp_path / "kokuho.yaml"
    path.write_text(f"form: 重点項目評価書\nedition: 令和6年10月\ncover:\n  published: \"{published}\"\n", encoding="utf-8")
    doc, diags = load_document(path)
    return validate_assessment(doc, "testcity")[1]


def test_validation_rejects_a_date_before_meiji_6(tmp_path):
    diags = _validate(tmp_path, "1872-12-31")
    v023 = [d for d in diags if d.code == "V023"]
    assert len(v023) == 1 and has_errors(v023)
    assert "1873-01-01（明治6年1月1日）以降" in v023[0].message
    assert v023[0].key_path == "cover.published"
    assert not [d for d in _validate(tmp_path, "1873-01-01") if d.code == "V023"]
