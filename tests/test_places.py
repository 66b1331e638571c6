"""The place a document speaks for: standard name, GB/T 2260 code and level.

Every expected place below was read by hand from the text, and every code
looked up by hand in the published division list; the texts are written for
these tests in the manner of replies, notices, news and releases.
"""

import pytest

from extractor.metadata import read_metadata
from extractor.places import division_table, place_reader
from extractor.ruleset import load_ruleset
from paths import SEEDS

RULESET = load_ruleset()

SEED_PLACES = {
    # the issuer in the head (威海市工业和信息化局), the signature in the foot, …
    "000_c2029cb520c589b8.txt": ("威海市", "371000", "city"),
    "001_6a8959abd0ee71f3.txt": ("葫芦岛市", "211400", "city"),
    "002_046af103274ec285.txt": ("威海市", "371000", "city"),
    "003_a4e583752837a0be.txt": ("日照市", "371100", "city"),
    # the title says 市经信局; the foot signs 杭州市经济和信息化局
    "004_b2bb0396e6eed1d0.txt": ("杭州市", "330100", "city"),
}

WRITTEN = {
    "the issuer of a notice that opens the text": (
        "浙江省经济和信息化厅近日印发《优质中小企业梯度培育实施方案》，提出到2027年全省累计培育专精特新中小企业1万家。"
        "方案要求各地加大支持力度。",
        ("浙江省", "330000", "province")),
    "the city a news story reports on, named without 市": (
        "刚刚过去的一年，苏州规上工业总产值再创新高。苏州新增国家级专精特新“小巨人”企业52家，全市累计达到250家。",
        ("苏州市", "320500", "city")),
    "我市 tied to the district named nearest, which lies in its city": (
        "张某委员：\n您提出的建议收悉，现答复如下：\n近年来，我市高度重视中小企业发展。江宁区新增省级专精特新中小企业40家，"
        "全市中小企业发展环境持续优化。\n",
        ("南京市", "320100", "city")),
    "a national release: the country": (
        "国家统计局今天发布数据，1-5月份，全国规模以上工业企业实现利润总额2.7万亿元，同比增长3.4%。"
        "全国规模以上工业企业营业收入增长2.9%，其中广东增长4.1%。",
        ("全国", None, "country")),
    "a ministry's notice": (
        "工业和信息化部关于开展第七批专精特新“小巨人”企业培育工作的通知\n各省、自治区、直辖市及计划单列市中小企业主管部门：\n"
        "为贯彻落实有关部署，现就有关事项通知如下。\n",
        ("全国", None, "country")),
    "traditional characters": (
        "廣東省工業和信息化廳關於下達中小企業發展專項資金的通知\n各地級以上市工業和信息化主管部門：\n",
        ("广东省", "440000", "province")),
    "a district name two cities share, told by the city named": (
        "北京市朝阳区统计局发布，全区规模以上工业企业实现产值增长5%。",
        ("朝阳区", "110105", "county")),
    "the same name in the other city": (
        "长春市朝阳区2024年工作报告\n过去一年，全区新增市场主体1.2万户。\n",
        ("朝阳区", "220104", "county")),
    "a dateline names where the story was filed, not what it is about": (
        "新华社北京3月5日电 记者从成都市经信局获悉，成都今年一季度新增专精特新企业120家，成都全市累计达到3000家。",
        ("成都市", "510100", "city")),
    "a province named with several of its cities": (
        "近期，山东多地出台支持中小企业发展的措施。济南设立10亿元专项资金，青岛对新认定企业给予奖励，烟台优化担保服务。",
        ("山东省", "370000", "province")),
    "a county-level city named before its statistics office": (
        "昆山统计局数据显示，全市规上工业企业达到3000家，全市工业总产值增长6%。",
        ("昆山市", "320583", "county")),
    "全区 of an autonomous region": (
        "宁夏出台措施支持民营经济发展。全区民营企业数量达到12万户，全区民营经济增加值占比超过50%。",
        ("宁夏回族自治区", "640000", "province")),
    "我省 without the province ever named: it cannot be told": (
        "李某代表：\n您提出的建议收悉。近年来，我省中小企业发展势头良好，全省中小企业数量达到90万户。\n",
        (None, None, None)),
    "a text that names no place": (
        "中小企业是国民经济的重要组成部分。企业数量持续增长，质量不断提高。",
        (None, None, None)),
    "a two-character county inside a longer word is no place": (
        "现代县域经济加快发展，全县企业数量稳步增长。",
        (None, None, None)),
}


