"""The key schema of a rule set (rules/schema.toml): the keys each file and each rule may hold.

The code reads rule files by key. Without a schema, a misspelt key (`unitt`)
is silently ignored and a list left out silently replaced by a default
hidden in the code; with it, every load names the file, the rule and the key
of such a slip, fills in the defaults the schema gives, and collects the
closed lists the files declare (metric, program, tier, kind, qualifier, unit
class) so that a value outside them is an error too.
"""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass, field
from typing import Any


class RuleError(ValueError):
    """A rule file that cannot be used; the message names the file and the rule."""


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "float": (float, int), "number": (int, float),
    "boolean": (bool,), "list": (list,), "table": (dict,),
}
_SPEC_KEYS = {"type", "default", "optional", "items", "keys", "names", "values", "declares", "composes"}
# The key of a file's rules ([[rule]]): each rule is held to its family's rule keys, not to its file keys.
_RULES = "rule"


@dataclass(frozen=True)
class KeySpec:
    """What one key may hold: its type, its default (`has_default`), and the closed lists it refers to."""

    type: str
    default: Any = None
    has_default: bool = False
    optional: bool = False
    items: KeySpec | None = None
    keys: dict[str, KeySpec] | None = None
    names: str | None = None
    values: str | None = None
    declares: str | None = None
    composes: bool = False

    def accepts(self, value: Any) -> bool:
        if isinstance(value, bool) and self.type != "boolean":
            return False
        return isinstance(value, _TYPES[self.type])


@dataclass
class Reference:
    """A value that must be in a closed list, and where it stands (checked once every list is read)."""

    closed_list: str
    value: str
    where: str


@dataclass
class CheckedFile:
    """A rule file's top level and rules as the schema reads them: every key present, defaults filled in."""

    top: dict[str, Any]
    rules: list[dict[str, Any]]
    references: list[Reference] = field(default_factory=list)


def parse_spec(raw: Any, where: str) -> KeySpec:
    """One key's inline table in schema.toml (or a bare type name) as a KeySpec."""
    if isinstance(raw, str):
        raw = {"type": raw}
    if not isinstance(raw, dict) or raw.get("type") not in _TYPES:
        raise RuleError(f"{where}: needs a type, one of {', '.join(_TYPES)}")
    unknown = set(raw) - _SPEC_KEYS
    if unknown:
        raise RuleError(f"{where}: unknown schema keys {sorted(unknown)}")
    spec = KeySpec(
        type=raw["type"],
        default=raw.get("default"),
        has_default="default" in raw,
        optional=bool(raw.get("optional", False)),
        items=parse_spec(raw["items"], f"{where}.items") if "items" in raw else None,
        keys={name: parse_spec(sub, f"{where}.{name}") for name, sub in raw["keys"].items()} if "keys" in raw else None,
        names=raw.get("names"),
        values=raw.get("values"),
        declares=raw.get("declares"),
        composes=bool(raw.get("composes", False)),
    )
    if spec.has_default and not spec.accepts(spec.default):
        raise RuleError(f"{where}: its default is not a {spec.type}")
    return spec


def parse_keys(raw: dict[str, Any], where: str) -> dict[str, KeySpec]:
    return {name: parse_spec(spec, f"{where}.{name}") for name, spec in raw.items()}


