"""The ports of the Go in use (``go tool dist list -json``) and what they say about the targets.

Values no Go release knows were refused when the targets were parsed (``targets.py``, exit 2);
here a pair of known values that *this* Go cannot build becomes an ``unsupported-target``
finding (the target is skipped), and so does an invalid variant given through the environment.
The list is cached per Go binary (path, size, mtime): in the process and on disk.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import TargetConfig
from ..errors import InputError
from ..targets import Target, suggest, table, variant_problem

if TYPE_CHECKING:
    from ..findings import Finding

# `go version` and `go tool dist list` answer in well under a second; a hung go is killed.
GO_TIMEOUT_S = 60


@dataclass(frozen=True, kw_only=True)
class Port:
    goos: str
    goarch: str
    cgo: bool
    first_class: bool

    @property
    def pair(self) -> str:
        return f"{self.goos}/{self.goarch}"


@dataclass(frozen=True, kw_only=True)
class Ports:
    """The ports one Go toolchain supports, keyed ``goos/goarch``."""

    go_version: str
    by_pair: Mapping[str, Port] = field(default_factory=dict)

    def get(self, target: Target) -> Port | None:
        return self.by_pair.get(target.pair)


@dataclass(frozen=True, kw_only=True)
class Validation:
    """Targets worth building, and the findings that came before any build."""

    buildable: tuple[TargetConfig, ...]
    skipped: Mapping[str, str]  # target -> why
    findings: tuple[Finding, ...]


_MEMO: dict[str, Ports] = {}


def _go_identity(go_path: str) -> str:
    """The Go binary as the cache knows it: where it is, its size and modification time."""
    st = Path(go_path).stat()
    return f"{Path(go_path).resolve()}:{st.st_size}:{st.st_mtime_ns}"


def _cache_name(identity: str) -> str:
    # A checksum names the file (the entry holds the identity, compared on reading): hashlib's
    # import alone would cost a run more than the whole lookup.
    import zlib

    return f"ports-{zlib.crc32(identity.encode('utf-8', 'surrogateescape')):08x}.json"


def _run_go(go: str, args: Sequence[str], env: Mapping[str, str]) -> str:
    from .. import process

    done = process.run([go, *args], timeout=GO_TIMEOUT_S, env=env)
    if done.error is not None:
        raise InputError(f"Go is not installed: {go!r} was not found on PATH ({done.error})")
    if done.timed_out:
        raise InputError(f"'{go} {' '.join(args)}' did not finish within {GO_TIMEOUT_S}s")
    if done.returncode != 0:
        last = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        raise InputError(f"'{go} {' '.join(args)}' failed: {last}")
    return done.stdout.decode("utf-8", "replace")


def _parse(version: str, listing: str) -> Ports:
    rows = json.loads(listing)
    by_pair = {
        f"{r['GOOS']}/{r['GOARCH']}": Port(
            goos=r["GOOS"],
            goarch=r["GOARCH"],
            cgo=bool(r.get("CgoSupported")),
            first_class=bool(r.get("FirstClass")),
        )
        for r in rows
    }
    return Ports(go_version=version, by_pair=by_pair)


def load(go: str = "go", env: Mapping[str, str] | None = None) -> Ports:
    """The ports of ``go`` (a name on PATH or a path), from the cache when the binary is unchanged."""
    env = dict(os.environ if env is None else env)
    go_path = shutil.which(go, path=env.get("PATH"))
    if go_path is None:
        raise InputError(f"Go is not installed: {go!r} was not found on PATH")
    key = _go_identity(go_path)
    if key in _MEMO:
        return _MEMO[key]
    from .. import user_cache

    name = _cache_name(key)
    try:
        data = user_cache.read_json(name)
        if data["go"] != key:
            raise KeyError("another Go binary")
        ports = _parse(data["version"], json.dumps(data["ports"]))
    except (TypeError, ValueError, KeyError, AttributeError):
        version = _run_go(go_path, ["env", "GOVERSION"], env).strip()
        listing = _run_go(go_path, ["tool", "dist", "list", "-json"], env)
        ports = _parse(version, listing)
        # A read-only cache only costs the next run 10 ms.
        user_cache.write_json(name, {"go": key, "version": version, "ports": json.loads(listing)})
    _MEMO[key] = ports
    return ports


def _cgo_requested(tc: TargetConfig) -> bool:
    return tc.cgo is True or tc.env.get("CGO_ENABLED") == "1"


def _unsupported(tc: TargetConfig, ports: Ports) -> Finding:
    from ..findings import Evidence, Finding, Fix, Severity

    target = tc.target
    same_os = sorted(p.goarch for p in ports.by_pair.values() if p.goos == target.goos)
    hint = suggest(target.goarch, same_os)
    valid = (
        ", ".join(f"{target.goos}/{a}" for a in same_os)
        or f"none: {ports.go_version} has no {target.goos} port"
    )
    did_you_mean = f" Did you mean {target.goos}/{hint}?" if hint else ""
    return Finding(
        rule="config.unsupported-port",
        category="unsupported-target",
        severity=Severity.ERROR,
        target=str(target),
        title=f"{ports.go_version} cannot build {target.pair}",
        root_cause=(
            f"{target.goos} and {target.goarch} are both Go names, but {ports.go_version} has no "
            f"{target.pair} port ('go tool dist list' does not list it).{did_you_mean}"
        ),
        evidence=(Evidence(source="config", text=f"target {target}; ports for {target.goos}: {valid}"),),
        fix=Fix(summary=f"Remove {target.pair} from the targets, or pick a port this Go has: {valid}"),
    )


def _no_cgo(tc: TargetConfig, ports: Ports) -> Finding:
    from ..findings import Evidence, Finding, Fix, Severity

    target = tc.target
    return Finding(
        rule="config.cgo-unsupported-port",
        category="unsupported-target",
        severity=Severity.ERROR,
        target=str(target),
        title=f"cgo is requested for {target.pair}, which has no cgo support",
        root_cause=(
            f"The config enables cgo for {target}, but {ports.go_version}'s {target.pair} port does not "
            "support cgo: Go ignores CGO_ENABLED there, so C code cannot be part of this binary."
        ),
        evidence=(Evidence(source="config", text=f"{target}: cgo requested; CgoSupported=false"),),
        fix=Fix(
            summary=f"Drop 'cgo: true' (and CGO_ENABLED=1) for {target}, or build C parts only elsewhere"
        ),
    )


def _env_variant_problem(tc: TargetConfig, base_env: Mapping[str, str]) -> tuple[str, str, str] | None:
    """An invalid GOARM/GOAMD64/... reaching the build through the environment: (var, value, why)."""
    target = tc.target
    if target.variant is not None:
        return None  # the target's own variant wins and was checked when parsed
    row = table()["variants"].get(target.goarch)
    if row is None:
        return None
    var = str(row["env"])
    value = tc.env.get(var, base_env.get(var))
    if not value:
        return None
    problem = variant_problem(target.goarch, value)
    return None if problem is None else (var, value, problem)


def _bad_variant(tc: TargetConfig, var: str, value: str, problem: str) -> Finding:
    from ..findings import Evidence, Finding, Fix, Severity

    where = "the target's env" if var in tc.env else "the environment"
    return Finding(
        rule="config.invalid-variant",
        category="unsupported-target",
        severity=Severity.ERROR,
        target=str(tc.target),
        title=f"{var}={value} is not valid for {tc.target.goarch}",
        root_cause=f"{var}={value} from {where} would reach 'go build' for {tc.target}: {problem}.",
        evidence=(Evidence(source="config", text=f"{var}={value}"),),
        fix=Fix(summary=f"Set a valid {var}, or give the variant in the target ({tc.target.pair}/<value>)"),
    )


def validate(targets: Sequence[TargetConfig], ports: Ports, base_env: Mapping[str, str]) -> Validation:
    """Judge every target against this Go's ports before anything is built."""
    buildable: list[TargetConfig] = []
    skipped: dict[str, str] = {}
    findings: list[Finding] = []
    for tc in targets:
        port = ports.get(tc.target)
        if port is None:
            findings.append(_unsupported(tc, ports))
            skipped[str(tc.target)] = f"{ports.go_version} has no {tc.target.pair} port"
            continue
        bad = _env_variant_problem(tc, base_env)
        if bad is not None:
            findings.append(_bad_variant(tc, *bad))
            skipped[str(tc.target)] = bad[2]
            continue
        if _cgo_requested(tc) and not port.cgo:
            findings.append(_no_cgo(tc, ports))
        buildable.append(tc)
    return Validation(buildable=tuple(buildable), skipped=skipped, findings=tuple(findings))
