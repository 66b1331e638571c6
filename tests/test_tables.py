"""Tables: every layout the readers and typists write, read cell by cell (CLAIMS.md section 7).

Every table here is made up for the test; every expected value is worked out
by hand from the table as written: a figure times the multiplier its unit
line or header states, its year from its column header, its subject from its
row label and the measure of the row it belongs to.
"""

import io
from decimal import Decimal

import docx
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from extractor.documents import read_document
from extractor.normalize import fold
from extractor.pipeline import extract_claims, extract_document, get_extractor

FIELDS = ["text", "value", "unit", "metric", "subject", "year"]


def rows(claims, fields=FIELDS):
    return [tuple(getattr(claim, name) for name in fields) for claim in claims]


def with_prose(claims, expected):
    """The table's claims as `expected`, then the sentence's claim after the table."""
    found = rows(claims)
    return found[:-1] == expected and found[-1][:5] == PROSE_CLAIM


def read(text):
    """The claims of a text, after checking that every span and sentence indexes it."""
    claims = extract_claims(text, get_extractor())
    for claim in claims:
        assert text[claim.start:claim.end] == claim.text
        assert text[claim.sentence_start:claim.sentence_start + len(claim.sentence)] == claim.sentence
    return claims


# One table, written in every layout below: a unit line, a total row, #-marked
# and indented sub-rows, an empty cell, a no-data mark, a negative growth and a
# row in its own unit. 1 万元 = 10000 元.
CELLS = [
    ("工业总产值", "52,310", "48,600", "7.6"),
    ("#食品制造业", "6120", "", "-4.5"),
    ("电子信息制造业", "18,050", "15,900", "13.5"),
    ("利润总额", "-", "3,010", "-12.0"),
    ("工业产销率(%)", "97.8", "98.4", ""),
    ("#食品制造业", "99.1", "99.6", ""),
]
EXPECTED = [
    ("52,310", Decimal("523100000"), "元", "revenue", "规模以上工业总产值", 2023),
    ("48,600", Decimal("486000000"), "元", "revenue", "规模以上工业总产值", 2022),
    ("7.6", Decimal("7.6"), "%", "growth_rate", "规模以上工业总产值", 2023),
    ("6120", Decimal("61200000"), "元", "revenue", "食品制造业工业总产值", 2023),
    ("-4.5", Decimal("-4.5"), "%", "growth_rate", "食品制造业工业总产值", 2023),
    ("18,050", Decimal("180500000"), "元", "revenue", "电子信息制造业工业总产值", 2023),
    ("15,900", Decimal("159000000"), "元", "revenue", "电子信息制造业工业总产值", 2022),
    ("13.5", Decimal("13.5"), "%", "growth_rate", "电子信息制造业工业总产值", 2023),
    ("3,010", Decimal("30100000"), "元", "money_other", "规模以上工业企业利润总额", 2022),
    ("-12.0", Decimal("-12.0"), "%", "growth_rate", "规模以上工业企业利润总额", 2023),
    ("97.8", Decimal("97.8"), "%", "share", "规模以上工业产销率", 2023),
    ("98.4", Decimal("98.4"), "%", "share", "规模以上工业产销率", 2022),
    ("99.1", Decimal("99.1"), "%", "share", "食品制造业工业产销率", 2023),
    ("99.6", Decimal("99.6"), "%", "share", "食品制造业工业产销率", 2022),
]
TITLE = "2023年全区规模以上工业企业主要指标"
UNIT_LINE = "单位：万元"
HEADER = ("指标", "2023年", "上年同期", "同比增长(%)")
PROSE = "全区工业运行总体平稳，规模以上工业企业达到412家。"
# The sentence after a table (its year is the year rules' business, not the table's).
PROSE_CLAIM = ("412家", Decimal(412), "家", "enterprise_count", "规模以上工业企业")


def tab_table():
    """As the HTML and Word readers write a table: one row a line, cells apart by a tab, empty cells kept."""
    body = "\n".join("\t".join(row) for row in [HEADER, *CELLS])
    return f"{TITLE}\n{UNIT_LINE}\n{body}\n{PROSE}"


def test_a_tab_table_gives_one_claim_per_figure_with_unit_subject_and_year_from_elsewhere():
    text = tab_table()
    claims = read(text)
    assert with_prose(claims, EXPECTED)
    assert {claim.kind for claim in claims if claim.rule == "table.cell"} == {"actual"}


