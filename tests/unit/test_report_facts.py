"""What the text and Markdown reports show of what gocross learned: a compact line per stage
and target, the probes' facts, where a setting came from, and every file's fate."""

from __future__ import annotations

import dataclasses

from gocross_action.findings import Evidence
from gocross_action.report import markdown, text
from gocross_action.targets import display_name
from tests.sample_reports import SAMPLES, check_failed, diagnose_run, inspect_run, probe_run


def test_check_text_shows_inspect_smoke_and_fix_verification_per_target() -> None:
    out = text.render(check_failed())
    amd64 = out.split("  linux/amd64")[1].split("  linux/arm64")[0]
    assert "inspect  ELF linux/amd64, dynamic, needs GLIBC_2.34, go1.26.0" in amd64
    assert "smoke    exit 0 natively: ::set-env name=X::1 hello 1.0" in amd64
    arm64 = out.split("  linux/arm64")[1].split("  windows/amd64")[0]
    assert "build    failed: The C cross compiler aarch64-linux-gnu-gcc is not installed" in arm64
    assert "fix      rebuilt with CC=aarch64-linux-gnu-gcc: passed: the fix is verified" in arm64


def test_quiet_check_text_keeps_the_facts_table_for_verbose() -> None:
    report = check_failed()
    assert "All environment facts" not in text.render(report)
    assert "GOMODCACHE" not in text.render(report)
    verbose = text.render(report, verbose=True)
    assert "cache.gomodcache" in verbose and "GOMODCACHE   /home/dev/go/pkg/mod" in verbose
    assert "[ran /work/app/.gocross/dist/hello_linux_amd64 --version]" in verbose


def test_probe_text_shows_go_compilers_libc_emulation_proxy_and_caches() -> None:
    out = text.render(probe_run())
    for fact in (
        "Go           go1.26.0 (/usr/local/go); go.mod: go 1.22",
        "host libc    glibc 2.36 (debian 12)",
        "emulation    binfmt_misc: 1 entry",
        "GOPROXY      https://proxy.golang.org,direct (from $GOROOT/go.env)",
        "GOCACHE      /home/dev/.cache/go-build (go's default)",
    ):
        assert fact in out
    row = next(line for line in out.splitlines() if line.startswith("  linux/arm64"))
    assert "builds for x86_64-linux-gnu (does not fit)" in row and "binfmt_misc qemu-aarch64" in row
    assert "No problems found." not in out


def test_a_finding_names_the_file_its_setting_comes_from() -> None:
    out = text.render(probe_run())
    assert (
        "settings: CGO_ENABLED=1 (from cgo: in gocross.yml); CC=gcc (from go env -w in ~/.config/go/env)"
        in out
    )
    md = markdown.render(probe_run())
    assert "`CC=gcc` (from go env -w in ~/.config/go/env)" in md


def test_a_finding_without_recorded_settings_shows_none() -> None:
    assert "settings:" not in text.render(diagnose_run())


def test_verbose_shows_every_evidence_line() -> None:
    quiet, verbose = text.render(diagnose_run()), text.render(diagnose_run(), verbose=True)
    assert "line 21:" not in quiet and "1 more evidence line(s) (--verbose shows them)" in quiet
    assert "line 21:" in verbose and "more evidence" not in verbose


def test_inspect_text_says_what_happened_to_each_file() -> None:
    out = text.render(inspect_run())
    assert "dist/README: not inspected: not an executable" in out
    assert "::error::missing: not inspected: cannot read: No such file or directory" in out
    assert out.rstrip().endswith("2 of 3 file(s) could not be inspected")


def test_under_actions_no_line_is_a_workflow_command_except_the_reports_own_folds() -> None:
    for name, build in SAMPLES.items():
        report = build()
        if report.binaries:
            hostile = (
                dataclasses.replace(
                    report.findings[0], evidence=(Evidence(source="log", text="x\n::set-env name=A::1"),)
                )
                if report.findings
                else None
            )
            if hostile:
                report = dataclasses.replace(report, findings=(hostile, *report.findings[1:]))
        out = text.render(report, verbose=True, actions=True, color=True)
        commands = [line for line in out.splitlines() if line.lstrip().startswith("::")]
        assert set(commands) <= {"::group::All environment facts", "::endgroup::"}, name


def test_one_naming_rule_leaves_out_the_default_variant_only() -> None:
    assert display_name("linux", "amd64", "v1") == "linux/amd64"
    assert display_name("darwin", "arm64", "v8.0") == "darwin/arm64"
    assert display_name("linux", "amd64", "v3") == "linux/amd64/v3"
    assert display_name("linux", "arm", "6") == "linux/arm/6"
    assert display_name(None, "arm", None) is None


def test_merged_matrix_reports_keep_every_jobs_smoke_runs_and_build_commands() -> None:
    from gocross_action.report.model import Context, Report, TargetResult, merge

    def job(target: str) -> Report:
        return Report.build(
            context=Context(command="check"),
            targets=[TargetResult(target=target, status="passed", duration_s=1.0)],
            environment={
                "build": {"jobs": 2, "targets": {target: {"command": f"go build # {target}", "env": {}}}},
                "smoke": {target: {"how": "native", "exit_code": 0, "problem": None, "output": target}},
            },
        )

    merged = merge([job("linux/amd64"), job("linux/arm64")], context=Context(command="aggregate"))
    assert set(merged.environment["smoke"]) == {"linux/amd64", "linux/arm64"}
    assert set(merged.environment["build"]["targets"]) == {"linux/amd64", "linux/arm64"}
    out = text.render(merged)
    assert "smoke    exit 0 natively: linux/amd64" in out and "smoke    exit 0 natively: linux/arm64" in out
