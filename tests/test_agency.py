import csv
from importlib import resources

import pytest

from transforms.agency import canonical_agency, load_aliases

# Regions as transforms.region.resolve_region gives them: (province, city, county).
SHUYANG = ("江苏省", "宿迁市", "沭阳县")
BOZHOU = ("安徽省", "亳州市", None)
ARXAN = ("内蒙古自治区", "兴安盟", "阿尔山市")
TAIAN = ("山东省", "泰安市", None)
ZHANGYE = ("甘肃省", "张掖市", None)
SHANGHAI = ("上海市", None, None)
PUDONG = ("上海市", None, "浦东新区")
YANBIAN = ("吉林省", "延边朝鲜族自治州", None)
JILIN_CITY = ("吉林省", "吉林市", None)
ZHANGJIAKOU = ("河北省", "张家口市", None)
JINAN_SHIZHONG = ("山东省", "济南市", "市中区")
NEIMENGGU = ("内蒙古自治区", None, None)
JIANGSU = ("江苏省", None, None)
NOWHERE = (None, None, None)


def canon(name, region, aliases=None):
    return canonical_agency(name, *region, aliases or load_aliases())


# The issue's three pairs: each pair is one body.
ISSUE = [
    ("沭阳县发改局", "沭阳县发展和改革局", SHUYANG),
    ("市民政局", "亳州市民政局", BOZHOU),
    ("阿尔山市政府", "阿尔山市人民政府", ARXAN),
]


@pytest.mark.parametrize("written,official,region", ISSUE)
def test_issue_examples_are_one_body(written, official, region):
    assert canon(written, region) == canon(official, region) == official


# (b) Department abbreviations, after whatever place the name carries.
ABBREVIATIONS = [
    ("沭阳县发改局", SHUYANG, "沭阳县发展和改革局"),
    ("张掖市发改委", ZHANGYE, "张掖市发展和改革委员会"),
    ("亳州市人社局", BOZHOU, "亳州市人力资源和社会保障局"),
    ("沭阳县住建局", SHUYANG, "沭阳县住房和城乡建设局"),
    ("亳州市卫健委", BOZHOU, "亳州市卫生健康委员会"),
    ("沭阳县市监局", SHUYANG, "沭阳县市场监督管理局"),
    ("沭阳县市场监管局", SHUYANG, "沭阳县市场监督管理局"),
    ("亳州市医保局", BOZHOU, "亳州市医疗保障局"),
    ("沭阳县应急局", SHUYANG, "沭阳县应急管理局"),
    ("亳州市国资委", BOZHOU, "亳州市国有资产监督管理委员会"),
    ("沭阳县教体局", SHUYANG, "沭阳县教育和体育局"),
    ("沭阳县教育体育局", SHUYANG, "沭阳县教育和体育局"),  # the same body spelt without 和
    ("沭阳县政府办", SHUYANG, "沭阳县人民政府办公室"),
    ("沭阳县府办", SHUYANG, "沭阳县人民政府办公室"),
    ("江苏省人社厅", JIANGSU, "江苏省人力资源和社会保障厅"),
    ("沭阳县环保局", SHUYANG, "沭阳县环境保护局"),  # expanded, but never into 生态环境局 (another body)
    ("泗阳县发改局", SHUYANG, "泗阳县发展和改革局"),  # another county's body: expanded, its own place kept
    ("沭阳县 发改局", SHUYANG, "沭阳县发展和改革局"),  # a PDF line break inside the name
    ("发改局", NOWHERE, "发展和改革局"),
]


@pytest.mark.parametrize("name,region,expected", ABBREVIATIONS)
def test_abbreviation_expanded(name, region, expected):
    assert canon(name, region) == expected