class Checker:
    """Holds values to specs, filling defaults and noting each closed-list value for a later check."""

    def __init__(self) -> None:
        self.references: list[Reference] = []

    def table(self, raw: dict[str, Any], keys: dict[str, KeySpec], where: str) -> dict[str, Any]:
        """A table of fixed keys: an unknown key or a required key left out is an error; defaults filled in."""
        for name in raw:
            if name not in keys:
                near = difflib.get_close_matches(name, list(keys), n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else f" (known: {', '.join(sorted(keys))})"
                raise RuleError(f"{where}: unknown key {name!r}{hint}")
        checked = {}
        for name, spec in keys.items():
            if name in raw:
                checked[name] = self.value(raw[name], spec, f"{where}: {name}")
            elif spec.has_default:
                checked[name] = copy.deepcopy(spec.default)
            elif spec.optional:
                checked[name] = None
            else:
                raise RuleError(f"{where}: {name!r} missing")
        return checked

    def value(self, value: Any, spec: KeySpec, where: str) -> Any:
        if not spec.accepts(value):
            raise RuleError(f"{where}: must be {spec.type}, not {type(value).__name__}")
        if spec.type == "list":
            value = [self.value(item, spec.items, f"{where}[{i}]") if spec.items else item for i, item in enumerate(value)]
            if spec.values:
                self.references.extend(Reference(spec.values, item, where) for item in value)
        elif spec.type == "table" and spec.keys is not None:
            value = self.table(value, spec.keys, where)
        elif spec.type == "table" and spec.items is not None:
            value = {name: self.value(item, spec.items, f"{where}.{name}") for name, item in value.items()}
            if spec.names:
                self.references.extend(Reference(spec.names, name, where) for name in value)
        elif spec.values:
            self.references.append(Reference(spec.values, value, where))
        return value


@dataclass(frozen=True)
class Schema:
    """The schema of a rule set: keys of every file, of every rule, of an example, and per family."""

    file: dict[str, KeySpec]
    rule: dict[str, KeySpec]
    example: dict[str, KeySpec]
    families: dict[str, tuple[dict[str, KeySpec], dict[str, KeySpec]]]
    needed_fragments: tuple[str, ...]
    needed_rules: tuple[str, ...]

    @classmethod
    def parse(cls, raw: dict[str, Any], where: str) -> Schema:
        """schema.toml: [code], [file], [rule], [example], then one table per family (its `rule` table: its rules' keys)."""
        try:
            code = raw.pop("code", {})
            common = {name: parse_keys(raw.pop(name), f"{where}: [{name}]") for name in ("file", "rule", "example")}
        except KeyError as missing:
            raise RuleError(f"{where}: [{missing.args[0]}] missing") from None
        families = {}
        for family, keys in raw.items():
            rule_keys = parse_keys(keys.pop(_RULES, {}), f"{where}: [{family}.rule]")
            families[family] = (parse_keys(keys, f"{where}: [{family}]"), rule_keys)
        return cls(common["file"], common["rule"], common["example"], families,
                   tuple(code.get("fragments", ())), tuple(code.get("rules", ())))

    def check_file(self, family: str, raw: dict[str, Any], where: str) -> CheckedFile:
        """A family file held to its keys: the top level, then each rule (named by its id in errors)."""
        if family not in self.families:
            raise RuleError(f"{where}: no family {family!r} in schema.toml (its keys must be described there)")
        file_keys, rule_keys = self.families[family]
        checker = Checker()
        rules_raw = raw.get(_RULES, [])
        if not isinstance(rules_raw, list):
            raise RuleError(f"{where}: {_RULES!r} must be a list of tables ([[rule]])")
        top = checker.table({k: v for k, v in raw.items() if k != _RULES}, {**self.file, **file_keys}, where)
        rules = []
        for raw_rule in rules_raw:
            if not isinstance(raw_rule, dict):
                raise RuleError(f"{where}: every rule must be a table")
            rules.append(checker.table(raw_rule, {**self.rule, **rule_keys}, f"{where}: rule {raw_rule.get('id')!r}"))
        return CheckedFile(top, rules, checker.references)

    def check_example(self, raw: Any, where: str) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise RuleError(f"{where}: every example must be a table")
        return Checker().table(raw, self.example, where)

    def declared_lists(self, family: str, top: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
        """The closed lists a family file declares (`declares`), each a list of its values' tables with their `name`:
        the items of a list, or the entries of a table keyed by the value."""
        lists = {}
        for name, spec in self.families[family][0].items():
            if spec.declares:
                declared = top[name]
                lists[spec.declares] = ([{"name": key, **entry} for key, entry in declared.items()]
                                        if isinstance(declared, dict) else declared)
        return lists

    def composing_tables(self, family: str, top: dict[str, Any]) -> list[dict[str, Any]]:
        """The tables of words in a family file whose entries name the fragments they join."""
        return [top[name] for name, spec in self.families[family][0].items() if spec.composes]


def check_references(references: list[Reference], lists: dict[str, list[str]]) -> None:
    """Every closed-list value in the lists the rule files declare; else an error naming the file, the rule and the value."""
    known = {name: set(values) for name, values in lists.items()}
    for reference in references:
        names = lists.get(reference.closed_list)
        if names is None:
            raise RuleError(f"{reference.where}: no closed list {reference.closed_list!r} is declared")
        if reference.value not in known[reference.closed_list]:
            raise RuleError(f"{reference.where}: {reference.value!r} is not a {reference.closed_list} "
                            f"(one of {', '.join(names)})")
