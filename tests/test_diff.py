"""Diff: edited versions of a sample document, keys across documents, the two 威海 replies, the command.

Expected statuses, values and spans are worked out from the texts by hand:
an offset is where the figure stands in the text the test builds.
"""


import pandas as pd
import pytest
from typer.testing import CliRunner

from claimrows import HIGH_TECH, TECH_SME, WEIHAI_2022, WEIHAI_2026, claim, frame, run
from extractor import diff, extract_text
from extractor.alignment import align_texts, map_spans, text_rules
from extractor.cli import app
from extractor.diff import DIFF_COLUMNS
from extractor.sources import load_side
from paths import SEEDS


@pytest.fixture(scope="module")
def original():
    """The 2022 威海 reply and its claims (repeats dropped, as diff does)."""
    text = WEIHAI_2022.read_text(encoding="utf-8")
    claims = extract_text(text, doc="v1.txt")
    return text, claims[~claims["is_repeat"]]


def versions(original, edited: str) -> pd.DataFrame:
    text, claims = original
    assert edited != text
    return diff(claims, extract_text(edited, doc="v2.txt"), old_texts={"v1.txt": text}, new_texts={"v2.txt": edited})


def statuses(rows: pd.DataFrame) -> dict:
    return rows["status"].value_counts().to_dict()


def at(text: str, before: str, figure: str) -> int:
    """Offset of `figure` written right after `before` (both must occur once together)."""
    assert text.count(before + figure) == 1
    return text.index(before + figure) + len(before)


# ------------------------------------------------------------ versions of one text


def test_a_figure_edited_in_place_is_changed(original):
    text, claims = original
    rows = versions(original, text.replace("中小企业305家", "中小企业306家"))
    assert statuses(rows) == {"changed": 1, "unchanged": len(claims) - 1}
    row = rows.iloc[0]
    start = at(text, "省级“专精特新”中小企业", "305家")
    assert (row.status, row.aligned_by, row.old_text, row.new_text) == ("changed", "text", "305家", "306家")
    assert (row.old_start, row.old_end, row.new_start, row.new_end) == (start, start + 4, start, start + 4)
    assert (row.old_value, row.new_value, row.change_abs) == (305, 306, 1)
    assert row.change_rel == pytest.approx(1 / 305)
    assert row.changed_fields == "value"
    assert (row.indicator, row.tier, row.program) == ("enterprise_count|srdi_sme|provincial|家|专精特新企业|", "provincial", "srdi_sme")


def test_an_edit_that_moves_the_figure_still_pairs_by_position(original):
    text, claims = original
    edited = text.replace("高新技术企业1049家", "国家高新技术企业共计1105家")
    rows = versions(original, edited)
    assert statuses(rows) == {"changed": 1, "unchanged": len(claims) - 1}
    row = rows.iloc[0]
    assert (row.old_start, row.new_start) == (at(text, "高新技术企业", "1049家"), at(edited, "国家高新技术企业共计", "1105家"))
    assert (row.old_value, row.new_value, row.change_abs) == (1049, 1105, 56)
    # offsets after the edit moved by the 4 characters it added (国家, 共计)
    later = rows[rows["old_text"] == "1476家"].iloc[0]
    assert (later.status, later.new_start - later.old_start) == ("unchanged", 4)


def test_a_deleted_sentence_is_removed(original):
    text, claims = original
    sentence = "2021年，19家“小巨人”企业实现营业收入总额86亿元，同比增长高达27.2%。"
    rows = versions(original, text.replace(sentence, ""))
    assert statuses(rows) == {"removed": 3, "unchanged": len(claims) - 3}
    removed = rows[rows["status"] == "removed"]
    where = text.index(sentence)
    assert list(removed["old_text"]) == ["19家", "86亿元", "27.2%"]
    assert list(removed["old_start"]) == [where + 6, where + 24, where + 35]
    assert list(removed["old_value"]) == [19, 8_600_000_000, 27.2]
    assert removed["new_start"].isna().all() and removed["aligned_by"].isna().all()
    after = rows[rows["old_text"] == "150条"].iloc[0]
    assert (after.status, after.old_start - after.new_start) == ("unchanged", len(sentence))


