"""The layers a Go setting comes from, lowest first, and the value each target ends up with.

For a gocross build the layers are, as cmd/go and gocross apply them: ``$GOROOT/go.env``, the
user's ``go env -w`` file (``$GOENV``, else ``os.UserConfigDir()/go/env``), the process
environment (in a workflow: its env at workflow, job and step level, which the workflow checks
read), then the gocross config's target (GOOS/GOARCH/GOARM..., ``cgo``, ``cc``, ``env``). Nothing
is run: the files are read (bounded) and ``go`` is found on PATH, not executed."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..config import TargetConfig
from ..findings import Evidence, Finding, Fix, Severity, Snippet

KEYS = ("GOOS", "GOARCH", "CGO_ENABLED", "CC", "CXX", "GOFLAGS", "GOTOOLCHAIN")
MAX_ENV_FILE = 64 * 1024
TARGET_KEYS = ("GOOS", "GOARCH", "CGO_ENABLED", "CC", "CXX")  # what a gocross target sets
# What a stray value of each setting breaks (taxonomy ids).
CATEGORY = {
    "GOOS": "exec-format-error",
    "GOARCH": "exec-format-error",
    "CGO_ENABLED": "cgo-required-but-disabled",
    "CC": "cgo-wrong-compiler",
    "CXX": "cgo-wrong-compiler",
    "GOFLAGS": "other",
    "GOTOOLCHAIN": "go-version-toolchain",
}


@dataclass(frozen=True, kw_only=True)
class Layer:
    name: str  # "GOROOT/go.env", "go env -w file", "workflow ...", "environment", "target"
    values: Mapping[str, str]
    where: str | None = None  # the file it was read from


def user_config_dir(env: Mapping[str, str]) -> Path | None:
    """``os.UserConfigDir()`` as Go computes it."""
    if sys.platform == "win32":
        appdata = env.get("AppData") or env.get("APPDATA")
        return Path(appdata) if appdata else None
    if sys.platform == "darwin":
        home = env.get("HOME")
        return Path(home) / "Library" / "Application Support" if home else None
    xdg = env.get("XDG_CONFIG_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg)
    home = env.get("HOME")
    return Path(home) / ".config" if home else None


def env_file_path(env: Mapping[str, str]) -> Path | None:
    """The ``go env -w`` file: ``$GOENV`` (``off`` disables it), else the user config dir's."""
    value = env.get("GOENV")
    if value == "off":
        return None
    if value:
        return Path(value)
    base = user_config_dir(env)
    return base / "go" / "env" if base else None


def goroot(env: Mapping[str, str]) -> Path | None:
    """``$GOROOT``, else the Go installation the ``go`` on PATH belongs to (found, not run)."""
    if env.get("GOROOT"):
        return Path(env["GOROOT"])
    found = shutil.which("go", path=env.get("PATH"))
    if found is None:
        return None
    return Path(found).resolve().parent.parent


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a go env file (``#`` comments); empty when unreadable or too large."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_ENV_FILE:
            return {}
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        values[key.strip()] = value.strip()
    return values


def machine_layers(env: Mapping[str, str]) -> list[Layer]:
    layers = []
    root = goroot(env)
    if root is not None:
        layers.append(
            Layer(name="$GOROOT/go.env", values=read_env_file(root / "go.env"), where=str(root / "go.env"))
        )
    user = env_file_path(env)
    if user is not None:
        layers.append(Layer(name="go env -w file", values=read_env_file(user), where=str(user)))
    return layers


def effective(
    targets: Sequence[TargetConfig], layers: Sequence[Layer], env: Mapping[str, str]
) -> dict[str, dict[str, dict[str, str]]]:
    """Per target, each of ``KEYS`` that some layer sets: its value and the layer it came from."""
    from ..matrix.build import target_overrides

    out: dict[str, dict[str, dict[str, str]]] = {}
    for tc in targets:
        chain = [
            *layers,
            Layer(name="environment", values=env),
            Layer(name="target", values=target_overrides(tc)),
        ]
        settings: dict[str, dict[str, str]] = {}
        for layer in chain:
            for key in KEYS:
                value = layer.values.get(key)
                if value:
                    settings[key] = {"value": value, "from": layer.name}
        out[str(tc.target)] = settings
    return out


def findings(layers: Sequence[Layer]) -> list[Finding]:
    """A warning for each cross-compile setting left in the ``go env -w`` file: every plain
    ``go`` command on this machine uses it, and gocross's per-target values silently override it."""
    out = []
    for layer in layers:
        if layer.name != "go env -w file":
            continue
        for key in KEYS:
            value = layer.values.get(key)
            if not value:
                continue
            overridden = key in TARGET_KEYS
            effect = (
                "gocross's per-target value silently overrides it, so builds inside and outside gocross "
                "differ"
                if overridden
                else "gocross builds use it too, though nothing in the repository says so"
            )
            out.append(
                Finding(
                    rule="audit.goenv.env-file-setting",
                    category=CATEGORY[key],
                    severity=Severity.WARNING if overridden else Severity.NOTICE,
                    title=f"go env -w {key}={value} is set on this machine",
                    root_cause=(
                        f"{layer.where} (written by 'go env -w') sets {key}={value}: every go command "
                        f"here uses it unless the environment says otherwise, and {effect}."
                    ),
                    evidence=(Evidence(source="probe", text=f"{layer.where}: {key}={value}"),),
                    fix=Fix(
                        summary=f"Remove the setting (go env -u {key}) and set it per build",
                        snippets=(Snippet(language="bash", code=f"go env -u {key}"),),
                    ),
                )
            )
    return out
