"""Conditions on facts (a rule's or a fix's ``when``): all keys must hold.

Keys: ``goos``/``goarch`` (the target must be one of), ``goos_not``/``goarch_not`` (must not be,
or unknown), ``cgo`` (accepted values of CGO_ENABLED: true, false, null for unknown),
``host_goos``/``host_goos_not``, ``in_container``, ``markers`` (all present), ``markers_any``,
``markers_not``, ``probes`` (name -> accepted statuses), ``env`` (name -> regex),
``captured`` (named group -> regex, on the matched line), ``any`` (a list: one must hold),
``not`` (must not hold).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..boundary import regex as linear
from .facts import Facts


def _search(pattern: str, text: str) -> bool:
    """A condition's regex over a captured value or an environment value, in linear time."""
    return linear.compile(pattern).search(text) is not None


KEYS = (
    "goos",
    "goos_not",
    "goarch",
    "goarch_not",
    "cgo",
    "host_goos",
    "host_goos_not",
    "in_container",
    "markers",
    "markers_any",
    "markers_not",
    "probes",
    "env",
    "captured",
    "any",
    "not",
)


def _one_of(value: str | None, accepted: list[str]) -> bool:
    return value is not None and value in accepted


def _none_of(value: str | None, rejected: list[str]) -> bool:
    return value is None or value not in rejected


_CHECKS: dict[str, Callable[[Any, Facts, Mapping[str, str]], bool]] = {
    "goos": lambda v, f, g: _one_of(f.goos, v),
    "goos_not": lambda v, f, g: _none_of(f.goos, v),
    "goarch": lambda v, f, g: _one_of(f.goarch, v),
    "goarch_not": lambda v, f, g: _none_of(f.goarch, v),
    "cgo": lambda v, f, g: f.cgo_enabled in v,
    "host_goos": lambda v, f, g: _one_of(f.host_goos, v),
    "host_goos_not": lambda v, f, g: _none_of(f.host_goos, v),
    "in_container": lambda v, f, g: f.in_container is v,
    "markers": lambda v, f, g: all(m in f.markers for m in v),
    "markers_any": lambda v, f, g: any(m in f.markers for m in v),
    "markers_not": lambda v, f, g: not any(m in f.markers for m in v),
    "probes": lambda v, f, g: all(f.probes.get(name) in statuses for name, statuses in v.items()),
    "env": lambda v, f, g: all(_search(rx, f.env.get(name, "")) for name, rx in v.items()),
    "captured": lambda v, f, g: all(_search(rx, g.get(name) or "") for name, rx in v.items()),
    "any": lambda v, f, g: any(holds(c, f, g) for c in v),
    "not": lambda v, f, g: not holds(v, f, g),
}


def line_only(when: Mapping[str, Any] | None) -> bool:
    """Whether ``when`` depends on nothing but the matched line (``captured``, through ``any``
    and ``not``): such a condition is about wording, and a rule's examples apply it."""
    if not when:
        return False
    for key, value in when.items():
        if key == "not" and not line_only(value):
            return False
        if key == "any" and not all(line_only(c) for c in value):
            return False
        if key not in ("captured", "not", "any"):
            return False
    return True


def holds(when: Mapping[str, Any] | None, facts: Facts, captured: Mapping[str, str] | None = None) -> bool:
    """Whether every condition in ``when`` holds (an empty or missing ``when`` always does)."""
    if not when:
        return True
    groups = captured or {}
    return all(_CHECKS[key](value, facts, groups) for key, value in when.items())
