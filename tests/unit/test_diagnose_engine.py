"""From matched lines to findings: one per root cause, the decisive cause first, no errors for
successful builds, fixes that fit the target, source locations, bounded memory."""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path

import pytest

from gocross_action.diagnose.engine import KEEP_PER_RULE, diagnose_file, diagnose_lines, location, scan
from gocross_action.diagnose.facts import Facts
from gocross_action.diagnose.rules import load_rules
from gocross_action.findings import Severity
from gocross_action.targets import Target
from tests.conftest import CORPUS

RULES = load_rules()
CC_MISSING = 'cgo: C compiler "{cc}" not found: exec: "{cc}": executable file not found in $PATH'

SUCCESSFUL_BUILD = """\
WORK=/tmp/go-build806061468
$ go env
GOARCH='amd64'
GOOS='linux'
CGO_ENABLED='1'
CC='gcc'
GOFLAGS='-buildvcs=false'
mkdir -p $WORK/b001/
cat >/tmp/go-build806061468/b001/importcfg << 'EOF' # internal
packagefile errors=/tmp/go-build806061468/b003/_pkg_.a
packagefile internal/errors=/tmp/go-build806061468/b004/_pkg_.a
EOF
cd /home/runner/work/app/app
/usr/local/go/pkg/tool/linux_amd64/compile -o $WORK/b001/_pkg_.a -trimpath "$WORK/b001=>" ./errors.go
TERM='dumb' CGO_ENABLED=1 gcc -I . -fPIC -m64 -pthread -O2 -Wall -Werror -c gcc_linux_amd64.c
/usr/local/go/pkg/tool/linux_amd64/link -o $WORK/b001/exe/a.out -importcfg $WORK/b001/importcfg.link
# undefined behaviour sanitizer disabled; static checks passed; no errors found
mv $WORK/b001/exe/a.out app
ok  \texample.com/app\t0.012s
"""


def test_a_successful_build_log_yields_no_error_finding() -> None:
    findings = diagnose_lines(SUCCESSFUL_BUILD.splitlines(), facts=Facts(), rules=RULES)
    assert [f for f in findings if f.severity is Severity.ERROR] == []


def test_repeated_lines_make_one_finding_with_a_count() -> None:
    line = "failed to initialize build cache at /.cache/go-build: mkdir /.cache: permission denied"
    findings = diagnose_lines([line] * 30, facts=Facts(), rules=RULES)
    assert len(findings) == 1
    assert "more matching line" in findings[0].root_cause
    assert len(findings[0].evidence) == 1


def test_the_cascade_after_a_cause_is_collapsed_into_it() -> None:
    log = [
        "ld.exe: skipping incompatible /mingw/lib/libiconv.a when searching for -liconv",
        "ld.exe: cannot find -liconv",
        "collect2.exe: error: ld returned 1 exit status",
        "##[error]Process completed with exit code 1.",
    ]
    findings = diagnose_lines(log, facts=Facts(), rules=RULES)
    assert [f.category for f in findings] == ["cgo-wrong-compiler"]


def test_symptom_rules_speak_only_when_no_cause_is_known() -> None:
    alone = diagnose_lines(["##[error]Process completed with exit code 1."], facts=Facts(), rules=RULES)
    assert [f.rule for f in alone] == ["log.other.build-failed"]


def test_the_decisive_cause_comes_first() -> None:
    log = [
        "Package devmapper was not found in the pkg-config search path.",
        "No package 'devmapper' found",
        "/usr/local/go/pkg/tool/linux_riscv64/link: signal: killed",
    ]
    findings = diagnose_lines(log, facts=Facts(), rules=RULES)
    assert [f.category for f in findings] == ["resources-oom", "cgo-headers-libs"]


def test_exec_format_error_is_emulation_inside_an_image_build_and_a_wrong_binary_elsewhere() -> None:
    error = 'standard_init_linux.go:178: exec user process caused "exec format error"'
    build = diagnose_lines(["Step 2/2 : RUN apk add --no-cache bash", error], facts=Facts(), rules=RULES)
    run = diagnose_lines(["docker run --rm -it app", error], facts=Facts(), rules=RULES)
    assert build[0].category == "binfmt-qemu"
    assert run[0].category == "exec-format-error"


def test_go_compiler_errors_get_a_location_relative_to_the_module_root() -> None:
    findings = diagnose_lines(
        ["# example.com/app", "./main.go:11:27: undefined: syscall.Stat_t"],
        facts=Facts(target=Target.parse("windows/amd64")),
        rules=RULES,
    )
    assert findings[0].category == "platform-api"
    loc = findings[0].evidence[0].location
    assert loc is not None and (loc.path, loc.line, loc.column) == ("main.go", 11, 27)


def test_locations_are_prefixed_with_the_module_directory_and_skip_other_peoples_code() -> None:
    facts = Facts()
    loc = location("pkg/x.go:3:5: undefined: unix.Kill", facts=facts, prefix="tools/cli")
    assert loc is not None and loc.path == "tools/cli/pkg/x.go"
    ws = location("/home/runner/work/app/app/cmd/main.go:7:2: boom", facts=facts)
    assert ws is not None and ws.path == "cmd/main.go"
    assert location("/go/pkg/mod/github.com/x/y@v1/z.go:1:1: boom", facts=facts) is None
    assert location("../../other/z.go:1:1: boom", facts=facts) is None


