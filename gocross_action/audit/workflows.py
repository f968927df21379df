"""GitHub workflow files read as data, with the line of every value (for annotations): env at
workflow, job and step level, the matrix, ``runs-on``, ``container``, and steps' ``uses:``,
``with:`` and ``run:``. YAML aliases are followed within a node budget, so an alias bomb costs
bounded time."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import yaml

MAX_NODES = 20_000  # a large real workflow has a few thousand
MAX_FLOW_DEPTH = 64  # PyYAML's scanner is quadratic in the depth of [ and { nesting
_MATRIX_REF = re.compile(r"\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}")


class WorkflowError(ValueError):
    pass


@dataclass(frozen=True, kw_only=True)
class Value:
    text: str
    line: int


@dataclass(frozen=True, kw_only=True)
class Step:
    index: int
    line: int
    name: str
    uses: str | None
    run: str | None
    env: Mapping[str, Value]
    with_: Mapping[str, Value]
    run_line: int = 0


@dataclass(frozen=True, kw_only=True)
class Job:
    id: str
    line: int
    runs_on: str
    env: Mapping[str, Value]
    matrix: Mapping[str, tuple[str, ...]]
    container: Value | None
    steps: tuple[Step, ...]

    def values(self, text: str) -> tuple[str, ...]:
        """The values ``text`` takes over the matrix (``${{ matrix.x }}`` substituted)."""
        match = _MATRIX_REF.search(text)
        if match is None:
            return (text,)
        options = self.matrix.get(match[1], ())
        return tuple(text.replace(match[0], option) for option in options) or (text,)


@dataclass(frozen=True, kw_only=True)
class Workflow:
    path: str
    env: Mapping[str, Value]
    jobs: tuple[Job, ...] = field(default_factory=tuple)


# A loaded node: scalars are Value, mappings dict[str, Loaded], sequences list[Loaded].
Loaded = object


class _Budget:
    def __init__(self) -> None:
        self.left = MAX_NODES

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise WorkflowError(f"more than {MAX_NODES} YAML nodes (aliases expanded)")


def _convert(node: yaml.Node, budget: _Budget) -> Loaded:
    budget.spend()
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Loaded] = {}
        for key, value in node.value:
            budget.spend()
            if isinstance(key, yaml.ScalarNode):
                out[str(key.value)] = _convert(value, budget)
        out["__line__"] = Value(text="", line=line)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, budget) for item in node.value]
    return Value(text=str(node.value), line=line)


def _line(data: Loaded) -> int:
    if isinstance(data, dict):
        marker = data.get("__line__")
        return marker.line if isinstance(marker, Value) else 0
    return data.line if isinstance(data, Value) else 0


def _scalars(data: Loaded) -> dict[str, Value]:
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if k != "__line__" and isinstance(v, Value)}


def _text(data: Loaded) -> str | None:
    return data.text if isinstance(data, Value) else None


def _matrix(data: Loaded) -> dict[str, tuple[str, ...]]:
    if not isinstance(data, dict):
        return {}
    out: dict[str, list[str]] = {}
    for key, value in data.items():
        if key in ("__line__", "exclude"):
            continue
        if key == "include" and isinstance(value, list):
            for entry in value:
                for k, v in _scalars(entry).items():
                    out.setdefault(k, []).append(v.text)
        elif isinstance(value, list):
            out.setdefault(key, []).extend(v.text for v in value if isinstance(v, Value))
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}


def flow_depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` in the text (quotes not considered: an upper bound)."""
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
    return deepest


def parse(text: str, path: str) -> Workflow:
    if flow_depth(text) > MAX_FLOW_DEPTH:
        raise WorkflowError(f"{path}: [ and {{ nested more than {MAX_FLOW_DEPTH} deep")
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)  # not libyaml: it crashes on deep nesting
    except yaml.YAMLError as exc:
        raise WorkflowError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise WorkflowError(f"{path}: nested too deeply") from None
    if root is None:
        return Workflow(path=path, env={})
    try:
        data = _convert(root, _Budget())
    except WorkflowError as exc:
        raise WorkflowError(f"{path}: {exc}") from None
    except RecursionError:
        raise WorkflowError(f"{path}: nested too deeply") from None
    if not isinstance(data, dict):
        raise WorkflowError(f"{path}: a workflow is a mapping")
    jobs: list[Job] = []
    raw_jobs = data.get("jobs")
    for job_id, raw in raw_jobs.items() if isinstance(raw_jobs, dict) else []:
        if job_id == "__line__" or not isinstance(raw, dict):
            continue
        strategy = raw.get("strategy")
        matrix = _matrix(strategy.get("matrix")) if isinstance(strategy, dict) else {}
        runs_on = raw.get("runs-on")
        runs_on_text = _text(runs_on) or (
            " ".join(v.text for v in runs_on if isinstance(v, Value)) if isinstance(runs_on, list) else ""
        )
        container = raw.get("container")
        container_value = (
            container
            if isinstance(container, Value)
            else (container.get("image") if isinstance(container, dict) else None)
        )
        steps: list[Step] = []
        raw_steps = raw.get("steps")
        for index, step in enumerate(raw_steps if isinstance(raw_steps, list) else []):
            if not isinstance(step, dict):
                continue
            steps.append(
                Step(
                    index=index,
                    line=_line(step),
                    name=_text(step.get("name")) or "",
                    uses=_text(step.get("uses")),
                    run=_text(step.get("run")),
                    env=_scalars(step.get("env")),
                    with_=_scalars(step.get("with")),
                    run_line=_line(step.get("run")),
                )
            )
        jobs.append(
            Job(
                id=job_id,
                line=_line(raw),
                runs_on=runs_on_text,
                env=_scalars(raw.get("env")),
                matrix=matrix,
                container=container_value if isinstance(container_value, Value) else None,
                steps=tuple(steps),
            )
        )
    return Workflow(path=path, env=_scalars(data.get("env")), jobs=tuple(jobs))


def runner_platform(runs_on: str) -> tuple[str, str]:
    """The (GOOS, GOARCH) a GitHub-hosted runner label runs natively (linux/amd64 when unknown)."""
    label = runs_on.lower()
    arch = "arm64" if "arm" in label else "amd64"
    if "macos" in label:
        intel = any(f"macos-{n}" in label for n in ("12", "13")) or "intel" in label
        return "darwin", "amd64" if intel else "arm64"
    if "windows" in label:
        return "windows", arch
    return "linux", arch


def runs_natively(goos: str, goarch: str, runner: tuple[str, str]) -> bool:
    """Whether a binary for goos/goarch runs on the runner without emulation."""
    host_os, host_arch = runner
    if goos and goos != host_os:
        return False
    compatible = {"amd64": {"amd64", "386"}, "arm64": {"arm64"}}.get(host_arch, {host_arch})
    if host_os == "darwin" and host_arch == "arm64":
        compatible = {"arm64", "amd64"}
    return not goarch or goarch in compatible
