"""The literal prefilter's strings: for a regex, case-sensitive strings one of which every
line it matches must contain. Derived from the parsed regex; a rule can give them instead."""

from __future__ import annotations

import itertools
import re
import sys
from typing import Any

if sys.version_info >= (3, 11):
    import re._constants as _c
    import re._parser as _parser
else:  # pragma: no cover - Python 3.10
    import sre_constants as _c
    import sre_parse as _parser

MIN_LENGTH = 4
_MAX_VARIANTS = 8


# Words most log lines of a failing build contain: a poor prefilter, chosen only as a last resort.
_COMMON = {"not found", "error", "error:", "failed", "warning", "undefined", "No such file or directory"}


def _score(alternatives: list[str]) -> tuple[int, int]:
    common = any(a.strip(" :'\"") in _COMMON or a.strip() in _COMMON for a in alternatives)
    return (min(len(a) for a in alternatives) - (12 if common else 0), -len(alternatives))


def _best(candidates: list[list[str]]) -> list[str] | None:
    candidates = [c for c in candidates if c and all(c)]
    return max(candidates, key=_score) if candidates else None


def _sequence(items: Any) -> list[str] | None:
    """The best literal alternatives that a match of this sequence must contain."""
    candidates: list[list[str]] = []
    run: list[str] = [""]

    def close() -> None:
        nonlocal run
        if run != [""]:
            candidates.append(run)
        run = [""]

    for op, arg in items:
        if op is _c.LITERAL:
            run = [r + chr(arg) for r in run]
        elif op is _c.IN and all(o is _c.LITERAL for o, _ in arg) and len(arg) * len(run) <= _MAX_VARIANTS:
            run = [r + chr(a) for r, (_, a) in itertools.product(run, arg)]
        else:
            close()
            inner: list[str] | None = None
            if op is _c.SUBPATTERN:
                inner = _sequence(arg[-1])
            elif op is _c.BRANCH:
                branches = [_sequence(b) for b in arg[1]]
                if all(branches):
                    inner = [s for b in branches if b for s in b]
            elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and arg[0] >= 1:
                inner = _sequence(arg[2])
            if inner:
                candidates.append(inner)
    close()
    return _best(candidates)


def derive(regex: str) -> list[str] | None:
    """Literals for ``regex`` (None when it has no usable literal of ``MIN_LENGTH`` chars)."""
    parsed = _parser.parse(regex)
    if parsed.state.flags & re.IGNORECASE:
        return None
    found = _sequence(list(parsed))  # type: ignore[call-overload]
    if not found or min(len(s) for s in found) < MIN_LENGTH:
        return None
    return sorted(set(found))