@pytest.mark.parametrize(
    ("target", "package", "cc"),
    [
        ("linux/arm64", "gcc-aarch64-linux-gnu", "aarch64-linux-gnu-gcc"),
        ("linux/arm/6", "gcc-arm-linux-gnueabi", "arm-linux-gnueabi-gcc"),
        ("windows/amd64", "gcc-mingw-w64-x86-64", "x86_64-w64-mingw32-gcc"),
    ],
)
def test_missing_compiler_fix_names_the_cross_compiler_for_the_target(
    target: str, package: str, cc: str
) -> None:
    line = CC_MISSING.format(cc=cc)
    findings = diagnose_lines([line], facts=Facts(target=Target.parse(target)), rules=RULES)
    fix = findings[0].fix
    assert fix is not None and fix.changes is not None
    assert fix.changes.env["CC"] == cc
    bash = "".join(s.code for s in fix.snippets if s.language == "bash")
    assert f"apt-get install -y {package}" in bash
    assert "zig cc -target" in "".join(s.code for s in fix.snippets if s.language == "yaml")


def test_facts_come_from_the_command_line_the_log_shows() -> None:
    log = ["$ env GOOS=linux GOARCH=arm GOARM=6 go build ./...", "x.go:3:5: undefined: ioctl"]
    findings = diagnose_lines(log, facts=Facts(), rules=RULES)
    assert findings[0].category == "cgo-required-but-disabled"
    fix = findings[0].fix
    assert fix is not None and "gcc-arm-linux-gnueabi" in fix.snippets[0].code


def test_cgo_enabled_in_the_log_turns_undefined_names_into_plain_compile_errors() -> None:
    log = ["CGO_ENABLED=1 go build ./...", "x.go:3:5: undefined: ioctl"]
    findings = diagnose_lines(log, facts=Facts(), rules=RULES)
    assert [f.category for f in findings] == ["other"]


def test_dubious_ownership_fix_marks_the_captured_directory_safe() -> None:
    log = ["fatal: detected dubious ownership in repository at '/__w/app/app'"]
    fix = diagnose_lines(log, facts=Facts(), rules=RULES)[0].fix
    assert fix is not None
    assert any("safe.directory /__w/app/app" in s.code for s in fix.snippets)
    assert fix.changes is not None and fix.changes.flags == ("-buildvcs=false",)


def test_a_multi_line_window_needs_its_second_line_within_reach() -> None:
    near = diagnose_lines(["# runtime/cgo", "gcc: error: odd failure"], facts=Facts(), rules=RULES)
    gap = ["..."] * 5
    far = diagnose_lines(["# runtime/cgo", *gap, "gcc: error: odd failure"], facts=Facts(), rules=RULES)
    assert near[0].rule == "log.cgo.runtime-cgo-compile-failed"
    assert [e.line for e in near[0].evidence] == [1, 2]
    assert all(f.rule != "log.cgo.runtime-cgo-compile-failed" for f in far)


def test_memory_stays_bounded_on_a_large_log(tmp_path: Path) -> None:
    log = tmp_path / "big.log"
    with log.open("w") as out:
        for i in range(200):
            out.write(SUCCESSFUL_BUILD * 200)
            out.write(f"/usr/local/go/pkg/tool/linux_amd64/link: signal: killed {i}\n")
    size = log.stat().st_size
    tracemalloc.start()
    with log.open("rb") as stream:
        result = scan(stream, RULES)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert size > 30_000_000
    assert peak < 40_000_000
    assert sum(len(h) for h in result.hits.values()) <= KEEP_PER_RULE * len(result.hits)
    assert max(result.counts.values()) == 200


def test_scanning_a_stream_and_a_file_agree() -> None:
    data = SUCCESSFUL_BUILD.encode() + b"/usr/local/go/pkg/tool/linux_amd64/link: signal: killed\n"
    result = scan(io.BytesIO(data), RULES)
    assert [h.line for hits in result.hits.values() for h in hits] == [SUCCESSFUL_BUILD.count("\n") + 1]


@pytest.mark.skipif(
    not (CORPUS / "labels.json").exists(), reason="the shared corpus is beside the repository in CI"
)
def test_corpus_logs_get_their_labelled_category_first() -> None:
    labels = json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))
    misses = []
    for entry in labels:
        target = Target.parse(entry["target"]) if entry.get("target") else None
        findings = diagnose_file(CORPUS / entry["file"], facts=Facts(target=target), rules=RULES)
        first = next((f.category for f in findings if f.severity is not Severity.NOTICE), None)
        if first not in {entry["category"], entry.get("secondary")}:
            misses.append((entry["file"], first))
    assert len(misses) <= len(labels) // 10, misses


def test_literals_are_found_the_same_across_hit_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """The literal search runs in windows (bounded memory on a region dense with literals): a
    literal cut by a window's edge is still found once, whatever the window size."""
    from gocross_action.diagnose import engine

    lines = [line for rule in RULES.rules for line in rule.examples_match if "\n" not in line]
    data = ("\n".join(lines) + "\n").encode()

    def hits(window: int) -> dict[int, list[tuple[int, str]]]:
        monkeypatch.setattr(engine, "HIT_WINDOW", window)
        found = scan(io.BytesIO(data), RULES)
        return {rule: [(h.line, h.text) for h in kept] for rule, kept in found.hits.items()}

    whole = hits(1 << 30)
    assert whole
    for window in (7, 64, 1000, 4093):
        assert hits(window) == whole, window