def place(text: str) -> tuple:
    found = read_metadata(text, RULESET)
    return found["region"], found["region_code"], found["region_level"]


@pytest.mark.parametrize("name", sorted(SEED_PLACES))
def test_seed_places(name):
    assert place((SEEDS / name).read_text(encoding="utf-8")) == SEED_PLACES[name]


@pytest.mark.parametrize("case", sorted(WRITTEN))
def test_written_places(case):
    text, expected = WRITTEN[case]
    assert place(text) == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("广州市花都区", ("花都区", "440114")),
    ("廣州花都區", ("花都区", "440114")),
    ("江苏省南京市", ("南京市", "320100")),
    ("恩施土家族苗族自治州", ("恩施土家族苗族自治州", "422800")),
    ("恩施", ("恩施土家族苗族自治州", "422800")),
    ("吉林", ("吉林省", "220000")),
    ("吉林市", ("吉林市", "220200")),
    ("仙桃市", ("仙桃市", "429004")),
    ("东莞市", ("东莞市", "441900")),
])
def test_names_read_against_the_division_table(name, expected):
    division = place_reader(RULESET).resolve(name)
    assert (division.name, division.code) == expected


def test_a_name_of_several_divisions_alone_is_none():
    assert place_reader(RULESET).resolve("朝阳区") is None


def test_the_table_is_the_packages_and_complete():
    """Every province-level division is there, and every code has six digits or is missing in the table itself."""
    rows = division_table()
    provinces = [name for code, name, kind, parent in rows if parent is None]
    assert len(provinces) == 34
    assert len(rows) > 3000
    reader = place_reader(RULESET)
    assert all(len(d.code) == 6 and d.code.isdigit() for d in reader.divisions if d.name != "台湾省")
    assert {d.level for d in reader.divisions} == {"province", "city", "county"}


@pytest.mark.parametrize("text", [
    "江苏省南京市、无锡市和常州市的企业",     # a longer name wins at one place (江苏省 over 江苏)
    "广州花都区新增企业12家，现代县域经济",    # chained names; a county inside a longer word
    "我省和全市\ud800北京市朝阳区",             # a lone surrogate (undecodable input) before a name
    "", "没有地名的一句话。",
])
def test_the_hyperscan_names_pass_finds_what_the_alternation_finds(text, monkeypatch):
    import extractor.places as places
    reader = place_reader(RULESET)
    if reader.names.database is None:
        pytest.skip("no hyperscan on this platform: the alternation is the only path")
    names = set(reader.full) | set(reader.short) | set(reader.self_words) | reader.country_words
    monkeypatch.setattr(places, "hyperscan", None)
    plain = places._NameFinder(names)
    assert plain.database is None
    assert reader.names.spans(text) == plain.spans(text)


def test_place_names_are_found_leftmost_and_longest():
    text = "江苏省南京市和我省"
    assert [text[a:b] for a, b in place_reader(RULESET).names.spans(text)] == ["江苏省", "南京市", "我省"]


def test_threads_sharing_a_reader_find_the_same_names():
    """hyperscan's scratch space serves one scan at a time: each thread gets its own."""
    from concurrent.futures import ThreadPoolExecutor

    reader = place_reader(RULESET)
    texts = ["江苏省南京市、无锡市和常州市的企业" * 200, "广州花都区新增企业12家" * 200] * 8
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(reader.names.spans, texts)) == [reader.names.spans(text) for text in texts]
