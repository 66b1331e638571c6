"""Every example written beside a rule runs through the whole engine.

Test ids start with the rule id, so `pytest -k claim.range` runs one rule's
examples. Examples marked `xfail` are known misses: strict, so a fix shows.
"""

import pytest

from extractor.engine import Extractor
from extractor.rulecheck import example_failures
from extractor.ruleset import load_ruleset

RULESET = load_ruleset()
CASES = [
    pytest.param(rule, example, id=f"{rule.id}[{i}]",
                 marks=[pytest.mark.xfail(reason=example.xfail, strict=True)] if example.xfail else [])
    for rule in RULESET.rules
    for i, example in enumerate(rule.examples)
]


@pytest.fixture(scope="module")
def extractor():
    return Extractor(RULESET)


@pytest.mark.parametrize(("rule", "example"), CASES)
def test_rule_example(extractor, rule, example):
    assert example_failures(extractor, rule, example) == []


def test_every_rule_has_an_example():
    missing = [rule.id for rule in RULESET.rules if not rule.examples]
    assert missing == []
