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
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import regex

BUILTIN_RULES = "extractor.rules"

# `{name}` names a fragment; regex quantifiers such as `{2,4}` never start with a
# letter, and Unicode properties (`\p{Han}`) follow a backslash escape.
_FRAGMENT_REF = regex.compile(r"(?<!\\[pPN])\{([A-Za-z_]\w*)\}")
_RULE_KEYS = {"id", "description", "pattern", "example"}


class RuleError(ValueError):
    """A rule file that cannot be used; the message names the file and the rule."""


@dataclass(frozen=True)
class Example:
    """A text beside a rule, with the claims the whole engine must find in it.

    `claims` lists expected claims as partial rows (text plus any fields to
    check); an empty list means "no claim". `fields` holds expectations for
    rules that are not about claims (document metadata). `xfail` marks a known
    miss: it stays visible and becomes a passing test the day it is fixed.
    """

    text: str
    claims: tuple[dict[str, Any], ...] = ()
    fields: dict[str, Any] = field(default_factory=dict)
    xfail: str | None = None
    doc: str = "example.txt"


@dataclass(frozen=True)
class Rule:
    id: str
    family: str
    description: str
    path: Traversable  # a Path, or a file inside a zip for rules installed in one
    source: str | None
    pattern: regex.Pattern | None
    data: dict[str, Any]
    examples: tuple[Example, ...]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


@dataclass
class RuleSet:
    """All rule families of one rules directory, compiled."""

    directory: Traversable
    fragments: dict[str, str]
    families: dict[str, list[Rule]]
    tables: dict[str, dict[str, Any]]
    version: str

    def family(self, name: str) -> list[Rule]:
        return self.families.get(name, [])

    def table(self, family: str, name: str) -> Any:
        """A plain data table of a family file (word lists, maps), not a rule."""
        return self.tables.get(family, {}).get(name)

    @cached_property
    def rules(self) -> list[Rule]:
        return [rule for rules in self.families.values() for rule in rules]

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


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


def _examples(raw: list[dict[str, Any]], where: str) -> tuple[Example, ...]:
    examples = []
    for item in raw:
        if not isinstance(item, dict) or "text" not in item:
            raise RuleError(f"{where}: every example needs a text")
        unknown = set(item) - {"text", "claims", "fields", "xfail", "doc"}
        if unknown:
            raise RuleError(f"{where}: example has unknown keys {sorted(unknown)}")
        examples.append(
            Example(
                text=item["text"],
                claims=tuple(item.get("claims", ())),
                fields=dict(item.get("fields", {})),
                xfail=item.get("xfail"),
                doc=item.get("doc", "example.txt"),
            )
        )
    return tuple(examples)


def _read_toml(path: Traversable, data: bytes) -> dict[str, Any]:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path}: not valid TOML: {exc}") from None


def builtin_rules() -> Traversable:
    """The folder of the rules that ship with the package (a zip entry when installed in a zip)."""
    return resources.files(BUILTIN_RULES)


def load_ruleset(directory: str | Path | Traversable | None = None) -> RuleSet:
    """Read every `*.toml` under `directory` (the built-in rules by default), expand fragments and compile patterns."""
    if directory is None:
        directory = builtin_rules()
    elif isinstance(directory, str):
        directory = Path(directory)
    if not directory.is_dir():
        raise RuleError(f"{directory}: rules directory not found")
    files = sorted((entry for entry in directory.iterdir() if entry.name.endswith(".toml") and entry.is_file()),
                   key=lambda entry: entry.name)
    if not files:
        raise RuleError(f"{directory}: no rule files (*.toml)")

    contents = {path: path.read_bytes() for path in files}
    documents = {path: _read_toml(path, data) for path, data in contents.items()}
    digest = hashlib.sha256()
    fragments: dict[str, str] = {}
    for path, doc in documents.items():
        digest.update(path.name.encode() + b"\0" + contents[path])
        for name, source in doc.get("fragments", {}).items():
            if name in fragments:
                raise RuleError(f"{path}: fragment {{{name}}} is defined twice")
            if not isinstance(source, str):
                raise RuleError(f"{path}: fragment {{{name}}} must be a string")
            fragments[name] = source
    for name, source in fragments.items():
        _compile(expand(source, fragments, f"fragment {{{name}}}"), f"fragment {{{name}}}")

    families: dict[str, list[Rule]] = {}
    tables: dict[str, dict[str, Any]] = {}
    seen_ids: dict[str, Traversable] = {}
    for path, doc in documents.items():
        family = path.name.removesuffix(".toml")
        tables[family] = {k: v for k, v in doc.items() if k not in ("rule", "fragments")}
        rules = families.setdefault(family, [])
        for raw in doc.get("rule", []):
            rule_id = raw.get("id")
            where = f"{path}: rule {rule_id!r}"
            if not rule_id:
                raise RuleError(f"{path}: a rule has no id")
            if rule_id in seen_ids:
                raise RuleError(f"{where}: duplicate id (also in {seen_ids[rule_id].name})")
            seen_ids[rule_id] = path
            if not raw.get("description"):
                raise RuleError(f"{where}: no description")
            source = raw.get("pattern")
            if source is None and "words" in raw:
                source = words_pattern(raw["words"])
            compiled = None
            if source is not None:
                source = expand(source, fragments, where)
                compiled = _compile(source, where)
            rules.append(
                Rule(
                    id=rule_id,
                    family=family,
                    description=raw["description"],
                    path=path,
                    source=source,
                    pattern=compiled,
                    data={k: v for k, v in raw.items() if k not in _RULE_KEYS},
                    examples=_examples(raw.get("example", []), where),
                )
            )
    return RuleSet(directory, fragments, families, tables, digest.hexdigest()[:16])
