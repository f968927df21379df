"""The config file's checks: YAML syntax, ``schemas/config.schema.json``, then the values no schema
can judge (GOOS/GOARCH from ``data/targets.json``, deploy systems from ``data/deploy.json``, rule
files on disk). Every problem is reported at once, each with its path in the file and a hint.

``config.py`` owns the ``Config`` dataclasses and the defaults; this module turns validated data
into them (``to_config``).
"""

from __future__ import annotations

import dataclasses
import shlex
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .boundary import paths, text
from .config import BuildConfig, Config, GithubConfig, ReportConfig, TargetConfig, UserRules
from .data_files import schema
from .errors import ConfigError, Mark
from .targets import Target, goarch_problem, goos_problem, suggest, table, target_problems, variant_problem

if TYPE_CHECKING:
    from .boundary.yaml import Document

PathParts = tuple[str | int, ...]

GLIBC_PATTERN = "^2\\.[0-9]{1,3}$"
ENV_NAME_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*$"
_TYPE_WORDS = {
    "string": "a string",
    "object": "a mapping",
    "array": "a list",
    "boolean": "true or false",
    "integer": "an integer",
    "number": "a number",
    "null": "nothing",
}


# --------------------------------------------------------------------------- YAML


def load_document(text: str, *, source: str) -> Document:
    """Parse the YAML text within the budgets of ``boundary.yaml``, keeping the node tree
    (``Document.mark``) for placing problems; syntax errors, budget overruns and duplicate keys
    are a ``ConfigError`` with line and column (duplicates come together with every other
    problem of the file)."""
    from .boundary import yaml as boundary_yaml

    try:
        document = boundary_yaml.load(text)
    except boundary_yaml.YamlError as exc:
        raise ConfigError(source, [exc.message], marks=[exc.mark]) from None
    if document.duplicates:
        found: list[tuple[PathParts, str, Mark | None]] = [
            (d.path, f"key given twice (first on line {d.first_line})", d.mark) for d in document.duplicates
        ]
        others = problem_list(document.data, base=Path(source).parent)
        found += [(p.path, p.message, document.mark(p.path)) for p in others]
        raise ConfigError(
            source, [format_problem(p, m) for p, m, _ in found], marks=[mark for _, _, mark in found]
        )
    if document.data is None:
        return dataclasses.replace(document, data={})
    return document


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    path: PathParts
    message: str
    type_mismatch: bool = False  # the value has none of the types the schema allows here


def format_problem(path: PathParts, message: str) -> str:
    """``targets[1].goarch: message``; a problem of the whole file is the message alone."""
    return f"{format_path(path)}: {message}" if path else message


def format_path(parts: Iterable[str | int]) -> str:
    """``("targets", 1, "goarch")`` -> ``targets[1].goarch``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


@cache
def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(schema("config"))


def problems(data: Any, *, base: Path | None = None) -> list[str]:
    """Every problem with the parsed config, each as ``path: what is wrong (hint)``, in the order
    the values appear in the file. ``base`` is the config's directory (for rule file paths)."""
    return [format_problem(p.path, p.message) for p in problem_list(data, base=base)]


def problem_list(data: Any, *, base: Path | None = None, schema_checked: bool = False) -> list[Problem]:
    """As ``problems``, each problem with its path as parts (to place it in the file).
    ``schema_checked``: the schema accepted this very data before (``accepted_before``), so only
    the checks that read the disk or the tables run."""
    if not isinstance(data, Mapping):
        if data is None:
            return []
        kind = "a list" if isinstance(data, list) else f"a {_TYPE_NAMES.get(type(data), 'scalar')}"
        return [Problem((), f"the config must be a mapping of keys (key: value lines), not {kind}")]
    found = [] if schema_checked else _schema_problems(data)
    bad_paths = {p.path for p in found}
    for check in _CHECKS:
        found.extend(check(data, bad_paths, base))
    unique = list(dict.fromkeys((p.path, p.message) for p in found))
    unique.sort(key=lambda item: _document_order(data, item[0]))
    return [Problem(path, message) for path, message in unique]


_TYPE_NAMES = {str: "string", int: "number", float: "number", bool: "boolean"}

