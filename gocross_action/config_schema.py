"""The config file's checks: YAML syntax, ``schemas/config.schema.json``, then the values no schema
can judge (GOOS/GOARCH from ``data/targets.json``, deploy systems from ``data/deploy.json``, rule
files on disk). Every problem is reported at once, each with its path in the file and a hint.

``config.py`` owns the ``Config`` dataclasses and the defaults; this module turns validated data
into them (``to_config``).
"""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .boundary import paths, text
from .config import BuildConfig, Config, GithubConfig, ReportConfig, TargetConfig, UserRules
from .data_files import schema
from .errors import ConfigError
from .targets import Target, goarch_problem, goos_problem, suggest, table, target_problems, variant_problem

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


class _Loader(yaml.SafeLoader):
    """A safe loader that remembers duplicate keys (PyYAML silently keeps the last one)."""

    duplicates: list[str]


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    """Keys are taken as written (YAML 1.1 would read ``yes:`` as True and ``1:`` as a number,
    neither of which names a config key); a key given twice is remembered."""
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    lines: dict[Any, int] = {}
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            key: Any = key_node.value
        else:
            key = loader.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    "found unhashable key",
                    key_node.start_mark,
                ) from None
        line = key_node.start_mark.line + 1
        if key in lines:
            loader.duplicates.append(f"line {line}: key {key!r} is given twice (first on line {lines[key]})")
        else:
            lines[key] = line
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(text: str, *, source: str) -> Any:
    """Parse the YAML text; syntax errors and duplicate keys are ``ConfigError`` with line and
    column (duplicates come together with every other problem of the file)."""
    loader = _Loader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        raise ConfigError(source, [_yaml_error(exc)]) from None
    except yaml.YAMLError as exc:
        raise ConfigError(source, [f"YAML syntax error: {exc}"]) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise ConfigError(source, [*loader.duplicates, *problems(data, base=Path(source).parent)])
    return {} if data is None else data


