"""Load the rule files under `rules/`: fragments, rules and their examples.

The built-in rules are the package `extractor.rules`: the repository's
top-level `rules/` folder, installed under that name (pyproject.toml maps it),
so a wheel, an sdist, a zipapp and an editable install all carry the same
files and `importlib.resources` finds them whatever the current folder.

Every rule family is one TOML file. Patterns are written with named fragments
(`{arabic}`, `{multiplier}`), expanded here and compiled once, so a rule reads
like the sentence shape it captures. Anything wrong in a file is reported as a
`RuleError` naming the file and the rule.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, wraps
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import regex

from .ruleschema import CheckedFile, RuleError, Schema, check_references

T = TypeVar("T")

BUILTIN_RULES = "extractor.rules"
SCHEMA_FILE = "schema.toml"

# `{name}` names a fragment; regex quantifiers such as `{2,4}` never start with a
# letter, and Unicode properties (`\p{Han}`) follow a backslash escape.
_FRAGMENT_REF = regex.compile(r"(?<!\\[pPN])\{([A-Za-z_]\w*)\}")
# Keys the loader reads itself; every other key of a rule is the rule's data.
_RULE_KEYS = {"id", "description", "pattern", "example"}


@dataclass(frozen=True)
class Example:
    """A text beside a rule (or at a file's top level), with the claims the whole engine must find in it.

    `claims` lists expected claims as partial rows (text plus any fields to
    check); an empty list means "no claim". `fields` holds expectations for
    rules that are not about claims (document metadata). `xfail` marks a known
    miss: it stays visible and becomes a passing test the day it is fixed.
    `name` identifies it within its `owner` (a rule id, or the family of a
    file's own examples) whatever its place, so test ids never shift.
    """

    name: str
    owner: str
    where: str  # how a failure names it: "claims.toml: rule 'claim.range'"
    text: str
    claims: tuple[dict[str, Any], ...] = ()
    fields: dict[str, Any] = field(default_factory=dict)
    xfail: str | None = None
    doc: str = "example.txt"
    new: str | None = None  # a second version of `text`: `changes` says what diff finds between the two
    changes: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    family: str
    description: str
    path: Traversable  # a Path, or a file inside a zip for rules installed in one
    source: str | None
    pattern: regex.Pattern | None
    data: dict[str, Any]  # every key the schema gives its family's rules, defaults filled in
    examples: tuple[Example, ...]

    def __getitem__(self, key: str) -> Any:
        return self.data[key]


@dataclass
class RuleSet:
    """All rule families of one rules directory, compiled, with the closed lists their files declare."""

    directory: Traversable
    fragments: dict[str, str]
    families: dict[str, list[Rule]]
    tables: dict[str, dict[str, Any]]
    version: str
    closed_lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    file_examples: dict[str, tuple[Example, ...]] = field(default_factory=dict)

    def family(self, name: str) -> list[Rule]:
        return self.families.get(name, [])

    def table(self, family: str, name: str) -> Any:
        """A top-level key of a family file (word lists, maps), as the schema reads it."""
        return self.tables[family][name]

    def names(self, closed_list: str) -> list[str]:
        """The values of a closed list (metric, program, tier, kind, qualifier, unit_class), in declared order."""
        return [value["name"] for value in self.closed_lists[closed_list]]

    @cached_property
    def rules(self) -> list[Rule]:
        return [rule for rules in self.families.values() for rule in rules]

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def examples(self) -> Iterator[Example]:
        """Every example: each rule's, then each file's own."""
        for rule in self.rules:
            yield from rule.examples
        for examples in self.file_examples.values():
            yield from examples


def words_pattern(words: list[str]) -> str:
    """An alternation of literal words, longest first so 不超过 wins over 超过."""
    return "|".join(regex.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def expand(source: str, fragments: dict[str, str], where: str, _seen: tuple[str, ...] = ()) -> str:
    """Replace `{name}` by the fragment's own (expanded) pattern, in a non-capturing group."""

    def replace(m: regex.Match) -> str:
        name = m.group(1)
        if name not in fragments:
            raise RuleError(f"{where}: unknown fragment {{{name}}}")
        if name in _seen:
            raise RuleError(f"{where}: fragment {{{name}}} refers to itself")
        return "(?:" + expand(fragments[name], fragments, where, _seen + (name,)) + ")"

    return _FRAGMENT_REF.sub(replace, source)


def _compile(source: str, where: str) -> regex.Pattern:
    try:
        return regex.compile(source, regex.V0)
    except regex.error as exc:
        raise RuleError(f"{where}: bad pattern: {exc}") from None


def _examples(raw: list[dict[str, Any]], schema: Schema, owner: str, where: str) -> tuple[Example, ...]:
    """Examples as the schema reads them; one without a name is named after its text (a hash: stable when examples move)."""
    examples = []
    for item in raw:
        checked = schema.check_example(item, f"{where}: example")
        name = checked["name"] or "t" + hashlib.sha1(checked["text"].encode()).hexdigest()[:6]
        examples.append(Example(name=name, owner=owner, where=where, text=checked["text"], claims=tuple(checked["claims"]),
                                fields=dict(checked["fields"]), xfail=checked["xfail"], doc=checked["doc"],
                                new=checked["new"], changes=tuple(checked["changes"])))
    named = Counter(example.name for example in examples)
    twice = sorted(name for name, count in named.items() if count > 1)
    if twice:
        raise RuleError(f"{where}: two examples named {twice[0]!r} (names, or texts where unnamed, must differ)")
    return tuple(examples)


def _read_toml(path: Traversable, data: bytes) -> dict[str, Any]:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path}: not valid TOML: {exc}") from None


def builtin_rules() -> Traversable:
    """The folder of the rules that ship with the package (a zip entry when installed in a zip)."""
    return resources.files(BUILTIN_RULES)


@lru_cache(maxsize=1)
def builtin_ruleset() -> RuleSet:
    """The built-in rules, loaded once per process (for what reads them outside an extraction: enums, colours)."""
    return load_ruleset()


def per_rule_set(build: Callable[[RuleSet], T]) -> Callable[[str | Path | RuleSet | None], T]:
    """`build` over a rule set, given one or a rules folder (the built-in rules for None): a folder's rules are
    read and built once per process, so the commands that take `--rules` do not reload them per call."""
    @lru_cache(maxsize=8)
    def of_folder(directory: str | None) -> T:
        return build(load_ruleset(directory))

    @wraps(build)
    def of(rules: str | Path | RuleSet | None = None) -> T:
        if isinstance(rules, RuleSet):
            return build(rules)
        return of_folder(str(Path(rules).resolve()) if rules is not None else None)
    return of


def _folder(directory: str | Path | Traversable | None) -> Traversable:
    if directory is None:
        directory = builtin_rules()
    elif isinstance(directory, str):
        directory = Path(directory)
    if not directory.is_dir():
        raise RuleError(f"{directory}: rules directory not found")
    return directory


def _closed_lists(schema: Schema, files: dict[str, tuple[Traversable, CheckedFile]]) -> dict[str, list[dict[str, Any]]]:
    """The closed lists the family files declare, each value named once; then every value the files use is checked."""
    lists: dict[str, list[dict[str, Any]]] = {}
    for family, (path, checked) in files.items():
        for name, values in schema.declared_lists(family, checked.top).items():
            if name in lists:
                raise RuleError(f"{path}: the closed list {name!r} is declared twice")
            named = Counter(value["name"] for value in values)
            twice = [value for value, count in named.items() if count > 1]
            if twice:
                raise RuleError(f"{path}: {name} {twice[0]!r} is declared twice")
            lists[name] = values
    check_references([ref for _, checked in files.values() for ref in checked.references],
                     {name: [value["name"] for value in values] for name, values in lists.items()})
    return lists


def _composed_fragments(schema: Schema, files: dict[str, tuple[Traversable, CheckedFile]]) -> dict[str, tuple[Traversable, str]]:
    """Fragments built from tables of words (units, multipliers): each the alternation of the words that name it in
    `in`, longest first, a word's own `pattern` standing for it where it has one."""
    members: dict[str, list[tuple[str, str]]] = {}
    where: dict[str, Traversable] = {}
    for family, (path, checked) in files.items():
        for table in schema.composing_tables(family, checked.top):
            for word, entry in table.items():
                for name in entry["in"]:
                    members.setdefault(name, []).append((word, entry.get("pattern") or regex.escape(word)))
                    where.setdefault(name, path)
    return {name: (where[name], "|".join(source for _, source in sorted(words, key=lambda w: (-len(w[0]), w[0]))))
            for name, words in members.items()}


def _fragments(schema: Schema, files: dict[str, tuple[Traversable, CheckedFile]], directory: Traversable) -> dict[str, str]:
    """Every fragment of the rule set, written or composed, each defined once and compiled once to check it."""
    fragments: dict[str, str] = {}
    written = [(path, name, source) for path, checked in files.values() for name, source in checked.top["fragments"].items()]
    composed = [(path, name, source) for name, (path, source) in _composed_fragments(schema, files).items()]
    for path, name, source in written + composed:
        if name in fragments:
            raise RuleError(f"{path}: fragment {{{name}}} is defined twice")
        fragments[name] = source
    for name, source in fragments.items():
        _compile(expand(source, fragments, f"fragment {{{name}}}"), f"fragment {{{name}}}")
    missing = [name for name in schema.needed_fragments if name not in fragments]
    if missing:
        raise RuleError(f"{directory}: fragment {{{missing[0]}}} is missing: the code reads it by name (schema.toml [code])")
    return fragments


def _rule(raw: dict[str, Any], family: str, path: Traversable, fragments: dict[str, str], schema: Schema) -> Rule:
    where = f"{path}: rule {raw['id']!r}"
    source = raw["pattern"]
    if source is None and raw["words"] is not None:
        source = words_pattern(raw["words"])
    compiled = None
    if source is not None:
        source = expand(source, fragments, where)
        compiled = _compile(source, where)
    return Rule(id=raw["id"], family=family, description=raw["description"], path=path, source=source, pattern=compiled,
                data={k: v for k, v in raw.items() if k not in _RULE_KEYS},
                examples=_examples(raw["example"], schema, raw["id"], f"{path.name}: rule {raw['id']!r}"))


def _read_files(directory: Traversable) -> tuple[Schema, dict[str, tuple[Traversable, CheckedFile]], str]:
    """The schema, every family file held to it, and the version: a hash of every file's name and bytes."""
    paths = sorted((entry for entry in directory.iterdir() if entry.name.endswith(".toml") and entry.is_file()),
                   key=lambda entry: entry.name)
    if not paths:
        raise RuleError(f"{directory}: no rule files (*.toml)")
    contents = {path: path.read_bytes() for path in paths}
    digest = hashlib.sha256()
    for path, data in contents.items():
        digest.update(path.name.encode() + b"\0" + data)
    schema_path = next((path for path in paths if path.name == SCHEMA_FILE), None)
    if schema_path is None:
        raise RuleError(f"{directory}: no {SCHEMA_FILE} (a rule set holds the schema its files follow)")
    schema = Schema.parse(_read_toml(schema_path, contents[schema_path]), str(schema_path))
    files = {}
    for path in paths:
        if path != schema_path:
            family = path.name.removesuffix(".toml")
            files[family] = (path, schema.check_file(family, _read_toml(path, contents[path]), str(path)))
    missing = sorted(set(schema.families) - set(files))
    if missing:
        raise RuleError(f"{directory}: no {missing[0]}.toml (schema.toml describes that family)")
    return schema, files, digest.hexdigest()[:16]


def load_ruleset(directory: str | Path | Traversable | None = None) -> RuleSet:
    """Read every `*.toml` under `directory` (the built-in rules by default): hold each file to the schema,
    check the closed lists, expand fragments and compile patterns."""
    directory = _folder(directory)
    schema, files, version = _read_files(directory)
    closed_lists = _closed_lists(schema, files)
    fragments = _fragments(schema, files, directory)
    families: dict[str, list[Rule]] = {}
    seen_ids: dict[str, Traversable] = {}
    for family, (path, checked) in files.items():
        families[family] = []
        for raw in checked.rules:
            if raw["id"] in seen_ids:
                raise RuleError(f"{path}: rule {raw['id']!r}: duplicate id (also in {seen_ids[raw['id']].name})")
            seen_ids[raw["id"]] = path
            families[family].append(_rule(raw, family, path, fragments, schema))
    missing = [rule_id for rule_id in schema.needed_rules if rule_id not in seen_ids]
    if missing:
        raise RuleError(f"{directory}: rule {missing[0]!r} is missing: the code reads it by id (schema.toml [code])")
    tables = {family: {k: v for k, v in checked.top.items() if k not in ("fragments", "example")}
              for family, (_, checked) in files.items()}
    file_examples = {family: _examples(checked.top["example"], schema, family, path.name)
                     for family, (path, checked) in files.items() if checked.top["example"]}
    return RuleSet(directory, fragments, families, tables, version, closed_lists, file_examples)
