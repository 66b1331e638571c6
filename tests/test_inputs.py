"""Real-world inputs: encodings, HTML, Word and PDF files (bad ones: test_input_errors.py).

Every fixture is made here from a sample document: the claims read from a
converted file must be those of the plain text, with spans valid in the text
saved beside the dataset.
"""

import io

import docx
import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from extractor.documents import read_document
from extractor.pipeline import extract_text
from inputfiles import claims_of, make_pdf, page
from paths import ROOT

SEED = (ROOT / "seeds" / "000_c2029cb520c589b8.txt").read_text(encoding="utf-8")
PARAGRAPHS = [line.strip() for line in SEED.split("\n") if line.strip()]
# What a converter should give back: one paragraph a line.
CONVERTED = "\n".join(PARAGRAPHS)
TRADITIONAL = "縣政府編列總經費三十六．八億元的計畫，預計輔導中小企業達一．二萬家次、培訓人才四．五萬人次。"
FIELDS = ["text", "value", "value_max", "unit", "qualifier", "metric", "subject", "tier", "year", "kind"]


def values(frame, fields=FIELDS):
    return [tuple(row) for row in frame[fields].astype(object).where(frame[fields].notna(), None).itertuples(index=False)]


@pytest.fixture(scope="module")
def reference():
    return extract_text(CONVERTED, doc="reference")


# -- text files -------------------------------------------------------------------
@pytest.mark.parametrize("codec, expected", [
    ("gbk", "gb18030"), ("gb18030", "gb18030"), ("utf-8-sig", "utf-8-sig"),
    ("utf-16", "utf-16"), ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be"),
])
def test_a_text_file_in_any_common_encoding_gives_the_claims_of_its_utf8_text(tmp_path, codec, expected):
    path = tmp_path / f"seed-{codec}.txt"
    path.write_bytes(SEED.encode(codec))
    document = read_document(path)
    assert (document.status, document.format, document.encoding) == ("ok", "txt", expected)
    assert document.text == SEED  # offsets stay those of the decoded file
    result, claims = claims_of(path)
    plain = extract_text(SEED)
    assert values(claims, FIELDS + ["start", "end"]) == values(plain, FIELDS + ["start", "end"])
    assert result.row["encoding"] == expected


def test_big5_traditional_text(tmp_path):
    path = tmp_path / "trad.txt"
    path.write_bytes(TRADITIONAL.encode("cp950"))
    document = read_document(path)
    assert (document.status, document.encoding, document.text) == ("ok", "cp950", TRADITIONAL)


def test_a_short_gbk_file_is_gb18030_not_a_guess_at_utf16(tmp_path):
    # charset-normalizer alone reads these 14 bytes as UTF-16.
    path = tmp_path / "short.txt"
    path.write_bytes("全市拥有企业19家。".encode("gbk"))
    result, claims = claims_of(path)
    assert result.row["encoding"] == "gb18030"
    assert list(claims.text) == ["19家"] and list(claims.value) == [19]


def test_a_truncated_file_keeps_what_it_holds_and_says_so(tmp_path):
    path = tmp_path / "cut.txt"
    path.write_bytes("全市拥有企业19家。全".encode("gbk")[:-1])  # half of the last character
    result, claims = claims_of(path)
    assert result.row["status"] == "ok" and result.row["chars"] == len("全市拥有企业19家。")
    assert "truncated" in result.row["error"] and "\n" not in result.row["error"]
    assert list(claims.text) == ["19家"]


BEFORE, AFTER = "全市拥有高新技术企业1049家，", "累计认定瞪羚企业55家。"
HEAD = BEFORE.encode("utf-8")