def test_a_table_typed_with_runs_of_spaces_puts_a_short_row_s_figures_under_their_headers():
    text = (
        "          2023年全区规模以上工业企业主要指标\n"
        "                                              单位：万元\n"
        "指    标            2023年       上年同期     同比增长(%)\n"
        "工业总产值          52,310       48,600        7.6\n"
        "  #食品制造业        6120                      -4.5\n"
        "  电子信息制造业     18,050       15,900       13.5\n"
        "利润总额              -           3,010       -12.0\n"
        "工业产销率(%)        97.8         98.4\n"
        "  #食品制造业        99.1         99.6\n"
        + PROSE
    )
    assert with_prose(read(text), EXPECTED)


def test_a_markdown_table_with_bars():
    body = "\n".join("| " + " | ".join(row) + " |" for row in [HEADER, ("---",) * 4, *CELLS])
    text = f"{TITLE}\n{UNIT_LINE}\n{body}\n{PROSE}"
    assert with_prose(read(text), EXPECTED)


def test_a_web_table_flattened_one_cell_a_line():
    """A copied web page: every cell on a line of its own (an empty cell leaves no line), blank lines between."""
    cells = [cell for row in [HEADER, *CELLS] for cell in row if cell]
    text = "首页 > 数据发布\n\n" + TITLE + "\n\n" + UNIT_LINE + "\n\n" + "\n\n".join(f"  {c}" if c.startswith("#") else c for c in cells) + "\n\n" + PROSE
    claims = read(text)
    # An empty cell leaves no line: #食品制造业 (6120, -4.5) cannot say which of its
    # three columns is empty, so it is left out; the 产销率 rows are as short as each
    # other, so their figures fill the first two columns.
    assert with_prose(claims, EXPECTED[:3] + EXPECTED[5:])


def test_a_flattened_table_without_blank_lines_is_not_joined_into_longer_numbers():
    """Normalisation joins a number cut by a line break (13.03 | 万家); never two cells of a table."""
    text = "区名\n企业数\n甲区\n120\n乙区\n95\n合计\n215"
    assert rows(read(text)) == [
        ("120", Decimal(120), "家", "enterprise_count", "甲区企业", None),
        ("95", Decimal(95), "家", "enterprise_count", "乙区企业", None),
        ("215", Decimal(215), "家", "enterprise_count", "企业", None),
    ]


def test_a_table_of_counts_with_bars_and_a_total_row():
    text = "2022年各区专精特新中小企业\n区名 | 企业数\n东城区 | 86\n西城区 | 124\n合计 | 210"
    assert rows(read(text)) == [
        ("86", Decimal(86), "家", "enterprise_count", "东城区企业", 2022),
        ("124", Decimal(124), "家", "enterprise_count", "西城区企业", 2022),
        ("210", Decimal(210), "家", "enterprise_count", "企业", 2022),
    ]


def test_tab_cells_are_not_joined_by_normalisation_and_spans_survive_edits_before_the_table():
    """Spaces inside a number are read through (1 234); a tab between two cells is a column gap."""
    text = "新增贷款1 234.5亿元。\n指标\t本年\t上年\n新增企业（户）\t120\t345\n注销企业（户）\t９８\t76"
    assert rows(read(text), ["text", "value", "unit", "year"]) == [
        ("1 234.5亿元", Decimal("123450000000"), "元", None),
        ("120", Decimal(120), "户", None), ("345", Decimal(345), "户", None),
        ("９８", Decimal(98), "户", None), ("76", Decimal(76), "户", None),
    ]


def test_a_table_of_years_as_rows():
    text = "年份\t高新技术企业（家）\t增长（%）\n2021\t410\t12.1\n2022\t466\t13.7"
    assert rows(read(text)) == [
        ("410", Decimal(410), "家", "enterprise_count", "高新技术企业", 2021),
        ("12.1", Decimal("12.1"), "%", "growth_rate", "高新技术企业", 2021),
        ("466", Decimal(466), "家", "enterprise_count", "高新技术企业", 2022),
        ("13.7", Decimal("13.7"), "%", "growth_rate", "高新技术企业", 2022),
    ]


def test_a_figure_whose_unit_the_table_never_states_is_left_out():
    text = "指标\t2022年\t2023年\n综合指数\t101.3\t103.8\n景气指数\t98.2\t99.0"
    assert read(text) == []


# -- prose is not a table -------------------------------------------------------
PROSE_LISTS = [
    # a numbered list with figures
    "主要做法如下：\n1. 新增市场主体1200户\n2. 培育专精特新企业35家\n3. 发放贷款12.5亿元\n",
    # items each on a line with a bare figure after them: a list, not a table (no header)
    "今年以来：\n新增企业\n120\n新增项目\n35\n",
    # a signature block and a contact block typed with spaces
    "联系人：张三    联系电话：0631-5233000\n邮编　264200\n\n市工业和信息化局        市财政局\n2024年3月1日\n",
    # page numbers and short lines between paragraphs of a plain text file
    "一、总体情况\n全市规模以上工业企业达到1241家，同比增长7.9%。\n\n12\n\n二、主要措施\n对首次认定的企业给予50万元奖励。\n\n13\n",
    # a breadcrumb with bars and a date line with spaces
    "首页 | 政务公开 | 统计数据\n发布时间：2023-01-30    浏览次数：1350\n全年新增企业3.5万户。\n",
]