def test_an_added_sentence_is_added(original):
    text, claims = original
    anchor = "科技型中小企业1476家。"
    edited = text.replace(anchor, anchor + "全市制造业单项冠军企业达到6家。")
    rows = versions(original, edited)
    assert statuses(rows) == {"added": 1, "unchanged": len(claims)}
    row = rows.iloc[0]
    assert (row.status, row.new_text, row.new_value, row.indicator) == ("added", "6家", 6, "enterprise_count|single_champion||家|单项冠军企业|")
    assert row.new_start == text.index(anchor) + len(anchor) + len("全市制造业单项冠军企业达到")
    assert pd.isna(row.old_start) and pd.isna(row.change_abs)


def test_reordered_paragraphs_are_unchanged(original):
    text, claims = original
    lines = text.split("\n")
    second = next(i for i, line in enumerate(lines) if line.startswith("二是不断优化营商环境"))
    assert lines[second + 1].startswith("三是开展助企纾困服务")
    lines[second], lines[second + 1] = lines[second + 1], lines[second]
    edited = "\n".join(lines)
    rows = versions(original, edited)
    assert statuses(rows) == {"unchanged": len(claims)}
    moved = rows[rows["old_text"] == "800多条"].iloc[0]
    assert moved.old_start == at(text, "累计帮助中小企业协调解决各类困难问题", "800多条")
    assert moved.new_start == at(edited, "累计帮助中小企业协调解决各类困难问题", "800多条")
    assert moved.new_start < moved.old_start
    stayed = rows[rows["old_text"] == "150条"].iloc[0]
    assert stayed.new_start > stayed.old_start


def test_other_quotes_and_spaces_change_nothing(original):
    text, claims = original
    edited = (text.replace("“小巨人”", "「小巨人」").replace("“专精特新”", "‘专精特新’")
              .replace("国家级专精特新", "国家级 专精特新").replace("1049家", "1049 家"))
    rows = versions(original, edited)
    assert statuses(rows) == {"unchanged": len(claims)}
    giant = rows[rows["old_start"] == at(text, "国家级专精特新“小巨人”企业", "19家")].iloc[0]
    assert giant.new_start == at(edited, "国家级 专精特新「小巨人」企业", "19家")
    assert (giant.indicator, giant.old_value, giant.new_value) == ("enterprise_count|little_giant|national|家|小巨人企业|", 19, 19)
    high_tech = rows[rows["old_text"] == "1049家"].iloc[0]
    assert (high_tech.new_text, high_tech.new_start - high_tech.old_start) == ("1049 家", 1)


def test_without_the_texts_the_key_still_pairs_an_edit(original):
    text, claims = original
    rows = diff(claims, extract_text(text.replace("中小企业305家", "中小企业306家"), doc="v2.txt"))
    assert statuses(rows) == {"changed": 1, "unchanged": len(claims) - 1}
    row = rows.iloc[0]
    assert (row.aligned_by, row.old_text, row.new_text) == ("key", "305家", "306家")


def test_a_dataset_diffed_with_itself_is_unchanged_by_offset(tmp_path):
    out = tmp_path / "data"
    assert CliRunner().invoke(app, ["extract", str(WEIHAI_2022), "--out", str(out), "--quiet"]).exit_code == 0
    side = load_side(out)
    rows = diff(side.claims, side.claims)
    assert set(rows["status"]) == {"unchanged"} and set(rows["aligned_by"]) == {"text"}
    assert (rows["old_start"] == rows["new_start"]).all()


def test_text_alignment_maps_offsets():
    old, new = "甲乙丙305家丁戊", "甲乙丙1306家丁戊己"
    blocks, similarity = align_texts(old, new)
    # in common: 甲乙丙, 30 and 家丁戊, 8 of the 9 + 11 characters each side
    assert similarity == pytest.approx(2 * 8 / 20)
    starts, ends, exact = map_spans(pd.Series([3, 7]).to_numpy(), pd.Series([7, 9]).to_numpy(), blocks)
    # 305家 [3, 7) starts at the 3 of 30 (new offset 4, after the inserted 1) and
    # ends after 家 (new 8): [4, 8) overlaps the new claim 1306家 at [3, 8)
    assert (starts[0], ends[0], exact[0]) == (4, 8, False)
    # 丁戊 [7, 9) is untouched and moves by one
    assert (starts[1], ends[1], exact[1]) == (8, 10, True)


# ------------------------------------------------------------ keys across documents