@pytest.mark.parametrize("bad, replaced", [
    (b"\xff", 1),  # a byte UTF-8 never uses
    (b"\xa9", 1),  # a continuation byte on its own (Latin-1's copyright sign)
    (b"\x00", 1),  # a NUL
    ("编号".encode("gbk"), 4),  # a phrase pasted in GBK: two characters, four bytes no UTF-8 reads
    ("增加".encode("utf-8")[:4], 1),  # two bytes cut from the second of two characters
], ids=["stray-ff", "stray-a9", "nul", "gbk-phrase", "cut-character"])
def test_one_bad_stretch_in_a_utf8_file_costs_only_its_own_bytes(tmp_path, bad, replaced):
    path = tmp_path / "mixed.txt"
    path.write_bytes(HEAD + bad + AFTER.encode("utf-8"))
    document = read_document(path)
    good = bad.decode("utf-8", "ignore").replace("\x00", "")  # what of the bad stretch is still text (增 of 增加)
    assert (document.status, document.encoding) == ("ok", "utf-8")
    # One U+FFFD per bad byte, so the text keeps its shape and every offset after it points where it should.
    assert document.text == BEFORE + good + "\ufffd" * replaced + AFTER
    many = "s that are" if replaced > 1 else " that is"
    assert document.error == (f"{path}: {replaced} byte{many} not text (invalid utf-8 or NUL) replaced by U+FFFD, "
                              f"the first at byte {len(HEAD) + len(good.encode())}, character {len(BEFORE) + len(good)} of the text")
    result, claims = claims_of(path)
    assert result.row["status"] == "ok" and result.row["error"] == document.error
    assert list(claims.text) == ["1049家", "55家"]
    assert list(claims.start) == [10, len(BEFORE) + len(good) + replaced + 8]


