import json
import math
from pathlib import Path

import pandas as pd
import pytest

from extractor.evaluate import COLUMNS, format_report, load_gold, score, subject_f1

GOLD_DIR = Path(__file__).parent / "gold"


def claim(start, end, doc="a.txt", **fields):
    row = {
        "doc": doc, "start": start, "end": end, "text": "x" * (end - start),
        "value": 1.0, "value_max": None, "unit": "家", "qualifier": "exact",
        "metric": "count", "subject": "企业", "tier": None, "year": 2022,
        "kind": "actual",
    }
    row.update(fields)
    return row


def frame(*rows):
    return pd.DataFrame(list(rows), columns=COLUMNS)


def spans(df):
    return list(zip(df["doc"], df["start"], df["end"]))


# --- span matching -----------------------------------------------------------

def test_prediction_over_two_gold_matches_the_larger_overlap():
    gold = frame(claim(0, 4), claim(5, 10))
    pred = frame(claim(2, 8))  # overlaps [0,4) by 2, [5,10) by 3
    result = score(pred, gold)
    assert (result.tp, result.fp, result.fn) == (1, 0, 1)
    assert result.precision == 1.0
    assert result.recall == 0.5
    assert result.f1 == pytest.approx(2 / 3)
    assert spans(result.misses) == [("a.txt", 0, 4)]
    assert result.false_positives.empty


def test_partial_overlap_matches_but_touching_spans_do_not():
    gold = frame(claim(10, 15), claim(20, 24))
    pred = frame(claim(14, 20), claim(24, 30))  # 1 char with the first; touches the second
    result = score(pred, gold)
    assert (result.tp, result.fp, result.fn) == (1, 1, 1)
    assert spans(result.misses) == [("a.txt", 20, 24)]
    assert spans(result.false_positives) == [("a.txt", 24, 30)]


def test_equal_overlap_prefers_closer_start():
    gold = frame(claim(0, 3), claim(7, 10))
    pred = frame(claim(0, 10))  # overlaps both by 3
    result = score(pred, gold)
    assert spans(result.misses) == [("a.txt", 7, 10)]


def test_each_gold_matches_at_most_one_prediction():
    gold = frame(claim(0, 6))
    pred = frame(claim(3, 6), claim(0, 3))  # equal overlap; the second starts closer
    result = score(pred, gold)
    assert (result.tp, result.fp, result.fn) == (1, 1, 0)
    assert spans(result.false_positives) == [("a.txt", 3, 6)]


def test_same_span_in_another_doc_does_not_match():
    gold = frame(claim(0, 3, doc="a.txt"))
    pred = frame(claim(0, 3, doc="b.txt"))
    result = score(pred, gold)
    assert (result.tp, result.fp, result.fn) == (0, 1, 1)
    assert result.f1 == 0.0
    per_doc = result.per_doc.set_index("doc")
    assert list(per_doc.index) == ["a.txt", "b.txt"]
    assert per_doc.loc["a.txt", ["n_gold", "n_pred", "tp"]].tolist() == [1, 0, 0]
    assert per_doc.loc["b.txt", ["n_gold", "n_pred", "tp"]].tolist() == [0, 1, 0]
    assert per_doc["f1"].tolist() == [0.0, 0.0]
    assert all(v is None for v in result.field_accuracy.values())


def test_per_doc_counts_and_scores():
    gold = frame(claim(0, 2, doc="b.txt"), claim(5, 7, doc="b.txt"), claim(0, 2, doc="a.txt"))
    pred = frame(claim(0, 2, doc="b.txt"), claim(0, 2, doc="a.txt"), claim(9, 11, doc="a.txt"))
    per_doc = score(pred, gold).per_doc
    assert per_doc.to_dict("records") == [
        {"doc": "a.txt", "n_gold": 1, "n_pred": 2, "tp": 1, "precision": 0.5, "recall": 1.0,
         "f1": pytest.approx(2 / 3)},
        {"doc": "b.txt", "n_gold": 2, "n_pred": 1, "tp": 1, "precision": 1.0, "recall": 0.5,
         "f1": pytest.approx(2 / 3)},
    ]


def test_extra_columns_and_arbitrary_index_in_pred():
    gold = frame(claim(0, 3), claim(5, 8))
    pred = frame(claim(5, 8), claim(0, 3)).assign(program=None, rule="r1", sentence="s")
    pred.index = [10, 20]
    result = score(pred, gold)
    assert result.tp == 2
    assert result.field_accuracy["value"] == 1.0


# --- fields ---------------------------------------------------------------------

