"""A unit, a metric, a cue word and a non-claim form are each one edit in one rule file, with its example.

In a temporary copy of the rule set, each edit below adds to one file only;
the example beside it must pass `rules --check`, and what it adds must reach
the dataset (`extract`), the dataset as loaded (no value turned into a null),
the report and `diff`. Before the edits, none of it is there.
"""

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from extractor import extract_text, load_dataset
from extractor.cli import app
from paths import ROOT


# (file, text after which the addition goes, or None for the end of the file, the addition)
UNIT = ("units.toml", "[units]\n", '"枚" = { in = ["count_unit"] }\n', None, '''
[[example]]
name = "pieces"
text = "全年生产芯片300枚。"
claims = [{ text = "300枚", value = 300, unit = "枚", metric = "count" }]
''')
METRIC = ("metrics.toml", None, None, None, '''
[[metric]]
name = "patent_count"
description = "Patents counted"
colour = "#fff59d"

[[rule]]
id = "metric.patent_count"
description = "Patents granted or applied for"
metric = "patent_count"
units = ["count"]
words = ["专利", "專利"]
[[rule.example]]
name = "patents_granted"
text = "新增发明专利授权1200件。"
claims = [{ text = "1200件", value = 1200, metric = "patent_count" }]
''')
CUE_WORD = ("metrics.toml", 'words = ["减税降费", ', '"缓缴", ', "\n[[rule]]\nid = \"metric.money_other\"", '''[[rule.example]]
name = "deferred_contributions"
text = "为企业缓缴社保费用3亿元。"
claims = [{ text = "3亿元", value = 300000000, metric = "tax_relief" }]

''')
NON_CLAIM = ("nonclaims.toml", None, None, None, '''
[[rule]]
id = "nonclaim.slogan"
description = "Political slogans with a numeral: 三个代表, 四个意识"
priority = 3
pattern = '三个代表|四个意识|四个自信|两个维护'
[[rule.example]]
name = "slogan_then_count"
text = "深入学习三个代表重要思想，全年培训干部200人。"
claims = [{ text = "200人", value = 200, unit = "人" }]
''')
OLD = "全市新增发明专利授权1000件。\n全年生产芯片200枚，为企业缓缴社保费用2亿元。\n深入学习三个代表重要思想。\n"
NEW = "全市新增发明专利授权1200件。\n全年生产芯片300枚，为企业缓缴社保费用3亿元。\n深入学习三个代表重要思想。\n"


def edit(rules: Path, file: str, after: str | None, insertion: str | None, before: str | None, example: str) -> None:
    """One edit of one file: an insertion after `after` (if any), and the example before `before` or at the end."""
    path = rules / file
    text = path.read_text(encoding="utf-8")
    if after is not None:
        assert text.count(after) == 1, after
        text = text.replace(after, after + insertion)
    if before is not None:
        assert text.count(before) == 1, before
        text = text.replace(before, "\n" + example + before.lstrip("\n"))
    else:
        text += example
    path.write_text(text, encoding="utf-8")


def run(*args):
    return CliRunner().invoke(app, [str(arg) for arg in args])


@pytest.fixture(scope="module")
def rules(tmp_path_factory):
    rules = tmp_path_factory.mktemp("rules") / "rules"
    shutil.copytree(ROOT / "rules", rules)
    for change in (UNIT, METRIC, CUE_WORD, NON_CLAIM):
        edit(rules, *change)
    return rules


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    docs = tmp_path_factory.mktemp("docs")
    (docs / "old").mkdir()
    (docs / "new").mkdir()
    (docs / "old" / "report.txt").write_text(OLD, encoding="utf-8")
    (docs / "new" / "report.txt").write_text(NEW, encoding="utf-8")
    return docs


def test_without_the_edits_none_of_it_is_read():
    claims = extract_text(NEW)
    assert "300枚" not in set(claims.text) and "三个" in set(claims.text)
    assert set(claims.metric) & {"patent_count", "tax_relief"} == set()


@pytest.mark.slow
def test_each_edit_passes_its_own_example(rules):
    result = run("rules", "--check", "--rules", rules)
    assert result.exit_code == 0, result.output


@pytest.mark.slow
def test_the_edits_reach_the_dataset(rules, docs, tmp_path):
    out = tmp_path / "data"
    assert run("extract", docs / "new", "--out", out, "--quiet", "--rules", rules).exit_code == 0
    claims = load_dataset(out)
    rows = {text: (unit, str(metric)) for text, unit, metric in zip(claims.text, claims.unit, claims.metric)}
    assert rows == {"1200件": ("件", "patent_count"), "300枚": ("枚", "count"), "3亿元": ("元", "tax_relief")}
    assert pd.read_csv(out / "claims.csv").metric.notna().all()


@pytest.mark.slow
def test_the_edits_reach_the_report(rules, docs, tmp_path):
    out = tmp_path / "data"
    assert run("extract", docs / "new", "--out", out, "--quiet", "--rules", rules).exit_code == 0
    assert run("report", out, "--out", tmp_path / "report.html", "--rules", rules).exit_code == 0
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert ">300枚</mark>" in page and ">1200件</mark>" in page
    assert '<td class="metric">patent_count</td>' in page or 'data-metric="patent_count"' in page
    # the rule set's own closed list colours the highlight and fills the filter, not the built-in one
    assert ".m-patent_count { --c: #fff59d; }" in page and '<option value="patent_count">' in page


@pytest.mark.slow
def test_the_edits_reach_diff(rules, docs, tmp_path):
    out = tmp_path / "changes.csv"
    result = run("diff", docs / "old" / "report.txt", docs / "new" / "report.txt", "--rules", rules, "--out", out)
    assert result.exit_code == 0, result.output
    changes = pd.read_csv(out)
    changed = {(old, new, metric) for old, new, metric, status in
               zip(changes.old_text, changes.new_text, changes.metric, changes.status) if status == "changed"}
    assert changed == {("1000件", "1200件", "patent_count"), ("200枚", "300枚", "count"), ("2亿元", "3亿元", "tax_relief")}
    assert "三个" not in set(changes.old_text) | set(changes.new_text)