# The configs accepted whole, by their text, with the data they parse to (one small file each,
# the newest _PARSED_KEPT kept): a config run again unchanged is neither parsed nor checked
# against the schema again, and neither the YAML parser nor the validator is imported (their
# imports cost more than everything else before the first build). The checks that read the
# disk (rule files) run every time.
_PARSED_PREFIX = "config-text-"
_PARSED_KEPT = 32
_PARSED_MAX = 64 * 1024


def accepted_before(text: str) -> dict[str, Any] | None:
    """The data of ``text`` when this gocross accepted that very text before, else None."""
    from . import user_cache

    if len(text) > _PARSED_MAX:
        return None
    entry = user_cache.read_json(_parsed_name(text))
    if not isinstance(entry, dict) or entry.get("text") != text or entry.get("stamp") != _stamp():
        return None
    data = entry.get("data")
    return data if isinstance(data, dict) else None


def remember_accepted(text: str, data: Mapping[str, Any]) -> None:
    """Note that ``text``, parsed to ``data``, passed every check (best effort)."""
    from . import user_cache

    if len(text) <= _PARSED_MAX and _plain(data):
        entry = {"stamp": _stamp(), "text": text, "data": data}
        user_cache.write_json(_parsed_name(text), entry, keep=(_PARSED_PREFIX, _PARSED_KEPT))


def _parsed_name(text: str) -> str:
    import zlib

    raw = text.encode("utf-8", "surrogatepass")
    return f"{_PARSED_PREFIX}{zlib.crc32(raw):08x}-{len(raw)}.json"


@cache
def _stamp() -> str:
    """What an accepted text's acceptance depends on besides the text: this gocross and its
    config schema (the bytes of the schema file, as a checksum)."""
    import zlib

    from . import __version__
    from .data_files import package_file

    return f"{__version__}:{zlib.crc32(package_file('schemas', 'config.schema.json').read_bytes()):08x}"


# The digests of the last configs the schema accepted: a config run again unchanged is not
# validated again (importing jsonschema alone costs more than the rest of a config's load).
_ACCEPTED = "config-schema-accepted.json"
_ACCEPTED_KEPT = 64


def _schema_problems(data: Mapping[str, Any]) -> list[Problem]:
    from . import user_cache

    digest = _digest(data)
    accepted = user_cache.read_json(_ACCEPTED) if digest else None
    known = [d for d in accepted if isinstance(d, str)] if isinstance(accepted, list) else []
    if digest in known:
        return []
    found: list[Problem] = []
    for error in _validator().iter_errors(data):
        found.extend(_from_schema_error(error))
    if digest and not found:
        user_cache.write_json(_ACCEPTED, [digest, *known][:_ACCEPTED_KEPT])
    return found


def _digest(data: Mapping[str, Any]) -> str | None:
    """A digest of the schema and the data together, or None when the data holds anything but
    JSON's own types (a YAML date, a non-string key), which JSON text would not tell apart."""
    import hashlib
    import json

    if not _plain(data):
        return None
    text = json.dumps([schema("config"), data], sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: Any, depth: int = 0) -> bool:
    if depth > 200:
        return False
    if value is None or isinstance(value, (str, bool, int, float)):
        return True
    if isinstance(value, list):
        return all(_plain(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v, depth + 1) for k, v in value.items())
    return False


def _document_order(data: Any, path: PathParts) -> tuple[int, ...]:
    order: list[int] = []
    node = data
    for part in path:
        if isinstance(node, Mapping):
            keys = list(node)
            order.append(keys.index(part) if part in keys else len(keys))
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int):
            order.append(part)
            node = node[part] if part < len(node) else None
        else:
            order.append(0)
    return tuple(order)


_ECHO_MAX = 60


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        number = repr(value)
        return f"the number {number if len(number) <= _ECHO_MAX else number[:_ECHO_MAX] + '...'}"
    if value is None:
        return "nothing (null)"
    if isinstance(value, str):
        # A whole file read as one string (``config: /etc/passwd``) is not quoted back.
        if len(value) > _ECHO_MAX or "\n" in value:
            return f"a text of {len(value)} characters"
        return f"{value!r}"
    return f"a {type(value).__name__}"


