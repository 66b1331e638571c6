"""Bad inputs: files that are empty, binary, truncated or not what their name says, unreadable folders, links,
odd names, and a batch of all of them: each gets its status and a one-line error naming it, and the rest is extracted.
"""

import io
import os
from pathlib import Path

import docx
import pandas as pd
import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.documents import find_inputs, text_path
from inputfiles import blank_pdf, claims_of, make_pdf, page


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
