"""Series: a figure over the years, documents or places it is stated for, in the library and the command.

Expected values are read from the texts by hand (the two 威海 replies) or
written into the claim rows the tests build.
"""

import pandas as pd
import pytest

from claimrows import HIGH_TECH, TECH_SME, WEIHAI_2022, WEIHAI_2026, claim, frame, run
from extractor import series
from extractor.series import pivot, series_table
from paths import SEEDS


def test_weihai_series_of_high_tech_enterprises(weihai):
    old, new = weihai
    claims = pd.concat([old.claims, new.claims], ignore_index=True)
    documents = pd.concat([old.documents, new.documents], ignore_index=True)
    long = series(claims, documents, subject="高新技术企业")
    # 2022 is stated (至2022年6月底); the 2026 reply states no year for 1633,
    # but it is dated 2026年5月19日 and its other figures are 截至2025年底: it
    # reports on 2025.
    assert list(zip(long["year"], long["value"], long["year_source"], long["doc"])) == [
        (2022, 1049, "claim", WEIHAI_2022.name),
        (2025, 1633, "document", WEIHAI_2026.name),
    ]
    assert set(long["region"]) == {"威海市"} and set(long["tier"]) == {"national"}
    wide = pivot(long)
    assert list(wide.columns[-2:]) == ["2022", "2025"]
    assert wide[["region", "region_code", "indicator", "tier", "2022", "2025"]].values.tolist() == [
        ["威海市", "371000", HIGH_TECH, "national", 1049, 1633]]


def test_a_claim_without_year_takes_the_year_its_document_reports_on():
    def doc(name, *years):
        return [claim(name, 10 * i, f"{i}家", i, "瞪羚企业", year=y) for i, y in enumerate(years, 1)]
    claims = frame(
        *doc("dated_after_year_end.txt", 2025, None),   # dated 2026: reports on 2025
        *doc("dated_history.txt", 2021, None),          # dated 2026: 2021 is history, the date's 2026
        *doc("dated_forecast.txt", 2030, None),         # dated 2026: 2030 is not reported on yet
        *doc("undated.txt", 2023, 2024, None),          # no date: the latest stated year
        *doc("nothing.txt", None),                      # no date, no year: undated
        claim("target_only.txt", 0, "9家", 9, "瞪羚企业", year=2027, kind="target"),
        claim("target_only.txt", 20, "8家", 8, "瞪羚企业"),  # targets say nothing of the year reported on
    )
    documents = pd.DataFrame({"doc": ["dated_after_year_end.txt", "dated_history.txt", "dated_forecast.txt"], "date": ["2026-05-19"] * 3})
    long = series(claims, documents)
    unstated = long[long["year_source"] != "claim"]
    assert dict(zip(unstated["doc"], unstated["year"].astype(object))) == {
        "dated_after_year_end.txt": 2025, "dated_history.txt": 2026, "dated_forecast.txt": 2026,
        "undated.txt": 2024, "nothing.txt": pd.NA, "target_only.txt": pd.NA,
    }
    assert unstated.loc[unstated["year"].isna(), "year_source"].isna().all()
    assert pivot(long[long["doc"] == "nothing.txt"]).columns[-1] == "undated"


def test_series_command(tmp_path):
    out = tmp_path / "series.csv"
    result = run("series", WEIHAI_2022, WEIHAI_2026, "--subject", "高新技术企业", "--out", out)
    assert result.exit_code == 0, result.output
    wide = pd.read_csv(out)
    assert wide[["indicator", "2022", "2025"]].values.tolist() == [[HIGH_TECH, 1049, 1633]]
    result = run("series", WEIHAI_2022, WEIHAI_2026, "--subject", "国家高新技术企业", "--long")
    assert result.exit_code == 0, result.output
    assert "2025*" in result.stdout and "1633家" in result.stdout


