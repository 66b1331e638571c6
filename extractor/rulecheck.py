"""Run the examples written beside the rules through the whole pipeline.

An example lists the claims the pipeline must find in its text: exactly those
claim texts, in order, each with the fields it names ("" means null). An
empty list means "no claim". Examples with `fields` check document metadata.
An example is read as a document is (its metadata, then normalisation), so it
can show a date line, a line-broken number or traditional characters.
Because every example runs through all rules at once, rules that collide show
up here. The indicator pairs of rules/indicators.toml are checked the same
way. Each rule's pattern is also timed on texts built from its own pieces,
so a pattern that backtracks badly fails here, not on a user's corpus. Used by
`extractor rules --check` and by the test suite.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import regex

from .claim import Claim
from .dataset import claims_frame
from .diff import diff
from .engine import Extractor
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


def example_failures(extractor: Extractor, example: Example) -> list[str]:
    """What is wrong with one example, as one-line messages naming the file, the rule and the example."""
    where = f"{example.where}: example {example.name!r} ({example.text[:20]!r})"
    problems = []
    if example.fields:
        metadata = extractor.metadata(example.text)
        for name, expected in example.fields.items():
            if not _same(expected, metadata.get(name)):
                problems.append(f"{where}: {name} expected {expected!r}, got {metadata.get(name)!r}")
        return problems
    if example.new is not None:
        return _diff_failures(extractor, example, where)
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


def _diff_failures(extractor: Extractor, example: Example, where: str) -> list[str]:
    """What diff finds between the example's two versions, against its `changes` (status, aligned_by, old and new texts)."""
    doc = example.doc
    old, new = (claims_frame(extract_claims(text, extractor, doc=doc)) for text in (example.text, example.new))
    rows = diff(old, new, old_texts={doc: example.text}, new_texts={doc: example.new}, rules=extractor.ruleset)
    found = [{"status": row.status, "aligned_by": row.aligned_by, "old": row.old_text, "new": row.new_text}
             for row in rows.itertuples()]
    found = [{name: None if pd.isna(value) else value for name, value in row.items()} for row in found]
    if len(found) != len(example.changes):
        return [f"{where}: changes expected {len(example.changes)}, got {found}"]
    return [f"{where}: change {i}: {name} expected {value!r}, got {actual[name]!r}"
            for i, (expected, actual) in enumerate(zip(example.changes, found))
            for name, value in expected.items() if value is not None and actual[name] != value]


def indicator_failures(extractor: Extractor) -> list[str]:
    """What is wrong with the indicator pairs of rules/indicators.toml: `same` pairs share a key,
    `different` pairs never do, `pairs` differ and yet resolve to one key (one claim each, on either side)."""
    from .indicators import resolve_keys

    failures = []
    for check in ("same", "different", "pairs"):
        for pair in extractor.ruleset.table("indicators", check):
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
    for example in ruleset.examples():
        if example.xfail is None:
            failures.extend(example_failures(extractor, example))
    return failures + indicator_failures(extractor)


# -- speed -------------------------------------------------------------------------
# A rule fails when scanning one text of about ADVERSARIAL_CHARS characters,
# built from its own pieces, takes over BUDGET seconds: a sound rule takes a
# few milliseconds, one that backtracks badly ((a|aa)+$) takes years and
# would stop every document it meets at the scanner's time limit.
ADVERSARIAL_CHARS = 2_000
BUDGET = 0.5
_PIECES = 8  # the pattern's most frequent characters, each repeated
_CLASS_SAMPLE = {"d": "1", "D": "a", "s": " ", "S": "a", "w": "a", "W": " ", "p": "中", "P": "a", "N": "中"}


def pattern_pieces(source: str) -> list[str]:
    """The characters a pattern is made of (literals, class members, one sample per escape class), most frequent first."""
    counts: dict[str, int] = {}
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\" and i + 1 < len(source):
            escaped = source[i + 1]
            i += 2
            if escaped in "pPN" and source.startswith("{", i):  # \p{Han}
                i = source.find("}", i) + 1 or len(source)
            piece = _CLASS_SAMPLE.get(escaped, escaped if not escaped.isalnum() else None)
        elif char == "(" and source.startswith("?", i + 1):  # (?:  (?=  (?<=  (?P<name>  (?i)
            end = source.find(">", i) + 1 if source.startswith(("(?P<", "(?<"), i) and not source.startswith(("(?<=", "(?<!"), i) else 0
            i = end or i + 2
            while i < len(source) and source[i] in ":=!<>aiLmsuxV01-":
                i += 1
            continue
        elif char == "{" and (close := source.find("}", i)) > 0 and all(c in "0123456789," for c in source[i + 1:close]):
            i = close + 1  # a quantifier {2,4}
            continue
        else:
            i += 1
            piece = None if char in "()[]|*+?^$.-" else char
        if piece:
            counts[piece] = counts.get(piece, 0) + 1
    return sorted(counts, key=lambda piece: -counts[piece])


def adversarial_texts(rule: Rule) -> list[str]:
    """Texts that make a badly backtracking pattern slow: each of its pieces repeated, pairs of them
    alternating, and its examples run together, each followed by a character no rule takes."""
    pieces = pattern_pieces(rule.source)[:_PIECES]
    units = pieces + [a + b for a, b in zip(pieces, pieces[1:4])] + ["".join(pieces)]
    units += [example.text for example in rule.examples[:2]]
    return [unit * max(1, ADVERSARIAL_CHARS // len(unit)) + "\0" for unit in units if unit]


def slow_rules(ruleset: RuleSet) -> list[str]:
    """One-line failures for rules whose pattern runs over BUDGET seconds on one of its adversarial texts."""
    from .scanner import numeral_guard

    guard = numeral_guard(ruleset)
    failures = []
    for rule in ruleset.rules:
        if rule.source is None:
            continue
        pattern = regex.compile(guard + f"(?:{rule.source})", regex.V0)  # as the scanner tries it
        for text in adversarial_texts(rule):
            try:
                for _ in pattern.finditer(text, timeout=BUDGET):
                    pass
            except TimeoutError:
                failures.append(f"{rule.path.name}: rule {rule.id!r}: pattern takes over {BUDGET:g} s on "
                                f"{len(text):,} characters of {text[:12]!r}… (it backtracks badly: simplify nested repeats)")
                break
    return failures


def rules_without_examples(ruleset: RuleSet) -> list[str]:
    return [f"{rule.path.name}: rule {rule.id!r} has no examples (add texts it must and must not match)"
            for rule in ruleset.rules if not rule.examples]
