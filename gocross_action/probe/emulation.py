"""Running foreign Linux binaries here: binfmt_misc entries (registered in /proc or only
configured in binfmt.d) matched to targets by their ELF magic, and qemu-user binaries on PATH."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Any

from ..findings import Evidence, Finding, Fix, Severity, Snippet
from ..targets import Target, arch_info
from . import system
from .model import ProbeContext, ProbeResult, result

NAME = "emulation"
BINFMT = "/proc/sys/fs/binfmt_misc"
CONFIG_DIRS = ("/etc/binfmt.d", "/run/binfmt.d", "/usr/lib/binfmt.d")
# Foreign GOARCH values the host CPU runs natively (IA-32 compatibility mode).
NATIVE_COMPAT = {"amd64": ("386",)}


@dataclass(frozen=True, kw_only=True)
class Entry:
    name: str
    enabled: bool
    interpreter: str
    flags: str
    magic: bytes
    offset: int
    source: str

    def to_json(self, ctx: ProbeContext) -> dict[str, Any]:
        return {
            "name": self.name,
            "enabled": self.enabled,
            "interpreter": self.interpreter,
            "interpreter_present": ctx.path(self.interpreter).is_file(),
            "flags": self.flags,
            "source": self.source,
        }

    def elf(self) -> tuple[int, str, int] | None:
        """(bits, endian, e_machine) that this entry's magic matches, if it is an ELF entry."""
        magic = self.magic
        if self.offset != 0 or len(magic) < 20 or magic[:4] != b"\x7fELF":
            return None
        bits = {1: 32, 2: 64}.get(magic[4])
        endian = {1: "little", 2: "big"}.get(magic[5])
        if bits is None or endian is None:
            return None
        return bits, endian, int.from_bytes(magic[18:20], "little" if endian == "little" else "big")

    def runs(self, goarch: str) -> bool:
        info = arch_info(goarch)
        elf = self.elf()
        return bool(info and elf and elf == (info["bits"], info["endian"], info["elf_machine"]))


def parse_proc_entry(name: str, text: str) -> Entry | None:
    """An entry file of a mounted binfmt_misc (``enabled``, ``interpreter ...``, ``flags: ...``,
    ``offset N``, ``magic <hex>``)."""
    fields: dict[str, str] = {}
    lines = text.splitlines()
    for line in lines[1:]:
        key, _, value = line.replace("flags:", "flags", 1).partition(" ")
        fields[key] = value.strip()
    if "interpreter" not in fields:
        return None
    try:
        magic = bytes.fromhex(fields.get("magic", ""))
    except ValueError:
        magic = b""
    return Entry(
        name=name,
        enabled=bool(lines) and lines[0].strip() == "enabled",
        interpreter=fields["interpreter"],
        flags=fields.get("flags", ""),
        magic=magic,
        offset=int(fields.get("offset", "0") or 0),
        source=f"{BINFMT}/{name}",
    )


def parse_config_line(line: str, source: str) -> Entry | None:
    """A binfmt.d registration line: ``:name:type:offset:magic:mask:interpreter:flags``."""
    line = line.strip()
    if not line or line[0] in "#;":
        return None
    sep = line[0]
    parts = line[1:].split(sep)
    if len(parts) < 6 or parts[1] != "M":
        return None
    try:
        magic = codecs.escape_decode(parts[3].encode())[0]
        offset = int(parts[2] or 0)
    except (ValueError, TypeError):
        return None
    return Entry(
        name=parts[0],
        enabled=True,
        interpreter=parts[5],
        flags=parts[6] if len(parts) > 6 else "",
        magic=bytes(magic),
        offset=offset,
        source=source,
    )


def registered(ctx: ProbeContext) -> tuple[bool, bool | None, list[Entry]]:
    """Whether binfmt_misc is mounted, whether it is enabled, and its entries."""
    base = ctx.path(BINFMT)
    status = system.read_text(ctx, f"{BINFMT}/status")
    if status is None:
        return False, None, []
    entries = []
    for path in sorted(base.iterdir()):
        if path.name in ("status", "register"):
            continue
        text = system.read_text(ctx, f"{BINFMT}/{path.name}")
        entry = parse_proc_entry(path.name, text or "")
        if entry:
            entries.append(entry)
    return True, status.strip() == "enabled", entries


