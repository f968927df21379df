"""smoke.runner and smoke.finding: how a binary would be run here, and what a failure means."""

from __future__ import annotations

from pathlib import Path

import pytest

from gocross_action.matrix import smoke
from gocross_action.targets import Target


@pytest.fixture(autouse=True)
def _linux_amd64_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(smoke, "host_goos", lambda: "linux")
    monkeypatch.setattr(smoke, "host_goarch", lambda: "amd64")


def _tool(directory: Path, name: str) -> Path:
    path = directory / name
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_host_arch_runs_natively(tmp_path: Path) -> None:
    assert smoke.runner(Target.parse("linux/amd64"), root=tmp_path).how == "native"


def test_other_systems_are_not_run(tmp_path: Path) -> None:
    how = smoke.runner(Target.parse("windows/amd64"), root=tmp_path)
    assert how.how == "none"
    assert "windows" in (how.reason or "")


def test_foreign_arch_calls_qemu_static_with_the_cross_sysroot(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    qemu = _tool(bin_dir, "qemu-aarch64-static")
    (tmp_path / "usr" / "aarch64-linux-gnu").mkdir(parents=True)
    how = smoke.runner(Target.parse("linux/arm64"), root=tmp_path, path=str(bin_dir))
    assert how.how == "qemu"
    assert how.prefix == (str(qemu), "-L", str(tmp_path / "usr" / "aarch64-linux-gnu"))


def test_registered_binfmt_entry_runs_the_binary_directly(tmp_path: Path) -> None:
    entry = tmp_path / "proc/sys/fs/binfmt_misc/qemu-aarch64"
    entry.parent.mkdir(parents=True)
    entry.write_text("enabled\ninterpreter /usr/bin/qemu-aarch64-static\nflags: F\n")
    how = smoke.runner(Target.parse("linux/arm64"), root=tmp_path, path="")
    assert how.how == "binfmt"
    assert how.prefix == ()


def test_disabled_binfmt_entry_and_no_qemu_means_no_run(tmp_path: Path) -> None:
    entry = tmp_path / "proc/sys/fs/binfmt_misc/qemu-aarch64"
    entry.parent.mkdir(parents=True)
    entry.write_text("disabled\n")
    how = smoke.runner(Target.parse("linux/arm64"), root=tmp_path, path=str(tmp_path))
    assert how.how == "none"


def _result(problem: str | None, output: str = "", how: str = "native") -> smoke.SmokeResult:
    return smoke.SmokeResult(
        target="linux/arm64",
        binary="app",
        how=how,
        command=("app",),
        returncode=1,
        output=output,
        duration_s=0.1,
        problem=problem,
    )


@pytest.mark.parametrize(
    ("problem", "category"),
    [
        ("exec-format", "exec-format-error"),
        ("no-loader", "libc-musl-glibc-mismatch"),
        ("qemu-no-loader", "binfmt-qemu"),
        ("qemu-crash", "binfmt-qemu"),
        ("timeout", "other"),
        ("exit", "other"),
    ],
)
def test_each_smoke_problem_has_its_category(problem: str, category: str) -> None:
    finding = smoke.finding(_result(problem))
    assert finding is not None
    assert finding.category == category
    assert finding.target == "linux/arm64"


def test_a_passing_run_makes_no_finding() -> None:
    assert smoke.finding(_result(None)) is None


def test_qemu_output_about_a_missing_loader_is_told_apart_from_a_plain_failure() -> None:
    said = "qemu-aarch64-static: Could not open '/lib/ld-linux-aarch64.so.1': No such file or directory"
    assert smoke._classify("qemu", 255, said) == "qemu-no-loader"
    assert smoke._classify("native", 2, "usage: app") == "exit"


def _libc(root: Path, directory: str, *names: str) -> None:
    for name in names:
        path = root / directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x7fELF")


def test_with_cross_and_multiarch_arm64_libcs_qemu_uses_the_multiarch_pair(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    qemu = _tool(bin_dir, "qemu-aarch64-static")
    _libc(tmp_path, "usr/aarch64-linux-gnu/lib", "ld-linux-aarch64.so.1", "libc.so.6")  # libc6-arm64-cross
    _libc(tmp_path, "lib", "ld-linux-aarch64.so.1")  # libc6:arm64
    _libc(tmp_path, "lib/aarch64-linux-gnu", "libc.so.6")
    how = smoke.runner(
        Target.parse("linux/arm64"),
        root=tmp_path,
        path=str(bin_dir),
        interpreter="/lib/ld-linux-aarch64.so.1",
    )
    assert how.prefix == (str(qemu),)  # no -L: loader and libc both from libc6:arm64
    assert len(how.libraries) == 2
    assert how.library_choice is not None and how.library_choice.startswith("multiarch")


def test_with_only_the_cross_libc_qemu_gets_its_sysroot(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    qemu = _tool(bin_dir, "qemu-aarch64-static")
    _libc(tmp_path, "usr/aarch64-linux-gnu/lib", "ld-linux-aarch64.so.1", "libc.so.6")
    how = smoke.runner(
        Target.parse("linux/arm64"),
        root=tmp_path,
        path=str(bin_dir),
        interpreter="/lib/ld-linux-aarch64.so.1",
    )
    assert how.prefix == (str(qemu), "-L", str(tmp_path / "usr" / "aarch64-linux-gnu"))


def test_binfmt_runs_override_an_inherited_qemu_ld_prefix(tmp_path: Path) -> None:
    entry = tmp_path / "proc/sys/fs/binfmt_misc/qemu-aarch64"
    entry.parent.mkdir(parents=True)
    entry.write_text("enabled\n")
    _libc(tmp_path, "usr/aarch64-linux-gnu/lib", "libc.so.6")
    _libc(tmp_path, "lib", "ld-linux-aarch64.so.1")
    _libc(tmp_path, "lib/aarch64-linux-gnu", "libc.so.6")
    how = smoke.runner(
        Target.parse("linux/arm64"), root=tmp_path, path="", interpreter="/lib/ld-linux-aarch64.so.1"
    )
    assert how.env == {"QEMU_LD_PREFIX": "/"}


def test_a_loader_libc_mix_up_is_an_emulation_problem_not_the_smoke_arguments() -> None:
    output = (
        "/lib/aarch64-linux-gnu/libc.so.6: version `GLIBC_PRIVATE' not found "
        "(required by /lib/ld-linux-aarch64.so.1)"
    )
    assert smoke._classify("qemu", 1, output) == "qemu-libc-mix"
    result = smoke.SmokeResult(
        target="linux/arm64",
        binary="app",
        how="qemu",
        command=("qemu-aarch64-static", "app"),
        returncode=None,
        output="",
        duration_s=60.0,
        problem="qemu-libc-mix",
        libraries=("cross sysroot (/usr/aarch64-linux-gnu)", "multiarch (/lib/aarch64-linux-gnu)"),
    )
    found = smoke.finding(result)
    assert found is not None and found.category == "binfmt-qemu"
    assert "smoke arguments" in found.root_cause and "/usr/aarch64-linux-gnu" in found.root_cause


def test_a_smoke_run_that_times_out_is_killed_with_its_whole_process_group(tmp_path: Path) -> None:
    import os
    import signal
    import time

    pid_file = tmp_path / "child.pid"
    script = tmp_path / "stubborn"
    script.write_text(
        "#!/bin/sh\ntrap '' TERM\n"
        f"(trap '' TERM; sleep 300) & echo $! > {pid_file}\n"
        "while true; do sleep 1; done\n"
    )
    script.chmod(0o755)
    started = time.monotonic()
    result = smoke.run(Target.parse("linux/amd64"), script, [], env=dict(os.environ), timeout_s=1)
    assert result.problem == "timeout"
    assert time.monotonic() - started < 15
    child = int(pid_file.read_text())
    time.sleep(0.2)
    try:
        os.kill(child, 0)
    except ProcessLookupError:
        return
    # A zombie waiting for its reaper is dead too.
    state = (
        Path(f"/proc/{child}/stat").read_text().split()[2] if Path(f"/proc/{child}/stat").exists() else "Z"
    )
    assert state == "Z", f"child {child} survived ({signal.SIGKILL} not delivered)"
