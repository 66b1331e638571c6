"""The hyperscan-guided scan finds exactly what the plain alternation finds.

The guided scanner runs the exact rules only where hyperscan says a rule can
start (prefilter.py). Its candidates (span, rule, number groups) must equal
the plain `finditer` over the whole alternation on every rule example, every
sample, every Chinese string in the tests, random numeral mixes and hostile
runs; a rule hyperscan cannot take, a platform without hyperscan and a text
UTF-8 cannot carry fall back to the plain scan. Where hyperscan is not
installed the comparisons skip and the fallbacks still run.
"""

import ast
import logging
import random
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor import prefilter
from extractor import scanner as scanner_module
from extractor.context import _ROLES_SCANNED
from extractor.engine import Extractor
from extractor.pipeline import extract_text
from extractor.prefilter import Unsupported, derive
from extractor.ruleset import load_ruleset
from extractor.scanner import _GROUPS, Scanner
from paths import ROOT

RULESET = load_ruleset()
PLAIN = Scanner(RULESET, guided=False)
GUIDED = Scanner(RULESET, guided=True)
needs_hyperscan = pytest.mark.skipif(prefilter.hyperscan is None, reason="hyperscan has no wheel for this platform")

NUMERALS = list("0123456789０１２.．,，%％‰-–—~～至到一二两兩三四五六七八九十百千万亿萬億零〇壹贰点點多余餘约近超过逾以上左右不足最高"
                "家元美个個户戶项項年月日天倍成分之强位名第批次届号號条條人")
CONTEXT = list("，。、；：\n \t\u3000（）()“”‘’「」『』《》【】〔〕[]/+＋企业中小贷款增长同比全市省级国家专精特新是的和及居列排在前")


def strings_in_tests() -> list[str]:
    """Every string literal with a CJK character in the test files (the texts the tests feed the engine)."""
    found = []
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and regex.search(r"\p{Han}", node.value):
                found.append(node.value)
    return found


def hostile_strings() -> list[str]:
    seeds = "".join(path.read_text(encoding="utf-8") for path in sorted((ROOT / "seeds").glob("*.txt")))
    claim = "，全市企业19家，增长9.5%。"
    return [
        "1" * 30_000 + claim, "１" * 30_000 + claim, "1 " * 15_000 + claim, "1,000," * 5_000 + claim,
        "一" * 30_000 + claim, "二十" * 15_000 + claim, "一二三四五六七八九十百千万亿" * 2_000 + claim,
        "a" * 30_000 + claim, " " * 30_000 + claim, "“一”" * 10_000, "《第一》" * 10_000, "（一）" * 10_000,
        seeds.replace("\n", ""), seeds.replace("\n", "").replace("。", "，"),
    ]


def random_mixes(count: int = 400, seed: int = 18) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(NUMERALS if rng.random() < 0.6 else CONTEXT) for _ in range(rng.randint(1, 120)))
            for _ in range(count)]


def examples() -> list[str]:
    return [example.text for rule in RULESET.rules for example in rule.examples]


def samples() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted((ROOT / "seeds").glob("*.txt"))]


@needs_hyperscan
def test_the_default_rules_are_guided():
    assert GUIDED.guided and not PLAIN.guided


@needs_hyperscan
def test_a_guided_scanner_compiles_the_whole_alternation_only_for_a_text_that_needs_it():
    scanner = Scanner(RULESET, guided=True)
    list(scanner.scan("全市企业19家，贷款300万元。"))
    assert "pattern" not in vars(scanner)  # not compiled: hyperscan read the text
    list(scanner.scan("全市企业19家\ud800。"))  # a lone surrogate: the plain scan
    assert "pattern" in vars(scanner)
    # the number groups read from the parts are the whole alternation's
    assert scanner._group_names == PLAIN._group_names == tuple(g for g in _GROUPS if g in scanner.pattern.groupindex)
    assert len(scanner._group_names) > 5


@pytest.mark.slow
@needs_hyperscan
@pytest.mark.parametrize("texts", [examples, samples, strings_in_tests, random_mixes, hostile_strings],
                         ids=["examples", "samples", "test strings", "random mixes", "hostile"])
def test_the_guided_scan_finds_what_the_plain_alternation_finds(texts):
    texts = texts()
    assert texts
    for text in texts:
        assert list(GUIDED.scan(text)) == list(PLAIN.scan(text)), text[:80]