@pytest.mark.parametrize(
    "gold_value, pred_value, right",
    [
        (1640000000, 16.4e8, True),
        (1640000000, 16.4 * 1e8, True),  # 1639999999.9999998
        (1640000000, 1640000001, True),  # relative error 6e-10
        (1640000000, 1640000010, False),  # relative error 6e-9
        (0, 1e-12, True),
        (0, 0.001, False),
        (19, "19", True),
    ],
)
def test_value_tolerance(gold_value, pred_value, right):
    result = score(frame(claim(0, 3, value=pred_value)), frame(claim(0, 3, value=gold_value)))
    assert result.field_accuracy["value"] == (1.0 if right else 0.0)
    assert len(result.wrong) == (0 if right else 1)


def test_nulls_compare_equal_whatever_their_flavour():
    gold = frame(
        claim(0, 3, value_max=None, tier=None, year=2022),
        claim(5, 8, value_max=None, tier="national", year=None),
        claim(10, 13, value_max=2.0, tier=None, year=None),
    )
    pred = frame(
        claim(0, 3, value_max=math.nan, tier=pd.NA, year=2022.0),
        claim(5, 8, value_max=pd.NA, tier="national", year=math.nan),
        claim(10, 13, value_max=2, tier=math.nan, year=pd.NA),
    )
    result = score(pred, gold)
    assert result.tp == 3
    assert result.field_accuracy["value_max"] == 1.0
    assert result.field_accuracy["tier"] == 1.0
    assert result.field_accuracy["year"] == 1.0
    assert result.wrong.empty


def test_nullable_int_year_column():
    gold = frame(claim(0, 3, year=2022), claim(5, 8, year=None))
    pred = frame(claim(0, 3), claim(5, 8))
    pred["year"] = pd.array([2022, None], dtype="Int64")
    assert score(pred, gold).field_accuracy["year"] == 1.0


def test_null_against_a_value_is_wrong():
    gold = frame(claim(0, 3, value_max=None, year=2022), claim(5, 8, value_max=5.0, year=None))
    pred = frame(claim(0, 3, value_max=5.0, year=None), claim(5, 8, value_max=math.nan, year=2023.0))
    result = score(pred, gold)
    assert result.field_accuracy["value_max"] == 0.0
    assert result.field_accuracy["year"] == 0.0
    wrong = result.wrong.set_index(["start", "field"])
    assert wrong.loc[(0, "value_max"), "expected"] is None
    assert wrong.loc[(0, "value_max"), "predicted"] == 5.0
    assert wrong.loc[(5, "year"), "expected"] is None
    assert wrong.loc[(5, "year"), "predicted"] == 2023


def test_traditional_units_equal_simplified():
    gold = frame(claim(0, 3, unit="戶"), claim(5, 8, unit="百分點"), claim(10, 13, unit="家"))
    pred = frame(claim(0, 3, unit="户"), claim(5, 8, unit="百分点"), claim(10, 13, unit="个"))
    result = score(pred, gold)
    assert result.field_accuracy["unit"] == pytest.approx(2 / 3)
    assert result.wrong[["start", "field", "expected", "predicted"]].values.tolist() == [
        [10, "unit", "家", "个"],
    ]


def test_categorical_fields_by_equality():
    gold = frame(claim(0, 3), claim(5, 8))
    pred = frame(
        claim(0, 3, qualifier="approx", metric="enterprise_count", kind="target"),
        claim(5, 8),
    )
    acc = score(pred, gold).field_accuracy
    assert acc["qualifier"] == acc["metric"] == acc["kind"] == 0.5
    assert acc["value"] == acc["unit"] == 1.0


# --- subject ----------------------------------------------------------------------

def test_subject_f1_ignores_quotes_and_spaces():
    assert subject_f1("国家级专精特新“小巨人”企业", '国家级专精特新"小巨人"企业') == 1.0
    assert subject_f1("省级「专精特新」企业", "省级 专精特新\u3000企业") == 1.0


def test_subject_f1_partial_by_hand():
    # 6 shared chars; precision 6/6, recall 6/10 -> F1 = 2*0.6/1.6 = 0.75
    assert subject_f1("省级专精特新中小企业", "专精特新企业") == pytest.approx(0.75)
    # multiset: one 人 shared out of two -> P 1, R 0.5, F1 2/3
    assert subject_f1("人人", "人") == pytest.approx(2 / 3)


def test_subject_f1_empty():
    assert subject_f1(None, "") == 1.0
    assert subject_f1("“”", math.nan) == 1.0
    assert subject_f1("企业", None) == 0.0
    assert subject_f1("企业", "资金") == 0.0


def test_subject_accuracy_is_mean_f1_and_low_f1_is_wrong():
    gold = frame(
        claim(0, 3, subject="国家级专精特新“小巨人”企业"),
        claim(5, 8, subject="省级专精特新中小企业"),
        claim(10, 13, subject="贷款余额"),
    )
    pred = frame(
        claim(0, 3, subject="国家级专精特新'小巨人'企业"),
        claim(5, 8, subject="专精特新企业"),
        claim(10, 13, subject="余额增长率"),  # 2 shared: P 2/5, R 2/4 -> F1 4/9
    )
    result = score(pred, gold)
    assert result.field_accuracy["subject"] == pytest.approx((1 + 0.75 + 4 / 9) / 3)
    assert result.wrong[["start", "field"]].values.tolist() == [[10, "subject"]]


