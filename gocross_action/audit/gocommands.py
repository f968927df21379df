"""The ``go`` commands inside a shell script (a RUN instruction or a workflow ``run:``), and the
Go settings the script gives them inline (``GOARCH=arm64 go build``, ``export CGO_ENABLED=0``,
``go env -w GOFLAGS=...``). Read as words, never run; linear in the length of the script."""

from __future__ import annotations

import re
from dataclasses import dataclass

GO_KEYS = (
    "GOOS",
    "GOARCH",
    "GOARM",
    "CGO_ENABLED",
    "CC",
    "CXX",
    "GOFLAGS",
    "GOPROXY",
    "GOTOOLCHAIN",
    "GOCACHE",
    "GOMODCACHE",
    "HOME",
    "XDG_CACHE_HOME",
)
_SEPARATORS = re.compile(r"[\s;&|()]+")
_ASSIGN = re.compile(r"^([A-Z_][A-Z0-9_]*)=(.*)$")


@dataclass(frozen=True, kw_only=True)
class GoCommand:
    """One ``go <verb>`` in a script: the verb, the words after it, and the settings the script
    assigns before it (inline, ``export`` or ``go env -w``)."""

    verb: str
    args: tuple[str, ...]
    assigned: tuple[tuple[str, str], ...]

    def setting(self, key: str) -> str | None:
        found = None
        for name, value in self.assigned:
            if name == key:
                found = value
        return found

    def flag(self, name: str) -> str | None:
        """The value of ``-name=value`` (or ``-name value``) among the args."""
        for i, arg in enumerate(self.args):
            if arg in (f"-{name}", f"--{name}") and i + 1 < len(self.args):
                return self.args[i + 1]
            for prefix in (f"-{name}=", f"--{name}="):
                if arg.startswith(prefix):
                    return arg[len(prefix) :]
        return None


def _squeeze_expressions(script: str) -> str:
    """``${{ matrix.goarch }}`` -> ``${{matrix.goarch}}``: a workflow expression is one word."""
    out: list[str] = []
    start = 0
    while True:
        opening = script.find("${{", start)
        if opening < 0:
            break
        closing = script.find("}}", opening + 3)
        if closing < 0:
            break
        out.append(script[start:opening])
        out.append("${{" + "".join(script[opening + 3 : closing].split()) + "}}")
        start = closing + 2
    out.append(script[start:])
    return "".join(out)


def _words(script: str) -> list[str]:
    script = _squeeze_expressions(script)
    return [w.strip("\"'") for w in _SEPARATORS.split(script) if w.strip("\"'")]


def commands(script: str) -> list[GoCommand]:
    """Every ``go <verb>`` of the script, in order."""
    words = _words(script)
    out: list[GoCommand] = []
    assigned: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        word = words[i]
        assign = _ASSIGN.match(word)
        if assign and assign[1] in GO_KEYS:
            assigned.append((assign[1], assign[2]))
        elif word.rsplit("/", 1)[-1] == "go" and i + 1 < len(words):
            verb = words[i + 1]
            args: list[str] = []
            j = i + 2
            while j < len(words) and len(args) < 64 and words[j].rsplit("/", 1)[-1] != "go":
                args.append(words[j])
                j += 1
            if verb == "env" and args[:1] == ["-w"]:
                for arg in args[1:]:
                    setting = _ASSIGN.match(arg)
                    if setting and setting[1] in GO_KEYS:
                        assigned.append((setting[1], setting[2]))
            out.append(GoCommand(verb=verb, args=tuple(args), assigned=tuple(assigned)))
        i += 1
    return out


def builds(script: str) -> list[GoCommand]:
    """The ``go build`` and ``go install`` commands of the script."""
    return [c for c in commands(script) if c.verb in ("build", "install")]


def glob(word: str, pattern: str) -> bool:
    """``fnmatch`` for ``*`` only, in linear time (no regex backtracking on long words)."""
    parts = pattern.split("*")
    if len(parts) == 1:
        return word == pattern
    if not word.startswith(parts[0]) or len(word) < len(parts[0]) + len(parts[-1]):
        return False
    position = len(parts[0])
    end = len(word) - len(parts[-1])
    for part in parts[1:-1]:
        found = word.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return word.endswith(parts[-1])


def mentions_package(script: str, packages: tuple[str, ...]) -> bool:
    """Whether the script names one of ``packages`` (patterns with ``*``; a ``=version`` suffix
    is ignored)."""
    return any(glob(w.split("=", 1)[0], p) for w in _words(script) for p in packages)
