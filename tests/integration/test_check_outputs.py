"""What `gocross check` leaves in the output directory, and where it refuses to write."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_gocross

from .checkrun import check, copy_fixture


def test_a_target_that_fails_this_time_leaves_no_binary_from_an_earlier_run(tmp_path: Path) -> None:
    module = copy_fixture("cgo-needed", tmp_path)
    first = check(module, "--targets", "linux/amd64", env={"CGO_ENABLED": "1", "CC": "gcc"})
    assert first.status("linux/amd64") == "passed"
    binary = module / first.target("linux/amd64")["binary"]
    assert binary.is_file()
    second = check(module, "--targets", "linux/amd64", env={"CGO_ENABLED": "1", "CC": "no-such-gcc"})
    assert second.status("linux/amd64") == "failed"
    assert not binary.exists(), "a stale binary would pass for this run's"


def test_a_stale_looking_file_gocross_did_not_write_is_kept(tmp_path: Path) -> None:
    module = copy_fixture("cgo-needed", tmp_path)
    dist = module / ".gocross" / "dist"
    dist.mkdir(parents=True)
    mine = dist / "cgoneeded_linux_amd64"
    mine.write_text("the user's own file")
    run = check(module, "--targets", "linux/amd64", env={"CGO_ENABLED": "1", "CC": "no-such-gcc"})
    assert run.status("linux/amd64") == "skipped"
    assert mine.read_text() == "the user's own file"


def test_output_into_a_missing_directory_is_refused_before_any_build(tmp_path: Path) -> None:
    module = copy_fixture("pure", tmp_path)
    done = run_gocross(
        ["check", str(module), "--targets", "linux/amd64", "--output", str(tmp_path / "no" / "r.txt")]
    )
    assert done.code == 2
    assert "does not exist" in done.stderr and "Traceback" not in done.stderr
    assert not (module / ".gocross").exists(), "nothing was built"