@needs_hyperscan
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(NUMERALS + CONTEXT), max_size=200))
def test_random_numeral_text_scans_the_same(text):
    assert list(GUIDED.scan(text)) == list(PLAIN.scan(text))


@needs_hyperscan
@pytest.mark.parametrize("window", [1, 2, 7])
def test_places_read_a_small_window_at_a_time_scan_the_same(monkeypatch, window):
    """Windows of a few places: a match that ends past its window, and windows that start after a match."""
    monkeypatch.setattr(scanner_module, "_WINDOW", window)
    for text in samples():
        assert list(GUIDED.scan(text)) == list(PLAIN.scan(text))


@needs_hyperscan
def test_places_counted_and_sorted_a_slice_at_a_time_are_those_of_one_pass(monkeypatch):
    text = "".join(samples())
    whole = GUIDED._prefilter.places(text)
    monkeypatch.setattr(prefilter, "_COUNT_SLICE", 7)  # slices end inside characters of three bytes
    monkeypatch.setattr(prefilter, "_PLACE_SLICE", 5)  # and places are sorted five events at a time
    sliced = GUIDED._prefilter.places(text)
    assert len(whole[0]) > 1000 and all(map(np.array_equal, whole, sliced))
    assert bool(np.all(np.diff(whole[0].astype(np.int64) * 1000 + whole[1]) > 0))  # by start, then member, each once
    data = text[::-1].encode("utf-8")
    ends = np.array([len(data), 1, 4, 3, len(data) // 2], dtype=np.int64)  # not in order: sorted and put back
    expected = [sum(byte & 0xC0 != 0x80 for byte in data[:end]) for end in ends]  # bytes that begin a character
    assert prefilter._characters_before(data, ends).tolist() == expected


@needs_hyperscan
def test_every_place_a_rule_matches_is_a_place_hyperscan_reports():
    """The property the equality rests on, rule by rule: each rule's own matches start where its member is reported."""
    members = {rule.id: index for index, member in enumerate(GUIDED._members) for rule in member.rules}
    checked = 0
    for text in examples() + samples() + random_mixes(100):
        starts, parts = GUIDED._prefilter.places(text)
        reported = set(zip(starts, parts))
        for rule in GUIDED.rules:
            for match in rule.pattern.finditer(text, overlapped=True):
                if match.end() > match.start():
                    assert (match.start(), members[rule.id]) in reported, (rule.id, text[match.start():match.end() + 5])
                    checked += 1
    assert checked > 1000


def test_derived_forms_drop_what_hyperscan_cannot_read():
    assert derive(r"(?<=居)第(?P<num>\d)(?=名)") == "第(?:" + derive(r"\d") + ")"
    assert derive("(?P<unit>元|家)至(?P=unit)") == "(?:元|家)至(?:(?:元|家))"
    assert derive("a{2,80}?b{3}c++") == "a{2,}b{3}c+"
    assert derive("(?m:^一是)$") == "(?:一是)"
    assert derive("ab(?:cd|e)", reverse=True) == "(?:dc|e)ba"
    # Unicode classes are the code points `regex` gives them; scripts Chinese text never uses are joined.
    assert derive(r"\d") == "[0-9٠-᱙꘠-꯹０-９𐒠-🯹]"
    assert derive("[^，。]") == r"[\x00-、〃-\x{d7ff}\x{e000}-＋－-\x{10ffff}]"  # surrogates left out


@pytest.mark.parametrize("pattern", ["(?i)元", "(?(1)a|b)", "(?R)", r"\X", "(?V1)a", "(?:企业){e<=1}"])
def test_constructs_the_rewriting_does_not_know_are_refused(pattern):
    with pytest.raises(Unsupported):
        derive(pattern)


def _rules_with(tmp_path: Path, pattern: str) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    with open(rules / "claims.toml", "a", encoding="utf-8") as handle:
        handle.write(f'\n[[rule]]\nid = "claim.user"\ndescription = "A user rule"\npriority = 1\nunit = "次"\n'
                     f"pattern = '{pattern}'\n")
    return rules


@pytest.mark.slow
@needs_hyperscan
def test_a_rule_hyperscan_cannot_take_keeps_the_plain_alternation_with_a_note(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("EXTRACTOR_CACHE_DIR", str(tmp_path / "cache"))
    ruleset = load_ruleset(_rules_with(tmp_path, "(?P<num>[0-9]+)(?(num)次|回)"))
    with caplog.at_level(logging.WARNING, logger="extractor.prefilter"):
        scanner = Scanner(ruleset, guided=True)
    assert not scanner.guided
    notes = [record.getMessage() for record in caplog.records]
    assert len(notes) == 1 and notes[0].startswith("Note: rule claim.user: ") and "plain alternation" in notes[0]
    assert [(c.rule.id, c.start) for c in scanner.scan("共举办3次，")] == [("claim.user", 3)]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="extractor.prefilter"):  # known from the cache: not rewritten again
        assert not Scanner(ruleset, guided=True).guided
    assert [record.getMessage() for record in caplog.records] == notes


def test_without_hyperscan_the_plain_alternation_scans(monkeypatch):
    monkeypatch.setattr(prefilter, "hyperscan", None)
    scanner = Scanner(RULESET)
    assert not scanner.guided
    for text in examples():
        assert list(scanner.scan(text)) == list(PLAIN.scan(text))


def test_extract_scan_plain_turns_the_guide_off(monkeypatch):
    monkeypatch.setenv("EXTRACTOR_SCAN", "plain")
    assert not Scanner(RULESET).guided


@needs_hyperscan
def test_a_text_utf8_cannot_carry_is_scanned_plainly():
    text = "全市企业19家\ud800，贷款300万元。"
    assert [c.start for c in GUIDED.scan(text)] == [4, 11] and list(GUIDED.scan(text)) == list(PLAIN.scan(text))


@needs_hyperscan
def test_threads_scan_at_once():
    texts = samples() * 4
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda text: list(GUIDED.scan(text)), texts)) == [list(PLAIN.scan(text)) for text in texts]