# --- empty inputs and gold against itself ---------------------------------------------

@pytest.mark.parametrize("empty", [pd.DataFrame(columns=COLUMNS), pd.DataFrame()])
def test_empty_inputs(empty):
    result = score(empty, empty)
    assert (result.tp, result.fp, result.fn) == (0, 0, 0)
    assert (result.precision, result.recall, result.f1) == (0.0, 0.0, 0.0)
    assert all(v is None for v in result.field_accuracy.values())
    assert result.per_doc.empty and result.misses.empty and result.wrong.empty
    assert format_report(result, per_doc=True, show_misses=True).splitlines()[-1].endswith(
        "kind=n/a subject=n/a"
    )


def test_empty_prediction_against_gold():
    gold = frame(claim(0, 3), claim(5, 8))
    result = score(pd.DataFrame(), gold)
    assert (result.tp, result.fp, result.fn) == (0, 0, 2)
    assert len(result.misses) == 2


@pytest.mark.slow
def test_gold_against_itself_is_perfect():
    gold = load_gold(GOLD_DIR)
    assert len(gold) > 0
    result = score(gold.copy(), gold)
    assert result.tp == len(gold)
    assert result.f1 == 1.0
    assert result.field_accuracy == {field: 1.0 for field in result.field_accuracy}
    assert result.misses.empty and result.false_positives.empty and result.wrong.empty


# --- load_gold ------------------------------------------------------------------------------

def test_load_gold_reads_directory_in_name_order_and_fills_missing_fields(tmp_path):
    (tmp_path / "b.jsonl").write_text(json.dumps(claim(0, 3, doc="b.txt")) + "\n", encoding="utf-8")
    (tmp_path / "a.jsonl").write_text(
        json.dumps({"doc": "a.txt", "start": 1, "end": 4, "text": "19家", "value": 19}) + "\n\n",
        encoding="utf-8",
    )
    (tmp_path / "notes.txt").write_text("not gold", encoding="utf-8")
    gold = load_gold(tmp_path)
    assert list(gold.columns) == COLUMNS
    assert gold["doc"].tolist() == ["a.txt", "b.txt"]
    assert gold.loc[0, "value_max"] is None and gold.loc[0, "year"] is None
    assert gold.loc[1, "year"] == 2022
    assert load_gold(tmp_path / "a.jsonl")["doc"].tolist() == ["a.txt"]


@pytest.mark.parametrize(
    "bad_line, reason",
    [
        ('{"doc": "a.txt", "start": 1,', "invalid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"doc": "a.txt", "end": 3}', "missing field(s): start"),
        ('{"doc": "a.txt", "start": "1", "end": 3}', "start and end must be integers"),
    ],
)
def test_malformed_line_names_file_and_line(tmp_path, bad_line, reason):
    path = tmp_path / "broken.jsonl"
    path.write_text(json.dumps(claim(0, 3)) + "\n" + bad_line + "\n", encoding="utf-8")
    with pytest.raises(ValueError) as info:
        load_gold(path)
    message = str(info.value)
    assert message.startswith(f"{path}:2: ")
    assert reason in message
    assert "\n" not in message


# --- report ------------------------------------------------------------------------------------

def test_format_report_ends_with_three_summary_lines():
    gold = frame(claim(0, 3, text="19家"), claim(10, 13, text="35项", metric="count"))
    pred = frame(claim(0, 3, text="19家", unit="个"), claim(0, 3, doc="b.txt", text="2家"))
    result = score(pred, gold)
    for options in ({}, {"per_doc": True, "show_misses": True}):
        assert format_report(result, **options).splitlines()[-3:] == [
            "claims: gold=2 predicted=2 matched=1",
            "spans: precision=0.500 recall=0.500 f1=0.500",
            "fields: value=1.000 value_max=1.000 unit=0.000 qualifier=1.000 metric=1.000 "
            "tier=1.000 year=1.000 kind=1.000 subject=1.000",
        ]


def test_format_report_sections():
    gold = frame(claim(0, 3, text="19家"), claim(10, 13, text="35项"))
    pred = frame(claim(0, 3, text="19家", unit="个"), claim(0, 3, doc="b.txt", text="2家"))
    result = score(pred, gold)
    assert format_report(result).count("\n") == 2
    report = format_report(result, per_doc=True, show_misses=True)
    assert report.index("per document (2)") < report.index("missed gold claims (1)")
    assert report.index("missed gold claims (1)") < report.index("false positives (1)")
    assert report.index("false positives (1)") < report.index("wrong fields (1)")
    assert "35项" in report and "2家" in report
    wrong_section = report[report.index("wrong fields"):]
    assert "unit" in wrong_section and "个" in wrong_section