@pytest.mark.parametrize("text", PROSE_LISTS)
def test_prose_with_figures_in_lists_is_not_read_as_a_table(text):
    extractor = get_extractor()
    assert extractor.tables.find(fold(text)) == []
    assert "table.cell" not in {claim.rule for claim in read(text)}


def test_the_sentence_rules_read_the_same_claims_where_no_table_is_found():
    text = PROSE_LISTS[0] + PROSE_LISTS[3]
    extractor = get_extractor()
    with_tables = [(c.text, c.value, c.metric) for c in extract_claims(text, extractor)]
    assert with_tables == [(c.text, c.value, c.metric) for c in extractor.extract(text, tables=[])]
    assert [t for t, _, _ in with_tables] == ["1200户", "35家", "12.5亿元", "1241家", "7.9%", "50万元"]


# -- the readers keep tables' rows and cells ------------------------------------
def test_an_html_table_keeps_empty_cells_spanned_columns_and_its_cells_paragraphs(tmp_path):
    header = "<tr><th rowspan='2'>指标</th><th colspan='2'>2023年</th></tr><tr><th>1-6月</th><th>同比增长(%)</th></tr>"
    body = (
        "<tr><td><p>新登记企业（户）</p></td><td><p>5,230</p></td><td><p>-3.9</p></td></tr>"
        "<tr><td><p>&nbsp;&nbsp;#个体工商户</p></td><td><p>3,120</p></td><td></td></tr>"
    )
    page = f"<html><body><h1>市场主体登记情况</h1><table>{header}{body}</table><p>{PROSE}</p></body></html>"
    path = tmp_path / "table.html"
    path.write_text(page, encoding="utf-8")
    document = read_document(path)
    assert document.text.split("\n")[1:5] == ["指标\t2023年\t", "1-6月\t同比增长(%)", "新登记企业（户）\t5,230\t-3.9", "#个体工商户\t3,120\t"]
    claims = extract_document(path, get_extractor()).claims
    assert with_prose(claims, [
        ("5,230", Decimal(5230), "户", "enterprise_count", "新登记企业", 2023),
        ("-3.9", Decimal("-3.9"), "%", "growth_rate", "新登记企业", 2023),
        ("3,120", Decimal(3120), "户", "enterprise_count", "个体工商户", 2023),
    ])


def test_a_word_table_keeps_a_blank_corner_and_empty_cells(tmp_path):
    word = docx.Document()
    word.add_paragraph(TITLE)
    word.add_paragraph(UNIT_LINE)
    table = word.add_table(rows=1 + len(CELLS), cols=4)
    for r, row in enumerate([("",) + HEADER[1:], *CELLS]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    word.add_paragraph(PROSE)
    path = tmp_path / "table.docx"
    word.save(path)
    document = read_document(path)
    assert document.text.split("\n")[2:5] == ["\t2023年\t上年同期\t同比增长(%)", "工业总产值\t52,310\t48,600\t7.6", "#食品制造业\t6120\t\t-4.5"]
    claims = extract_document(path, get_extractor()).claims
    assert with_prose(claims, EXPECTED)
    assert all(document.text[c.start:c.end] == c.text for c in claims)


def make_table_pdf() -> bytes:
    """A PDF as a statistics office typesets one: title, unit line, a ruled table (an empty cell in it), a paragraph."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=11)
    table = Table([list(HEADER), *[list(row) for row in CELLS]])
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), ("GRID", (0, 0), (-1, -1), 0.5, "black")]))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build([Paragraph(TITLE, style), Paragraph(UNIT_LINE, style), table, Paragraph(PROSE, style)])
    return buffer.getvalue()


def test_a_pdf_table_is_read_with_its_cells(tmp_path):
    """pypdf writes this table one cell a line and drops the empty cells; pdfplumber keeps them."""
    path = tmp_path / "table.pdf"
    path.write_bytes(make_table_pdf())
    document = read_document(path)
    assert "#食品制造业\t6120\t\t-4.5" in document.text.split("\n")
    claims = extract_document(path, get_extractor()).claims
    assert with_prose(claims, EXPECTED)
    assert all(document.text[c.start:c.end] == c.text for c in claims)
