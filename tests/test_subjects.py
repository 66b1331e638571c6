"""Subjects and metrics on whole documents written for the purpose and kept out of rule tuning: a finance
news release with breakdowns, a statistics release, a work report, a policy notice, a reply letter and a
meeting news item. `subjects/expected.json` lists, per document, its claims in text order as
[text, subject, metric] with the subject and metric set by hand from docs/claims.md section 7 (metric null
where the contract leaves it open). Subjects are scored as `extractor eval` scores them (character F1).
"""

import json
from pathlib import Path

import pandas as pd
import pytest

from extractor import extract_paths, extract_text
from extractor.pipeline import get_extractor
from extractor.evaluate import subject_f1

DOCUMENTS = Path(__file__).resolve().parent / "subjects"
EXPECTED = json.loads((DOCUMENTS / "expected.json").read_text(encoding="utf-8"))
# Above the issue's aim for documents outside the development set (0.78): 0.936 when the rules were written,
# so a rule that costs these documents subjects shows here.
SUBJECT_FLOOR = 0.90


def scored(claims: pd.DataFrame) -> list[tuple[str, str, str, str | None, str | None, float]]:
    """(doc, text, expected subject, found subject, expected metric, found metric, subject F1) per listed claim,
    each matched to the next claim of its document with that text; a claim not found scores 0."""
    rows = []
    for doc, listed in EXPECTED.items():
        found = iter(claims.loc[claims.doc == doc, ["text", "subject", "metric"]].itertuples(index=False))
        for text, subject, metric in listed:
            match = next((row for row in found if row.text == text), None)
            got_subject = match.subject if match is not None else None
            rows.append((doc, text, subject, got_subject, metric, match.metric if match is not None else None,
                         subject_f1(subject, got_subject) if match is not None else 0.0))
    return rows


@pytest.fixture(scope="module")
def rows():
    return scored(extract_paths(sorted(DOCUMENTS.glob("*.txt"))))


def test_subjects_reach_the_floor(rows):
    mean = sum(row[-1] for row in rows) / len(rows)
    worst = sorted(rows, key=lambda row: row[-1])[:5]
    assert mean >= SUBJECT_FLOOR, f"subject F1 {mean:.3f}; worst: {worst}"


def test_metrics_as_set_by_hand(rows):
    wrong = [(doc, text, metric, got) for doc, text, _, _, metric, got, _ in rows if metric and metric != got]
    assert wrong == []


def test_the_issues_cases():
    """The cases issue 16 names, each with its paragraph where the subject comes from there."""
    cases = {
        "小微企业贷款主要投向甲市（3.1万亿元）、乙市（2.2万亿元）。": [("甲市小微企业贷款", "loan"), ("乙市小微企业贷款", "loan")],
        "A、B两项分别为18.2%和47.5%。": [("A", "share"), ("B", "share")],
        "科技型企业融资覆盖面扩大，获贷率为48%。": [("科技型企业获贷率", "share")],
        "力争到2025年培育5-6个百亿级企业。": [("百亿级企业", "enterprise_count")],
        "高新技术企业队伍持续壮大。截至2021年底，全市共有300家。": [("高新技术企业", "enterprise_count")],
    }
    for text, expected in cases.items():
        assert extract_text(text)[["subject", "metric"]].apply(tuple, axis=1).tolist() == expected, text


def test_no_subject_is_empty(rows):
    assert [row for row in rows if row[3] == ""] == []


def test_a_subject_is_its_spans_of_the_text_as_written():
    # Read as simplified, given back in the document's characters, without the verb between holder and measure:
    # searching the text for the simplified words (民营经济增加值) would find nothing to give back.
    text = "全縣民營經濟實現增加值286億元，同比增長6.2%。"
    claims = extract_text(text, simplified=True)
    assert list(claims["subject"]) == ["民營經濟增加值", "民營經濟增加值"]
    extractor = get_extractor()
    for claim in extractor.extract("截至3月末，全省普惠小微贷款主要投向东湖市（4120亿元）、西江市（2630亿元）。"):
        spans = [piece for piece in claim.subject_pieces if isinstance(piece, tuple)]
        assert len(spans) == 2  # the item and the measure it breaks down
        assert claim.subject == "".join(
            claim.sentence[start - claim.sentence_start : end - claim.sentence_start] for start, end in spans)


if __name__ == "__main__":  # python tests/test_subjects.py: every claim's subject, and the mean
    listed = scored(extract_paths(sorted(DOCUMENTS.glob("*.txt"))))
    for doc, text, subject, got, metric, got_metric, f1 in listed:
        print(f"{f1:.2f} {doc[:3]} {text:>10} | {subject} | {got} | {metric} {got_metric}")
    print(f"subject={sum(row[-1] for row in listed) / len(listed):.3f} "
          f"metric={sum(m == g for *_, m, g, _ in listed if m) / sum(1 for row in listed if row[4]):.3f} n={len(listed)}")
