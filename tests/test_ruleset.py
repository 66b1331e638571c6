"""`extractor rules --check` names the file and the rule of every problem."""

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
    ],
)
def test_broken_rule_files_are_named(rules_copy, addition, message):
    append(rules_copy / "claims.toml", addition)
    with pytest.raises(RuleError, match="^.*" + message.replace("(", r"\(").replace("{", r"\{").replace("}", r"\}")):
        load_ruleset(rules_copy)
    result = check(rules_copy)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1


def test_a_failing_example_is_reported_with_its_rule(rules_copy):
    append(rules_copy / "claims.toml", RULE.format(id="claim.widgets", pattern="(?P<num>[0-9]+)(?P<unit>枚)") + '''[[rule.example]]
text = "生产零部件300枚。"
claims = [{ text = "300枚", value = 301 }]
''')
    result = check(rules_copy)
    assert result.exit_code == 1
    assert "claims.toml: rule 'claim.widgets'" in result.stderr
    assert "value expected 301, got" in result.stderr


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
