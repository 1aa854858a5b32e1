import re

import pytest

from transforms.numbers import (
    NUMBER,
    NUMBER_FIRST,
    NUMBER_REST,
    parse_number,
    qualifier_of,
    to_catalog_unit,
    year_from_numeral,
)


@pytest.mark.parametrize("token,value", [
    ("245", 245), ("1,295", 1295), ("9.5", 9.5), ("两", 2), ("十二", 12), ("一百零五", 105), ("〇", 0), ("x", None),
])
def test_parse_number(token, value):
    assert parse_number(token) == value


@pytest.mark.parametrize("before,after,qualifier", [
    ("", "", "exact"), ("", "余", "at_least"), ("", "多", "at_least"), ("", "以上", "at_least"),
    ("超过", "", "at_least"), ("约", "", "approx"), ("近", "", "approx"), ("", "左右", "approx"),
])
def test_qualifier(before, after, qualifier):
    assert qualifier_of(before, after) == qualifier


@pytest.mark.parametrize("value,written,mult,catalog,expected", [
    (9.5, "万元", "万", "万元", 9.5),      # 9.5万 in a 万元 column
    (3000, "元", "", "万元", 0.3),          # fees in 元 -> 万元
    (251000, "元", "", "万元", 25.1),
    (2.5, "万元", "", "元", 25000),         # fees_charged is kept in 元
    (1.2, "件", "万", "件", 12000),         # 1.2万件
])
def test_units(value, written, mult, catalog, expected):
    assert to_catalog_unit(value, written, mult, catalog) == pytest.approx(expected)


@pytest.mark.parametrize("token,year", [("2011", 2011), ("二零一一", 2011), ("二〇一二", 2012), ("〇一〇", 10)])
def test_year_numerals(token, year):
    assert year_from_numeral(token) == year


@pytest.mark.parametrize("text", [
    "245条", "1,295件", "1,2345条", "12.5万元", "0.5.3", "一百零五", "5十条", "十二五", "两次", "٣件", "１２", "x1",
])
def test_number_split_after_first_character(text):
    """NUMBER_FIRST + NUMBER_REST finds the numbers NUMBER does, at every position (same backtracking order)."""
    whole = re.compile(rf"({NUMBER})(条|件|万元)?")
    split = re.compile(rf"({NUMBER_FIRST}(?:{NUMBER_REST}))(条|件|万元)?")
    for pos in range(len(text)):
        a, b = whole.match(text, pos), split.match(text, pos)
        assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups()))
