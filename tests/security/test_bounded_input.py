"""Hostile config, rules and log files: every one is refused with exit 2 and one line on stderr,
fast, with no traceback and nothing of the file's content echoed (the real CLI, as a process)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.conftest import Completed, run_gocross

# A "billion laughs": nine levels of nine aliases each, under 600 bytes, 387 million values expanded.
ALIAS_BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)
SECRET = "s3cr3t-value-that-must-not-be-echoed"


def refused(result: Completed, *, words: str) -> None:
    """Exit 2, one line naming the problem, no traceback, no secret from the file."""
    assert result.code == 2, result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("gocross: error: ")
    assert words in lines[0], lines[0]
    assert "Traceback" not in result.stderr
    assert SECRET not in result.stderr


def validate(path: Path | str, cwd: Path) -> Completed:
    return run_gocross(["validate-config", str(path)], cwd=cwd)


def test_a_small_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    assert len(ALIAS_BOMB) < 600
    config = tmp_path / "gocross.yml"
    config.write_text(ALIAS_BOMB, encoding="utf-8")
    started = time.monotonic()
    result = validate(config, tmp_path)
    assert time.monotonic() - started < 30  # minutes and gigabytes before the budget
    refused(result, words="alias bomb")
    assert f"{config}:" in result.stderr  # placed at its line and column


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("nesting", "x: " + "[" * 500 + "]" * 500 + "\n", "nested more than"),
        ("huge-int", "build:\n  timeout: " + "9" * 5000 + "\n", "cannot be read as !!int"),
        ("bad-float", "x: !!float x\n", "cannot be read as !!float"),
        ("bad-bool", "x: !!bool maybe\n", "cannot be read as !!bool"),
        ("quote", 'build:\n  flags: "-tags \'a b"\n', "no closing quotation"),
        ("backslash", "smoke: 'arg\\'\n", "no escaped character"),
        ("recursive-alias", "x: &a [*a]\n", "alias *a"),
        ("unterminated", 'package: "abc\n', "YAML syntax error"),
    ],
)
def test_a_config_that_cannot_be_read_is_one_line_at_its_position_and_exit_2(
    tmp_path: Path, name: str, text: str, words: str
) -> None:
    config = tmp_path / "gocross.yml"
    config.write_text(text, encoding="utf-8")
    result = validate(config, tmp_path)
    refused(result, words=words)
    assert result.stderr.startswith(f"gocross: error: {config}:"), (name, result.stderr)


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("latin-1", f"package: caf\xe9 # {SECRET}\n".encode("latin-1"), "not valid UTF-8"),
        ("utf-16", f"package: x # {SECRET}\n".encode("utf-16"), "UTF-16"),
        ("nul", f"package: x\0 # {SECRET}\n".encode(), "NUL byte"),
    ],
)
def test_a_config_that_is_not_utf8_text_is_refused(
    tmp_path: Path, name: str, data: bytes, words: str
) -> None:
    config = tmp_path / "gocross.yml"
    config.write_bytes(data)
    refused(validate(config, tmp_path), words=words)


def test_dev_zero_as_config_is_refused_at_once(tmp_path: Path) -> None:
    refused(validate("/dev/zero", tmp_path), words="a device, not a regular file")


def test_proc_environ_as_config_is_refused_without_echoing_the_environment(tmp_path: Path) -> None:
    result = run_gocross(["validate-config", "/proc/self/environ"], cwd=tmp_path, env={"LEAK": SECRET})
    refused(result, words="/proc/self/environ")


def test_a_directory_as_config_is_refused(tmp_path: Path) -> None:
    refused(validate(tmp_path, tmp_path), words="a directory, not a regular file")


def test_a_config_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    config = tmp_path / "gocross.yml"
    config.write_text(f"# {SECRET}\n" * 60_000, encoding="utf-8")
    refused(validate(config, tmp_path), words="over the 1 MB limit")


def test_a_config_that_is_another_file_does_not_echo_its_content(tmp_path: Path) -> None:
    config = tmp_path / "gocross.yml"
    config.write_text(f"root:x:0:0:{SECRET}:/root:/bin/bash\n", encoding="utf-8")
    result = validate(config, tmp_path)
    assert result.code == 2
    assert SECRET not in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.yml"
    os.mkfifo(path)
    return path


def test_a_fifo_as_config_is_refused_without_waiting_for_a_writer(tmp_path: Path, fifo: Path) -> None:
    started = time.monotonic()
    refused(validate(fifo, tmp_path), words="FIFO")
    assert time.monotonic() - started < 60


def test_a_fifo_as_rules_file_is_refused_without_waiting_for_a_writer(tmp_path: Path, fifo: Path) -> None:
    config = tmp_path / "gocross.yml"
    config.write_text(f"rules: [{fifo.name}]\n", encoding="utf-8")
    log = tmp_path / "build.log"
    log.write_text("ok\n", encoding="utf-8")
    result = run_gocross(["diagnose", "--config", str(config), "--log", str(log)], cwd=tmp_path)
    assert result.code == 2
    assert "Traceback" not in result.stderr
    assert "pipe.yml" in result.stderr


def test_a_fifo_as_log_is_refused_without_waiting_for_a_writer(tmp_path: Path, fifo: Path) -> None:
    result = run_gocross(["diagnose", "--log", str(fifo)], cwd=tmp_path)
    refused(result, words="a FIFO (named pipe), not a regular file")


def test_dev_zero_as_log_is_refused(tmp_path: Path) -> None:
    result = run_gocross(["diagnose", "--log", "/dev/zero"], cwd=tmp_path)
    refused(result, words="a device, not a regular file")


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("latin-1", f"rules: [] # caf\xe9 {SECRET}\n".encode("latin-1"), "not valid UTF-8"),
        ("utf-16", "rules: []\n".encode("utf-16"), "UTF-16"),
        ("bomb", ALIAS_BOMB.encode(), "alias bomb"),
    ],
)
def test_a_rules_file_that_cannot_be_read_is_exit_2_in_diagnose_and_validate_config(
    tmp_path: Path, name: str, data: bytes, words: str
) -> None:
    (tmp_path / "rules.yml").write_bytes(data)
    config = tmp_path / "gocross.yml"
    config.write_text("rules: [rules.yml]\n", encoding="utf-8")
    log = tmp_path / "build.log"
    log.write_text("ok\n", encoding="utf-8")
    refused(validate(config, tmp_path), words=words)
    refused(run_gocross(["diagnose", "--config", str(config), "--log", str(log)], cwd=tmp_path), words=words)


def test_a_rules_file_that_is_another_file_does_not_echo_its_content(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(f"root:x:0:0:{SECRET}:/root:/bin/bash\ndaemon:x:1:1::/:/bin/false\n", encoding="utf-8")
    result = run_gocross(["rules", "test", str(rules)], cwd=tmp_path)
    refused(result, words="a string of")


def test_a_build_log_is_read_for_analysis_only_up_to_its_limit(tmp_path: Path) -> None:
    """The build decides how large its log grows: the whole-log analyses of check get its head,
    never more than the limit, whatever the file's size."""
    from gocross_action.boundary.read import read_head

    log = tmp_path / "linux_amd64.log"
    with log.open("wb") as out:
        out.truncate(64 * 1024 * 1024)  # sparse: 64 MB on paper
    assert len(read_head(log, limit=1024 * 1024, what="build log")) == 1024 * 1024
    small = tmp_path / "small.log"
    small.write_bytes(b"./main.go:3:2: undefined: x\n")
    assert read_head(small, limit=1024 * 1024, what="build log") == small.read_bytes()


