"""`extractor rules --check` names the file and the rule of every problem."""

import re
import shutil
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.ruleset import RuleError, load_ruleset

RULES = Path(__file__).resolve().parent.parent / "rules"


@pytest.fixture
def rules_copy(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def check(rules_dir):
    return CliRunner().invoke(app, ["rules", "--check", "--rules", str(rules_dir)])


RULE = '''
[[rule]]
id = "{id}"
description = "test rule"
pattern = '{pattern}'
'''


@pytest.mark.parametrize(
    ("addition", "message"),
    [
        (RULE.format(id="claim.broken", pattern="(?P<num>[0-9]+"), "claims.toml: rule 'claim.broken': bad pattern"),
        (RULE.format(id="claim.unknown", pattern="{no_such_fragment}家"), "claims.toml: rule 'claim.unknown': unknown fragment {no_such_fragment}"),
        (RULE.format(id="claim.count", pattern="[0-9]+家"), "claims.toml: rule 'claim.count': duplicate id"),
        (RULE.format(id="claim.typo", pattern="(?P<num>[0-9]+)(?P<unit>枚)") + 'unitt = "枚"\n',
         "claims.toml: rule 'claim.typo': unknown key 'unitt' (did you mean 'unit'?)"),
        (RULE.format(id="claim.priority", pattern="[0-9]+枚") + 'priority = "first"\n',
         "claims.toml: rule 'claim.priority': priority: must be integer, not str"),
        (RULE.format(id="claim.metric", pattern="(?P<num>[0-9]+)(?P<unit>枚)") + 'metric = "growht_rate"\n',
         "claims.toml: rule 'claim.metric': metric: 'growht_rate' is not a metric (one of enterprise_count, subsidy,"),
    ],
)
def test_broken_rule_files_are_named(rules_copy, addition, message):
    append(rules_copy / "claims.toml", addition)
    assert_named(rules_copy, message)


@pytest.mark.parametrize(
    ("file", "written", "replaced", "message"),
    [
        ("metrics.toml", "window_before = ", "window_befor = ", "metrics.toml: unknown key 'window_befor' (did you mean 'window_before'?)"),
        ("metrics.toml", '\nwords = ["授信"]', "", "metrics.toml: rule 'metric.credit': 'words' missing"),
        ("subjects.toml", "\nleading = [", "\nleadin = [", "subjects.toml: unknown key 'leadin' (did you mean 'leading'?)"),
        ("diff.toml", "min_similarity = 0.5", "", "diff.toml: text: 'min_similarity' missing"),
        ("structure.toml", 'id = "structure.bullet"', 'id = "structure.bullets"', "rule 'structure.bullet' is missing"),
        ("kinds.toml", 'units = ["money"]', 'units = ["mony"]', "kinds.toml: rule 'kind.counted_recipient': units: 'mony' is not a unit_class"),
        ("tiers.toml", 'tier = "municipal_plus"', 'tier = "city_plus"', "tiers.toml: rule 'tier.municipal_plus': tier: 'city_plus' is not a tier"),
        ("programs.toml", 'name = "gazelle"', 'name = "gazelles"', "programs.toml: rule 'program.gazelle': program: 'gazelle' is not a program"),
    ],
)
def test_a_misspelt_or_missing_key_is_named(rules_copy, file, written, replaced, message):
    """A key the schema does not know, or a list it needs, is an error: never a silent fallback to a default."""
    path = rules_copy / file
    text = path.read_text(encoding="utf-8")
    assert written in text
    path.write_text(text.replace(written, replaced, 1), encoding="utf-8")
    assert_named(rules_copy, message)


def assert_named(rules_copy, message):
    """Loading fails with `message`, and so does `rules --check`: one `Error:` line, exit code 2."""
    with pytest.raises(RuleError, match=re.escape(message)):
        load_ruleset(rules_copy)
    result = check(rules_copy)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1


@pytest.mark.slow
def test_a_failing_example_is_reported_with_its_rule(rules_copy):
    append(rules_copy / "claims.toml", RULE.format(id="claim.widgets", pattern="(?P<num>[0-9]+)(?P<unit>枚)") + '''[[rule.example]]
text = "生产零部件300枚。"
claims = [{ text = "300枚", value = 301 }]
''')
    result = check(rules_copy)
    assert result.exit_code == 1
    assert "claims.toml: rule 'claim.widgets'" in result.stderr
    assert "value expected 301, got" in result.stderr


@pytest.mark.slow
def test_another_rule_set_changes_what_is_extracted(rules_copy):
    from extractor import extract_text

    sentence = "生产线300枚。"
    assert extract_text(sentence).empty
    append(rules_copy / "claims.toml", RULE.format(id="claim.widgets", pattern="(?P<num>[0-9]+)(?P<unit>枚)"))
    assert list(extract_text(sentence, rules=rules_copy).text) == ["300枚"]


def test_version_changes_with_the_rules(rules_copy):
    before = load_ruleset(rules_copy).version
    append(rules_copy / "units.toml", "\n# a comment\n")
    assert load_ruleset(rules_copy).version != before


def test_a_checkout_reads_its_own_rules():
    """Run from a checkout (PYTHONPATH=worktree), the built-in rules are that checkout's rules/, not another install's."""
    assert Path(str(resources.files("extractor.rules"))).resolve() == RULES.resolve()


def test_clause_breaks_must_be_one_class_of_characters(rules_copy):
    """The clause before a number starts after the nearest break, searched backwards from the number: exact only
    when every break is one character."""
    from extractor.engine import Extractor

    path = rules_copy / "subjects.toml"
    text = path.read_text(encoding="utf-8")
    written = "clause_breaks = '[，,；;。！？!?：:\\n、]'"
    assert written in text
    path.write_text(text.replace(written, "clause_breaks = '[，,]|以及'"), encoding="utf-8")
    message = "subjects.toml: clause_breaks must be one class of characters ([…]), not '[，,]|以及'"
    with pytest.raises(RuleError, match=re.escape(message)):
        Extractor(rules_copy)
    result = check(rules_copy)
    assert result.exit_code == 2 and message in result.stderr