# (c) The place prefix from the region: bare level words, no place, short forms.
PLACES = [
    ("市民政局", BOZHOU, "亳州市民政局"),
    ("县民政局", SHUYANG, "沭阳县民政局"),
    ("市民政局", ARXAN, "阿尔山市民政局"),  # 市 is the county-level city, not the 盟
    ("区民政局", PUDONG, "浦东新区民政局"),
    ("市人民政府办公厅", SHANGHAI, "上海市人民政府办公厅"),
    ("州民政局", YANBIAN, "延边朝鲜族自治州民政局"),
    ("本市民政局", BOZHOU, "亳州市民政局"),
    ("县政协", SHUYANG, "沭阳县政协"),
    ("市政府", BOZHOU, "亳州市人民政府"),
    ("市政府采购中心", BOZHOU, "亳州市政府采购中心"),  # 政府采购中心 is the body's own name, no 人民
    ("市政管理局", BOZHOU, "亳州市市政管理局"),  # 市政 is the department, not 市 + 政府
    ("民政局", SHUYANG, "沭阳县民政局"),
    ("机关事务管理局", TAIAN, "泰安市机关事务管理局"),
    ("市直机关事务管理局", TAIAN, "泰安市市直机关事务管理局"),
    ("市直机关事务管理局", SHUYANG, "宿迁市市直机关事务管理局"),  # the 市 level's, not 沭阳县's
    ("市监局", BOZHOU, "亳州市市场监督管理局"),
    ("文旅局", SHUYANG, "沭阳县文旅局"),  # place added; 文旅局 stays: 文化和旅游局 or 文化广电和旅游局?
    ("亳州民政局", BOZHOU, "亳州市民政局"),
    ("沭阳发改局", SHUYANG, "沭阳县发展和改革局"),
    ("泰安发改委", TAIAN, "泰安市发展和改革委员会"),
    ("内蒙古发改委", NEIMENGGU, "内蒙古自治区发展和改革委员会"),
    ("延边州民政局", YANBIAN, "延边朝鲜族自治州民政局"),
    ("亳州市场监督管理局", BOZHOU, "亳州市市场监督管理局"),  # 亳州 + 市场…, the 市 written once
    ("上海浦东新区民政局", PUDONG, "上海市浦东新区民政局"),
]


@pytest.mark.parametrize("name,region,expected", PLACES)
def test_place_from_region(name, region, expected):
    assert canon(name, region) == expected


# (d) 政府 suffixes.
GOVERNMENT = [
    ("阿尔山市政府", ARXAN, "阿尔山市人民政府"),
    ("阿尔山市政府办公室", ARXAN, "阿尔山市人民政府办公室"),
    ("阿尔山市政府办", ARXAN, "阿尔山市人民政府办公室"),
    ("阿尔山政府", ARXAN, "阿尔山市人民政府"),
    ("上海市政府办公厅", SHANGHAI, "上海市人民政府办公厅"),
    ("上海市人民政府办公厅", SHANGHAI, "上海市人民政府办公厅"),
    ("沭城镇政府", SHUYANG, "沭城镇人民政府"),
    ("县政府办公室", NOWHERE, "县人民政府办公室"),
]


@pytest.mark.parametrize("name,region,expected", GOVERNMENT)
def test_government_suffix(name, region, expected):
    assert canon(name, region) == expected


# (e) Names no rule may touch.
UNCHANGED = [
    ("沭阳县环境保护局", SHUYANG),  # not 生态环境局: a different body
    ("沭阳县生态环境局", SHUYANG),
    ("宿迁市沭阳生态环境局", SHUYANG),  # the city's branch, named with the county's short form
    ("市政管理局", NOWHERE),  # not 市人民政府管理局
    ("亳州市市政管理局", BOZHOU),
    ("亳州市政府采购中心", BOZHOU),
    ("政府采购中心", NOWHERE),
    ("县政协", NOWHERE),
    ("沭阳县政协", SHUYANG),
    ("沭阳县人民政府", SHUYANG),
    ("泗阳县民政局", SHUYANG),  # another county keeps its own place
    ("宿豫区民政局", SHUYANG),
    ("张家港市民政局", ZHANGJIAKOU),  # 张家 is not a short form of 张家口市
    ("吉林市民政局", JILIN_CITY),  # the city, not 吉林省市民政局
    ("公安县民政局", SHUYANG),  # 公安县 is a county, not the 公安 department
    ("市中区人民政府", JINAN_SHIZHONG),  # a district called 市中区, not a bare 市
    ("上海海关", SHANGHAI),  # vertical bodies are named with the short form
    ("沭阳经济技术开发区管理委员会", SHUYANG),
    ("亳州学院", BOZHOU),
    ("市民服务中心", BOZHOU),  # 市民, citizens
    ("中共泰安市委办公室", TAIAN),
    ("国务院办公厅", NOWHERE),
    ("沭阳县农业科技局", SHUYANG),  # 科技局 is not expanded inside 农业科技局
    ("沭阳县文旅局", SHUYANG),  # ambiguous abbreviations stay as written
    ("沭阳县公管办", SHUYANG),
    ("阿尔山市", ARXAN),  # a bare place: the government or the whole place's bodies? not guessed
    ("市民政局", NOWHERE),  # no region, no place to add
]


@pytest.mark.parametrize("name,region", UNCHANGED)
def test_unchanged(name, region):
    assert canon(name, region) == name