def test_a_fifo_in_place_of_a_build_log_is_refused_without_waiting(fifo: Path) -> None:
    from gocross_action.boundary.read import read_head
    from gocross_action.errors import InputError

    started = time.monotonic()
    with pytest.raises(InputError, match="not a regular file"):
        read_head(fifo, limit=1024, what="build log")
    assert time.monotonic() - started < 5


def test_the_folded_log_tail_reads_only_the_end_of_a_huge_log(tmp_path: Path) -> None:
    from gocross_action.boundary.read import read_tail

    log = tmp_path / "linux_amd64.log"
    with log.open("wb") as out:
        out.truncate(64 * 1024 * 1024)
        out.seek(64 * 1024 * 1024 - 6)
        out.write(b"last!\n")
    tail = read_tail(log, limit=1024, what="build log")
    assert len(tail) == 1024
    assert tail.endswith(b"last!\n")


def test_a_fifo_in_place_of_a_go_source_or_go_sum_is_not_waited_on(tmp_path: Path) -> None:
    from gocross_action.github.cache import cache_key
    from gocross_action.matrix import filesets

    module = tmp_path / "module"
    module.mkdir()
    os.mkfifo(module / "cgo_linux.go")
    os.mkfifo(module / "go.sum")
    started = time.monotonic()
    assert filesets.imports_c(module / "cgo_linux.go") is False
    key = cache_key(os_name="linux", go="go1.26.8", module_dir=module, targets=["linux/amd64"], compilers=[])
    assert "-nosum-" in key
    assert time.monotonic() - started < 5


def test_import_c_after_a_preamble_whose_c_lines_start_with_const_is_seen(tmp_path: Path) -> None:
    from gocross_action.matrix import cgo, filesets

    source = tmp_path / "pcap_unix.go"
    source.write_text(
        'package pcap\n\nimport (\n\t"errors"\n)\n\n/*\n#include <stdio.h>\n'
        'const char* name(int t) { return 0; }\n*/\nimport "C"\n\nvar _ = errors.New\n',
        encoding="utf-8",
    )
    assert filesets.imports_c(source)
    assert cgo.imports_c(source)
