"""matrix/inspect.py alone, on a real ELF file (this machine's Python): the report names the
binary relative to the module and judges it against the run's expectations."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from gocross_action.matrix import inspect
from gocross_action.targets import Target

_JUDGING = {"deploy": (), "glibc_max": None, "require_static": False}


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A dynamically linked ELF executable where a build would have put it."""
    output = tmp_path / ".gocross" / "dist" / "tool_linux_amd64"
    output.parent.mkdir(parents=True)
    shutil.copyfile(Path(sys.executable).resolve(), output)
    return output


@pytest.mark.skipif(sys.platform != "linux", reason="the fixture is this machine's ELF interpreter")
def test_the_binary_is_named_relative_to_the_module(built: Path, tmp_path: Path) -> None:
    facts, _ = inspect.binary(
        built, target=Target.parse("linux/amd64"), module_dir=tmp_path, judging=_JUDGING
    )
    assert facts["path"] == ".gocross/dist/tool_linux_amd64"
    assert facts["format"] == "elf"


@pytest.mark.skipif(sys.platform != "linux", reason="the fixture is this machine's ELF interpreter")
def test_a_dynamic_binary_fails_require_static_for_its_target(built: Path, tmp_path: Path) -> None:
    judging = {**_JUDGING, "require_static": True}
    _, found = inspect.binary(built, target=Target.parse("linux/amd64"), module_dir=tmp_path, judging=judging)
    assert [(f.rule, f.target) for f in found if f.rule == "artifact.not-static"] == [
        ("artifact.not-static", "linux/amd64")
    ]


def test_a_path_outside_the_module_is_shown_as_given(tmp_path: Path) -> None:
    assert inspect.relative(Path("/usr/bin/env"), tmp_path) == "/usr/bin/env"
