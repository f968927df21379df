"""matrix/diagnose.py alone: a failed build's log explained (no process runs), and the findings of
every stage settled against what the builds showed."""

from __future__ import annotations

from pathlib import Path

from gocross_action.config import Config, TargetConfig
from gocross_action.findings import Evidence, Finding, Severity
from gocross_action.matrix import build, diagnose
from gocross_action.matrix.work import TargetWork
from gocross_action.targets import Target

HOST = ("linux", "amd64")


def _work(tmp_path: Path, target: str, status: str, log: str) -> TargetWork:
    tc = TargetConfig(target=Target.parse(target))
    job = build.make_job(
        module_dir=tmp_path,
        config=Config(),
        tc=tc,
        base_env={"PATH": "/nonexistent"},
        out_dir=tmp_path / "dist",
        log_dir=tmp_path / "logs",
        name="tool",
    )
    job.log.parent.mkdir(parents=True, exist_ok=True)
    job.log.write_text(log)
    work = TargetWork(tc=tc, job=job)
    work.outcome = build.BuildOutcome(
        job=job, status=status, duration_s=1.0, returncode=int(status != "passed")
    )
    return work


def test_a_log_no_rule_knows_ends_in_its_last_lines(tmp_path: Path) -> None:
    log = "# example.com/tool\nthe compiler said something new\n\nexit status 7\n"
    work = _work(tmp_path, "linux/arm64", "failed", log)
    found = diagnose.failed_builds([work], None, HOST, Config())
    assert [f.rule for f in found] == ["log.build-failed"]
    (last, above) = found[0].evidence
    assert (last.text, last.line) == ("exit status 7", 4)
    assert above.text == "# example.com/tool\nthe compiler said something new"
    assert found[0].target == "linux/arm64"


def test_a_known_error_is_diagnosed_for_its_target(tmp_path: Path) -> None:
    log = '# runtime/cgo\ncgo: C compiler "aarch64-linux-gnu-gcc" not found: exec: no such file\n'
    work = _work(tmp_path, "linux/arm64", "failed", log)
    found = diagnose.failed_builds([work], None, HOST, Config())
    assert [(f.category, f.severity, f.target) for f in found] == [
        ("cgo-no-c-compiler", Severity.ERROR, "linux/arm64")
    ], "the rule's finding, and no fallback beside it"


def test_a_probe_guess_is_no_error_on_a_target_that_built(tmp_path: Path) -> None:
    works = {"windows/amd64": _work(tmp_path, "windows/amd64", "passed", "")}
    guess = Finding(
        rule="probe.cgo.no-compiler",
        category="cgo-no-c-compiler",
        severity=Severity.ERROR,
        target="windows/amd64",
        title="no C compiler for windows/amd64",
        root_cause="CGO_ENABLED=1 but no compiler was found.",
        evidence=(Evidence(source="probe", text="CC unset"),),
    )
    (settled,) = diagnose.probe_guesses_on_passed(works, [guess])
    assert settled.severity is Severity.WARNING
    assert settled.evidence[-1].text == "the build for windows/amd64 passed all the same"
