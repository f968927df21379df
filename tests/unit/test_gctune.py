"""The Go toolchain's collector settings for the builds gocross runs side by side."""

from __future__ import annotations

from pathlib import Path

from gocross_action.matrix import gctune

GIB = 1 << 30


def test_builds_get_a_larger_gogc_capped_by_their_share_of_available_memory() -> None:
    assert gctune.settings({}, processes=4, available=8 * GIB) == {"GOGC": "400", "GOMEMLIMIT": "2048MiB"}


def test_a_gogc_or_gomemlimit_the_user_set_is_left_alone() -> None:
    assert gctune.settings({"GOGC": "100"}, processes=4, available=8 * GIB) == {}
    assert gctune.settings({"GOMEMLIMIT": "1GiB"}, processes=4, available=8 * GIB) == {}


def test_go_defaults_are_kept_when_each_process_would_get_too_little_memory() -> None:
    assert gctune.settings({}, processes=16, available=4 * GIB) == {}
    assert gctune.settings({}, processes=2, available=None) == {}


def test_available_memory_is_the_kernels_memavailable(tmp_path: Path) -> None:
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       24000000 kB\nMemAvailable:    2097152 kB\n")
    assert gctune.available_memory(meminfo, tmp_path / "no-cgroup") == 2 * GIB


def test_a_lower_cgroup_limit_wins_over_memavailable(tmp_path: Path) -> None:
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemAvailable:   8388608 kB\n")
    cgroup = tmp_path / "cgroup"
    cgroup.mkdir()
    (cgroup / "memory.max").write_text(f"{3 * GIB}\n")
    (cgroup / "memory.current").write_text(f"{GIB}\n")
    assert gctune.available_memory(meminfo, cgroup) == 2 * GIB


def test_an_unlimited_cgroup_or_unreadable_files_do_not_count(tmp_path: Path) -> None:
    cgroup = tmp_path / "cgroup"
    cgroup.mkdir()
    (cgroup / "memory.max").write_text("max\n")
    (cgroup / "memory.current").write_text("12345\n")
    assert gctune.available_memory(tmp_path / "missing", cgroup) is None