def test_a_pivot_by_document_keeps_two_versions_of_one_year_apart():
    claims = frame(
        claim("draft.txt", 0, "50家", 50, "瞪羚企业", year=2024),
        claim("final.txt", 0, "55家", 55, "瞪羚企业", year=2024),
        claim("earlier.txt", 0, "40家", 40, "瞪羚企业", year=2023),
    )
    long = series(claims)
    assert pivot(long)[["2023", "2024"]].values.tolist() == [[40, 55]]  # by year, the value stated last
    wide = pivot(long, by="document")
    assert list(wide.columns[-3:]) == ["earlier.txt", "draft.txt", "final.txt"]
    assert wide[["earlier.txt", "draft.txt", "final.txt"]].values.tolist() == [[40, 50, 55]]
    table = series_table(long, by="document")
    assert [column.header for column in table.columns][-3:] == ["earlier.txt", "draft.txt", "final.txt"]
    assert [str(cell) for cell in table.columns[-2].cells] == ["50家 (2024)"]
    with pytest.raises(ValueError, match="unknown pivot 'doc'"):
        pivot(long, by="doc")


def test_series_command_by_document(tmp_path):
    out = tmp_path / "series.csv"
    result = run("series", WEIHAI_2022, WEIHAI_2026, "--subject", "科技型中小企业", "--by", "document", "--out", out)
    assert result.exit_code == 0, result.output
    wide = pd.read_csv(out)
    assert wide[["indicator", WEIHAI_2022.name, WEIHAI_2026.name]].values.tolist() == [[TECH_SME, 1476, 2907]]
    result = run("series", WEIHAI_2022, "--by", "doc")
    assert result.exit_code == 2 and result.stderr == "Error: unknown pivot 'doc' for --by (choose from subject, period, document, region)\n"


def test_a_pivot_by_region_lays_one_indicator_over_places():
    claims = frame(
        claim("weihai.txt", 0, "55家", 55, "瞪羚企业", year=2022),
        claim("rizhao.txt", 0, "40家", 40, "“瞪羚”企业", year=2022),
        claim("beijing.txt", 0, "10家", 10, "瞪羚企业数量", year=2022),
        claim("changchun.txt", 0, "12家", 12, "瞪羚企业", year=2022),
        claim("rizhao.txt", 20, "48家", 48, "瞪羚企业", year=2023),
    )
    documents = pd.DataFrame({
        "doc": ["weihai.txt", "rizhao.txt", "beijing.txt", "changchun.txt"],
        "region": ["威海市", "日照市", "朝阳区", "朝阳区"],
        "region_code": ["371000", "371100", "110105", "220104"],
    })
    long = series(claims, documents)
    wide = pivot(long, by="region")
    places = ["威海市", "日照市", "朝阳区 (110105)", "朝阳区 (220104)"]  # in character order; one name, two places
    assert list(wide.columns[-4:]) == places
    gazelle = "enterprise_count|||家|瞪羚企业|"
    assert wide[["indicator", "year"] + places].astype(object).where(wide.notna(), None).values.tolist() == [
        [gazelle, 2022, 55, 40, 10, 12],
        [gazelle, 2023, None, 48, None, None],
    ]
    table = series_table(long, by="region")
    assert [column.header for column in table.columns] == ["subject", "tier", "metric", "kind", "year"] + places


def test_series_command_by_region(tmp_path):
    out = tmp_path / "series.csv"
    result = run("series", WEIHAI_2022, SEEDS / "001_6a8959abd0ee71f3.txt", "--subject", "专精特新企业", "--by", "region", "--out", out)
    assert result.exit_code == 0, result.output
    wide = pd.read_csv(out)
    # both count 省级 专精特新中小企业 in their own year: 威海 305 in 2022, 葫芦岛 36 in 2023
    provincial = wide[wide["indicator"] == "enterprise_count|srdi_sme|provincial|家|专精特新企业|"]
    assert provincial[["year", "威海市", "葫芦岛市"]].astype(object).where(provincial.notna(), None).values.tolist() == [
        [2022, 305, None], [2023, None, 36]]
