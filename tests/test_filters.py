import pytest

from pia_site.filters import file_ordinal_names, period_ja, wareki
from pia_site.model import DateValue, Period


@pytest.mark.parametrize("iso,prec,gannen,expected", [
    ("2026-01-26", "day", True, "令和8年1月26日"),
    ("2019-05-01", "day", True, "令和元年5月1日"),
    ("2019-06-26", "day", False, "令和1年6月26日"),
    ("2019-04-30", "day", True, "平成31年4月30日"),
    ("1989-01-08", "day", True, "平成元年1月8日"),
    ("1989-01-07", "day", True, "昭和64年1月7日"),
    ("2015-10", "month", True, "平成27年10月"),
    ("2019-05", "month", True, "令和元年5月"),
])
def test_wareki(iso, prec, gannen, expected):
    assert wareki(DateValue(iso, prec), gannen, "none") == expected


def test_seireki_display_settings():
    d = DateValue("2026-01-26")
    assert wareki(d, True, "after") == "令和8年1月26日(2026年)"
    assert wareki(d, True, "before") == "2026年(令和8年1月26日)"


def test_period():
    p = Period(DateValue("2020-02-18"), DateValue("2020-03-19"))
    assert period_ja(p, True, "none") == "令和2年2月18日から令和2年3月19日まで"


def test_file_name_lists():
    assert file_ordinal_names(["a"]) == ["a"]
    assert file_ordinal_names(["a", "b"]) == ["(1) a", "(2) b"]
