"""Regular expressions over untrusted text, in a linear-time engine (RE2, ``google-re2``).

Python's ``re`` backtracks: ``(a+)+$`` never finishes on forty ``a`` and a ``!``, and patterns as
plain as ``\\S+: x`` cost time quadratic in the line's length. RE2 matches in time linear in the
text for every pattern it accepts; it refuses the constructs that need backtracking
(lookaround, backreferences, atomic groups, possessive repeats), and ``problem`` says so in one
line. Every rule pattern and every regex gocross runs over a log line goes through ``compile``.

Semantics differ from ``re`` in a few ways that rules can rely on: ``\\w``, ``\\d``, ``\\s`` and
``\\b`` are ASCII-only; ``\\Z`` is written ``\\z``; repeats are bounded at 1000.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any, Protocol

import re2

# Memory RE2 may use per pattern (its default is 8 MB): a pattern over it is refused, not slow.
MAX_MEMORY = 16 << 20
MAX_PATTERN = 4096


class Match(Protocol):
    def group(self, name: str | int = 0, /) -> str | Any: ...

    def groupdict(self) -> dict[str, str | None]: ...

    def start(self, group: str | int = 0, /) -> int: ...

    def end(self, group: str | int = 0, /) -> int: ...


class RegexError(ValueError):
    """A pattern the linear-time engine cannot run: the message is one line."""


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False
    options.max_mem = MAX_MEMORY
    return options


class Regex:
    """A compiled pattern; the methods ``re.Pattern`` has, with the same meaning."""

    __slots__ = ("_compiled", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._compiled: Any = re2.compile(pattern, _options())

    @property
    def groupindex(self) -> Mapping[str, int]:
        return dict(self._compiled.groupindex)

    def search(self, text: str) -> Match | None:
        found: Match | None = self._compiled.search(text)
        return found

    def match(self, text: str) -> Match | None:
        found: Match | None = self._compiled.match(text)
        return found

    def finditer(self, text: str) -> Iterator[Match]:
        found: Iterator[Match] = self._compiled.finditer(text)
        return found


_LACKING = (
    ("(?=", "a lookahead (?=...)"),
    ("(?!", "a negative lookahead (?!...)"),
    ("(?<=", "a lookbehind (?<=...)"),
    ("(?<!", "a negative lookbehind (?<!...)"),
    ("(?>", "an atomic group (?>...)"),
    ("(?P=", "a backreference (?P=name)"),
    ("(?(", "a conditional group (?(...)...)"),
)


def _lacking(pattern: str) -> str | None:
    """The backtracking-only construct ``pattern`` uses, if one is recognisable."""
    for text, name in _LACKING:
        if text in pattern:
            return name
    if re.search(r"(?<!\\)(?:\\\\)*\\[1-9]", pattern):
        return "a backreference (\\1)"
    if re.search(r"(?<!\\)(?:\\\\)*\\Z", pattern):
        return "\\Z (write \\z)"
    if re.search(r"[*+?}][+]", pattern):
        return "a possessive repeat (*+, ++, ?+)"
    return None


def _reason(pattern: str, exc: Exception) -> str:
    detail = exc.args[0] if exc.args else exc
    if isinstance(detail, bytes):
        detail = detail.decode("utf-8", "replace")
    return str(detail).split(":", 1)[0].strip() or "invalid pattern"


def problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be used (one line), or None when it can."""
    if len(pattern) > MAX_PATTERN:
        return f"longer than {MAX_PATTERN} characters"
    try:
        _compiled(pattern)
    except RegexError as exc:
        return str(exc)
    return None


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> Regex:
    try:
        return Regex(pattern)
    except re2.error as exc:
        lacking = _lacking(pattern)
        if lacking is not None:
            raise RegexError(
                f"uses {lacking}, which the linear-time regex engine (RE2) does not support: "
                "rewrite the pattern without it (a rule's 'when: captured' can exclude values)"
            ) from None
        try:
            re.compile(pattern)
        except re.error as py_exc:
            raise RegexError(f"invalid regex: {py_exc}") from None
        except RecursionError:
            raise RegexError("invalid regex: nested too deeply") from None
        reason = _reason(pattern, exc)
        raise RegexError(f"not supported by the linear-time regex engine (RE2): {reason}") from None


def compile(pattern: str) -> Regex:
    """``pattern`` compiled in RE2 (cached); ``RegexError`` when it cannot be."""
    if len(pattern) > MAX_PATTERN:
        raise RegexError(f"longer than {MAX_PATTERN} characters")
    return _compiled(pattern)
