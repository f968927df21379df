"""A fix whose precondition is already met is not the answer: the variables it sets already
have those values and the packages it installs are installed. Such a fix never ranks first; its
finding stays (the log did say it) but gives way to causes whose fixes would change something.
Only fixes with machine-applicable changes are judged: a fix of prose steps may still be needed.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from functools import cache

from ..findings import Finding, Fix, Severity

_APT_INSTALL = re.compile(r"apt-get install\s+(?P<args>[^\n&;|]*)")
DEMOTED_PRIORITY = 1


def apt_packages(fix: Fix) -> list[str]:
    """The Debian packages a fix's snippets install with apt-get."""
    names: list[str] = []
    for snippet in fix.snippets:
        for m in _APT_INSTALL.finditer(snippet.code):
            names += [w for w in m["args"].split() if not w.startswith("-") and "{" not in w]
    return names


@cache
def dpkg_installed(package: str) -> bool | None:
    """Whether dpkg has the package installed (None when there is no dpkg to ask)."""
    dpkg = shutil.which("dpkg-query")
    if dpkg is None:
        return None
    try:
        ran = subprocess.run(
            [dpkg, "-W", "-f=${Status}", package],
            capture_output=True,
            text=True,
            timeout=10,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return ran.returncode == 0 and ran.stdout.strip().endswith("install ok installed")


def already_met(
    fix: Fix | None, env: Mapping[str, str], installed: Callable[[str], bool | None] = dpkg_installed
) -> str | None:
    """Why applying ``fix`` would change nothing here, or None when it would change something."""
    if fix is None or fix.changes is None or fix.changes.flags or not fix.changes.env:
        # Only a fix whose machine-applicable part is known can be judged: prose steps
        # ("link the missing import library") may still be left to do.
        return None
    changes = dict(fix.changes.env)
    if any(env.get(name) != value for name, value in changes.items()):
        return None
    reasons = [", ".join(f"{name} is already {value}" for name, value in changes.items())]
    packages = apt_packages(fix)
    if packages:
        states = [installed(p) for p in packages]
        if not all(s is True for s in states):
            return None
        reasons.append(f"{', '.join(packages)} {'is' if len(packages) == 1 else 'are'} installed")
    return "; ".join(reasons)


def demote_met(
    findings: Sequence[Finding],
    env_by_target: Mapping[str, Mapping[str, str]],
    installed: Callable[[str], bool | None] = dpkg_installed,
) -> list[Finding]:
    """Error findings of the given targets whose fix is already in place rank last, saying so."""
    out = []
    for finding in findings:
        env = env_by_target.get(finding.target or "")
        why = None
        if env is not None and finding.severity is Severity.ERROR:
            why = already_met(finding.fix, env, installed)
        if why is None or finding.fix is None:
            out.append(finding)
            continue
        fix = dataclasses.replace(
            finding.fix,
            summary=f"Already in place here ({why}), so this is not what is left to fix: "
            + finding.fix.summary,
        )
        out.append(
            dataclasses.replace(
                finding, fix=fix, priority=DEMOTED_PRIORITY, confidence=round(finding.confidence / 2, 3)
            )
        )
    return out
