"""Real-world inputs: encodings, HTML, Word and PDF files, and bad files.

Every fixture is made here from a sample document: the claims read from a
converted file must be those of the plain text, with spans valid in the text
saved beside the dataset.
"""

import io
import os
from pathlib import Path

import docx
import pandas as pd
import pytest
import regex
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from typer.testing import CliRunner

from extractor.cli import app
from extractor.dataset import claims_frame
from extractor.documents import find_inputs, read_document, text_path
from extractor.pipeline import extract_document, extract_text, get_extractor
from paths import ROOT

SEED = (ROOT / "seeds" / "000_c2029cb520c589b8.txt").read_text(encoding="utf-8")
PARAGRAPHS = [line.strip() for line in SEED.split("\n") if line.strip()]
# What a converter should give back: one paragraph a line.
CONVERTED = "\n".join(PARAGRAPHS)
TRADITIONAL = "縣政府編列總經費三十六．八億元的計畫，預計輔導中小企業達一．二萬家次、培訓人才四．五萬人次。"
FIELDS = ["text", "value", "value_max", "unit", "qualifier", "metric", "subject", "tier", "year", "kind"]


def claims_of(path):
    result = extract_document(path, get_extractor())
    return result, claims_frame(result.claims)


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
def page(body: str, charset: str = "gb2312") -> str:
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>威海市工业和信息化局</title><style>p {{ line-height: 2 }}</style>
<script>var hits = "企业19家"; document.write("访问量1000次");</script></head>
<body><div class="top-nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li>
<li><a href="/ta">建议提案办理 2023年共办理120件</a></li></ul></div>
<nav><a href="/">网站首页</a> &gt; <a href="/x">建议提案</a></nav>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/x">正文</a></div>
<div class="content">{body}</div>
<div class="links"><h3>相关链接</h3><ul><li><a href="/1">关于公布2022年100家企业名单的通知</a></li>
<li><a href="/2">全市新增企业300家</a></li></ul></div>
<footer>主办单位：威海市工业和信息化局 电话：0631-5233000 访问量：120万次</footer>
</body></html>"""


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
def make_pdf(paragraphs: list[str], width: float = 440) -> bytes:
    """A PDF typeset as a word processor would: lines filled to `width`, never broken inside a number or word."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    y = 800
    for paragraph in paragraphs:
        line = ""
        for token in regex.findall(r"[A-Za-z0-9.%\-]+|.", paragraph):
            if line and pdfmetrics.stringWidth(line + token, "STSong-Light", 12) > width:
                lines = [line]
                line = token
            else:
                lines, line = [], line + token
            for done in lines:
                if y < 60:
                    pdf.drawString(290, 30, f"- {pdf.getPageNumber()} -")
                    pdf.showPage()
                    y = 800
                pdf.setFont("STSong-Light", 12)
                pdf.drawString(60, y, done)
                y -= 18
        pdf.setFont("STSong-Light", 12)
        pdf.drawString(60, y, line)
        y -= 18
    pdf.save()
    return buffer.getvalue()


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
def blank_pdf() -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.rect(100, 100, 200, 200)  # a drawing, no text: as a scan looks to a text reader
    pdf.save()
    return buffer.getvalue()


@pytest.mark.parametrize("name, content, status, problem", [
    ("empty.txt", b"", "empty", "empty file"),
    ("blank.txt", " \n\u3000\n".encode("utf-8"), "empty", "empty document"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "error", "binary file, not text"),
    ("garbled.txt", bytes(range(0x80, 0x100)) * 4, "error", "cannot tell the text encoding"),
    ("scan.pdf", blank_pdf(), "empty", "no text layer"),
    ("fake.pdf", b"%PDF-1.4\nthis is not a pdf", "error", "not a readable PDF"),
    ("fake.docx", b"PK\x03\x04 not a zip", "error", "not a readable .docx file"),
    ("empty.docx", b"", "empty", "empty file"),
])
def test_bad_files_get_a_status_and_a_one_line_error_naming_them(tmp_path, name, content, status, problem):
    path = tmp_path / name
    path.write_bytes(content)
    result, claims = claims_of(path)
    assert result.row["status"] == status and len(claims) == 0
    assert result.row["error"].startswith(f"{path}: {problem}")
    assert "\n" not in result.row["error"]


def test_a_truncated_docx_is_an_error(tmp_path):
    word = docx.Document()
    word.add_paragraph("全市拥有企业19家。")
    buffer = io.BytesIO()
    word.save(buffer)
    path = tmp_path / "cut.docx"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    result, _ = claims_of(path)
    assert result.row["status"] == "error" and "not a readable .docx file" in result.row["error"]


