"""Excel workbooks: read back with openpyxl, as Excel would show them."""


import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from extractor import workbook
from extractor.cli import app
from extractor.workbook import write_workbook
from paths import SEEDS

WEIHAI_2022 = SEEDS / "000_c2029cb520c589b8.txt"
WEIHAI_2026 = SEEDS / "002_046af103274ec285.txt"


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def sample() -> pd.DataFrame:
    return pd.DataFrame({
        "doc": ["a.txt", "b.txt", "c.txt"],
        "value": [97990000000.0, 9.5, float("nan")],
        "year": pd.array([2022, None, 2025], dtype="Int64"),
        "is_repeat": [False, True, False],
        "metric": pd.Categorical(["loan", "growth_rate", None], categories=["loan", "growth_rate"]),
        "region_code": ["371000", None, "440114"],
        "issuer": ["威海市工业和信息化局", "", None],
    })


def test_numbers_stay_numbers_and_codes_stay_text(tmp_path):
    path = write_workbook(tmp_path / "book.xlsx", {"claims": sample()})
    sheet = openpyxl.load_workbook(path)["claims"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["doc", "value", "year", "is_repeat", "metric", "region_code", "issuer"]
    assert rows[1] == ["a.txt", 97990000000, 2022, False, "loan", "371000", "威海市工业和信息化局"]
    assert rows[2] == ["b.txt", 9.5, None, True, "growth_rate", None, ""]
    assert rows[3] == ["c.txt", None, 2025, False, None, "440114", None]
    assert [sheet.cell(2, col).data_type for col in (2, 3, 4, 6)] == ["n", "n", "b", "s"]
    # whole numbers shown with thousands separators, years plain
    assert sheet.cell(2, 2).number_format == "#,##0" and sheet.cell(2, 3).number_format == "0"


def test_the_header_is_frozen_and_filtered_and_columns_fit(tmp_path):
    path = write_workbook(tmp_path / "book.xlsx", {"claims": sample()})
    sheet = openpyxl.load_workbook(path)["claims"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:G4"
    assert sheet.cell(1, 1).font.bold
    # openpyxl keeps neighbouring columns of one width as one range
    widths = {col: dim.width for dim in sheet.column_dimensions.values() for col in range(dim.min, dim.max + 1)}
    # ten Chinese characters take twenty columns, plus a margin of two
    assert widths[7] == pytest.approx(22, abs=1)
    # the header is wider than any value of region_code (11 against 6)
    assert widths[6] == pytest.approx(13, abs=1)
    # 97,990,000,000 as shown (14) is wider than its header
    assert widths[2] == pytest.approx(16, abs=1)


def test_a_table_longer_than_a_sheet_goes_on_over_more_sheets(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_ROWS", 3)  # a header and two rows a sheet
    frame = pd.DataFrame({"n": range(5)})
    book = openpyxl.load_workbook(write_workbook(tmp_path / "book.xlsx", {"claims": frame, "documents": frame.head(1)}))
    assert book.sheetnames == ["claims", "claims 2", "claims 3", "documents"]
    assert [[c.value for c in row] for row in book["claims 3"].iter_rows()] == [["n"], [4]]
    assert all(book[name].freeze_panes == "A2" for name in book.sheetnames)


def test_extract_writes_a_workbook_of_claims_and_documents(tmp_path):
    out = tmp_path / "data"
    result = run("extract", SEEDS, "--out", out, "--format", "xlsx", "--quiet")
    assert result.exit_code == 0, result.output
    claims = pd.read_csv(out / "claims.csv", encoding="utf-8-sig")
    book = openpyxl.load_workbook(out / "dataset.xlsx")
    assert book.sheetnames == ["claims", "documents"]
    sheet = book["claims"]
    assert sheet.max_row == len(claims) + 1
    assert [c.value for c in sheet[1]] == list(claims.columns)
    assert [c.value for c in book["documents"][1]][:3] == ["doc", "path", "sha256"]
    values = [row[0] for row in sheet.iter_rows(min_row=2, min_col=5, max_col=5, values_only=True)]
    assert values == pytest.approx(claims["value"].tolist())


def test_diff_and_series_write_workbooks(tmp_path):
    result = run("diff", WEIHAI_2022, WEIHAI_2026, "--only", "changed", "--out", tmp_path / "changes.xlsx")
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(tmp_path / "changes.xlsx")["diff"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, row)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted((r["old_value"], r["new_value"], r["change_abs"]) for r in rows) == [(1049, 1633, 584), (1476, 2907, 1431)]
    out = tmp_path / "series.xlsx"
    result = run("series", WEIHAI_2022, WEIHAI_2026, "--subject", "高新技术企业", "--out", out)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["series", "claims"]
    header = [c.value for c in book["series"][1]]
    assert header[-2:] == ["2022", "2025"]
    assert [c.value for c in book["series"][2]][-2:] == [1049, 1633]


def test_format_without_out_writes_the_command_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("diff", WEIHAI_2022, WEIHAI_2026, "--format", "xlsx")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "diff.xlsx").is_file()
    result = run("series", WEIHAI_2022, "--format", "xls")
    assert result.exit_code == 2 and result.stderr.startswith("Error: unknown format 'xls'")