def _yaml_error(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    what = exc.problem or "invalid YAML"
    context = f" ({exc.context})" if exc.context else ""
    return f"{where}YAML syntax error: {what}{context}"


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class _Problem:
    path: PathParts
    message: str
    type_mismatch: bool = False  # the value has none of the types the schema allows here


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
    if not isinstance(data, Mapping):
        if data is None:
            return []
        return [f"the config must be a mapping of keys (key: value lines), not {_kind(data)}"]
    found: list[_Problem] = []
    for error in _validator().iter_errors(data):
        found.extend(_from_schema_error(error))
    bad_paths = {p.path for p in found}
    for check in _CHECKS:
        found.extend(check(data, bad_paths, base))
    unique = list(dict.fromkeys((p.path, p.message) for p in found))
    unique.sort(key=lambda item: _document_order(data, item[0]))
    return [f"{format_path(path)}: {message}" for path, message in unique]


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


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if value is None:
        return "nothing (null)"
    if isinstance(value, str):
        # A whole file read as one string (``config: /etc/passwd``) is not quoted back.
        if len(value) > 80 or "\n" in value:
            return f"a text of {len(value)} characters"
        return f"{value!r}"
    return f"a {type(value).__name__}"


def _from_schema_error(error: Any) -> list[_Problem]:
    path: PathParts = tuple(error.absolute_path)
    validator = error.validator
    instance = error.instance
    if validator in ("anyOf", "oneOf"):
        return _from_alternatives(error, path)
    if validator == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        return [
            _Problem((*path, key), _unknown_key(str(key), known))
            for key in instance
            if key not in known and isinstance(instance, Mapping)
        ]
    if validator == "type":
        expected = error.validator_value
        expected = [expected] if isinstance(expected, str) else list(expected)
        return [_Problem(path, _type_message(expected, instance, path), type_mismatch=True)]
    if validator == "required":
        missing = [k for k in error.validator_value if k not in instance]
        return [_Problem(path, f"missing required key {key!r}") for key in missing]
    if validator == "enum":
        choices = [str(c) for c in error.validator_value]
        hint = suggest(str(instance), choices) if isinstance(instance, str) else None
        did_you_mean = f" (did you mean {hint!r}?)" if hint else ""
        return [_Problem(path, f"{_kind(instance)} is not one of {', '.join(choices)}{did_you_mean}")]
    if validator == "pattern" and error.validator_value == GLIBC_PATTERN:
        return [_Problem(path, f'{instance!r} is not a glibc version like "2.31"')]
    if validator == "pattern" and error.validator_value == ENV_NAME_PATTERN:
        return [_Problem(path, f"{instance!r} is not a valid environment variable name")]
    if validator in ("minLength", "minProperties"):
        return [_Problem(path, "must not be empty")]
    if validator == "uniqueItems":
        return [_Problem(path, "lists a value more than once")]
    return [_Problem(path, error.message)]


def _from_alternatives(error: Any, path: PathParts) -> list[_Problem]:
    """An ``anyOf``: report the problems of the branch the value's type fits; when it fits none,
    say which types are allowed."""
    branches: dict[int, list[_Problem]] = {}
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
    return [_Problem(path, _type_message(expected, error.instance, path), type_mismatch=True)]


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
        close = difflib.get_close_matches(normalised, known, n=1, cutoff=0.6)
        hint = close[0] if close else None
    if hint:
        return f"unknown key (did you mean {hint!r}?)"
    return f"unknown key; known keys: {', '.join(known)}"


# --------------------------------------------------------------------------- value checks

_Check = Callable[[Mapping[str, Any], set[PathParts], "Path | None"], Iterator[_Problem]]


def _variant_fields() -> dict[str, tuple[str, list[str]]]:
    """``goarm`` -> ("GOARM", ["arm"]): the variant keys of a target object and their GOARCHes."""
    fields: dict[str, tuple[str, list[str]]] = {}
    for arch, row in table()["variants"].items():
        env = str(row["env"])
        fields.setdefault(env.lower(), (env, []))[1].append(arch)
    return fields


def _check_targets(data: Mapping[str, Any], bad: set[PathParts], base: Path | None) -> Iterator[_Problem]:
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
                yield _Problem(("targets", i), problem)
            if not target_errors:
                name = str(Target.parse(item))
        elif isinstance(item, Mapping):
            name, object_problems = _target_object_problems(item, ("targets", i))
            yield from object_problems
        if name is None:
            continue
        if name in seen:
            yield _Problem(("targets", i), f"{name} is listed twice (also targets[{seen[name]}])")
        else:
            seen[name] = i


def _target_object_problems(item: Mapping[str, Any], path: PathParts) -> tuple[str | None, list[_Problem]]:
    found: list[_Problem] = []
    goos, goarch = item.get("goos"), item.get("goarch")
    for key, value, judge in (("goos", goos, goos_problem), ("goarch", goarch, goarch_problem)):
        if isinstance(value, str) and value:
            problem = judge(value)
            if problem:
                found.append(_Problem((*path, key), problem))
    fields = _variant_fields()
    given = [key for key in ("variant", *fields) if key in item and item[key] is not None]
    if len(given) > 1:
        found.append(_Problem(path, f"give the variant once, not as {' and '.join(given)}"))
    variant: str | None = None
    arch_ok = isinstance(goarch, str) and goarch_problem(goarch) is None
    if given and arch_ok and isinstance(item[given[0]], (str, int)) and not isinstance(item[given[0]], bool):
        key = given[0]
        variant = str(item[key])
        if key != "variant" and goarch not in fields[key][1]:
            env, arches = fields[key]
            found.append(_Problem((*path, key), f"{env} applies to {', '.join(arches)}, not {goarch}"))
        else:
            problem = variant_problem(str(goarch), variant)
            if problem:
                found.append(_Problem((*path, key), problem))
    if found or not (isinstance(goos, str) and isinstance(goarch, str)):
        return None, found
    return str(Target(goos=goos, goarch=goarch, variant=variant)), found


def _check_deploy(data: Mapping[str, Any], bad: set[PathParts], base: Path | None) -> Iterator[_Problem]:
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
            yield _Problem(path, str(exc))


def _check_rules(data: Mapping[str, Any], bad: set[PathParts], base: Path | None) -> Iterator[_Problem]:
    del bad
    items = data.get("rules")
    if not isinstance(items, list):
        return
    from .findings import categories

    roots = paths.roots(base) if base is not None else None
    for i, item in enumerate(items):
        if isinstance(item, str) and item and base is not None and roots is not None:
            if paths.inside(base / item, roots) is None:
                yield _Problem(
                    ("rules", i), f"rule file {text.quoted(item)} lies outside {roots.describe()}; not read"
                )
            elif not (base / item).is_file():
                yield _Problem(("rules", i), f"rule file {item!r} not found (paths are relative to {base})")
        elif isinstance(item, Mapping):
            category = item.get("category")
            if isinstance(category, str) and category not in categories():
                hint = suggest(category, categories())
                did_you_mean = f" (did you mean {hint!r}?)" if hint else ""
                yield _Problem(
                    ("rules", i, "category"), f"{category!r} is not a taxonomy category{did_you_mean}"
                )


_CHECKS: tuple[_Check, ...] = (_check_targets, _check_deploy, _check_rules)


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
