"""Run the examples written beside the rules through the whole pipeline.

An example lists the claims the pipeline must find in its text: exactly those
claim texts, in order, each with the fields it names ("" means null). An
empty list means "no claim". Examples with `fields` check document metadata.
An example is read as a document is (its metadata, then normalisation), so it
can show a date line, a line-broken number or traditional characters.
Because every example runs through all rules at once, rules that collide show
up here. The indicator pairs of rules/indicators.toml are checked the same
way. Used by `extractor rules --check` and by the test suite.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from .engine import Claim, Extractor
from .pipeline import extract_claims
from .ruleset import Example, Rule, RuleSet


def _same(expected, actual) -> bool:
    if expected == "":
        return actual is None
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        if actual is None:
            return False
        return abs(Decimal(str(expected)) - Decimal(actual)) <= abs(Decimal(str(expected))) * Decimal("1e-9")
    return expected == actual


def example_failures(extractor: Extractor, rule: Rule, example: Example) -> list[str]:
    """What is wrong with one example, as one-line messages naming the file and the rule."""
    where = f"{rule.path.name}: rule {rule.id!r}: example {example.text[:30]!r}"
    problems = []
    if example.fields:
        metadata = extractor.metadata(example.text)
        for name, expected in example.fields.items():
            if not _same(expected, metadata.get(name)):
                problems.append(f"{where}: {name} expected {expected!r}, got {metadata.get(name)!r}")
        return problems
    claims: list[Claim] = extract_claims(example.text, extractor, doc=example.doc)
    found = [c.text for c in claims]
    wanted = [c["text"] for c in example.claims]
    if found != wanted:
        return [f"{where}: claims expected {wanted}, got {found}"]
    for expected, claim in zip(example.claims, claims):
        for name, value in expected.items():
            actual = getattr(claim, name)
            if not _same(value, actual):
                problems.append(f"{where}: {expected['text']!r} {name} expected {value!r}, got {actual!r}")
    return problems


def indicator_failures(extractor: Extractor) -> list[str]:
    """What is wrong with the indicator pairs of rules/indicators.toml: `same` pairs share a key,
    `different` pairs never do, `pairs` differ and yet resolve to one key (one claim each, on either side)."""
    from .indicators import resolve_keys

    failures = []
    for check in ("same", "different", "pairs"):
        for pair in extractor.ruleset.table("indicators", check) or []:
            where = f"indicators.toml: {check} {pair['texts'][0][:20]!r}"
            claims = [extract_claims(text, extractor) for text in pair["texts"]]
            if any(len(found) != 1 for found in claims):
                failures.append(f"{where}: each text must give one claim, got {[len(found) for found in claims]}")
                continue
            keys = [found[0].indicator for found in claims]
            if check == "same" and len(set(keys)) != 1:
                failures.append(f"{where}: keys differ: {keys}")
            elif check == "different" and len(set(keys)) == 1:
                failures.append(f"{where}: keys are one: {keys[0]}")
            elif check == "pairs":
                resolved = resolve_keys(pd.Series(keys), pd.Series([0, 0]), pd.Series([0, 1]), pd.Series([False, False]),
                                        extractor.indicators)
                if len(set(keys)) == 1 or resolved.nunique() != 1:
                    failures.append(f"{where}: keys {keys} should differ and pair, got {resolved.tolist()}")
    return failures


def check_examples(ruleset: RuleSet) -> list[str]:
    """Failures of every example that is not marked as a known miss (xfail), and of the indicator pairs."""
    extractor = Extractor(ruleset)
    failures = []
    for rule in ruleset.rules:
        for example in rule.examples:
            if example.xfail is None:
                failures.extend(example_failures(extractor, rule, example))
    return failures + indicator_failures(extractor)