def test_repeated_keys_pair_by_year_then_order_never_all_with_all():
    old = frame(
        claim("a.txt", 10, "10家", 10, "瞪羚企业", year=2021),
        claim("a.txt", 30, "12家", 12, "瞪羚企业", year=2022),
        claim("a.txt", 50, "13家", 13, "瞪羚企业", year=2022),
    )
    new = frame(
        claim("b.txt", 5, "15家", 15, "“瞪羚”企业", year=2022),
        claim("b.txt", 40, "20家", 20, "瞪羚企业数量", year=2023),
    )
    rows = diff(old, new)
    assert len(rows) == 3
    pairs = {(r.old_text, r.new_text, r.status) for r in rows.itertuples()}
    # 2022 pairs with 2022 first (the first 2022 on each side); then 2021 with 2023 in order
    assert pairs == {("12家", "15家", "changed"), ("10家", "20家", "changed"), ("13家", None, "removed")}
    first = rows[rows["old_text"] == "12家"].iloc[0]
    assert (first.change_abs, first.changed_fields) == (3, "value")
    other = rows[rows["old_text"] == "10家"].iloc[0]
    assert other.changed_fields == "value,year,period"


def test_a_claim_without_tier_pairs_with_the_only_tier_of_its_subject():
    old = frame(claim("a.txt", 0, "1049家", 1049, "高新技术企业", program="high_tech", year=2022),
                claim("a.txt", 20, "300家", 300, "专精特新中小企业", program="srdi_sme"))
    new = frame(claim("b.txt", 0, "1633家", 1633, "国家高新技术企业", program="high_tech", tier="national"),
                claim("b.txt", 20, "305家", 305, "省级专精特新中小企业", program="srdi_sme", tier="provincial"),
                claim("b.txt", 40, "398家", 398, "市级专精特新中小企业", program="srdi_sme", tier="municipal"))
    rows = diff(old, new)
    assert statuses(rows) == {"changed": 1, "added": 2, "removed": 1}
    row = rows.iloc[0]
    assert (row.old_value, row.new_value, row.tier, row.indicator) == (1049, 1633, "national", HIGH_TECH)
    # 专精特新中小企业 has two tiers on the other side: which one it is cannot be told
    assert rows[rows["status"] == "removed"]["old_text"].tolist() == ["300家"]


def test_a_generic_subject_never_pairs_by_key():
    old = frame(claim("a.txt", 0, "35000家", 35000, "企业", sentence="为全市35000家企业减轻负担。"))
    new = frame(claim("b.txt", 0, "303家", 303, "企业", sentence="推动303家企业挂牌。"))
    assert statuses(diff(old, new)) == {"added": 1, "removed": 1}


def test_repeats_are_left_out_unless_kept():
    sentence = "全市拥有瞪羚企业55家。"
    old = extract_text(sentence + "\n" + sentence + "\n", doc="twice.txt")
    new = extract_text(sentence + "\n", doc="once.txt")
    assert list(old["is_repeat"]) == [False, True]
    assert statuses(diff(old, new)) == {"unchanged": 1}
    kept = diff(old, new, keep_repeats=True)
    assert statuses(kept) == {"unchanged": 1, "removed": 1}
    assert kept[kept["status"] == "removed"]["old_start"].tolist() == [len(sentence) + 1 + len("全市拥有瞪羚企业")]


# ------------------------------------------------------------ the 威海 replies


def test_weihai_2022_and_2026_align_every_subject_both_mention(weihai):
    old, new = weihai
    rows = diff(old.claims, new.claims, old_texts=old.texts, new_texts=new.texts)
    aligned = rows[rows["old_start"].notna() & rows["new_start"].notna()]
    # Both replies count 高新技术企业 (2022: 1049家; 2026: 国家高新技术企业 1633 家) and
    # 科技型中小企业 (1476家; 国家科技型中小企业 2907 家); no other subject is in both.
    # The 10条 产业链 of 2022 are 优势产业链, those of 2026 标志性产业链; 创新平台 are
    # 各类 in 2022 and 科技 in 2026; 企业 alone names no group.
    assert sorted(zip(aligned["indicator"], aligned["old_text"], aligned["new_text"])) == [
        (HIGH_TECH, "1049家", "1633 家"),
        (TECH_SME, "1476家", "2907 家"),
    ]
    assert set(aligned["status"]) == {"changed"} and set(aligned["aligned_by"]) == {"key"}
    high_tech = aligned[aligned["indicator"] == HIGH_TECH].iloc[0]
    assert (high_tech.old_start, high_tech.new_start) == (
        at(WEIHAI_2022.read_text(encoding="utf-8"), "拥有高新技术企业", "1049家"),
        at(WEIHAI_2026.read_text(encoding="utf-8"), "培育国家高新技术企业 ", "1633 家"),
    )
    assert (high_tech.change_abs, round(high_tech.change_rel, 4)) == (584, 0.5567)
    assert (high_tech.tier, high_tech.old_year) == ("national", 2022)
    counts = statuses(rows)
    assert counts["removed"] == len(old.claims) - 2 and counts["added"] == len(new.claims) - 2
    assert list(rows.columns) == DIFF_COLUMNS


