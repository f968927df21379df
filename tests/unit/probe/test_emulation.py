from __future__ import annotations

from gocross_action.probe import emulation

from .conftest import Machine, rules

# The entry Debian's qemu-user-static registers for aarch64, as /proc/sys/fs/binfmt_misc shows it.
AARCH64 = (
    "{state}\ninterpreter {interp}\nflags: {flags}\noffset 0\n"
    "magic 7f454c460201010000000000000000000200b700\nmask ffffffffffffff00fffffffffffffffffeffffff\n"
)
CONF = (
    r":qemu-aarch64:M::\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00"
    r":\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff"
    ":/usr/libexec/qemu-binfmt/aarch64-binfmt-P:OPF\n"
)


def _register(
    machine: Machine,
    *,
    state: str = "enabled",
    flags: str = "OC",
    interp: str = "/usr/bin/qemu-aarch64-static",
) -> None:
    machine.file("/proc/sys/fs/binfmt_misc/status", "enabled\n")
    machine.file("/proc/sys/fs/binfmt_misc/register", "")
    machine.file(
        "/proc/sys/fs/binfmt_misc/qemu-aarch64", AARCH64.format(state=state, interp=interp, flags=flags)
    )


def test_a_registered_entry_is_matched_to_its_target_by_elf_machine(machine: Machine) -> None:
    _register(machine)
    machine.file("/usr/bin/qemu-aarch64-static", b"\x7fELF")
    machine.tool("qemu-aarch64-static", "exit 0\n")
    result = emulation.probe(machine.ctx("linux/arm64", "linux/riscv64", "linux/386"))
    assert result.findings == []
    assert result.facts["targets"]["linux/arm64"] == {
        "qemu": str(machine.bin / "qemu-aarch64-static"),
        "binfmt": "qemu-aarch64",
        "binfmt_enabled": True,
    }
    assert result.facts["targets"]["linux/riscv64"]["binfmt"] is None
    assert "linux/386" not in result.facts["targets"]  # amd64 runs 386 natively


def test_an_interpreter_missing_from_this_filesystem_without_the_f_flag_is_a_warning(
    machine: Machine,
) -> None:
    _register(machine, flags="OC")
    result = emulation.probe(machine.ctx("linux/arm64"))
    assert [(f.rule, f.category) for f in result.findings] == [
        ("probe.emulation.interpreter-missing", "binfmt-qemu")
    ]


def test_with_the_f_flag_the_kernel_already_holds_the_interpreter(machine: Machine) -> None:
    _register(machine, flags="OCF")
    assert emulation.probe(machine.ctx("linux/arm64")).findings == []


def test_a_disabled_entry_is_a_notice(machine: Machine) -> None:
    _register(machine, state="disabled")
    assert rules(emulation.probe(machine.ctx("linux/arm64")).findings) == ["probe.emulation.binfmt-disabled"]


def test_an_unmounted_binfmt_misc_reports_the_configured_entries_only(machine: Machine) -> None:
    machine.file("/usr/lib/binfmt.d/qemu-aarch64.conf", CONF)
    result = emulation.probe(machine.ctx("linux/arm64"))
    assert result.facts["binfmt_misc_mounted"] is False
    assert result.facts["configured"] == ["qemu-aarch64"]
    assert result.findings == []


def test_a_binfmt_d_line_parses_to_the_same_elf_match_as_the_proc_entry() -> None:
    entry = emulation.parse_config_line(CONF, "x.conf")
    assert entry is not None
    assert entry.flags == "OPF"
    assert entry.runs("arm64") and not entry.runs("arm")
