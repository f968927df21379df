"""A config the schema accepted is not validated against the schema again while it is unchanged
(importing jsonschema costs more than the rest of ``gocross check`` before its first build), and
nothing it remembers lets a changed config through."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gocross_action import config
from gocross_action.errors import ConfigError
from tests.conftest import ROOT

VALID = 'build:\n  ldflags: "-s -w"\ntargets: [linux/amd64, windows/amd64]\n'


def _load_in_a_new_process(path: Path, cache: Path) -> str:
    """Load the config in a fresh interpreter; say whether it imported jsonschema."""
    code = (
        "import sys; from pathlib import Path; from gocross_action import config; "
        f"config.load(Path({str(path)!r})); print('jsonschema' in sys.modules)"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_an_unchanged_config_is_validated_by_the_schema_once(tmp_path: Path) -> None:
    path = tmp_path / "gocross.yml"
    path.write_text(VALID)
    cache = tmp_path / "cache"
    assert _load_in_a_new_process(path, cache) == "True"
    assert _load_in_a_new_process(path, cache) == "False", "the second run trusts the first one's check"
    path.write_text(VALID.replace("windows/amd64", "darwin/arm64"))
    assert _load_in_a_new_process(path, cache) == "True", "a changed config is validated again"


def test_a_config_the_schema_refuses_is_refused_every_time(tmp_path: Path) -> None:
    path = tmp_path / "gocross.yml"
    path.write_text(VALID)
    config.load(path)
    path.write_text(VALID.replace('ldflags: "-s -w"', "ldflags: [-s, -w]"))
    for _ in range(2):
        with pytest.raises(ConfigError, match=r"build\.ldflags"):
            config.load(path)


def test_a_yaml_date_is_not_taken_for_the_remembered_string(tmp_path: Path) -> None:
    """A YAML date and the string of it print alike as text: the date is still refused."""
    path = tmp_path / "gocross.yml"
    path.write_text('build:\n  ldflags: "2024-01-01"\n')
    assert config.load(path).build.ldflags == "2024-01-01"
    path.write_text("build:\n  ldflags: 2024-01-01\n")
    with pytest.raises(ConfigError, match=r"build\.ldflags"):
        config.load(path)