# ------------------------------------------------------------ the commands


def test_diff_command_shows_changed_rows():
    result = run("diff", WEIHAI_2022, WEIHAI_2026, "--only", "changed")
    assert result.exit_code == 0, result.output
    assert "1049家 (2022-06-30)" in result.stdout and "1633 家" in result.stdout and "+584家 (+55.7%)" in result.stdout
    assert "added" not in result.stdout
    assert result.stderr.startswith("2 changed, ")


@pytest.mark.parametrize("suffix", ["csv", "jsonl", "parquet"])
def test_diff_command_writes_rows(tmp_path, suffix):
    out = tmp_path / f"diff.{suffix}"
    result = run("diff", WEIHAI_2022, WEIHAI_2026, "--out", out)
    assert result.exit_code == 0, result.output
    rows = {"csv": pd.read_csv, "parquet": pd.read_parquet, "jsonl": lambda p: pd.read_json(p, lines=True)}[suffix](out)
    assert list(rows.columns) == DIFF_COLUMNS
    assert rows["status"].tolist()[:2] == ["changed", "changed"]
    assert sorted(rows.loc[rows["status"] == "changed", "new_value"]) == [1633, 2907]


def test_diff_usage_errors(tmp_path):
    for args, message in [
        ((WEIHAI_2022, tmp_path / "missing.txt"), "missing.txt: no such file or folder"),
        ((WEIHAI_2022, WEIHAI_2026, "--out", tmp_path / "diff.ods"), "diff.ods: unknown output format"),
        ((WEIHAI_2022, WEIHAI_2026, "--only", "moved"), "unknown status 'moved'"),
        ((WEIHAI_2022, tmp_path), "no documents (.txt) and no dataset"),
    ]:
        result = run("diff", *args)
        assert result.exit_code == 2, args
        assert result.stderr.startswith("Error: ") and message in result.stderr and result.stderr.count("\n") == 1


def test_datasets_of_gbk_versions_align_by_their_saved_texts(tmp_path):
    text = WEIHAI_2022.read_text(encoding="utf-8")
    for name, version in (("v1", text), ("v2", text.replace("中小企业305家", "中小企业306家"))):
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.txt").write_bytes(version.encode("gbk"))
        assert run("extract", tmp_path / name, "--out", tmp_path / f"data_{name}", "--quiet").exit_code == 0
        (tmp_path / name / "a.txt").unlink()  # the text saved beside the dataset is what counts
    old, new = load_side(tmp_path / "data_v1"), load_side(tmp_path / "data_v2")
    assert old.texts == {"a.txt": text}
    rows = diff(old.claims, new.claims, old_texts=old.texts, new_texts=new.texts)
    assert set(rows["aligned_by"]) == {"text"}
    changed = rows[rows["status"] == "changed"]
    start = at(text, "省级“专精特新”中小企业", "305家")
    assert changed[["old_text", "new_text", "old_start", "new_start"]].values.tolist() == [["305家", "306家", start, start]]


def test_an_edit_in_a_long_single_line_text_is_aligned_by_sentence():
    # every seed on one line: a line longer than max_block_chars (20,000), so
    # only its sentences keep the alignment small enough to run
    text = "".join(path.read_text(encoding="utf-8").replace("\n", "") for path in sorted(SEEDS.glob("*.txt")))
    assert "\n" not in text and len(text) > text_rules().max_block_chars
    edited = text.replace("共为全市3.5万家企业", "共为全市3.6万家企业")
    old = extract_text(text, doc="v1.txt")
    rows = diff(old, extract_text(edited, doc="v2.txt"), old_texts={"v1.txt": text}, new_texts={"v2.txt": edited})
    changed = rows[rows["status"] != "unchanged"]
    # text alignment comes first: the edit is paired where it stands
    start = at(text, "共为全市", "3.5万家")
    assert changed[["status", "aligned_by", "indicator", "old_text", "new_text", "old_start", "new_start"]].values.tolist() == [
        ["changed", "text", "enterprise_count|||家|企业|减轻缴费负担的", "3.5万家", "3.6万家", start, start],
    ]


