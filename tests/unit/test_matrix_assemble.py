"""matrix/assemble.py alone: the report of a run whose stages are done (no process runs)."""

from __future__ import annotations

from pathlib import Path

from gocross_action.boundary import paths
from gocross_action.config import Config, TargetConfig
from gocross_action.matrix import assemble, build, plan
from gocross_action.matrix.ports import Port, Ports
from gocross_action.matrix.timings import Timings
from gocross_action.output import ReportDir
from gocross_action.report.model import Report
from gocross_action.targets import Target


def _run(module: Path, report_dir: ReportDir | None = None) -> plan.Plan:
    (module / "go.mod").write_text("module example.com/tool\n\ngo 1.22\n")
    settings = _settings(module, report_dir)
    ports = Ports(
        go_version="go1.26.0",
        by_pair={"linux/amd64": Port(goos="linux", goarch="amd64", cgo=True, first_class=True)},
    )
    made = plan.make(settings, Config(), ports, ("linux", "amd64"))
    job = made.works["linux/amd64"].job
    job.output.parent.mkdir(parents=True)
    job.output.write_bytes(b"\x7fELF")
    job.log.parent.mkdir(parents=True)
    job.log.write_text("built\n")
    made.works["linux/amd64"].outcome = build.BuildOutcome(
        job=job, status="passed", duration_s=0.5, returncode=0
    )
    return made


def _settings(module: Path, report_dir: ReportDir | None = None) -> plan.Settings:
    return plan.Settings(
        module_dir=module,
        targets=(
            TargetConfig(target=Target.parse("linux/amd64")),
            TargetConfig(target=Target.parse("plan9/arm")),
        ),
        deploy=(),
        glibc_max=None,
        require_static=False,
        smoke_args=None,
        verify_fixes=False,
        workers=2,
        env={},
        report_dir=report_dir,
    )


def _report(module: Path, made: plan.Plan, report_dir: ReportDir | None = None) -> Report:
    return assemble.report(
        settings=_settings(module, report_dir),
        config=Config(),
        plan=made,
        findings=list(made.findings),
        environment={},
        go_version="go1.26.0",
        attempts=None,
        timings=Timings(),
        repo_root=None,
    )


def test_paths_inside_the_module_are_relative_to_it(tmp_path: Path) -> None:
    made = _run(tmp_path)
    report = _report(tmp_path, made)
    by_target = {t.target: t for t in report.targets}
    assert (by_target["linux/amd64"].status, by_target["plan9/arm"].status) == ("passed", "skipped")
    assert by_target["linux/amd64"].binary == ".gocross/dist/tool_linux_amd64"
    assert by_target["linux/amd64"].log == ".gocross/logs/linux_amd64.log"
    build_facts = report.environment["build"]
    assert build_facts["targets"]["linux/amd64"]["command"] == "go build -o .gocross/dist/tool_linux_amd64 ."
    assert build_facts["out"] == ".gocross/dist"
    assert "plan9/arm" in {f.target for f in report.findings}, "the port finding reaches the report"
    assert report.context.go_mod == "go.mod"
    assert "verify-fixes" not in report.environment


def test_logs_are_copied_into_the_report_directory(tmp_path: Path) -> None:
    made = _run(tmp_path)
    out = tmp_path / "report"
    report = _report(tmp_path, made, ReportDir(path=out, roots=paths.roots(tmp_path)))
    assert (out / "logs" / "linux_amd64.log").read_text() == "built\n"
    assert report.targets[0].log == "report/logs/linux_amd64.log"


def test_the_manifest_records_what_the_builds_wrote(tmp_path: Path) -> None:
    made = _run(tmp_path)
    assemble.record_outputs(made)
    again = build.Manifest.load(made.out_dir, paths.roots(tmp_path))
    assert again.may_write(made.works["linux/amd64"].job.output)
    assert (made.out_dir / build.MANIFEST).is_file()
