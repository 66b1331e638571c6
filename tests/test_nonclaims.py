"""Numbers that are not claims (docs/claims.md section 1), each a tested negative."""

import pytest

from extractor import extract_text


@pytest.mark.parametrize(
    "sentence",
    [
        "2022年，全市工作稳步推进。",
        "2023年6月29日",
        "2022年1-5月份工业运行平稳。",
        "至2022年6月底工作完成。",
        "推荐企业申报第四批国家级专精特新“小巨人”企业。",
        "第三届中国国际中小企业博览会召开。",
        "一是总体规模快速扩张。",
        "（二）优化营商环境。",
        "3.加强政策宣讲。",
        "关于市政协十四届一次会议第47号委员提案的答复",
        "日政办字〔2022〕10号",
        "联系电话：0631-5288123",
        "“十三五”以来成效明显，“十四五”开局良好。",
        "开展百场万企活动，实施“两清零一提升”行动。",
        "构建2+4+4产业体系，推进5G基站建设。",
        "建立“四张清单”调度办理机制。",
        "培育一批专精特新企业，落实一系列政策，给予一次性奖励，进一步优化服务。",
        "实现零的突破。",
        "从七个方面提出工作措施。",
        "市县两级联动。",
        "围绕四大支柱产业发力。",
    ],
)
def test_not_a_claim(sentence):
    claims = extract_text(sentence)
    assert claims.empty, claims[["text", "rule"]].to_dict("records")


def test_claim_next_to_a_non_claim_is_kept():
    claims = extract_text("2022年1-5月份，全市1241家规上中小工业企业实现营业收入572亿元。")
    assert list(claims.text) == ["1241家", "572亿元"]
    assert list(claims.year) == [2022, 2022]
