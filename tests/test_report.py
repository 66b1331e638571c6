"""The HTML review report: highlights from offsets, texts found or explained,
gold marks, charts, the CLI, and a real headless browser clicking a claim."""

import dataclasses
import hashlib
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.dataset import CLAIM_COLUMNS, DOCUMENT_COLUMNS, write_table
from extractor.report import ReportRules, Span, document_places, enterprise_chart, find_text, highlight, target_pairs, write_report
from extractor.ruleset import load_ruleset
from paths import ROOT


class Page(HTMLParser):
    """Marks (attributes and text), unbalanced tags, and all the text."""

    VOID = {"meta", "br", "img", "input", "link", "hr", "path", "rect", "use", "stop", "circle", "line", "polyline", "polygon", "ellipse"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.marks, self.stack, self.text, self.unbalanced = [], [], [], []

    def handle_starttag(self, tag, attrs):
        if tag == "mark":
            self.marks.append({**dict(attrs), "text": ""})
            self.marks[-1].setdefault("data-ids", "")  # the legend's samples have none
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.unbalanced.append(tag)
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)
        if self.stack and self.stack[-1] == "mark":
            self.marks[-1]["text"] += data


def parse(markup):
    page = Page()
    page.feed(markup)
    page.close()
    return page


def span(sid, text, piece, occurrence=0, metric="count", status=None):
    """A span over the occurrence-th copy of piece in text."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(piece, start + 1)
    return Span(sid, start, start + len(piece), metric, status, f"tip {sid}")


def covered(page, sid):
    return "".join(m["text"] for m in page.marks if sid in m["data-ids"].split())


# --- highlights from offsets -------------------------------------------------

def test_highlight_escapes_the_text_and_keeps_it_whole():
    text = '甲<script>alert("x")</script>&乙 共19家'
    markup = highlight(text, [span("c0", text, "19家")])
    assert "<script>" not in markup and "&lt;script&gt;" in markup and "&amp;" in markup
    page = parse(markup)
    assert "".join(page.text) == text
    assert page.marks == [{"class": "hl m-count edge", "data-ids": "c0", "id": "hl-c0", "title": "tip c0", "text": "19家"}]


def test_a_span_over_markup_like_text_stays_text():
    text = "前<b>12家</b>后"
    page = parse(highlight(text, [span("c0", text, "<b>12家</b>")]))
    assert page.unbalanced == [] and page.stack == []
    assert covered(page, "c0") == "<b>12家</b>"


def test_crossing_spans_are_cut_into_pieces_that_nest():
    text = "全市有305家企业"
    a = Span("c0", 3, 7, "enterprise_count", None, "a")  # 305家
    b = Span("c1", 5, 9, "count", "fp", "b")              # 5家企业
    page = parse(highlight(text, [a, b]))
    assert page.unbalanced == [] and page.stack == []
    assert "".join(page.text) == text
    assert [(m["text"], m["data-ids"]) for m in page.marks] == [("30", "c0"), ("5家", "c0 c1"), ("企业", "c1")]
    assert covered(page, "c0") == "305家" and covered(page, "c1") == "5家企业"
    # The shared piece is marked as covered twice and carries both tooltips.
    assert "multi" in page.marks[1]["class"].split() and page.marks[1]["title"] == "a\n\nb"
    assert "fp" in page.marks[2]["class"].split()


def test_adjacent_spans_stay_two_marks_each_with_its_own_edge():
    text = "增长5%10%"
    page = parse(highlight(text, [span("c0", text, "5%"), span("c1", text, "10%")]))
    assert [(m["text"], m["data-ids"], m.get("id")) for m in page.marks] == [("5%", "c0", "hl-c0"), ("10%", "c1", "hl-c1")]
    assert all("edge" in m["class"].split() for m in page.marks)


def test_nested_spans_take_the_inner_colour_and_a_miss_never_wins_the_colour():
    text = "资金8亿余元"
    outer = Span("g0", 0, 6, "fund", "miss", "gold")
    inner = Span("c0", 2, 6, "subsidy", None, "claim")
    page = parse(highlight(text, [outer, inner]))
    assert [(m["text"], m["class"]) for m in page.marks] == [
        ("资金", "hl m-fund miss edge"), ("8亿余元", "hl m-subsidy miss multi edge"),
    ]


def test_spans_outside_the_text_are_left_out():
    text = "共3家"
    page = parse(highlight(text, [Span("c0", 1, 3, "count", None, ""), Span("c1", 2, 9, "count", None, ""), Span("c2", 2, 2, "count", None, "")]))
    assert [m["data-ids"] for m in page.marks] == ["c0"]


# --- finding texts -----------------------------------------------------------

def sha(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_find_text_reads_the_recorded_path_relative_to_the_dataset_parent(tmp_path, monkeypatch):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("全市19家。", encoding="utf-8")
    monkeypatch.chdir(ROOT)  # not the folder the path is relative to
    found = find_text("a.txt", "docs/a.txt", sha("全市19家。"), tmp_path / "data")
    assert (found.text, found.note) == ("全市19家。", None)
    assert Path(found.source) == tmp_path / "docs" / "a.txt"


def test_find_text_falls_back_to_a_texts_folder_beside_the_dataset(tmp_path):
    (tmp_path / "data" / "texts").mkdir(parents=True)
    (tmp_path / "data" / "texts" / "a.txt").write_text("全市19家。", encoding="utf-8")
    found = find_text("a.txt", "/gone/a.txt", sha("全市19家。"), tmp_path / "data")
    assert found.text == "全市19家。" and Path(found.source) == tmp_path / "data" / "texts" / "a.txt"
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "b.txt").write_text("共5家。", encoding="utf-8")
    assert find_text("b.txt", None, None, tmp_path / "data").text == "共5家。"


def test_find_text_takes_the_text_extraction_saved_by_the_sha256_of_the_file(tmp_path):
    """The saved text wins over the file: a GB18030 file reads back the same, and a gone file is no loss."""
    raw = "全市19家。".encode("gb18030")
    (tmp_path / "data" / "texts").mkdir(parents=True)
    saved = tmp_path / "data" / "texts" / f"{hashlib.sha256(raw).hexdigest()}.txt"
    saved.write_bytes("全市19家。\r\n".encode("utf-8"))  # the line end kept as the offsets count it
    found = find_text("a.txt", "/gone/a.txt", hashlib.sha256(raw).hexdigest(), tmp_path / "data")
    assert (found.text, found.source, found.note) == ("全市19家。\r\n", str(saved), None)


@pytest.mark.slow
def test_a_dataset_copied_away_from_its_inputs_still_shows_every_claim(seeds_dataset, tmp_path, monkeypatch):
    shutil.copytree(seeds_dataset, tmp_path / "data")
    monkeypatch.chdir(tmp_path)  # the recorded paths (seeds/…) resolve from neither here nor the dataset's parent
    summary = write_report(Path("data"), Path("report.html"))
    assert summary.texts_missing == 0
    markup = Path("report.html").read_text(encoding="utf-8")
    highlighted = {i for m in parse(markup).marks for i in m["data-ids"].split()}
    assert highlighted == {f"c{i}" for i in range(summary.claims)} and "Text not found" not in markup


def test_find_text_refuses_a_changed_text_and_explains_a_missing_one(tmp_path):
    (tmp_path / "a.txt").write_text("改过的文本", encoding="utf-8")
    changed = find_text("a.txt", str(tmp_path / "a.txt"), sha("原来的文本"), tmp_path / "data")
    assert changed.text is None and "sha256 differs" in changed.note and "a.txt" in changed.note
    missing = find_text("z.txt", "/gone/z.txt", None, tmp_path / "data")
    assert missing.text is None and missing.note.startswith("Text not found") and "/gone/z.txt" in missing.note
    named = find_text("z.txt", "/gone/z.txt", "ab" * 32, tmp_path / "data")
    assert f"{tmp_path / 'data' / 'texts' / ('ab' * 32)}.txt, /gone/z.txt" in named.note


# --- a hand-made dataset -----------------------------------------------------

DOC_A = "威海市2022年拥有省级“专精特新”中小企业305家，力争到2025年达到600家。<b>最高300万元</b>奖励。"
DOC_B = "全市新增“小巨人”企业19家。"


def row(doc, text, piece, value, unit, metric, kind, **fields):
    start = text.index(piece)
    base = {
        "doc": doc, "start": start, "end": start + len(piece), "text": piece, "value": value, "value_max": None,
        "unit": unit, "qualifier": "exact", "metric": metric, "subject": "企业", "tier": None, "program": None,
        "year": None, "kind": kind, "sentence": text, "sentence_start": 0, "line": 1, "rule": "claim.count",
        "doc_sha256": sha(text), "is_repeat": False,
    }
    return {**base, **fields}


def make_dataset(folder, with_b_text=True):
    """Two documents: a.txt beside the dataset (recorded path), b.txt whose text may be missing."""
    folder.mkdir(parents=True)
    (folder.parent / "a.txt").write_text(DOC_A, encoding="utf-8")
    if with_b_text:
        (folder / "texts").mkdir()
        (folder / "texts" / "b.txt").write_text(DOC_B, encoding="utf-8")
    claims = pd.DataFrame([
        row("a.txt", DOC_A, "305家", 305, "家", "enterprise_count", "actual", tier="provincial", program="srdi_sme", year=2022),
        row("a.txt", DOC_A, "600家", 600, "家", "enterprise_count", "target", tier="provincial", program="srdi_sme", year=2025),
        row("a.txt", DOC_A, "300万元", 3_000_000, "元", "subsidy", "policy", qualifier="at_most", rule="claim.money"),
        row("b.txt", DOC_B, "19家", 19, "家", "enterprise_count", "actual", program="little_giant", year=2023),
    ], columns=CLAIM_COLUMNS)
    documents = pd.DataFrame([
        {"doc": "a.txt", "path": "a.txt", "sha256": sha(DOC_A), "chars": len(DOC_A), "region": "威海市", "n_claims": 3, "status": "ok"},
        {"doc": "b.txt", "path": "elsewhere/b.txt", "sha256": sha(DOC_B), "chars": len(DOC_B), "region": "威海市", "n_claims": 1, "status": "ok"},
    ], columns=DOCUMENT_COLUMNS)
    write_table(claims, folder, "claims", ["csv"])
    write_table(documents, folder, "documents", ["csv"])
    return folder


def rows_of(markup):
    return {m.group(1): m.group(0) for m in re.finditer(r'<tr id="row-(\w+)"[^>]*>', markup)}


@pytest.mark.slow
def test_report_highlights_every_claim_in_its_text(tmp_path):
    data = make_dataset(tmp_path / "data")
    summary = write_report(data, tmp_path / "report.html")
    assert (summary.documents, summary.claims, summary.texts_missing, summary.misses) == (2, 4, 0, None)
    markup = (tmp_path / "report.html").read_text(encoding="utf-8")
    page = parse(markup)
    assert page.unbalanced == [] and page.stack == []
    assert {m["data-ids"]: m["text"] for m in page.marks if m["data-ids"].startswith("c")} == {
        "c0": "305家", "c1": "600家", "c2": "300万元", "c3": "19家",
    }
    assert "&lt;b&gt;最高" in markup and "<b>最高" not in markup  # the document's own text is escaped
    assert set(rows_of(markup)) == {"c0", "c1", "c2", "c3"}
    assert 'data-metric="subsidy"' in rows_of(markup)["c2"] and 'data-tier="-"' in rows_of(markup)["c2"]
    assert "≤ 3,000,000 元" in markup  # the qualifier as a sign before the value
    data_json = json.loads(re.search(r'id="claim-data">(.*?)</script>', markup, re.S).group(1))
    assert data_json["c2"]["value"] == "3,000,000 元" and data_json["c2"]["qualifier"] == "at_most"
    assert data_json["c0"]["year"] == 2022 and data_json["c3"]["d"] == 1


@pytest.mark.slow
def test_report_needs_no_network(tmp_path):
    markup = (tmp_path / "report.html")
    write_report(make_dataset(tmp_path / "data"), markup)
    markup = markup.read_text(encoding="utf-8")
    assert not re.search(r'<(script|img|link|iframe)[^>]+(src|href)=', markup)
    assert not re.search(r'(src|href)="(https?:)?//', markup)
    assert "@import" not in markup and "url(http" not in markup
    assert markup.count('<svg class="chart"') == 3  # counts, money, and a target with its actual (a.txt)


@pytest.mark.slow
def test_a_document_without_its_text_keeps_its_claims_and_says_why(tmp_path):
    data = make_dataset(tmp_path / "data", with_b_text=False)
    summary = write_report(data, tmp_path / "report.html")
    assert summary.texts_missing == 1
    markup = (tmp_path / "report.html").read_text(encoding="utf-8")
    section = re.search(r'<section class="doc" id="doc-1".*?</section>', markup, re.S).group(0)
    assert '<p class="note">Text not found' in section and "elsewhere/b.txt" in section and "<pre" not in section
    assert 'class="unshown"' in rows_of(markup)["c3"]
    assert all("c3" not in m["data-ids"] for m in parse(markup).marks)


@pytest.mark.slow
def test_claims_whose_offsets_miss_their_text_are_listed_not_highlighted(tmp_path):
    data = make_dataset(tmp_path / "data")
    claims = pd.read_csv(data / "claims.csv")
    claims.loc[0, ["start", "end"]] = [0, 4]  # "威海市2" is not "305家"
    write_table(claims, data, "claims", ["csv"])
    markup = write_report(data, tmp_path / "r.html") and (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "1 claim(s) do not match this text at their offsets" in markup
    assert all("c0" not in m["data-ids"] for m in parse(markup).marks)


@pytest.mark.slow
def test_gold_marks_misses_and_false_positives(tmp_path):
    data = make_dataset(tmp_path / "data")
    start = DOC_A.index("奖励")
    gold = [
        {"doc": "a.txt", "start": DOC_A.index("305家"), "end": DOC_A.index("305家") + 4, "text": "305家", "metric": "enterprise_count"},
        {"doc": "a.txt", "start": start, "end": start + 2, "text": "奖励", "metric": "subsidy", "kind": "policy"},
        {"doc": "other.txt", "start": 0, "end": 2, "text": "两家"},
    ]
    (tmp_path / "gold.jsonl").write_text("".join(json.dumps(g, ensure_ascii=False) + "\n" for g in gold), encoding="utf-8")
    summary = write_report(data, tmp_path / "report.html", tmp_path / "gold.jsonl")
    # a.txt has gold: 305家 matched, 600家 and 300万元 unmatched; 奖励 missed. b.txt has none, so it is not scored.
    assert (summary.misses, summary.false_positives) == (1, 2)
    markup = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "matched 1, missed 1, false positives 2" in markup and "Gold for 1 document(s) not in this dataset was ignored" in markup
    rows = rows_of(markup)
    assert [rows[c].split('data-gold="')[1].split('"')[0] for c in ("c0", "c1", "c2", "c3", "g0")] == [
        "matched", "false positive", "false positive", "-", "missed",
    ]
    assert 'class="miss"' in rows["g0"] and 'class="fp"' in rows["c1"]
    marks = {m["data-ids"]: m for m in parse(markup).marks if m["data-ids"]}
    assert marks["g0"]["text"] == "奖励" and "miss" in marks["g0"]["class"].split()
    assert "fp" in marks["c1"]["class"].split() and "fp" not in marks["c0"]["class"].split()
    assert "MISSED" in marks["g0"]["title"]
    # The missed claim sits in the table after the claims before it in its document.
    order = list(rows)
    assert order.index("g0") == order.index("c2") + 1


def test_target_pairs_meet_the_latest_actual_and_the_largest_target():
    claims = pd.DataFrame([
        {"doc": "a", "program": "srdi_sme", "tier": "provincial", "metric": "enterprise_count", "unit": "家", "kind": "actual", "value": 305.0, "year": 2022, "is_repeat": False},
        {"doc": "b", "program": "srdi_sme", "tier": "provincial", "metric": "enterprise_count", "unit": "家", "kind": "actual", "value": 150.0, "year": 2021, "is_repeat": False},
        {"doc": "c", "program": "srdi_sme", "tier": "provincial", "metric": "enterprise_count", "unit": "家", "kind": "target", "value": 400.0, "year": 2025, "is_repeat": False},
        {"doc": "c", "program": "srdi_sme", "tier": "provincial", "metric": "enterprise_count", "unit": "家", "kind": "target", "value": 600.0, "year": 2025, "is_repeat": False},
        {"doc": "c", "program": "gazelle", "tier": "municipal", "metric": "enterprise_count", "unit": "家", "kind": "target", "value": 200.0, "year": 2025, "is_repeat": False},
        {"doc": "d", "program": "srdi_sme", "tier": "provincial", "metric": "enterprise_count", "unit": "家", "kind": "actual", "value": 36.0, "year": 2023, "is_repeat": False},
    ])
    places = {"a": "威海市", "b": "威海市", "c": "威海市", "d": "葫芦岛市"}
    pairs = target_pairs(claims, places)
    assert pairs.to_dict("records") == [{
        "place": "威海市", "program": "srdi_sme", "tier": "provincial", "metric": "enterprise_count", "unit": "家",
        "actual": 305.0, "actual_year": 2022, "target": 600.0, "target_year": 2025,
    }]


def test_places_of_the_charts_are_divisions_with_their_codes():
    documents = pd.DataFrame({"doc": ["a", "b", "c", "d"], "region": ["朝阳区", "朝阳区", "威海市", None],
                              "region_code": ["110105", "220104", "371000", None]})
    places = document_places(documents)
    assert places == {"a": "朝阳区 110105", "b": "朝阳区 220104", "c": "威海市 371000", "d": ""}
    claims = pd.DataFrame([
        {"doc": "a", "program": "gazelle", "tier": None, "metric": "enterprise_count", "unit": "家", "kind": "actual", "value": 30.0, "year": 2023, "is_repeat": False},
        {"doc": "b", "program": "gazelle", "tier": None, "metric": "enterprise_count", "unit": "家", "kind": "target", "value": 60.0, "year": 2025, "is_repeat": False},
    ])
    # two districts of one name in two cities are two places: an actual of one never meets a target of the other
    assert target_pairs(claims, places).empty


def test_the_enterprise_chart_leaves_out_enterprises_that_only_applied():
    text = "推荐44家企业申报国家级“小巨人”企业。累计推荐三批次13家“小巨人”企业入选名单。申报截止。9家国家级“小巨人”企业在册。"
    sentences = [piece + "。" for piece in text.split("。")[:-1]]

    def count(piece, subject):
        start = text.index(piece)
        sentence = next(s for s in sentences if piece in s)
        return {"doc": "a", "start": start, "end": start + len(piece), "text": piece, "value": float(piece[:-1]),
                "metric": "enterprise_count", "kind": "actual", "program": "little_giant", "tier": "national",
                "subject": subject, "sentence": sentence, "sentence_start": text.index(sentence), "is_repeat": False}

    claims = pd.DataFrame([
        count("44家", "企业申报国家级“小巨人”企业"),  # 申报 in the subject
        count("13家", "“小巨人”企业"),                # 推荐 just before the number
        count("9家", "国家级“小巨人”企业"),           # the 申报 just before it is in the previous sentence
    ])
    rules = ReportRules.of(load_ruleset())
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", enterprise_chart(claims, {}, rules))
    assert "9" in labels and "44" not in labels and "13" not in labels
    # The words are the rules' data: without them every count is charted (the largest, 44).
    without = dataclasses.replace(rules, candidate_words=[])
    assert "44" in re.findall(r"<text[^>]*>([^<]*)</text>", enterprise_chart(claims, {}, without))


@pytest.mark.slow
def test_the_same_dataset_gives_the_same_page(tmp_path):
    data = make_dataset(tmp_path / "data")
    write_report(data, tmp_path / "one.html")
    write_report(data, tmp_path / "two.html")
    assert (tmp_path / "one.html").read_bytes() == (tmp_path / "two.html").read_bytes()


# --- the command -------------------------------------------------------------

@pytest.mark.slow
def test_cli_report_writes_the_page_and_reports_errors_in_one_line(tmp_path):
    data = make_dataset(tmp_path / "data")
    runner = CliRunner()
    result = runner.invoke(app, ["report", str(data), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"2 documents, 4 claims, 0 texts not found -> {tmp_path / 'r.html'}\n"
    assert (tmp_path / "r.html").stat().st_mode & 0o777 == 0o644
    result = runner.invoke(app, ["report", str(tmp_path / "nope")])
    assert result.exit_code == 2 and result.stderr == f"Error: {tmp_path / 'nope'}: no such file or folder\n"
    (tmp_path / "bad.jsonl").write_text('{"doc": "a.txt"}\n', encoding="utf-8")
    result = runner.invoke(app, ["report", str(data), "--out", str(tmp_path / "r.html"), "--gold", str(tmp_path / "bad.jsonl")])
    assert result.exit_code == 2 and result.stderr == f"Error: {tmp_path / 'bad.jsonl'}:1: missing field(s): start, end\n"
