"""Every example written beside a rule, or at the top of a rule file, runs through the whole engine.

Test ids are the rule id (or the file's family) and the example's name, so
`pytest -k claim.range` runs one rule's examples and an id never shifts when
examples are reordered. Examples marked `xfail` are known misses: strict, so a
fix shows.
"""

import pytest

from extractor.engine import Extractor
from extractor.rulecheck import example_failures
from extractor.ruleset import load_ruleset

RULESET = load_ruleset()
CASES = [
    pytest.param(example, id=f"{example.owner}[{example.name}]",
                 marks=[pytest.mark.xfail(reason=example.xfail, strict=True)] if example.xfail else [])
    for example in RULESET.examples()
]


@pytest.fixture(scope="module")
def extractor():
    return Extractor(RULESET)


@pytest.mark.parametrize("example", CASES)
def test_rule_example(extractor, example):
    assert example_failures(extractor, example) == []


def test_every_rule_has_an_example():
    missing = [rule.id for rule in RULESET.rules if not rule.examples]
    assert missing == []