def _from_schema_error(error: Any) -> list[Problem]:
    path: PathParts = tuple(error.absolute_path)
    validator = error.validator
    instance = error.instance
    if validator in ("anyOf", "oneOf"):
        return _from_alternatives(error, path)
    if validator == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        return [
            Problem((*path, key), _unknown_key(str(key), known))
            for key in instance
            if key not in known and isinstance(instance, Mapping)
        ]
    if validator == "type":
        expected = error.validator_value
        expected = [expected] if isinstance(expected, str) else list(expected)
        return [Problem(path, _type_message(expected, instance, path), type_mismatch=True)]
    if validator == "required":
        missing = [k for k in error.validator_value if k not in instance]
        return [Problem(path, f"missing required key {key!r}") for key in missing]
    if validator == "enum":
        choices = [str(c) for c in error.validator_value]
        hint = suggest(str(instance), choices) if isinstance(instance, str) else None
        did_you_mean = f" (did you mean {hint!r}?)" if hint else ""
        return [Problem(path, f"{_kind(instance)} is not one of {', '.join(choices)}{did_you_mean}")]
    if validator == "pattern" and error.validator_value == GLIBC_PATTERN:
        return [Problem(path, f'{instance!r} is not a glibc version like "2.31"')]
    if validator == "pattern" and error.validator_value == ENV_NAME_PATTERN:
        return [Problem(path, f"{instance!r} is not a valid environment variable name")]
    if validator in ("minimum", "maximum"):
        word = "at least" if validator == "minimum" else "at most"
        return [Problem(path, f"{_kind(instance)} is out of range: must be {word} {error.validator_value}")]
    if validator in ("minLength", "minProperties"):
        return [Problem(path, "must not be empty")]
    if validator == "uniqueItems":
        return [Problem(path, "lists a value more than once")]
    return [Problem(path, error.message)]


def _from_alternatives(error: Any, path: PathParts) -> list[Problem]:
    """An ``anyOf``: report the problems of the branch the value's type fits; when it fits none,
    say which types are allowed."""
    branches: dict[int, list[Problem]] = {}
    for sub in error.context or ():
        branches.setdefault(int(sub.relative_schema_path[0]), []).extend(_from_schema_error(sub))
    fitting = [
        probs for probs in branches.values() if not any(p.type_mismatch and p.path == path for p in probs)
    ]
    if fitting:
        return [p for probs in fitting for p in probs]
    expected: list[str] = []
    for option in error.validator_value:
        expected.extend(_branch_types(option))
    return [Problem(path, _type_message(expected, error.instance, path), type_mismatch=True)]


