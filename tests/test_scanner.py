"""The scanner's shared number match changes no candidate.

Rules that start with {number} and sit together in priority order share one
match of it (`{number}(?:unit1|unit2|…)`). That must find exactly what the
plain alternation of every rule finds: the same spans, rules and groups.
"""

import time

import pytest
import regex

from extractor.ruleset import expand, load_ruleset
from extractor.scanner import Scanner, _branches, _members, numeral_guard
from paths import ROOT

RULESET = load_ruleset()


def _alternation(rules, names, number):
    """The scanner's alternation; with `number` None, every rule reads its own number."""
    return "|".join(source for source, _ in _members(rules, names, number))


def _plain_matches(scanner, text):
    """(start, end, rule id, groups) of the unshared alternation of every rule."""
    names = [f"R{i}" for i in range(len(scanner.rules))]
    pattern = regex.compile(numeral_guard(RULESET) + f"(?:{_alternation(scanner.rules, names, None)})", regex.V0)
    found = []
    for match in pattern.finditer(text):
        if match.end() > match.start():
            rule = next(scanner.rules[i] for i, name in enumerate(names) if match.group(name) is not None)
            groups = {g: match.group(g) for g in ("num", "mult", "more", "num2", "mult2", "unit") if g in pattern.groupindex}
            found.append((match.start(), match.end(), rule.id, groups))
    return found


def _scanned(scanner, text):
    return [(c.start, c.end, c.rule.id, {g: c.groups.get(g) for g in ("num", "mult", "more", "num2", "mult2", "unit")})
            for c in scanner.scan(text)]


def test_the_default_rules_share_number_matches():
    number = expand("{number}", RULESET.fragments, "test")
    scanner = Scanner(RULESET)
    led = [i for i, rule in enumerate(scanner.rules) if rule.source.startswith(number)]
    runs: list[list[int]] = []  # rules that start with a number and sit next to each other in priority order
    for i in led:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    assert any(len(run) > 1 for run in runs)  # the built-in rules have such runs (claim.range … claim.departments)
    numbers_in_led = sum(scanner.rules[i].source.count(number) for i in led)  # claim.range has two alternatives
    plain = _alternation(scanner.rules, [f"R{i}" for i in range(len(scanner.rules))], None)
    # Each run reads its number once, however many rules it holds.
    assert plain.count(number) - scanner.pattern.pattern.count(number) == numbers_in_led - len(runs)


@pytest.mark.slow
def test_sharing_changes_no_candidate_on_the_seeds_and_examples():
    scanner = Scanner(RULESET)
    texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "seeds").glob("*.txt"))]
    texts += [example.text for rule in RULESET.rules for example in rule.examples]
    texts += ["3个月内，5%至8%，10-20家，20万元、30万家，2倍，七部门，3.5个百分点，1,234.5万元"]
    for text in texts:
        assert _scanned(scanner, text) == [(s, e, r, {k: g.get(k) for k in ("num", "mult", "more", "num2", "mult2", "unit")})
                                           for s, e, r, g in _plain_matches(scanner, text)]


def test_top_level_alternatives_are_found_outside_groups_and_classes():
    assert _branches("元|家") == ["元", "家"]
    assert _branches("(?:元|家)") == ["(?:元|家)"]
    assert _branches("[|]元") == ["[|]元"]
    assert _branches(r"\|元") == [r"\|元"]
    assert _branches("[]|]元") == ["[]|]元"]
    assert _branches("[^]|](?:a)|b") == ["[^]|](?:a)", "b"]


def test_scanning_a_block_at_a_time_finds_what_one_search_finds(monkeypatch):
    import extractor.scanner as scanner_module

    text = "\n".join(path.read_text(encoding="utf-8") for path in sorted((ROOT / "seeds").glob("*.txt")))
    scanner = Scanner(RULESET)
    whole = _scanned(scanner, text)
    monkeypatch.setattr(scanner_module, "BLOCK", 7)
    assert len(whole) > 100 and _scanned(scanner, text) == whole == _plain_matches(scanner, text)


@pytest.mark.slow
def test_only_the_time_spent_matching_counts_against_the_timeout(monkeypatch):
    import extractor.scanner as scanner_module

    monkeypatch.setattr(scanner_module, "BLOCK", 1000)
    scanner = Scanner(RULESET)
    scanner.timeout = 1.0
    found = 0
    for _ in scanner.scan("全市拥有企业19家，新增14家。" * 5000):  # 10,000 candidates, found in about 0.2 s
        found += 1
        if found % 500 == 0:
            started = time.process_time()
            while time.process_time() - started < 0.075:  # 1.5 s of the caller's own work in all
                pass
    assert found == 10_000


class _Clocks:
    """The scanner's two clocks, set by hand: the thread's CPU time and the wall clock."""

    def __init__(self):
        self.cpu = self.wall = 0.0
        self.cpu_readings = 0

    def thread_time(self):
        self.cpu_readings += 1
        return self.cpu

    def perf_counter(self):
        return self.wall


def test_a_match_is_given_what_is_left_of_the_limit_counting_the_wall_clock_between_readings(monkeypatch):
    import extractor.scanner as scanner_module

    clocks = _Clocks()
    monkeypatch.setattr(scanner_module, "time", clocks)
    scanner = Scanner(RULESET)
    scanner.timeout = 10.0
    allowance = scanner_module._Allowance(scanner, spent=4.0)  # 6 s left when the block starts
    readings = clocks.cpu_readings
    clocks.wall, clocks.cpu = 0.03, 0.01  # a loaded machine: the wall clock runs ahead of the CPU time
    assert allowance.left() == pytest.approx(5.97) and clocks.cpu_readings == readings  # the wall clock's lapse, no reading
    clocks.wall, clocks.cpu = 0.06, 0.02  # past _READING_EVERY: read exactly again
    assert allowance.left() == pytest.approx(5.98) and clocks.cpu_readings == readings + 1
    assert allowance.spent() == pytest.approx(4.02)
    clocks.wall, clocks.cpu = 7.0, 6.5  # all of it spent
    with pytest.raises(TimeoutError):
        allowance.left()
    scanner.timeout = None
    assert scanner_module._Allowance(scanner, spent=100.0).left() is None


@pytest.mark.parametrize("guided", [True, False], ids=["guided", "plain"])
def test_a_claim_carries_its_number_groups_and_a_non_claim_none(guided):
    scanner = Scanner(RULESET, guided=guided)
    candidates = {c.rule.id: c for c in scanner.scan("2023年5月，全市新增企业19家。")}
    date, count = candidates["nonclaim.date"], candidates["claim.count"]
    assert not date.is_claim and dict(date.groups) == {}
    assert count.is_claim and count.groups["num"] == "19" and count.groups["unit"] == "家"
