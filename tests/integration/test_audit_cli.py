"""`gocross audit` as a user runs it: the real CLI in a subprocess."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import ROOT, run_gocross
from tests.report_schema import assert_valid_report

CORPUS = ROOT / "tests" / "audit" / "testdata"


def test_audit_of_this_repository_reports_no_error() -> None:
    done = run_gocross(["audit", str(ROOT), "--format", "json"])
    assert done.code == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert_valid_report(report)
    assert report["context"]["command"] == "audit"
    assert [f for f in report["findings"] if f["severity"] == "error"] == []
    audit = report["environment"]["audit"]
    assert "Dockerfile" in audit["dockerfiles"]
    assert ".github/workflows/ci.yml" in audit["workflows"]
    assert audit["skipped"] == []


def test_a_bad_dockerfile_fails_the_audit_with_its_location_in_sarif(tmp_path: Path) -> None:
    case = CORPUS / "bad-glibc-newer-than-runtime"
    done = run_gocross(["audit", str(case), "--format", "sarif"])
    assert done.code == 1, done.stderr
    sarif = json.loads(done.stdout)
    (result,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "audit.dockerfile.glibc-too-new"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("Dockerfile")
    assert location["region"]["startLine"] == 8


def test_the_effective_go_settings_name_the_layer_each_came_from(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".config" / "go").mkdir(parents=True)
    (home / ".config" / "go" / "env").write_text("GOARCH=arm64\nGOFLAGS=-mod=mod\n", encoding="utf-8")
    repo = tmp_path / "repo"
    repo.mkdir()
    done = run_gocross(
        ["audit", str(repo), "--targets", "linux/amd64,windows/amd64", "--format", "json"],
        env={"HOME": str(home), "XDG_CONFIG_HOME": "", "GOENV": "", "CGO_ENABLED": "0"},
    )
    assert done.code == 0, done.stderr
    report = json.loads(done.stdout)
    settings = report["environment"]["audit"]["go_settings"]["linux/amd64"]
    assert settings["GOARCH"] == {"value": "amd64", "from": "target"}
    assert settings["GOFLAGS"] == {"value": "-mod=mod", "from": "go env -w file"}
    assert settings["CGO_ENABLED"] == {"value": "0", "from": "environment"}
    assert report["environment"]["audit"]["go_settings"]["windows/amd64"]["GOOS"]["value"] == "windows"
    (left_over,) = [f for f in report["findings"] if f["title"].startswith("go env -w GOARCH")]
    assert left_over["severity"] == "warning"


def test_audit_of_a_missing_directory_is_a_one_line_error(tmp_path: Path) -> None:
    done = run_gocross(["audit", str(tmp_path / "nowhere")])
    assert done.code == 2
    assert done.stderr.strip().count("\n") == 0
    assert "is not a directory" in done.stderr
