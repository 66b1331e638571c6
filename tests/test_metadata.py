"""Document metadata: every example beside the rules in rules/documents.toml, the
seed documents read by hand, and texts that carry no metadata at all.

Test ids start with the rule id, so `pytest -k doc.date` runs the date rules.
"""

import shutil

import pytest

from extractor.metadata import FIELDS, read_metadata
from extractor.places import PLACE_FIELDS
from extractor.ruleset import RuleError, load_ruleset
from paths import SEEDS

RULESET = load_ruleset()
NOTHING = dict.fromkeys(FIELDS + PLACE_FIELDS)

CASES = [
    pytest.param(example, id=f"{example.owner}[{example.name}]",
                 marks=[pytest.mark.xfail(reason=example.xfail, strict=True)] if example.xfail else [])
    for rule in RULESET.family("documents")
    for example in rule.examples
]


@pytest.mark.parametrize("example", CASES)
def test_rule_example(example):
    metadata = read_metadata(example.text, RULESET)
    expected = {name: value or None for name, value in example.fields.items()}
    assert {name: metadata[name] for name in expected} == expected


def test_every_rule_has_a_matching_example():
    for rule in RULESET.family("documents"):
        assert any(example.fields.get(rule["field"]) for example in rule.examples), rule.id


# Read by hand from the head and the foot of each seed document.
SEED_METADATA = {
    "000_c2029cb520c589b8.txt": {
        "title": "关于市政协十四届一次会议第47号委员提案的答复",
        "issuer": "威海市工业和信息化局",
        "date": None,  # the reply carries no date
        "doc_number": None,  # 国办发〔2021〕45号 is cited in the body, not this document's
        "region": "威海市",
        "region_code": "371000",
        "region_level": "city",
    },
    "001_6a8959abd0ee71f3.txt": {
        "title": "对市政协七届二次会议《关于培育我市专精特新中小企业 增强辽宁沿海经济带发展新动能的提案》(第20230068号)的答复",
        "issuer": "葫芦岛市工业和信息化局",
        "date": "2023-06-29",
        "doc_number": None,  # (第20230068号) numbers the proposal
        "region": "葫芦岛市",
        "region_code": "211400",
        "region_level": "city",
    },
    "002_046af103274ec285.txt": {
        "title": "关于市政协十四届五次会议第 185 号委员 提案的答复",
        "issuer": "威海市工业和信息化局",
        "date": "2026-05-19",
        "doc_number": None,
        "region": "威海市",
        "region_code": "371000",
        "region_level": "city",
    },
    "003_a4e583752837a0be.txt": {
        "title": "日照市人民政府办公室关于印发《日照市“专精特新”中小企业培育提升行动方案(2022—2025年)》的通知",
        "issuer": "日照市人民政府办公室",
        "date": "2022-03-23",  # under the signature in the head; the foot is cut off
        "doc_number": "日政办字〔2022〕10号",
        "region": "日照市",
        "region_code": "371100",
        "region_level": "city",
    },
    "004_b2bb0396e6eed1d0.txt": {
        "title": "市经信局关于市政协十二届二次会议第117号提案的答复",
        "issuer": "杭州市经济和信息化局",
        "date": "2023-06-09",  # the signed date at the foot, not the portal's 2023-11-09
        "doc_number": "杭经信提〔2023〕097号",
        "region": "杭州市",
        "region_code": "330100",
        "region_level": "city",
    },
}


@pytest.mark.parametrize("name", sorted(SEED_METADATA))
def test_seed_metadata(name):
    text = (SEEDS / name).read_text(encoding="utf-8")
    assert read_metadata(text, RULESET) == SEED_METADATA[name]


@pytest.mark.parametrize("text", ["", "   \n\n\t", "全市中小企业数量达到3万家，同比增长5.2%。", "1234567890"])
def test_no_metadata(text):
    assert read_metadata(text, RULESET) == NOTHING


def test_only_head_and_foot_are_read():
    """Title, issuer, date and 文号 come from the head and the foot only; the region may come from the body."""
    body = "全市中小企业发展态势良好，各项指标稳步提升。\n" * 200
    middle = "衢州市工业和信息化局\n2023年6月29日\n衢政办字〔2023〕8号\n"
    found = read_metadata(body + middle + body, RULESET)
    assert {name: found[name] for name in FIELDS if name != "region"} == dict.fromkeys(name for name in FIELDS if name != "region")
    # 全市 is tied to the one place the text names, however far from the head.
    assert (found["region"], found["region_code"]) == ("衢州市", "330800")


def test_a_rule_for_an_unknown_field_is_an_error(tmp_path):
    rules = shutil.copytree(SEEDS.parent / "rules", tmp_path / "rules")
    with open(rules / "documents.toml", "a", encoding="utf-8") as handle:
        handle.write('\n[[rule]]\nid = "doc.bad"\ndescription = "typo in the field"\nfield = "titel"\npattern = "(?P<value>x)"\n')
    with pytest.raises(RuleError, match="doc.bad"):
        read_metadata("x", load_ruleset(rules))
