"""``gocross diagnose`` without ``--target``: the target the log names (GOOS/GOARCH, go build's
-o file name, a compiler's GNU triplet), else only what is known, never a guessed system."""

from __future__ import annotations

from gocross_action.diagnose.engine import diagnose_lines
from gocross_action.diagnose.facts import Facts, target_in_compiler, target_in_file_name
from gocross_action.diagnose.rules import load_rules
from gocross_action.targets import Target

RULES = load_rules()
STAT_T = "./main.go:11:27: undefined: syscall.Stat_t"


def test_goos_and_goarch_on_the_command_line_name_the_target() -> None:
    [finding] = diagnose_lines(
        ["$ GOOS=windows GOARCH=386 go build -o app.exe .", STAT_T], facts=Facts(), rules=RULES
    )
    assert finding.target == "windows/386"
    assert finding.title == "syscall.Stat_t does not exist for windows/386"


def test_the_output_file_name_of_go_build_names_the_target() -> None:
    [finding] = diagnose_lines(["+ go build -o dist/app-linux-arm64 .", STAT_T], facts=Facts(), rules=RULES)
    assert finding.target == "linux/arm64"
    assert finding.fix is not None
    assert "//go:build !linux" in finding.fix.snippets[0].code
    assert "windows" not in finding.fix.snippets[0].code


def test_a_missing_cross_compiler_names_its_target_and_the_cross_package_not_the_host_gcc() -> None:
    line = (
        'cgo: C compiler "aarch64-linux-gnu-gcc-99" not found: '
        'exec: "aarch64-linux-gnu-gcc-99": executable file not found in $PATH'
    )
    [finding] = diagnose_lines([line], facts=Facts(), rules=RULES)
    assert finding.target == "linux/arm64"
    assert finding.fix is not None
    code = "".join(s.code for s in finding.fix.snippets)
    assert "gcc-aarch64-linux-gnu" in code
    assert "install -y gcc libc6-dev" not in code


def test_without_a_named_target_the_report_says_what_is_known_and_assumes_no_system() -> None:
    [finding] = diagnose_lines(["# example.com/app", STAT_T], facts=Facts(), rules=RULES)
    assert finding.target is None
    assert "?" not in finding.title
    assert finding.title == "syscall.Stat_t does not exist for the target"
    assert finding.fix is not None
    assert not finding.fix.snippets  # a build constraint would have to guess the system
    assert "windows" not in finding.fix.summary.lower()


def test_a_given_target_wins_over_what_the_log_names() -> None:
    facts = Facts(target=Target.parse("darwin/arm64"))
    [finding] = diagnose_lines(["+ go build -o app-linux-arm64 .", STAT_T], facts=facts, rules=RULES)
    assert finding.target == "darwin/arm64"


def test_a_line_is_listed_once_even_when_two_matches_share_it() -> None:
    log = ["# runtime/cgo", "gcc: error: unrecognized command-line option '-m32'", "exit status 2"]
    for finding in diagnose_lines(log * 2, facts=Facts(), rules=RULES):
        shown = [(e.line, e.text) for e in finding.evidence]
        assert len(shown) == len(set(shown)), finding.rule
        texts = [e.text for e in finding.evidence]
        assert texts.count("gcc: error: unrecognized command-line option '-m32'") <= 2


def test_file_names_and_triplets_that_name_targets() -> None:
    assert target_in_file_name("hello_windows_amd64.exe") == Target(goos="windows", goarch="amd64")
    assert target_in_file_name("./bin/app-darwin-arm64") == Target(goos="darwin", goarch="arm64")
    assert target_in_file_name("app") is None
    assert target_in_compiler("x86_64-w64-mingw32-gcc") == Target(goos="windows", goarch="amd64")
    assert target_in_compiler("/usr/bin/arm-linux-gnueabihf-gcc -march=armv7") == Target(
        goos="linux", goarch="arm"
    )
    assert target_in_compiler("gcc") is None
    assert target_in_compiler("clang") is None


def test_a_title_says_the_target_not_a_question_mark_when_the_log_names_none() -> None:
    log = ["# example.com/app", "package example.com/app: build constraints exclude all Go files in /src/app"]
    for finding in diagnose_lines(log, facts=Facts(), rules=RULES):
        assert "?" not in finding.title and "(unknown)" not in finding.title