ALL_ROWS = ([(w, r) for w, _, r in ISSUE] + [(o, r) for _, o, r in ISSUE] + [(n, r) for n, r, _ in ABBREVIATIONS]
            + [(n, r) for n, r, _ in PLACES] + [(n, r) for n, r, _ in GOVERNMENT] + UNCHANGED)


@pytest.mark.parametrize("name,region", ALL_ROWS)
def test_idempotent(name, region):
    once = canon(name, region)
    assert canon(once, region) == once


def _shipped_departments():
    with resources.files("warehouse").joinpath("agency_aliases.csv").open(encoding="utf-8") as fh:
        return [(r["alias"], r["canonical"]) for r in csv.DictReader(fh) if r["kind"] == "department"]


@pytest.mark.parametrize("alias,full", _shipped_departments())
def test_every_shipped_abbreviation_expands_once(alias, full):
    assert canon("沭阳县" + alias, SHUYANG) == "沭阳县" + full
    assert canon("沭阳县" + full, SHUYANG) == "沭阳县" + full


def test_shipped_table_is_cached():
    assert load_aliases() is load_aliases()


@pytest.fixture
def user_aliases(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text(
        "kind,alias,canonical,note\n"
        "name,阿尔山市,阿尔山市人民政府,a place's own report is its government's\n"
        "name,沭阳县环境保护局,宿迁市沭阳生态环境局,renamed by the 2019 reform\n"
        "name,亳州市民証局,亳州市民政局,typo in a title\n"
        "department,文旅局,文化广电和旅游局,this province's body\n"
        "department,教体局,教育体育局,official spelling here\n"
        "department,教育体育局,教育体育局,\n",
        encoding="utf-8-sig")  # as a spreadsheet saves it
    return load_aliases(path)


@pytest.mark.parametrize("name,region,expected", [
    ("阿尔山市", ARXAN, "阿尔山市人民政府"),
    ("沭阳县环境保护局", SHUYANG, "宿迁市沭阳生态环境局"),
    ("沭阳县环保局", SHUYANG, "宿迁市沭阳生态环境局"),  # matched after the rules too
    ("宿迁市沭阳生态环境局", SHUYANG, "宿迁市沭阳生态环境局"),
    ("亳州市民証局", BOZHOU, "亳州市民政局"),
    ("文旅局", SHUYANG, "沭阳县文化广电和旅游局"),
    ("沭阳县教体局", SHUYANG, "沭阳县教育体育局"),  # overrides the shipped 教育和体育局
    ("沭阳县教育体育局", SHUYANG, "沭阳县教育体育局"),
    ("沭阳县发改局", SHUYANG, "沭阳县发展和改革局"),  # shipped rows still apply
])
def test_user_csv_extends_and_overrides(user_aliases, name, region, expected):
    assert canon(name, region, user_aliases) == expected
    assert canon(expected, region, user_aliases) == expected


def test_user_csv_leaves_shipped_table_alone(user_aliases):
    assert canon("沭阳县教体局", SHUYANG) == "沭阳县教育和体育局"
    assert canon("阿尔山市", ARXAN) == "阿尔山市"


@pytest.mark.parametrize("text,where,message", [
    ("kind,alias\ndepartment,发改局\n", 1, "header must name kind,alias,canonical"),
    ("kind,alias,canonical,note\ndepartment,发改局\n", 2, "expected the columns"),
    ("kind,alias,canonical,note\ndepartment,发改局,发展和改革局,,extra\n", 2, "expected the columns"),
    ("kind,alias,canonical,note\nabbreviation,发改局,发展和改革局,\n", 2, "kind must be one of"),
    ("kind,alias,canonical,note\n\nname,阿尔山市,,\n", 3, "alias and canonical must both be given"),
    ("kind,alias,canonical,note\nname,阿尔山市,阿尔山市人民政府,\nname,阿尔山市,阿尔山市政府,\n", 3, "listed twice"),
    ("kind,alias,canonical,note\nname,阿尔山市政府,阿尔山市人民政府,\nname,阿尔山市人民政府,阿尔山市人民政府办公室,\n",
     2, "is itself an alias"),
    ("kind,alias,canonical,note\ndepartment,发改局,发展改革局,\n", 2, "is itself an alias"),  # shipped 发展改革局 row
])
def test_malformed_user_csv(tmp_path, text, where, message):
    path = tmp_path / "aliases.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as err:
        load_aliases(path)
    assert str(err.value).startswith(f"{path}:{where}: ")