def test_documents_of_other_names_pair_only_within_their_region():
    old = frame(claim("weihai_2022.txt", 0, "55家", 55, "瞪羚企业"), claim("rizhao.txt", 0, "40家", 40, "瞪羚企业"))
    new = frame(claim("weihai_2026.txt", 0, "60家", 60, "瞪羚企业"), claim("huludao.txt", 0, "30家", 30, "瞪羚企业"))
    old_documents = pd.DataFrame({"doc": ["weihai_2022.txt", "rizhao.txt"], "region": ["威海市", "日照市"]})
    new_documents = pd.DataFrame({"doc": ["weihai_2026.txt", "huludao.txt"], "region": ["威海市", "葫芦岛市"]})
    rows = diff(old, new, old_documents=old_documents, new_documents=new_documents)
    assert sorted(zip(rows["status"], rows["old_doc"].fillna(""), rows["new_doc"].fillna(""), rows["change_abs"].fillna(0))) == [
        ("added", "", "huludao.txt", 0), ("changed", "weihai_2022.txt", "weihai_2026.txt", 5), ("removed", "rizhao.txt", "", 0),
    ]
    # without regions the four documents share one pool and pair in order
    assert statuses(diff(old, new)) == {"changed": 2}


def test_diff_command_pairs_folders_by_region(tmp_path):
    for side, names in (("old", [WEIHAI_2022, SEEDS / "003_a4e583752837a0be.txt"]), ("new", [WEIHAI_2026, SEEDS / "001_6a8959abd0ee71f3.txt"])):
        (tmp_path / side).mkdir()
        for path in names:
            (tmp_path / side / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "diff.csv"
    assert run("diff", tmp_path / "old", tmp_path / "new", "--out", out).exit_code == 0
    rows = pd.read_csv(out)
    aligned = rows[rows["old_doc"].notna() & rows["new_doc"].notna()]
    # 威海 2022 and 2026 pair with each other (the 高新技术企业 and 科技型中小企业
    # of test_weihai_…); 日照 and 葫芦岛 pair with nothing, though 葫芦岛 also counts
    # 省级 专精特新中小企业
    assert sorted(zip(aligned["old_doc"], aligned["new_doc"], aligned["indicator"])) == [
        (WEIHAI_2022.name, WEIHAI_2026.name, HIGH_TECH), (WEIHAI_2022.name, WEIHAI_2026.name, TECH_SME),
    ]


def test_two_documents_named_one_against_the_other_pair_whatever_their_regions():
    old = frame(claim("weihai.txt", 0, "55家", 55, "瞪羚企业"))
    new = frame(claim("rizhao.txt", 0, "40家", 40, "瞪羚企业"))
    rows = diff(old, new, old_documents=pd.DataFrame({"doc": ["weihai.txt"], "region": ["威海市"]}),
                new_documents=pd.DataFrame({"doc": ["rizhao.txt"], "region": ["日照市"]}))
    assert rows[["status", "old_doc", "new_doc", "change_abs"]].values.tolist() == [["changed", "weihai.txt", "rizhao.txt", -15]]


@pytest.mark.slow
def test_a_partitioned_dataset_is_a_dataset_side(tmp_path):
    from extractor.documents import find_inputs
    from extractor.build import BuildOptions, extract_dataset

    assert extract_dataset(find_inputs([SEEDS]), tmp_path / "parts", BuildOptions(jobs=1, batch_bytes=8000)).partitioned
    assert run("extract", SEEDS, "--out", tmp_path / "single", "--quiet").exit_code == 0
    single = load_side(tmp_path / "single")
    for path in (tmp_path / "parts", tmp_path / "parts" / "claims"):
        side = load_side(path)
        assert len(side.claims) == len(single.claims) and sorted(side.documents["doc"]) == sorted(p.name for p in SEEDS.glob("*.txt"))
        rows = diff(side.claims, single.claims, old_texts=side.texts, new_texts=single.texts)
        assert statuses(rows) == {"unchanged": len(single.claims[~single.claims["is_repeat"]])}
