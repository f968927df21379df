"""Facts outrank guesses: a probe fact that explains a log's lines replaces the log rule's guess,
and a fix whose precondition is already met is never the top fix."""

from __future__ import annotations

from gocross_action.diagnose.explain import assembler_too_old, host_paths
from gocross_action.diagnose.preconditions import already_met, apt_packages, demote_met
from gocross_action.findings import Changes, Evidence, Finding, Fix, Severity, Snippet, order

LOG_LINE = Evidence(source="log", text="./main.go:5:27: undefined: uptime", line=2)


def _finding(
    rule: str, category: str, *, evidence: tuple[Evidence, ...], priority: int = 50, fix: Fix | None = None
) -> Finding:
    return Finding(
        rule=rule,
        category=category,
        severity=Severity.ERROR,
        target="windows/amd64",
        title=rule,
        root_cause="cause",
        evidence=evidence,
        priority=priority,
        fix=fix,
    )


def test_a_log_guess_resting_only_on_lines_a_fact_explains_is_dropped() -> None:
    guess = _finding(
        "log.cgo.undefined-cgo-symbol", "cgo-required-but-disabled", evidence=(LOG_LINE,), priority=45
    )
    fact = _finding(
        "probe.filesets.excluded-file",
        "build-constraints",
        evidence=(LOG_LINE, Evidence(source="probe", text="go list: uptime_linux.go ignored")),
        priority=88,
    )
    assert [f.rule for f in order([guess, fact])] == ["probe.filesets.excluded-file"]


def test_a_log_finding_with_lines_the_fact_does_not_explain_stays() -> None:
    other = Evidence(source="log", text="./main.go:9:1: undefined: other", line=3)
    guess = _finding("log.cgo.undefined-cgo-symbol", "cgo-required-but-disabled", evidence=(LOG_LINE, other))
    fact = _finding("probe.filesets.excluded-file", "build-constraints", evidence=(LOG_LINE,), priority=88)
    assert {f.rule for f in order([guess, fact])} == {
        "log.cgo.undefined-cgo-symbol",
        "probe.filesets.excluded-file",
    }


CROSS_FIX = Fix(
    summary="Install gcc-aarch64-linux-gnu and set CC",
    snippets=(
        Snippet(
            language="bash", code="sudo apt-get update && sudo apt-get install -y gcc-aarch64-linux-gnu\n"
        ),
    ),
    changes=Changes(env={"CC": "aarch64-linux-gnu-gcc"}),
)


def test_a_fix_already_in_place_is_recognised() -> None:
    env = {"CC": "aarch64-linux-gnu-gcc"}
    assert apt_packages(CROSS_FIX) == ["gcc-aarch64-linux-gnu"]
    why = already_met(CROSS_FIX, env, installed=lambda p: True)
    assert why is not None and "CC is already aarch64-linux-gnu-gcc" in why and "installed" in why
    assert already_met(CROSS_FIX, env, installed=lambda p: False) is None
    assert already_met(CROSS_FIX, {"CC": "gcc"}, installed=lambda p: True) is None


def test_a_fix_of_prose_steps_is_never_judged_already_in_place() -> None:
    install_and_link = Fix(
        summary="Use one mingw-w64 toolchain and link the missing import library",
        snippets=(Snippet(language="bash", code="sudo apt-get install -y gcc-mingw-w64-x86-64\n"),),
    )
    assert already_met(install_and_link, {}, installed=lambda p: True) is None


def test_a_fix_already_in_place_is_never_the_top_fix() -> None:
    met = _finding(
        "log.cgo.host-assembler", "cgo-wrong-compiler", evidence=(LOG_LINE,), priority=80, fix=CROSS_FIX
    )
    other = _finding(
        "log.cgo.missing-crt", "cgo-headers-libs", evidence=(LOG_LINE,), priority=40, fix=Fix(summary="x")
    )
    ranked = order(
        demote_met([met, other], {"windows/amd64": {"CC": "aarch64-linux-gnu-gcc"}}, installed=lambda p: True)
    )
    assert ranked[0].rule == "log.cgo.missing-crt"
    assert ranked[-1].fix is not None and ranked[-1].fix.summary.startswith("Already in place here")


def test_host_include_paths_the_failing_lines_come_from_become_the_error() -> None:
    warning = Finding(
        rule="probe.cgo.host-paths",
        category="cgo-headers-libs",
        severity=Severity.WARNING,
        target="linux/arm64",
        title="cgo flags for linux/arm64 point at the build machine's own headers or libraries",
        root_cause="cause.",
        evidence=(Evidence(source="probe", text="CGO_CFLAGS: /usr/include/x86_64-linux-gnu"),),
    )
    log = (
        "# runtime/cgo\n"
        "/usr/include/x86_64-linux-gnu/gnu/stubs.h:7:11: "
        "fatal error: gnu/stubs-32.h: No such file or directory\n"
    )
    promoted = host_paths(warning, log)
    assert promoted is not None and promoted.severity is Severity.ERROR
    assert any(e.source == "log" and e.line == 2 for e in promoted.evidence)
    assert host_paths(warning, "# runtime/cgo\nsomething else failed\n") is None


def test_an_assembler_older_than_the_architecture_is_a_version_gap() -> None:
    assembler = {"path": "/usr/bin/aarch64-linux-gnu-as", "version": "2.40", "banner": "GNU assembler 2.40"}
    log = (
        "# example.com/asm\nanswer.S: Assembler messages:\n"
        "answer.S:1: Error: unknown architecture `armv9.4-a'\n"
    )
    found = assembler_too_old("linux/arm64", assembler, "aarch64-linux-gnu-gcc", log)
    assert found is not None
    assert found.category == "cgo-wrong-compiler"
    assert "2.40" in found.title and "binutils 2.41" in found.root_cause
    assert found.fix is not None and found.fix.changes is None  # not "set CC" to what it already is
    newer = {**assembler, "version": "2.42"}
    assert assembler_too_old("linux/arm64", newer, "aarch64-linux-gnu-gcc", log) is None
