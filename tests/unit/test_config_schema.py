"""The config file: YAML, schema and value checks report every problem at once, each with its
path and a hint; a valid file becomes a frozen ``Config``."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest

from gocross_action import config, config_reference, config_schema
from gocross_action.data_files import package_file, schema
from gocross_action.errors import ConfigError, InputError
from gocross_action.targets import Target
from tests.conftest import ROOT


def error_of(tmp_path: Path, text: str) -> ConfigError:
    path = tmp_path / "gocross.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    return caught.value


def located_of(tmp_path: Path, text: str) -> list[str]:
    """Each problem as the user reads it, ``line:col: path: message`` (the file name left out)."""
    return [line.removeprefix(f"{tmp_path / 'gocross.yml'}:") for line in error_of(tmp_path, text).located()]


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "gocross.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    error = caught.value
    lines = str(error).splitlines()
    if len(error.problems) == 1:
        assert lines == error.located()
    else:
        count = len(error.problems)
        assert lines == [f"{path}: {count} problems", *(f"  {line}" for line in error.located())]
    return error.problems


def test_config_schema_is_a_valid_draft_2020_12_schema_shipped_in_the_package() -> None:
    assert package_file("schemas", "config.schema.json").is_file()
    jsonschema.Draft202012Validator.check_schema(schema("config"))


def test_three_different_mistakes_are_all_named_with_their_paths(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path,
        "targets:\n  - linux/amd64\n  - {goos: linux, goarch: arm32}\nbuild:\n  ldflag: -s -w\n"
        "deploy: [debain:11]\n",
    )
    assert found[0] == "targets[1].goarch: 'arm32' is not a valid GOARCH (did you mean 'arm'?)"
    assert found[1] == "build.ldflag: unknown key (did you mean 'ldflags'?)"
    assert found[2].startswith(
        "deploy[0]: unknown deploy system 'debain:11' (did you mean 'debian:11'?); known: "
    )
    assert len(found) == 3


def test_unknown_deploy_system_lists_the_known_ones(tmp_path: Path) -> None:
    from gocross_action.deploy import known_names

    (problem,) = problems_of(tmp_path, "deploy: [windows-server]\n")
    assert all(name in problem for name in known_names())


def test_unknown_top_level_key_suggests_the_nearest_known_key(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "fail_on: warning\nrequire_static: true\n") == [
        "fail_on: unknown key (did you mean 'fail-on'?)",
        "require_static: unknown key (did you mean 'require-static'?)",
    ]


def test_unknown_key_without_a_near_one_lists_the_known_keys(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path, "report:\n  colour: red\n")
    assert problem == "report.colour: unknown key; known keys: formats, dir"


def test_problems_come_in_the_order_of_the_file(tmp_path: Path) -> None:
    found = problems_of(tmp_path, "fail-on: sometimes\ntargets: [plan10/amd64]\npackage: ''\n")
    assert [p.split(":")[0] for p in found] == ["fail-on", "targets[0]", "package"]


def test_yaml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    (problem,) = located_of(tmp_path, "targets:\n  - linux/amd64\n fail-on: [error\n")
    assert re.match(r"3:\d+: YAML syntax error: ", problem), problem


def test_a_key_given_twice_is_a_problem_reported_with_the_others(tmp_path: Path) -> None:
    found = located_of(tmp_path, "package: ./a\npackage: ./b\nfail-on: x\n")
    assert found == [
        "2:1: package: key given twice (first on line 1)",
        "3:1: fail-on: 'x' is not one of error, warning, never",
    ]


def test_five_mistakes_are_five_lines_each_at_its_line_and_column(tmp_path: Path) -> None:
    found = located_of(
        tmp_path,
        "targets:\n"
        "  - linux/amd64\n"
        "  - {goos: linux, goarch: arm32}\n"
        "build:\n"
        "  ldflag: -s -w\n"
        '  flags: "-x \'unterminated"\n'
        "deploy: [debain:11]\n"
        "fail-on: sometimes\n",
    )
    assert [line.split(": ")[0] for line in found] == ["3:19", "5:3", "6:3", "7:10", "8:1"]
    assert found[0] == "3:19: targets[1].goarch: 'arm32' is not a valid GOARCH (did you mean 'arm'?)"
    assert found[2] == "6:3: build.flags: cannot be split like a shell would: no closing quotation"


def test_unquoted_glibc_version_explains_the_yaml_number_trap(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path, "glibc-max: 2.30\n")
    assert problem.startswith("glibc-max: expected a string, got the number 2.3 (write the version in quotes")


def test_variant_checks_name_the_variable_and_the_valid_values(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path,
        "targets:\n  - {goos: linux, goarch: arm, goarm: 8}\n  - {goos: linux, goarch: amd64, goarm: 7}\n"
        "  - linux/amd64/v5\n  - {goos: linux, goarch: arm, goarm: 7, variant: '6'}\n",
    )
    assert found == [
        "targets[0].goarm: '8' is not a valid GOARM for arm; valid: 5, 6, 7",
        "targets[1].goarm: GOARM applies to arm, not amd64",
        "targets[2]: 'v5' is not a valid GOAMD64 for amd64 (did you mean 'v4'?); valid: v1, v2, v3, v4",
        "targets[3]: give the variant once, not as variant and goarm",
    ]


def test_a_target_listed_twice_is_a_problem(tmp_path: Path) -> None:
    found = problems_of(tmp_path, "targets: [linux/arm/7, {goos: linux, goarch: arm, goarm: 7}]\n")
    assert found == ["targets[1]: linux/arm/7 is listed twice (also targets[0])"]


def test_wrong_types_say_what_was_expected(tmp_path: Path) -> None:
    found = problems_of(tmp_path, "targets: [42]\nsmoke: 3\nbuild: {trimpath: sure}\n")
    assert found == [
        "targets[0]: expected a string or a mapping, got the number 42",
        "smoke: expected a boolean, a string or a list, got the number 3",
        "build.trimpath: expected true or false, got 'sure'",
    ]


def test_rule_files_are_relative_to_the_config_and_must_exist(tmp_path: Path) -> None:
    (tmp_path / "present.yml").write_text("rules: []\n", encoding="utf-8")
    found = problems_of(
        tmp_path,
        "rules: [present.yml, missing.yml, {id: log.mine, category: cgo-no-compiler, title: t,"
        " severity: error, confidence: 0.5, priority: 10, root_cause: r,"
        " patterns: [{regex: 'mine failed'}], examples: {match: [mine failed], no_match: [ok]}}]\n",
    )
    assert found == [
        f"rules[1]: rule file 'missing.yml' not found (paths are relative to {tmp_path})",
        "rules[2].category: 'cgo-no-compiler' is not a taxonomy category (did you mean 'cgo-no-c-compiler'?)",
    ]


def test_a_config_that_is_not_a_mapping_is_one_problem(tmp_path: Path) -> None:
    assert located_of(tmp_path, "- linux/amd64\n") == [
        "1:1: the config must be a mapping of keys (key: value lines), not a list"
    ]


def test_an_empty_file_means_every_default(tmp_path: Path) -> None:
    path = tmp_path / "gocross.yml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    loaded = config.load(path)
    assert loaded == config.Config(path=path)


def test_a_full_config_becomes_the_config_dataclasses(tmp_path: Path) -> None:
    (tmp_path / "rules.yml").write_text("rules: []\n", encoding="utf-8")
    path = tmp_path / "gocross.yml"
    path.write_text(
        "targets:\n"
        "  - linux/arm/7\n"
        "  - {goos: linux, goarch: arm64, cgo: true, cc: aarch64-linux-gnu-gcc,\n"
        "     env: {CGO_ENABLED: 1, X: y},\n"
        "     tags: 'netgo, osusergo', ldflags: -s, output: app-arm64}\n"
        "  - {goos: linux, goarch: amd64, goamd64: v3}\n"
        "package: ./cmd/app\n"
        "build: {flags: '-buildvcs=false -mod=vendor', tags: [a, b], trimpath: true, out: dist}\n"
        "deploy: [debian:11, {glibc: '2.28'}]\n"
        "glibc-max: '2.31'\n"
        "require-static: true\n"
        "smoke: true\n"
        "verify-fixes: true\n"
        "rules:\n"
        "  - rules.yml\n"
        "  - {id: log.mine, category: other, title: t, severity: error, confidence: 0.5, priority: 10,\n"
        "     root_cause: r, patterns: [{regex: mine failed}],\n"
        "     examples: {match: [mine failed], no_match: [ok]}}\n"
        "report: {formats: [sarif], dir: out}\n"
        "github: {comment: never, check-run: false, check-name: cross, annotations: false}\n"
        "fail-on: warning\n",
        encoding="utf-8",
    )
    c = config.load(path)
    assert [str(t.target) for t in c.targets] == ["linux/arm/7", "linux/arm64", "linux/amd64/v3"]
    arm64 = c.targets[1]
    assert arm64.target == Target(goos="linux", goarch="arm64")
    assert (arm64.cgo, arm64.cc, dict(arm64.env)) == (
        True,
        "aarch64-linux-gnu-gcc",
        {"CGO_ENABLED": "1", "X": "y"},
    )
    assert (arm64.tags, arm64.ldflags, arm64.output) == (("netgo", "osusergo"), "-s", "app-arm64")
    assert c.package == "./cmd/app"
    assert c.build == config.BuildConfig(
        flags=("-buildvcs=false", "-mod=vendor"), tags=("a", "b"), trimpath=True, out="dist"
    )
    assert c.deploy == ("debian:11", {"glibc": "2.28"})
    assert (c.glibc_max, c.require_static, c.smoke, c.verify_fixes) == ("2.31", True, (), True)
    assert c.rules.files == ((tmp_path / "rules.yml").resolve(),)
    assert [r["id"] for r in c.rules.inline] == ["log.mine"]
    assert c.report == config.ReportConfig(formats=("sarif",), dir="out")
    assert c.github == config.GithubConfig(
        comment="never", check_run=False, check_name="cross", annotations=False
    )
    assert c.fail_on == "warning"


def test_smoke_arguments_as_a_string_are_split_like_a_shell() -> None:
    data = {"smoke": "--version 'a b'"}
    assert config_schema.problems(data) == []
    assert config_schema.to_config(data, source=Path("gocross.yml")).smoke == ("--version", "a b")


def test_config_is_discovered_from_the_module_up_to_the_repository_root(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    module = repo / "services" / "api"
    module.mkdir(parents=True)
    (repo / ".git").mkdir()
    (repo / ".github").mkdir()
    (repo / ".github" / "gocross.yml").write_text("fail-on: warning\n", encoding="utf-8")
    (tmp_path / "gocross.yml").write_text("fail-on: never\n", encoding="utf-8")  # outside the repo
    assert config.find_config(module) == repo / ".github" / "gocross.yml"
    assert config.load(None, start=module).fail_on == "warning"
    (repo / ".github" / "gocross.yml").unlink()
    assert config.find_config(module) is None
    assert config.load(None, start=module) == config.Config()


def test_an_unreadable_config_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read config"):
        config.load(tmp_path / "absent.yml")


def readme_section(start: str, end: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text[text.index(start) + len(start) : text.index(end)]


def test_readme_config_reference_lists_exactly_the_schema_keys(update_golden: bool) -> None:
    start, end = "<!-- config-reference-table -->\n", "<!-- /config-reference-table -->"
    if update_golden:
        readme = ROOT / "README.md"
        text = readme.read_text(encoding="utf-8")
        old = readme_section(start, end)
        readme.write_text(
            text.replace(start + old + end, start + config_reference.reference_table() + end), "utf-8"
        )
    table = readme_section(start, end)
    listed = re.findall(r"^\| `([^`]+)` \|", table, flags=re.MULTILINE)
    assert listed == config_reference.key_paths()
    assert table == config_reference.reference_table(), "README config table is stale: pytest --update-golden"


def test_readme_example_config_is_valid(tmp_path: Path) -> None:
    section = readme_section("<!-- config-reference -->", "<!-- config-reference-table -->")
    example = re.search(r"```yaml\n(.*?)```", section, flags=re.DOTALL)
    assert example is not None
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "gocross-rules.yml").write_text("rules: []\n", encoding="utf-8")
    path = tmp_path / "gocross.yml"
    path.write_text(example.group(1), encoding="utf-8")
    loaded = config.load(path)
    keys_used = set(re.findall(r"^([a-z-]+):", example.group(1), flags=re.MULTILINE))
    assert keys_used == {k for k in config_reference.key_paths() if "." not in k and "[" not in k}
    assert len(loaded.targets) == 4


def test_keys_are_read_as_written_not_as_yaml_1_1_booleans(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "on: push\nyes: 1\n") == [
        "on: unknown key; known keys: "
        + ", ".join(k for k in config_reference.key_paths() if "." not in k and "[" not in k),
        "yes: unknown key; known keys: "
        + ", ".join(k for k in config_reference.key_paths() if "." not in k and "[" not in k),
    ]


def test_environment_names_must_be_valid(tmp_path: Path) -> None:
    found = problems_of(tmp_path, "targets:\n  - {goos: linux, goarch: amd64, env: {1BAD: x, GOOD: [1]}}\n")
    assert found == [
        "targets[0].env: '1BAD' is not a valid environment variable name",
        "targets[0].env.GOOD: expected a string, a number or a boolean, got a list",
    ]


def test_every_config_shipped_in_the_repository_is_valid() -> None:
    shipped = [p for folder in ("examples", ".github") for p in (ROOT / folder).rglob("gocross.y*ml")]
    assert shipped, "examples/ holds at least one config"
    for path in shipped:
        config.load(path)


def test_under_actions_each_config_problem_is_an_error_annotation_at_its_line_and_column(
    tmp_path: Path,
) -> None:
    from gocross_action.action import config_error_commands

    (tmp_path / ".github").mkdir()
    path = tmp_path / ".github" / "gocross.yml"
    path.write_text("fail-on: soon\ntargets: [linux/arm32]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    error = caught.value
    lines = config_error_commands(error, workspace=str(tmp_path))
    assert lines == [
        f"::error file=.github/gocross.yml,line=1,col=1::gocross: {path}:1:1: "
        "fail-on: 'soon' is not one of error, warning, never",
        f"::error file=.github/gocross.yml,line=2,col=11::gocross: {path}:2:11: "
        "targets[0]: 'arm32' is not a valid GOARCH (did you mean 'arm'?)",
    ]
