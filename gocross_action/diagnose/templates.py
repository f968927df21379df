"""``{name}`` and ``{name|default}`` placeholders in rule titles, causes and fix snippets.

Only lower-case names are placeholders, so shell (``${HOME}``) and workflow expressions
(``${{ matrix.goos }}``) pass through untouched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)(?:\|([^{}]*))?\}")


def names(template: str) -> set[str]:
    return {m.group(1) for m in _PLACEHOLDER.finditer(template)}


def required_names(template: str) -> set[str]:
    """Placeholders without a default: the template cannot be rendered without them."""
    return {m.group(1) for m in _PLACEHOLDER.finditer(template) if m.group(2) is None}


def render(template: str, values: Mapping[str, str]) -> str | None:
    """The template filled in, or None when a placeholder without a default has no value."""
    missing = False

    def fill(m: re.Match[str]) -> str:
        nonlocal missing
        value = values.get(m.group(1))
        if value:
            return value
        if m.group(2) is not None:
            return m.group(2)
        missing = True
        return ""

    out = _PLACEHOLDER.sub(fill, template)
    return None if missing else out


def render_lenient(template: str, values: Mapping[str, str], *, unknown: str = "?") -> str:
    """For titles and causes: a missing value becomes its default, or ``unknown``."""
    return _PLACEHOLDER.sub(
        lambda m: values.get(m.group(1)) or (m.group(2) if m.group(2) is not None else unknown), template
    )
