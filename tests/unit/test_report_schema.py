"""The shipped report schema (schemas/report.schema.json): every report the renderers and the
model produce validates, and what breaks the contract does not."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from gocross_action.data_files import package_file, schema
from gocross_action.findings import categories
from gocross_action.report.model import Context, Report, merge
from gocross_action.report.render import render
from tests.report_schema import assert_valid_report, report_problems
from tests.sample_reports import SAMPLES, check_failed, inspect_run


def test_report_schema_is_a_valid_draft_2020_12_schema_shipped_in_the_package() -> None:
    assert package_file("schemas", "report.schema.json").is_file()
    jsonschema.Draft202012Validator.check_schema(schema("report"))


def test_schema_categories_are_exactly_the_taxonomy() -> None:
    enum = schema("report")["$defs"]["finding"]["properties"]["category"]["enum"]
    assert enum == list(categories())


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_json_renderer_output_validates(name: str) -> None:
    assert_valid_report(json.loads(render(SAMPLES[name](), "json")))


def test_a_report_read_back_and_merged_still_validates() -> None:
    reports = [Report.from_json(json.loads(render(build(), "json"))) for build in SAMPLES.values()]
    merged = merge(reports, context=Context(command="aggregate"))
    assert_valid_report(merged.to_json())
    assert len(merged.findings) == sum(len(r.findings) for r in reports)


def test_an_empty_report_validates() -> None:
    assert_valid_report(Report.build(context=Context(command="probe")).to_json())


def _broken(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(check_failed().to_json())
    node = data
    for part in path[:-1]:
        node = node[part]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("findings", 0, "category"), "cgo-missing"),
        (("findings", 0, "severity"), "fatal"),
        (("findings", 0, "rule"), "cgo-cc-not-found"),
        (("findings", 0, "target"), "linux-amd64"),
        (("findings", 0, "confidence"), 1.5),
        (("findings", 0, "title"), "two\nlines"),
        (("findings", 0, "root_cause"), KeyError),
        (("findings", 0, "surprise"), True),
        (("findings", 0, "evidence", 0, "source"), "stdout"),
        (("findings", 0, "fix", "verified"), "yes"),
        (("targets", 0, "status"), "ok"),
        (("binaries", 0, "format"), "exe"),
        (("binaries", 0, "glibc_required"), "GLIBC_2.34"),
        (("binaries", 0, "needed"), KeyError),
        (("environment", "cgo", "status"), "bad"),
        (("schema_version",), 2),
    ],
)
def test_schema_rejects_a_report_that_breaks_the_contract(path: tuple[Any, ...], value: Any) -> None:
    assert report_problems(_broken(path, value))
    with pytest.raises(AssertionError, match="report does not match"):
        assert_valid_report(_broken(path, value))


def test_binaries_from_inspect_follow_the_issue_3_keys() -> None:
    required = set(schema("report")["$defs"]["binary"]["required"])
    assert required == {
        "path",
        "format",
        "goos",
        "goarch",
        "variant",
        "bits",
        "endian",
        "linkage",
        "interpreter",
        "needed",
        "glibc_required",
        "pie",
        "stripped",
        "error",
        "go",
    }
    for binary in inspect_run().to_json()["binaries"]:
        assert required <= set(binary)


def test_binaries_read_by_the_inspector_validate(tmp_path: Path) -> None:
    """The inspector's ``BinaryInfo.to_json`` on real files: this interpreter's own ELF
    executable, and a file that is no binary at all."""
    from gocross_action.inspect import read

    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a binary\n", encoding="utf-8")
    binaries = [read(Path(sys.executable).resolve()).to_json(), read(text_file).to_json()]
    assert binaries[0]["format"] == "elf" and binaries[1]["error"]
    report = Report.build(context=Context(command="inspect"), binaries=binaries).to_json()
    assert_valid_report(report)
