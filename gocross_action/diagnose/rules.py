"""The rule base: YAML files in ``data/rules/<category>.yaml``, validated against
``schemas/rule.schema.json`` when loaded, plus the config's user rules (merged by id).

A ``RuleSet`` also holds the literal prefilter (``prefilter.py``) over every literal of every
pattern (and the literals that mark lines worth reading for facts).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..boundary import regex as linear
from ..boundary.read import RULES_LIMIT, read_text_bounded
from ..config import UserRules
from ..data_files import package_file
from ..errors import ConfigError, DataError
from ..findings import Severity, categories
from . import templates
from .facts import FACT_LITERALS, Kind
from .literals import derive

if TYPE_CHECKING:
    from ..boundary import yaml as boundary_yaml
    from .prefilter import Prefilter

RULES_DIR = ("data", "rules")
# Lines that open or close a fold in a GitHub Actions log.
GROUP_LITERALS = ("::group::", "##[group]", "::endgroup::", "##[endgroup]")


@dataclass(frozen=True, kw_only=True)
class Pattern:
    """A line regex with named groups; with ``next_regex``, a window: a second line matching it
    must follow within ``within`` lines."""

    regex: str
    literals: tuple[str, ...]
    next_regex: str | None = None
    next_literals: tuple[str, ...] = ()
    within: int = 0

    @cached_property
    def compiled(self) -> linear.Regex:
        return linear.compile(self.regex)

    @cached_property
    def next_compiled(self) -> linear.Regex | None:
        return linear.compile(self.next_regex) if self.next_regex else None


@dataclass(frozen=True, kw_only=True)
class Rule:
    id: str
    category: str
    title: str
    severity: Severity
    confidence: float
    priority: int
    patterns: tuple[Pattern, ...]
    root_cause: str
    when: Mapping[str, Any] = field(default_factory=dict)
    fixes: tuple[Mapping[str, Any], ...] = ()
    links: tuple[str, ...] = ()
    symptom: bool = False
    explains: tuple[str, ...] = ()
    examples_match: tuple[str, ...] = ()
    examples_no_match: tuple[str, ...] = ()
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "category": self.category,
            "severity": self.severity.value,
            "priority": self.priority,
            "confidence": self.confidence,
            "title": self.title,
            "source": self.source,
        }


@dataclass(frozen=True, kw_only=True)
class Lookup:
    """What a literal hit asks the engine to try: pattern ``pattern`` of rule ``rule``, as the
    window's first line (``role`` "anchor") or its second ("next")."""

    rule: int
    pattern: int
    role: str