def test_a_gbk_file_with_one_stray_byte_is_still_gbk(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes((BEFORE * 20).encode("gbk") + b"\xff" + AFTER.encode("gbk"))
    document = read_document(path)
    assert (document.status, document.encoding) == ("ok", "gb18030")
    assert document.text == BEFORE * 20 + "\ufffd" + AFTER
    assert document.error.endswith(f"the first at byte {len((BEFORE * 20).encode('gbk'))}, character {len(BEFORE) * 20} of the text")


@pytest.mark.parametrize("content, problem", [
    (bytes(range(256)) * 8 + HEAD, "binary file, not text"),  # mostly bytes no text has, zero bytes among them
    (bytes(range(0x80, 0x100)) * 8 + HEAD, "cannot tell the text encoding"),
    (HEAD + b"\x00\x01\x02\x03\xff\xfe" * 40, "binary file, not text"),  # text first, then mostly binary
])
def test_only_a_file_mostly_not_text_is_rejected(tmp_path, content, problem):
    path = tmp_path / "blob.txt"
    path.write_bytes(content)
    document = read_document(path)
    assert document.status == "error" and document.error.startswith(f"{path}: {problem}")


# -- HTML -------------------------------------------------------------------------
def test_html_main_text_drops_navigation_scripts_and_footer(tmp_path, reference):
    # The source wraps a long paragraph across lines, as editors do; a browser joins them.
    body = "\n".join(f"<p>{p[:20]}\n  {p[20:]}</p>" if len(p) > 40 else f"<p>{p}</p>" for p in PARAGRAPHS)
    path = tmp_path / "reply.html"
    path.write_bytes(page(body).encode("gbk"))
    result, claims = claims_of(path)
    document = read_document(path)
    assert (document.format, document.encoding) == ("html", "gb18030")
    assert document.text == CONVERTED
    assert values(claims, FIELDS + ["start", "end"]) == values(reference, FIELDS + ["start", "end"])


def test_html_tables_and_line_breaks_keep_cells_and_lines_apart(tmp_path):
    body = "<table><tr><th>类别</th><th>数量</th></tr><tr><td>瞪羚企业</td><td>55家</td></tr></table><p>第一行<br>第二行</p>"
    path = tmp_path / "table.htm"
    path.write_text(page(body, "utf-8"), encoding="utf-8")
    document = read_document(path)
    assert document.text == "类别\t数量\n瞪羚企业\t55家\n第一行\n第二行"
    assert document.encoding == "utf-8"


def test_html_nested_deeper_than_libxml2_builds_keeps_all_its_text(tmp_path):
    # libxml2 stops at 256 levels (2048 with huge_tree) and drops the rest; five figures at every 1,000th level.
    depth, figures = 5000, [f"<p>新增企业{n}家。</p>" for n in range(11, 16)]
    body = "".join("<div>" + (figures[level // 1000] if level % 1000 == 0 else "") for level in range(depth))
    path = tmp_path / "deep.html"
    path.write_text(page(body + "</div>" * depth, "utf-8"), encoding="utf-8")
    result, claims = claims_of(path)
    assert result.row["status"] == "ok" and result.row["error"] is None
    assert list(claims.text) == ["11家", "12家", "13家", "14家", "15家"]
    assert read_document(path).text == "\n".join(f"新增企业{n}家。" for n in range(11, 16))


def test_an_html_page_with_a_stray_byte_is_read_with_a_note(tmp_path):
    path = tmp_path / "page.html"
    raw = page("<p>累计认定瞪羚企业55家。</p>").encode("gbk")
    at = raw.index("累计".encode("gbk"))
    path.write_bytes(raw[:at] + b"\xff" + raw[at:])
    result, claims = claims_of(path)
    assert (result.row["status"], result.row["encoding"]) == ("ok", "gb18030")
    assert result.row["error"] == f"{path}: 1 byte that is not text (invalid gb18030 or NUL) replaced by U+FFFD, the first at byte {at}"
    assert list(claims.text) == ["55家"]


# -- Word -------------------------------------------------------------------------
def test_docx_paragraphs_and_tables_give_the_plain_text_claims(tmp_path, reference):
    word = docx.Document()
    word.sections[0].header.paragraphs[0].text = "威海市工业和信息化局 第1页 共3页"
    for paragraph in PARAGRAPHS:
        word.add_paragraph(paragraph)
    table = word.add_table(rows=2, cols=2)
    for (row, col), text in {(0, 0): "类别", (0, 1): "数量", (1, 0): "新增瞪羚企业", (1, 1): "14家"}.items():
        table.cell(row, col).text = text
    path = tmp_path / "reply.docx"
    word.save(path)
    result, claims = claims_of(path)
    assert result.row["format"] == "docx" and result.row["encoding"] is None
    assert read_document(path).text == CONVERTED + "\n类别\t数量\n新增瞪羚企业\t14家"
    assert values(claims)[:-1] == values(reference)
    assert tuple(claims.iloc[-1][["text", "value", "unit"]]) == ("14家", 14, "家")


# -- PDF --------------------------------------------------------------------------
def test_pdf_lines_are_joined_into_paragraphs_and_give_the_plain_text_claims(tmp_path, reference):
    path = tmp_path / "reply.pdf"
    path.write_bytes(make_pdf(PARAGRAPHS))
    result, claims = claims_of(path)
    text = read_document(path).text
    assert result.row["format"] == "pdf" and result.row["status"] == "ok"
    assert "- 1 -" not in text and len(text.split("\n")) < 2 * len(PARAGRAPHS)
    assert values(claims, ["text", "value", "value_max", "unit", "qualifier"]) == \
        values(reference, ["text", "value", "value_max", "unit", "qualifier"])
    assert all(text[c.start:c.end] == c.text for c in result.claims)


def test_a_number_cut_at_a_pdf_line_end_is_read_whole(tmp_path):
    path = tmp_path / "cut.pdf"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setFont("STSong-Light", 12)
    for y, line in ((800, "至2022年6月底，全市中小企业数量达到13."), (782, "03万家，同比增长9.5%。")):
        pdf.drawString(60, y, line)
    pdf.save()
    path.write_bytes(buffer.getvalue())
    result, claims = claims_of(path)
    assert read_document(path).text == "至2022年6月底，全市中小企业数量达到13.03万家，同比增长9.5%。"
    assert list(claims.text) == ["13.03万家", "9.5%"] and list(claims.value) == [130300, 9.5]


# -- bad files --------------------------------------------------------------------
# -- which files ------------------------------------------------------------------
