"""Validate any report a test writes against the shipped ``schemas/report.schema.json``.

from tests.report_schema import assert_valid_report
assert_valid_report(json.loads(path.read_text()))
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema

from gocross_action.data_files import schema


@cache
def _validator() -> jsonschema.Draft202012Validator:
    report_schema = schema("report")
    jsonschema.Draft202012Validator.check_schema(report_schema)
    return jsonschema.Draft202012Validator(report_schema, format_checker=jsonschema.FormatChecker())


def report_problems(data: Any) -> list[str]:
    """Every schema violation, as ``$.json.path: message``."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{e.json_path}: {e.message}" for e in errors]


def assert_valid_report(data: Any) -> None:
    """Fail with every violation listed when ``data`` is not a valid gocross JSON report."""
    problems = report_problems(data)
    assert not problems, "report does not match schemas/report.schema.json:\n  " + "\n  ".join(problems)
