"""The change history of division codes: the code a division had in a report's year, and former names."""

import pytest

from transforms import division_history as h
from transforms.region import divisions


@pytest.mark.parametrize("code,year,written,expected", [
    # renamed or upgraded: the code before the change, today's from its year on
    ("510117", 2012, "郫县人民政府", "510124"),      # 郫县 -> 郫都区, 2016
    ("510117", 2015, "成都市郫都区人民政府", "510124"),  # one predecessor: the name need not say it
    ("510117", 2016, "郫都区人民政府", "510117"),    # the change's own year has the new code
    ("510117", 2023, "郫都区人民政府", "510117"),
    ("130284", 2015, "滦县人民政府", "130223"),      # 滦县 -> 滦州市, 2018
    ("370116", 2015, "莱芜市人民政府", "371200"),    # the prefecture 莱芜市 merged into 济南 as 莱芜区
    # a merger: the predecessor is the one the agency's name names
    ("320613", 2012, "南通市崇川区人民政府", "320602"),
    ("320613", 2012, "南通市港闸区人民政府", "320611"),
    # a recoding is the same body whatever the name; the neighbour merged in is followed only by its name
    ("320613", 2012, "南通市人民政府", "320602"),
    # negative: a new district made of a merger, named by neither predecessor: no code, never a guess
    ("370116", 2015, "济南市莱芜区人民政府", None),
    ("120116", 2008, "天津市滨海新区人民政府", None),
    ("120116", 2012, "天津市滨海新区人民政府", "120116"),
    # a survivor that kept its code had it before the merger (西城区 after 宣武区 joined it, 2010)
    ("110102", 2009, "北京市西城区德胜街道", "110102"),
    ("110102", 2009, "北京市宣武区人民政府", "110104"),
    # ... but after the merger there is only today's code
    ("320613", 2021, "南通市人民政府", "320613"),
    # negative: no year, no code; no recorded change, the code itself
    ("510117", None, "郫县人民政府", None),
    ("370902", 2012, "泰山区人民政府", "370902"),
    (None, 2012, "", None),
])
def test_code_in_year(code, year, written, expected):
    assert h.code_in_year(code, year, written) == expected


@pytest.mark.parametrize("code,written,steps", [
    ("510117", "郫县人民政府", ("510124",)),
    ("320613", "崇川区人民政府", ("320602",)),
    ("320613", "南通市人民政府", ("320602",)),   # the recoding, not the neighbour merged in
    ("370116", "济南市莱芜区人民政府", ()),      # stops at the merger it cannot tell apart
    ("370902", "泰山区人民政府", ()),
    # negative: a county-level city is no former code of the prefecture named like it (亳州市 341281)
    ("341600", "亳州市民政局", ()),
])
def test_lineage(code, written, steps):
    assert tuple(c for c, _ in h.lineage(code, written).steps) == steps


@pytest.mark.parametrize("name,code", [
    ("塘沽区", "120116"), ("崇文区", "110101"), ("郫县", "510117"), ("大同县", "140215"), ("通州市", "320612"),
])
def test_former_names_resolve_to_todays_successor(name, code):
    assert divisions()[1][name] == code


@pytest.mark.parametrize("name", [
    "郫都区", "崇川区",  # today's names are no former names
    "大兴安岭地区",      # never changed
])
def test_former_names_negative(name):
    assert name not in h.former_names(divisions()[0])


def test_history_rows_are_code_changes():
    rows = h.changes()
    assert len(rows) > 500
    for c in rows:
        assert len(c.new_code) == 6 and c.new_code.isdigit() and c.year >= 2000
        if c.kind == "新设":  # a new code: no old side
            assert c.old_code == c.old_name == ""
            continue
        assert len(c.old_code) == 6 and c.old_code.isdigit()
        assert c.old_code != c.new_code and c.old_name
        assert c.old_code.endswith("00") or not c.new_code.endswith("00"), c  # no county "succeeded" upward
