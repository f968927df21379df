"""Fixes that fit: environment changes (machine-applicable), packages to install, commands to run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..findings import Changes, Fix, Snippet


def env_snippets(env: Mapping[str, str]) -> tuple[Snippet, ...]:
    """The same environment change as a workflow ``env:`` block and as shell exports."""
    yaml = "env:\n" + "".join(f"  {k}: {_yaml_value(v)}\n" for k, v in env.items())
    bash = "".join(f"export {k}={_shell_value(v)}\n" for k, v in env.items())
    return (Snippet(language="yaml", code=yaml), Snippet(language="bash", code=bash))


def env_fix(summary: str, env: Mapping[str, str], *, before: Sequence[Snippet] = ()) -> Fix:
    """A fix that sets environment variables for the build (verifiable by a rebuild)."""
    return Fix(summary=summary, snippets=(*before, *env_snippets(env)), changes=Changes(env=dict(env)))


def flags_fix(summary: str, flags: Sequence[str], *, before: Sequence[Snippet] = ()) -> Fix:
    """A fix that adds ``go build`` flags (verifiable by a rebuild)."""
    snippet = Snippet(language="bash", code=f"go build {' '.join(flags)} ./...\n")
    return Fix(summary=summary, snippets=(*before, snippet), changes=Changes(flags=tuple(flags)))


def apt(packages: Sequence[str]) -> Snippet:
    return Snippet(
        language="bash",
        code=f"sudo apt-get update && sudo apt-get install -y --no-install-recommends {' '.join(packages)}\n",
    )


def shell(code: str) -> Snippet:
    return Snippet(language="bash", code=code if code.endswith("\n") else code + "\n")


def _shell_value(value: str) -> str:
    if value and all(c.isalnum() or c in "-_./=:,+@%" for c in value):
        return value
    return "'" + value.replace("'", "'\"'\"'") + "'"


def _yaml_value(value: str) -> str:
    if value and all(c.isalnum() or c in "-_./=+" for c in value) and not value[0].isdigit():
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