def configured(ctx: ProbeContext) -> list[Entry]:
    entries = []
    for directory in CONFIG_DIRS:
        base = ctx.path(directory)
        if not base.is_dir():
            continue
        for path in sorted(base.glob("*.conf")):
            source = f"{directory}/{path.name}"
            for line in (system.read_text(ctx, source) or "").splitlines():
                entry = parse_config_line(line, source)
                if entry:
                    entries.append(entry)
    return entries


def emulator(ctx: ProbeContext, goarch: str) -> str | None:
    """The qemu-user binary on PATH for ``goarch`` (``qemu-<arch>-static`` first)."""
    name = (arch_info(goarch) or {}).get("qemu")
    if not name:
        return None
    return system.which(ctx, f"{name}-static") or system.which(ctx, name)


def is_foreign(ctx: ProbeContext, target: Target) -> bool:
    host_goos, host_goarch = system.host(ctx)
    if target.goos != "linux" or host_goos != "linux" or host_goarch is None:
        return False
    return target.goarch != host_goarch and target.goarch not in NATIVE_COMPAT.get(host_goarch, ())


def probe(ctx: ProbeContext) -> ProbeResult:
    mounted, enabled, entries = registered(ctx)
    configs = configured(ctx)
    facts: dict[str, Any] = {
        "binfmt_misc_mounted": mounted,
        "binfmt_misc_enabled": enabled,
        "registered": [e.to_json(ctx) for e in entries],
        "configured": [e.name for e in configs],
    }
    findings: list[Finding] = []
    per_target: dict[str, Any] = {}
    for tc in ctx.targets:
        target = tc.target
        if not is_foreign(ctx, target):
            continue
        entry = next((e for e in entries if e.runs(target.goarch)), None)
        per_target[str(target)] = {
            "qemu": emulator(ctx, target.goarch),
            "binfmt": entry.name if entry else None,
            "binfmt_enabled": bool(entry and entry.enabled and enabled),
        }
        if entry is None:
            continue
        if not entry.enabled or enabled is False:
            findings.append(_disabled(target, entry, enabled))
        elif "F" not in entry.flags and not ctx.path(entry.interpreter).is_file():
            findings.append(_no_interpreter(target, entry))
    facts["targets"] = per_target
    return result(NAME, facts, findings)


def _disabled(target: Target, entry: Entry, enabled: bool | None) -> Finding:
    what = (
        "binfmt_misc is disabled" if enabled is False else f"the binfmt_misc entry {entry.name} is disabled"
    )
    return Finding(
        rule="probe.emulation.binfmt-disabled",
        category="binfmt-qemu",
        severity=Severity.NOTICE,
        target=str(target),
        title=f"{target} binaries cannot run here: {what}",
        root_cause=f"{what}, so the kernel will not hand {target} binaries to qemu; running them "
        "(smoke tests, emulated containers) fails with exec format error.",
        fix=Fix(
            summary="Register qemu-user emulation (GitHub: docker/setup-qemu-action).",
            snippets=(Snippet(language="yaml", code="- uses: docker/setup-qemu-action@v3\n"),),
        ),
        evidence=(Evidence(source="probe", text=f"{entry.source}: disabled"),),
        priority=20,
    )


def _no_interpreter(target: Target, entry: Entry) -> Finding:
    return Finding(
        rule="probe.emulation.interpreter-missing",
        category="binfmt-qemu",
        severity=Severity.WARNING,
        target=str(target),
        title=f"binfmt_misc sends {target} binaries to {entry.interpreter}, which is not here",
        root_cause=f"The {entry.name} entry was registered without the F (fix binary) flag, so the kernel "
        f"looks up {entry.interpreter} when a binary starts, and this filesystem does not have it.",
        fix=Fix(
            summary="Re-register emulation with the F flag (docker/setup-qemu-action does), "
            "or install qemu-user-static here.",
            snippets=(
                Snippet(
                    language="bash", code="docker run --privileged --rm tonistiigi/binfmt --install all\n"
                ),
            ),
        ),
        evidence=(
            Evidence(
                source="probe",
                text=f"{entry.source}: interpreter {entry.interpreter}, flags {entry.flags or '-'}",
            ),
        ),
        priority=40,
    )