def test_a_poisoned_batch_of_every_format_extracts_every_good_file_and_names_the_bad(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a_gbk.txt").write_bytes("全市拥有高新技术企业1049家。".encode("gbk"))
    (docs / "b_page.html").write_bytes(page("<p>累计认定瞪羚企业55家。</p>").encode("gbk"))
    word = docx.Document()
    word.add_paragraph("新增省级瞪羚企业14家。")
    word.save(docs / "c_word.docx")
    (docs / "d_scan.pdf").write_bytes(make_pdf(["获得中央财政奖补资金共计2590万元。"]))
    (docs / "e_broken.pdf").write_bytes(b"%PDF-1.7\n\x00\x01garbage")
    (docs / "f_binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    (docs / "h_empty.html").write_bytes(b"")
    (docs / "g_ignored.png").write_bytes(b"\x89PNG")  # not a document suffix: not an input
    (docs / "i_moved.txt").symlink_to(tmp_path / "gone.txt")  # a broken link: unreadable, not lost
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["extract", str(docs), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "e_broken.pdf" in result.stderr and "f_binary.txt" in result.stderr
    assert f"Warning: {docs / 'h_empty.html'}: empty file" in result.stderr
    assert f"Error: {docs / 'i_moved.txt'}: cannot read: No such file or directory" in result.stderr
    assert "a_gbk.txt" not in result.stderr
    documents = pd.read_csv(out / "documents.csv").set_index("doc")
    assert documents.status.to_dict() == {
        "a_gbk.txt": "ok", "b_page.html": "ok", "c_word.docx": "ok", "d_scan.pdf": "ok",
        "e_broken.pdf": "error", "f_binary.txt": "error", "h_empty.html": "empty", "i_moved.txt": "error",
    }
    assert documents.format.to_dict() == {
        "a_gbk.txt": "txt", "b_page.html": "html", "c_word.docx": "docx", "d_scan.pdf": "pdf",
        "e_broken.pdf": "pdf", "f_binary.txt": "txt", "h_empty.html": "html", "i_moved.txt": "txt",
    }
    assert documents.loc["a_gbk.txt", "encoding"] == "gb18030"
    claims = pd.read_csv(out / "claims.csv")
    assert list(claims.text) == ["1049家", "55家", "14家", "2590万元"]
    assert list(claims.value) == [1049, 55, 14, 25900000]
    # Every span is shown by the saved text of its document.
    for claim in claims.itertuples():
        saved = text_path(out, documents.loc[claim.doc, "sha256"]).read_text(encoding="utf-8")
        assert saved[claim.start:claim.end] == claim.text
    assert sorted(p.name for p in (out / "texts").iterdir()) == sorted(
        f"{sha}.txt" for sha in documents[documents.status == "ok"].sha256)
    strict = CliRunner().invoke(app, ["extract", str(docs), "--out", str(out), "--strict", "--quiet"])
    assert strict.exit_code == 1


# -- which files ------------------------------------------------------------------
def test_links_to_folders_are_followed_and_loops_stop(tmp_path):
    archive = tmp_path / "archive"
    (archive / "2023").mkdir(parents=True)
    (archive / "2023" / "a.txt").write_text("全市拥有企业19家。", encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "b.txt").write_text("累计认定瞪羚企业55家。", encoding="utf-8")
    (docs / "2023").symlink_to(archive / "2023")  # a folder kept elsewhere
    (docs / "again").symlink_to(docs)  # a loop back up the tree
    (docs / "sub").mkdir()
    (docs / "sub" / "up").symlink_to(docs)  # and one from further down
    assert find_inputs([docs]) == [docs / "2023" / "a.txt", docs / "b.txt"]


def test_a_folder_that_cannot_be_read_gets_an_error_row(tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    (docs / "locked").mkdir(parents=True)
    (docs / "locked" / "hidden.txt").write_text("全市拥有企业19家。", encoding="utf-8")
    (docs / "open.txt").write_text("累计认定瞪羚企业55家。", encoding="utf-8")
    (docs / "locked").chmod(0)
    if os.geteuid() == 0:  # root reads any folder: refuse this one as the system would refuse anyone else
        listing = os.scandir

        def refused(path="."):
            if not isinstance(path, int) and Path(path) == docs / "locked":
                raise PermissionError(13, "Permission denied", str(path))
            return listing(path)

        monkeypatch.setattr(os, "scandir", refused)
    try:
        assert find_inputs([docs]) == [docs / "locked", docs / "open.txt"]
        out = tmp_path / "out"
        result = CliRunner().invoke(app, ["extract", str(docs), "--out", str(out), "--quiet"])
    finally:
        (docs / "locked").chmod(0o755)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Error: {docs / 'locked'}: cannot read folder: Permission denied\n"
    documents = pd.read_csv(out / "documents.csv")
    assert list(zip(documents.doc, documents.status)) == [("locked", "error"), ("open.txt", "ok")]


def test_a_file_named_twice_is_one_document(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("全市拥有企业19家。", encoding="utf-8")
    (docs / "b.txt").write_text("累计认定瞪羚企业55家。", encoding="utf-8")
    named = [docs / "a.txt", docs, Path(f"{docs}/./a.txt"), docs / "b.txt"]
    assert find_inputs(named) == [docs / "a.txt", docs / "b.txt"]


def test_a_file_name_with_a_line_break_is_quoted_in_its_one_line_error(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    odd = docs / "report\n2023.txt"
    odd.write_bytes(bytes(range(32)) * 4)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["extract", str(docs), "--out", str(out), "--quiet"])
    assert result.exit_code == 0
    assert result.stderr == f"Error: {str(odd)!r}: binary file, not text\n"
    assert pd.read_csv(out / "documents.csv").path.tolist() == [str(odd)]  # the path itself, as it is


@pytest.mark.slow
def test_a_hostile_batch_gives_one_row_per_input_and_one_line_per_problem(tmp_path, monkeypatch):
    docs, elsewhere = tmp_path / "docs", tmp_path / "elsewhere"
    docs.mkdir()
    elsewhere.mkdir()
    sentence = "全市拥有企业19家，累计认定瞪羚企业55家。"
    (docs / "good.txt").write_text(sentence, encoding="utf-8")
    (docs / "good.html").write_text(page(f"<p>{sentence}</p>", "utf-8"), encoding="utf-8")
    word = docx.Document()
    word.add_paragraph(sentence)
    word.save(docs / "good.docx")
    half = len("全市拥有企业19家，".encode())
    noted = {  # read, with a note: the claims on both sides of the damage are kept
        "ff.txt": b"\xff", "a9.txt": b"\xa9", "nul.txt": b"\x00", "gbk.txt": "编号".encode("gbk"), "cut.txt": "增加".encode()[:4],
    }
    for name, bad in noted.items():
        (docs / name).write_bytes(sentence.encode()[:half] + bad + sentence.encode()[half:])
    (docs / "long.txt").write_text("全市拥有企业19家，" + "9" * 101 + "家，累计认定瞪羚企业55家。", encoding="utf-8")
    nested = "".join("<div>" + (f"<p>{sentence}</p>" if level == 4000 else "") for level in range(5000)) + "</div>" * 5000
    (docs / "deep.html").write_text(page(nested, "utf-8"), encoding="utf-8")
    (elsewhere / "linked.txt").write_text(sentence, encoding="utf-8")
    (docs / "linked").symlink_to(elsewhere)
    (docs / "loop").symlink_to(docs)
    (docs / "self.txt").symlink_to(docs / "self.txt")
    (docs / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (docs / "broken.docx").write_bytes(b"PK\x03\x04 not a zip")
    (docs / "odd\nname.txt").write_bytes(bytes(range(32)) * 8)
    (docs / "locked").mkdir()
    (docs / "locked" / "x.txt").write_text(sentence, encoding="utf-8")
    listing = os.scandir

    def refused(path="."):  # as a folder the user may not read (root reads any folder)
        if not isinstance(path, int) and Path(path) == docs / "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return listing(path)

    monkeypatch.setattr(os, "scandir", refused)
    out = tmp_path / "out"
    named = [docs, docs / "good.txt", docs / "self.txt"]  # two of them named twice
    result = CliRunner().invoke(app, ["extract", *map(str, named), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    documents = pd.read_csv(out / "documents.csv", keep_default_na=False).set_index("doc")
    failed = {"self.txt", "binary.txt", "broken.docx", "odd\nname.txt", "locked"}
    assert sorted(documents.index) == sorted(["good.txt", "good.html", "good.docx", *noted, "long.txt", "deep.html",
                                              "linked.txt", *failed])
    assert {doc for doc, status in documents.status.items() if status != "ok"} == failed
    claims = pd.read_csv(out / "claims.csv")
    assert claims.groupby("doc").text.apply(list).to_dict() == {
        doc: ["19家", "55家"] for doc in documents.index if doc not in failed}
    lines = result.stderr.splitlines()
    assert len(lines) == len(failed) + len(noted) + 1  # one line per problem, long.txt's note among them
    assert sum(line.startswith("Error: ") for line in lines) == len(failed)
    assert all(line.startswith(("Error: ", "Warning: ")) for line in lines)
    strict = CliRunner().invoke(app, ["extract", *map(str, named), "--out", str(out), "--quiet", "--strict"])
    assert strict.exit_code == 1 and strict.stderr == result.stderr
