"""The README tells the truth: every workflow in it passes actionlint, and every ``$ gocross``
command shown in its Quick start and Commands sections prints what the README shows.

Expected output is compared line by line after normalising what changes from run to run (build
times, the Go version); in the README, a line that is only ``...`` stands for any number of
lines, and ``...`` inside a line for any text. The install commands (``pip install .``,
``bash .ci/run``) are what CI itself runs."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_gocross

README = (ROOT / "README.md").read_text(encoding="utf-8")
ACTIONLINT = ROOT / ".cache" / "tools" / "actionlint-v1.7.12" / "actionlint"
_BLOCK = re.compile(r"(?:<!-- readme-run: (?P<mark>[^>]*?) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)```", re.S)
_TIME = re.compile(r" +\d+\.\ds\b")
_GO_VERSION = re.compile(r"\bgo1\.\d+(?:\.\d+)?(?:rc\d+)?\b")


def _section(title: str, until: str) -> str:
    start = README.index(f"\n## {title}\n")
    return README[start : README.index(f"\n## {until}\n", start)]


@dataclass(frozen=True)
class Shown:
    command: str
    expected: list[str]
    mark: str | None


def shown_commands() -> Iterator[Shown]:
    text = _section("Quick start", "Commands") + _section("Commands", "Configuration")
    for block in _BLOCK.finditer(text):
        if block.group("lang") != "console":
            continue
        current: Shown | None = None
        for line in block.group("body").rstrip("\n").split("\n"):
            if line.startswith("$ "):
                if current is not None:
                    yield current
                current = Shown(line[2:], [], block.group("mark"))
            elif current is not None:
                current.expected.append(line)
        if current is not None:
            yield current


def workflows() -> list[str]:
    return [
        b.group("body")
        for b in _BLOCK.finditer(README)
        if b.group("lang") == "yaml" and "jobs:" in b.group("body")
    ]


def _normalise(line: str) -> str:
    return _GO_VERSION.sub("goVERSION", _TIME.sub(" T", line)).rstrip()


def _line_matches(expected: str, actual: str) -> bool:
    parts = [re.escape(p) for p in _normalise(expected).split("...")]
    return re.fullmatch(".*".join(parts), _normalise(actual)) is not None


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` is ``expected`` with its ``...`` lines and ``...`` parts filled in."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head.strip() == "...":
        return any(matches(rest, actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and _line_matches(head, actual[0]) and matches(rest, actual[1:])


def _without_arm64_cross_compilers(tmp: Path) -> str:
    """A PATH holding everything on this one except ``aarch64-linux-gnu-*``."""
    seen: set[str] = set()
    for directory in os.environ["PATH"].split(os.pathsep):
        folder = Path(directory)
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if entry.name.startswith("aarch64-linux-gnu-") or entry.name in seen:
                continue
            seen.add(entry.name)
            (tmp / entry.name).symlink_to(entry)
    return str(tmp)


def _arm64_cgo_works(tmp: Path) -> bool:
    source = tmp / "probe.c"
    source.write_text("#include <stdlib.h>\nint main(void) { return EXIT_SUCCESS; }\n", encoding="utf-8")
    try:
        proc = subprocess.run(
            ["aarch64-linux-gnu-gcc", str(source), "-o", str(tmp / "probe")], capture_output=True, timeout=120
        )
    except OSError:
        return False
    return (
        proc.returncode == 0
        and subprocess.run(["which", "qemu-aarch64-static"], capture_output=True).returncode == 0
    )


SHOWN = list(shown_commands())


def test_the_readme_shows_commands_to_check() -> None:
    commands = [s.command for s in SHOWN]
    assert "gocross check examples/hello" in commands
    assert any(c.startswith("gocross diagnose") for c in commands)
    assert any(c.startswith("gocross probe") for c in commands)
    assert all(c.startswith("gocross ") for c in commands)


@pytest.mark.parametrize("shown", SHOWN, ids=[f"{s.command} [{s.mark or 'as is'}]" for s in SHOWN])
def test_each_readme_command_prints_what_the_readme_shows(shown: Shown) -> None:
    env = {}
    with tempfile.TemporaryDirectory(prefix="gocross-readme-") as scratch:
        if shown.mark == "without aarch64-linux-gnu":
            env["PATH"] = _without_arm64_cross_compilers(Path(scratch))
        elif shown.mark == "with aarch64-linux-gnu" and not _arm64_cgo_works(Path(scratch)):
            pytest.skip("aarch64-linux-gnu-gcc cannot build C here, or qemu-aarch64-static is missing")
        result = run_gocross(shlex.split(shown.command)[1:], cwd=ROOT, env=env)
    actual = result.stdout.rstrip("\n").split("\n")
    readme = "\n".join(shown.expected)
    assert matches(shown.expected, actual), (
        f"README shows:\n{readme}\n\n{shown.command} printed:\n{result.stdout}"
    )


def test_readme_workflows_are_complete_and_pass_actionlint(tmp_path: Path) -> None:
    found = workflows()
    assert len(found) >= 2
    if not ACTIONLINT.is_file():
        pytest.skip("actionlint is not built (.ci/setup.d/41-actionlint.sh builds it)")
    paths = []
    for index, body in enumerate(found):
        path = tmp_path / f"readme-{index}.yml"
        path.write_text(body, encoding="utf-8")
        paths.append(str(path))
    proc = subprocess.run([str(ACTIONLINT), *paths], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_readme_workflow_uploading_sarif_may_write_security_events() -> None:
    for body in workflows():
        if "upload-sarif" in body:
            assert "security-events: write" in body


@pytest.mark.parametrize(
    ("expected", "actual", "same"),
    [
        (["a", "...", "z"], ["a", "b", "c", "z"], True),
        (["a", "...", "z"], ["a", "z"], True),
        (["x ...: 1"], ["x under qemu: 1"], True),
        (["  linux    passed     1.0s"], ["  linux    passed    12.3s"], True),
        (["a", "z"], ["a", "b", "z"], False),
        (["a ... b"], ["a c"], False),
    ],
)
def test_the_comparison_fills_in_only_what_the_readme_elides(
    expected: list[str], actual: list[str], same: bool
) -> None:
    assert matches(expected, actual) is same


def test_the_test_command_says_what_it_needs_root_for(tmp_path: Path) -> None:
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run .ci/run as another user")
    proc = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "bash", str(ROOT / ".ci" / "run")],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)},
    )
    assert proc.returncode == 1
    assert (
        ".ci/run: root is needed to install Debian packages with apt-get (.ci/apt-packages.txt" in proc.stderr
    )