class RuleSet:
    """Rules in a fixed order (ids sorted: file order never decides) and their prefilter."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules: tuple[Rule, ...] = tuple(sorted(rules, key=lambda r: r.id))
        literal_ids: dict[str, int] = {}
        self.literal_targets: list[list[Lookup]] = []
        self.fact_kinds: list[tuple[Kind, ...]] = []
        self.group_literal: list[bool] = []

        def slot(text: str) -> int:
            if text not in literal_ids:
                literal_ids[text] = len(literal_ids)
                self.literal_targets.append([])
                self.fact_kinds.append(())
                self.group_literal.append(False)
            return literal_ids[text]

        for ri, rule in enumerate(self.rules):
            for pi, pattern in enumerate(rule.patterns):
                for text in pattern.literals:
                    self.literal_targets[slot(text)].append(Lookup(rule=ri, pattern=pi, role="anchor"))
                for text in pattern.next_literals:
                    self.literal_targets[slot(text)].append(Lookup(rule=ri, pattern=pi, role="next"))
        for text, kinds in FACT_LITERALS.items():
            index = slot(text)
            self.fact_kinds[index] = self.fact_kinds[index] + kinds
        for text in GROUP_LITERALS:
            self.group_literal[slot(text)] = True
        self.literals: tuple[str, ...] = tuple(literal_ids)
        self.longest_literal = max((len(t.encode("utf-8")) for t in self.literals), default=1)
        # Literals that only mark a fact (no rule pattern, no group fold starts with them).
        self.fact_only: list[bool] = [
            bool(self.fact_kinds[i]) and not self.literal_targets[i] and not self.group_literal[i]
            for i in range(len(self.literals))
        ]
        # Fact-only literals of environment variables (CGO_ENABLED, GOOS...): a log may hold one
        # on every line, and only the last few lines holding it are read (the last value wins).
        self.env_only: list[bool] = [
            self.fact_only[i] and self.fact_kinds[i][0][0] == "env" for i in range(len(self.literals))
        ]

    @cached_property
    def prefilter(self) -> Prefilter:
        return self.build_prefilter()

    def build_prefilter(self, engine: str | None = None) -> Prefilter:
        """The literal search (``engine`` forces "hyperscan" or "aho-corasick")."""
        from .prefilter import build

        sparse = [i for i, env in enumerate(self.env_only) if env]
        return build([t.encode("utf-8") for t in self.literals], sparse=sparse, engine=engine)

    def by_id(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def __len__(self) -> int:
        return len(self.rules)


# ----------------------------------------------------------------------------- loading


def _load_yaml(text: str, source: str) -> boundary_yaml.Document:
    # Imported here: start-up reads the validated rules from the cache and never parses YAML.
    from ..boundary import yaml as boundary_yaml

    try:
        return boundary_yaml.load(text)
    except boundary_yaml.YamlError as exc:
        raise ConfigError(source, [f"not valid YAML: {exc.message}"], marks=[exc.mark]) from None


_JSON_PATH_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def json_path_parts(path: str) -> tuple[str | int, ...]:
    """``$.rules[0].patterns[1].regex`` -> ``("rules", 0, "patterns", 1, "regex")``."""
    return tuple(
        int(m.group(2)) if m.group(2) is not None else m.group(1)
        for m in _JSON_PATH_PART.finditer(path.split(":", 1)[0])
    )


def schema_problems(data: Any, *, single_rule: bool = False) -> list[str]:
    """Every schema violation, each as one line with its JSON path."""
    import jsonschema

    from ..data_files import schema

    full = schema("rule")
    target = {**full["$defs"]["rule"], "$defs": full["$defs"]} if single_rule else full
    validator = jsonschema.Draft202012Validator(target)
    problems = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        problems.append(f"{path}: {_short_message(error.message, error.instance)}")
    return problems


_ECHO_MAX = 60


def _short_message(message: str, instance: Any) -> str:
    """jsonschema starts most messages with the offending value: a long one (a whole file read
    as a string, say) is described instead of quoted."""
    shown = repr(instance)
    if len(shown) <= _ECHO_MAX or not message.startswith(shown):
        return message
    if isinstance(instance, str):
        what = f"a string of {len(instance)} characters"
    elif isinstance(instance, list):
        what = f"a list of {len(instance)} items"
    elif isinstance(instance, dict):
        what = f"a mapping of {len(instance)} keys"
    else:
        what = f"a {type(instance).__name__}"
    return what + message[len(shown) :]


def _pattern(raw: Mapping[str, Any], where: str, problems: list[str]) -> Pattern | None:
    def literals_for(regex: str, given: Sequence[str] | None, at: str) -> tuple[str, ...] | None:
        problem = linear.problem(regex)
        if problem is not None:
            problems.append(f"{at}.regex: {problem}")
            return None
        found = list(given) if given else derive(regex)
        if not found:
            problems.append(f"{at}.regex: no literal of 4+ characters every match contains: add 'literal'")
            return None
        return tuple(found)

    literals = literals_for(raw["regex"], raw.get("literal"), where)
    nxt = raw.get("next")
    next_literals: tuple[str, ...] | None = ()
    if nxt:
        next_literals = literals_for(nxt["regex"], nxt.get("literal"), f"{where}.next")
    if literals is None or next_literals is None:
        return None
    return Pattern(
        regex=raw["regex"],
        literals=literals,
        next_regex=nxt["regex"] if nxt else None,
        next_literals=next_literals,
        within=int(nxt["within"]) if nxt else 0,
    )


def _known_placeholders(rule: Mapping[str, Any], patterns: Sequence[Pattern]) -> set[str]:
    from .fixes import SITUATION_NAMES

    groups: set[str] = set()
    for p in patterns:
        groups |= set(p.compiled.groupindex)
        if p.next_compiled is not None:
            groups |= set(p.next_compiled.groupindex)
    return groups | set(SITUATION_NAMES)


def _condition_regexes(when: Any, where: str) -> Iterator[tuple[str, str]]:
    """(path, regex) of every ``env``/``captured`` regex in a schema-valid ``when``."""
    if not isinstance(when, Mapping):
        return
    for key in ("env", "captured"):
        for name, pattern in (when.get(key) or {}).items():
            yield f"{where}.{key}.{name}", str(pattern)
    for i, sub in enumerate(when.get("any") or ()):
        yield from _condition_regexes(sub, f"{where}.any[{i}]")
    yield from _condition_regexes(when.get("not"), f"{where}.not")


def build_rule(raw: Mapping[str, Any], *, where: str, source: str, problems: list[str]) -> Rule | None:
    """A schema-valid rule mapping -> ``Rule``, adding the problems schemas cannot express."""
    before = len(problems)
    if raw["category"] not in categories():
        from ..targets import suggest

        hint = suggest(raw["category"], categories())
        did_you_mean = f" (did you mean {hint!r}?)" if hint else ""
        problems.append(f"{where}.category: {raw['category']!r} is not a taxonomy category{did_you_mean}")
    patterns = [_pattern(p, f"{where}.patterns[{i}]", problems) for i, p in enumerate(raw["patterns"])]
    for at, pattern in _condition_regexes(raw.get("when"), f"{where}.when"):
        problem = linear.problem(pattern)
        if problem is not None:
            problems.append(f"{at}: {problem}")
    for i, fix in enumerate(raw.get("fixes") or ()):
        for at, pattern in _condition_regexes(fix.get("when"), f"{where}.fixes[{i}].when"):
            problem = linear.problem(pattern)
            if problem is not None:
                problems.append(f"{at}: {problem}")
    good = [p for p in patterns if p is not None]
    if len(good) == len(patterns):
        known = _known_placeholders(raw, good)
        texts = [("title", raw["title"]), ("root_cause", raw["root_cause"])]
        for i, fix in enumerate(raw.get("fixes") or ()):
            texts.append((f"fixes[{i}].summary", fix["summary"]))
            snippets = enumerate(fix.get("snippets") or ())
            texts.extend((f"fixes[{i}].snippets[{j}]", s["code"]) for j, s in snippets)
        for at, text in texts:
            unknown = templates.names(text) - known
            if unknown:
                problems.append(f"{where}.{at}: unknown placeholder(s) {', '.join(sorted(unknown))}")
        from .fixes import snippet_library

        for i, fix in enumerate(raw.get("fixes") or ()):
            for name in fix.get("use") or ():
                if name not in snippet_library():
                    problems.append(f"{where}.fixes[{i}].use: unknown snippet {name!r}")
    if len(problems) > before:
        return None
    examples = raw["examples"]
    return Rule(
        id=raw["id"],
        category=raw["category"],
        title=raw["title"],
        severity=Severity(raw["severity"]),
        confidence=float(raw["confidence"]),
        priority=int(raw["priority"]),
        patterns=tuple(good),
        root_cause=raw["root_cause"].strip(),
        when=dict(raw.get("when") or {}),
        fixes=tuple(raw.get("fixes") or ()),
        links=tuple(raw.get("links") or ()),
        symptom=bool(raw.get("symptom", False)),
        explains=tuple(raw.get("explains") or ()),
        examples_match=tuple(examples["match"]),
        examples_no_match=tuple(examples["no_match"]),
        source=source,
    )


def parse_rules_file(text: str, *, source: str) -> tuple[list[Rule], list[str]]:
    """Rules of one file and every problem found in it (empty when valid)."""
    rules, problems, _ = _parse_rules_document(text, source=source)
    return rules, problems


def _parse_rules_document(text: str, *, source: str) -> tuple[list[Rule], list[str], boundary_yaml.Document]:
    document = _load_yaml(text, source)
    data = document.data
    problems = schema_problems(data)
    if problems:
        return [], problems, document
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["rules"]):
        if raw["id"] in seen:
            problems.append(f"$.rules[{i}].id: duplicate rule id {raw['id']!r}")
        seen.add(raw["id"])
        rule = build_rule(raw, where=f"$.rules[{i}]", source=source, problems=problems)
        if rule is not None:
            rules.append(rule)
    return rules, problems, document


def read_rules_file(path: Path) -> list[Rule]:
    """A user rules file (read bounded, UTF-8 only); raises ``ConfigError`` listing every
    problem, each at its line and column."""
    text = read_text_bounded(path, limit=RULES_LIMIT, what="rules file")
    rules, problems, document = _parse_rules_document(text, source=str(path))
    if problems:
        raise ConfigError(str(path), problems, marks=[document.mark(json_path_parts(p)) for p in problems])
    return rules


def builtin_files() -> list[tuple[str, str]]:
    """(name, text) of every built-in rules file, sorted by name."""
    directory = package_file(*RULES_DIR)
    files = [f for f in directory.iterdir() if f.name.endswith(".yaml") and not f.name.startswith("_")]
    return [(f.name, f.read_text(encoding="utf-8")) for f in sorted(files, key=lambda f: f.name)]


def builtin_rules(*, use_cache: bool = True) -> list[Rule]:
    """The shipped rules; a problem in them is a bug (``DataError``). Validated rules are cached
    per content hash (``rulecache``), so start-up skips YAML and schema work when nothing changed."""
    from . import rulecache

    files = builtin_files()
    key = rulecache.key(files)
    if use_cache:
        cached = rulecache.read(key)
        if cached is not None:
            return cached
    rules = _validated_builtin(files)
    if use_cache:
        rulecache.write(key, rules)
    return rules


def _validated_builtin(files: list[tuple[str, str]]) -> list[Rule]:
    rules: list[Rule] = []
    for name, text in files:
        found, problems = parse_rules_file(text, source=f"data/rules/{name}")
        if problems:
            raise DataError(f"data/rules/{name}: " + "; ".join(problems))
        category = name.removesuffix(".yaml")
        for rule in found:
            if rule.category != category:
                raise DataError(f"data/rules/{name}: rule {rule.id} has category {rule.category}")
        rules.extend(found)
    ids = [r.id for r in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise DataError(f"data/rules: duplicate rule ids {', '.join(duplicates)}")
    return rules


def inline_rule(raw: Any, *, where: str = "$") -> tuple[Rule | None, list[str]]:
    """An inline (config) rule and its problems, each as ``path: message`` with ``where`` as the
    path's root. ``validate-config``, ``diagnose`` and the Action all judge inline rules here."""
    found = schema_problems(raw, single_rule=True)
    if found:
        return None, [f"{where}{p[1:]}" for p in found]
    problems: list[str] = []
    rule = build_rule(raw, where=where, source="config", problems=problems)
    return rule, problems


def user_rules(user: UserRules) -> list[Rule]:
    rules: list[Rule] = []
    for path in user.files:
        rules.extend(read_rules_file(path))
    problems: list[str] = []
    for i, raw in enumerate(user.inline):
        rule, found = inline_rule(raw, where=f"$.rules[{i}]")
        problems.extend(found)
        if rule is not None:
            rules.append(rule)
    if problems:
        raise ConfigError("config rules", problems)
    return rules


def merge(builtin: Iterable[Rule], extra: Iterable[Rule]) -> list[Rule]:
    """User rules add to the built-in ones, or replace the one with the same id."""
    merged = {r.id: r for r in builtin}
    for rule in extra:
        merged[rule.id] = rule
    return list(merged.values())


def load_rules(user: UserRules | None = None) -> RuleSet:
    """The built-in rules plus the config's user rules (user rules override by id)."""
    rules = builtin_rules()
    if user is not None and (user.inline or user.files):
        rules = merge(rules, user_rules(user))
    return RuleSet(rules)