BUILD = """
from extractor.ruleset import load_ruleset
from extractor.scanner import _GROUPS, Scanner
scanner = Scanner(load_ruleset(), guided=True)
print(scanner.guided, [(c.rule.id, c.start, c.end) for c in scanner.scan("全市企业19家，增长9.5%。")])
"""


@pytest.mark.slow
@needs_hyperscan
def test_the_database_is_built_once_and_loaded_after(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("EXTRACTOR_CACHE_DIR", str(cache))
    # Processes that find no database build it at the same time; each renames its own file into place.
    builds = [subprocess.Popen([sys.executable, "-c", BUILD], stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [build.communicate()[0].strip() for build in builds]
    assert outputs == ["True [('claim.count', 4, 7), ('claim.percent', 10, 14)]"] * 2
    [database] = cache.glob("scan-*.hsdb")
    assert not list(cache.glob(".*"))  # no temporary file left
    monkeypatch.setattr(prefilter, "derive", lambda *args, **kwargs: pytest.fail("rewritten although cached"))
    assert Scanner(RULESET, guided=True).guided
    monkeypatch.undo()
    monkeypatch.setenv("EXTRACTOR_CACHE_DIR", str(cache))
    database.write_bytes(database.read_bytes()[:100])  # a damaged file is built again
    scanner = Scanner(RULESET, guided=True)
    assert scanner.guided and list(scanner.scan("企业19家")) == list(PLAIN.scan("企业19家"))
    assert database.stat().st_size > 100


@pytest.mark.slow
@needs_hyperscan
def test_the_extracted_claims_are_the_same_either_way():
    guided, plain = Extractor(RULESET), Extractor(RULESET)
    guided.scanner, plain.scanner = GUIDED, PLAIN
    for text in samples() + examples():
        assert extract_text(text, rules=guided).equals(extract_text(text, rules=plain))


@needs_hyperscan
@pytest.mark.parametrize("texts", [examples, samples, strings_in_tests, random_mixes, hostile_strings],
                         ids=["examples", "samples", "test strings", "random mixes", "hostile"])
def test_the_time_words_found_in_one_pass_are_those_each_rule_finds_alone(texts):
    """The year rules scan the whole text each (context.py); hyperscan's one pass must change none of their matches."""
    rules = [rule for rule in RULESET.family("years") if rule["role"] in _ROLES_SCANNED]
    finder = prefilter.RuleMatches([rule.pattern for rule in rules], [rule.source for rule in rules], [rule.id for rule in rules])
    assert finder._prefilter is not None
    for text in texts():
        plain = [(index, match.span()) for index, rule in enumerate(rules) for match in rule.pattern.finditer(text)]
        assert [(index, match.span()) for index, match in finder.matches(text)] == plain