def _branch_types(option: Mapping[str, Any]) -> list[str]:
    if "$ref" in option:
        name = str(option["$ref"]).rsplit("/", 1)[-1]
        return _branch_types(schema("config")["$defs"][name])
    if "anyOf" in option:
        return [t for sub in option["anyOf"] for t in _branch_types(sub)]
    kind = option.get("type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return [str(k) for k in kind]
    if "enum" in option:
        return ["string"]
    return []


def _type_message(expected: Sequence[str], instance: Any, path: PathParts) -> str:
    words = list(dict.fromkeys(_TYPE_WORDS.get(t, t) for t in expected))
    if len(words) > 1 and "true or false" in words:
        words[words.index("true or false")] = "a boolean"
    if "a number" in words and "an integer" in words:
        words.remove("an integer")
    wanted = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
    message = f"expected {wanted}, got {_kind(instance)}"
    if isinstance(instance, float) and path and path[-1] in ("glibc-max", "glibc"):
        message += ' (write the version in quotes, e.g. "2.31": unquoted, YAML reads 2.30 as the number 2.3)'
    return message


def _unknown_key(key: str, known: Sequence[str]) -> str:
    normalised = key.replace("_", "-").lower()
    hint = normalised if normalised in known else None
    if hint is None:
        import difflib

        close = difflib.get_close_matches(normalised, known, n=1, cutoff=0.6)
        hint = close[0] if close else None
    if hint:
        return f"unknown key (did you mean {hint!r}?)"
    return f"unknown key; known keys: {', '.join(known)}"


# --------------------------------------------------------------------------- value checks

_Check = Callable[[Mapping[str, Any], set[PathParts], "Path | None"], Iterator[Problem]]


def _variant_fields() -> dict[str, tuple[str, list[str]]]:
    """``goarm`` -> ("GOARM", ["arm"]): the variant keys of a target object and their GOARCHes."""
    fields: dict[str, tuple[str, list[str]]] = {}
    for arch, row in table()["variants"].items():
        env = str(row["env"])
        fields.setdefault(env.lower(), (env, []))[1].append(arch)
    return fields


def _check_targets(data: Mapping[str, Any], bad: set[PathParts], base: Path | None) -> Iterator[Problem]:
    del bad, base
    items = data.get("targets")
    if not isinstance(items, list):
        return
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        name: str | None = None
        if isinstance(item, str):
            target_errors = target_problems(item)
            for problem in target_errors:
                yield Problem(("targets", i), problem)
            if not target_errors:
                name = str(Target.parse(item))
        elif isinstance(item, Mapping):
            name, object_problems = _target_object_problems(item, ("targets", i))
            yield from object_problems
        if name is None:
            continue
        if name in seen:
            yield Problem(("targets", i), f"{name} is listed twice (also targets[{seen[name]}])")
        else:
            seen[name] = i


def _target_object_problems(item: Mapping[str, Any], path: PathParts) -> tuple[str | None, list[Problem]]:
    found: list[Problem] = []
    goos, goarch = item.get("goos"), item.get("goarch")
    for key, value, judge in (("goos", goos, goos_problem), ("goarch", goarch, goarch_problem)):
        if isinstance(value, str) and value:
            problem = judge(value)
            if problem:
                found.append(Problem((*path, key), problem))
    fields = _variant_fields()
    given = [key for key in ("variant", *fields) if key in item and item[key] is not None]
    if len(given) > 1:
        found.append(Problem(path, f"give the variant once, not as {' and '.join(given)}"))
    variant: str | None = None
    arch_ok = isinstance(goarch, str) and goarch_problem(goarch) is None
    if given and arch_ok and isinstance(item[given[0]], (str, int)) and not isinstance(item[given[0]], bool):
        key = given[0]
        variant = str(item[key])
        if key != "variant" and goarch not in fields[key][1]:
            env, arches = fields[key]
            found.append(Problem((*path, key), f"{env} applies to {', '.join(arches)}, not {goarch}"))
        else:
            problem = variant_problem(str(goarch), variant)
            if problem:
                found.append(Problem((*path, key), problem))
    if found or not (isinstance(goos, str) and isinstance(goarch, str)):
        return None, found
    return str(Target(goos=goos, goarch=goarch, variant=variant)), found


def _check_deploy(data: Mapping[str, Any], bad: set[PathParts], base: Path | None) -> Iterator[Problem]:
    del base
    items = data.get("deploy")
    if not isinstance(items, list):
        return
    from . import deploy
    from .errors import UsageError

    for i, item in enumerate(items):
        path: PathParts = ("deploy", i)
        if not isinstance(item, (str, Mapping)) or any(p[: len(path)] == path for p in bad):
            continue
        try:
            deploy.resolve(item if isinstance(item, str) else {str(k): v for k, v in item.items()})
        except UsageError as exc:
            yield Problem(path, str(exc))


def _check_rules(data: Mapping[str, Any], bad: set[PathParts], base: Path | None) -> Iterator[Problem]:
    """Rule files must exist; inline rules are judged in full, exactly as ``diagnose`` judges
    them (schema, regexes in the linear-time engine, literals, placeholders)."""
    items = data.get("rules")
    if not isinstance(items, list):
        return
    from .diagnose.rules import inline_rule, json_path_parts

    roots = paths.roots(base) if base is not None else None
    for i, item in enumerate(items):
        if isinstance(item, str) and item and base is not None and roots is not None:
            if paths.inside(base / item, roots) is None:
                yield Problem(
                    ("rules", i), f"rule file {text.quoted(item)} lies outside {roots.describe()}; not read"
                )
            elif not (base / item).is_file():
                yield Problem(("rules", i), f"rule file {item!r} not found (paths are relative to {base})")
        elif isinstance(item, Mapping) and not any(p[:2] == ("rules", i) for p in bad):
            _, found = inline_rule(item)
            for problem in found:
                where, _, message = problem.partition(": ")
                yield Problem(("rules", i, *json_path_parts(where)), message)


def _check_shell_words(data: Mapping[str, Any], bad: set[PathParts], base: Path | None) -> Iterator[Problem]:
    """Strings split like a shell would (``build.flags``, ``smoke``) must split: no unterminated
    quote, no trailing backslash."""
    del base
    build = data.get("build")
    fields: list[tuple[PathParts, Any]] = [(("smoke",), data.get("smoke"))]
    if isinstance(build, Mapping):
        fields.append((("build", "flags"), build.get("flags")))
    for path, value in fields:
        if isinstance(value, str) and path not in bad:
            try:
                shlex.split(value)
            except ValueError as exc:
                yield Problem(path, f"cannot be split like a shell would: {str(exc).lower()}")


_CHECKS: tuple[_Check, ...] = (_check_targets, _check_deploy, _check_rules, _check_shell_words)


# --------------------------------------------------------------------------- to Config


def _string_list(value: Any, *, split: Callable[[str], list[str]]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(split(value))
    return tuple(str(v) for v in value)


def _comma_split(text: str) -> list[str]:
    return [item for item in text.replace(" ", ",").split(",") if item]


def _target_config(item: str | Mapping[str, Any]) -> TargetConfig:
    if isinstance(item, str):
        return TargetConfig(target=Target.parse(item))
    variant = next(
        (str(item[key]) for key in ("variant", *_variant_fields()) if item.get(key) is not None), None
    )
    env = item.get("env") or {}
    return TargetConfig(
        target=Target(goos=item["goos"], goarch=item["goarch"], variant=variant),
        cgo=item.get("cgo"),
        cc=item.get("cc"),
        env={str(k): _env_value(v) for k, v in env.items()},
        tags=_string_list(item.get("tags"), split=_comma_split),
        ldflags=item.get("ldflags"),
        output=item.get("output"),
    )


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _smoke(value: Any) -> tuple[str, ...] | None:
    if value is None or value is False:
        return None
    if value is True:
        return ()
    return _string_list(value, split=shlex.split)


def _deploy_entry(item: str | Mapping[str, Any]) -> str | Mapping[str, str]:
    return item if isinstance(item, str) else {str(k): str(v) for k, v in item.items()}


def to_config(data: Mapping[str, Any], *, source: Path) -> Config:
    """A ``Config`` from data that ``problems`` found nothing wrong with; rule file paths are
    resolved against the config file's directory."""
    defaults = Config()
    build = data.get("build") or {}
    report = data.get("report") or {}
    github = data.get("github") or {}
    rules = data.get("rules") or []
    return Config(
        path=source,
        targets=tuple(_target_config(t) for t in data.get("targets") or ()),
        package=data.get("package", defaults.package),
        build=BuildConfig(
            flags=_string_list(build.get("flags"), split=shlex.split),
            ldflags=build.get("ldflags"),
            tags=_string_list(build.get("tags"), split=_comma_split),
            trimpath=bool(build.get("trimpath", defaults.build.trimpath)),
            out=build.get("out", defaults.build.out),
            timeout=int(build.get("timeout", defaults.build.timeout)),
        ),
        deploy=tuple(_deploy_entry(d) for d in data.get("deploy") or ()),
        glibc_max=data.get("glibc-max"),
        require_static=bool(data.get("require-static", defaults.require_static)),
        smoke=_smoke(data.get("smoke")),
        verify_fixes=bool(data.get("verify-fixes", defaults.verify_fixes)),
        rules=UserRules(
            inline=tuple(dict(r) for r in rules if isinstance(r, Mapping)),
            files=tuple((source.parent / r).resolve() for r in rules if isinstance(r, str)),
        ),
        report=ReportConfig(
            formats=tuple(report.get("formats", defaults.report.formats)),
            dir=report.get("dir"),
        ),
        github=GithubConfig(
            comment=github.get("comment", defaults.github.comment),
            check_run=bool(github.get("check-run", defaults.github.check_run)),
            check_name=github.get("check-name", defaults.github.check_name),
            annotations=bool(github.get("annotations", defaults.github.annotations)),
        ),
        fail_on=data.get("fail-on", defaults.fail_on),
    )
