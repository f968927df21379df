"""A config accepted before is not parsed or validated against the schema again while its text is
unchanged (importing the YAML parser and jsonschema costs more than the rest of ``gocross check``
before its first build), and nothing it remembers lets a changed config through."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gocross_action import config
from gocross_action.errors import ConfigError
from tests.conftest import ROOT

VALID = 'build:\n  ldflags: "-s -w"\ntargets: [linux/amd64, windows/amd64]\n'
RICH = """\
targets:
  - goos: linux
    goarch: arm64
    cgo: true
    cc: aarch64-linux-gnu-gcc
  - windows/amd64
build:
  flags: -trimpath -v
  tags: [netgo, osusergo]
glibc-max: "2.31"
smoke: ["--version"]
"""


def _load_in_a_new_process(path: Path, cache: Path, module: str = "jsonschema") -> str:
    """Load the config in a fresh interpreter; say whether it imported ``module``."""
    code = (
        "import sys; from pathlib import Path; from gocross_action import config; "
        f"config.load(Path({str(path)!r})); print({module!r} in sys.modules)"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user cache of the test's own (the remembered configs of other tests left out)."""
    folder = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


def _remembered(cache: Path) -> list[Path]:
    return sorted((cache / "gocross").glob("config-text-*.json"))


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


def test_a_config_loaded_again_unchanged_is_not_parsed_again(tmp_path: Path) -> None:
    path = tmp_path / "gocross.yml"
    path.write_text(VALID)
    cache = tmp_path / "cache"
    assert _load_in_a_new_process(path, cache, "yaml") == "True"
    assert _load_in_a_new_process(path, cache, "yaml") == "False"
    path.write_text(VALID + "# a comment changes the text\n")
    assert _load_in_a_new_process(path, cache, "yaml") == "True"


def test_the_remembered_config_is_the_config_the_file_gives(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "gocross.yml"
    path.write_text(RICH)
    first = config.load(path)
    assert [json.loads(e.read_text())["text"] for e in _remembered(cache)] == [RICH]
    assert config.load(path) == first


def test_the_rule_files_are_looked_for_every_time(tmp_path: Path) -> None:
    """What the disk holds can change while the config does not: a rule file removed since the
    config was accepted is still reported."""
    rules = tmp_path / "team-rules.yml"
    rules.write_text("rules: []\n")
    path = tmp_path / "gocross.yml"
    path.write_text(VALID + "rules: [team-rules.yml]\n")
    config.load(path)
    rules.unlink()
    with pytest.raises(ConfigError, match=r"rule file 'team-rules.yml' not found"):
        config.load(path)


def test_a_remembered_entry_counts_only_for_its_own_text_and_schema(tmp_path: Path, cache: Path) -> None:
    """An entry is used only when its text is the file's very text and it was written against the
    same schema: a forged or stale entry sends the config through every check again."""
    path = tmp_path / "gocross.yml"
    path.write_text(VALID)
    config.load(path)
    (entry,) = _remembered(cache)
    forged = json.loads(entry.read_text())
    forged["data"] = {"build": {"ldflags": ["-s", "-w"]}}  # what the schema refuses
    forged["stamp"] = "another gocross"
    entry.write_text(json.dumps(forged))
    assert config.load(path).build.ldflags == "-s -w", "the stale entry was not used"
    forged["stamp"] = json.loads(entry.read_text())["stamp"]
    forged["text"] = VALID + "# another text\n"
    entry.write_text(json.dumps(forged))
    assert config.load(path).build.ldflags == "-s -w", "an entry of another text was not used"


def test_only_the_newest_configs_are_remembered(tmp_path: Path, cache: Path) -> None:
    for i in range(40):
        path = tmp_path / f"c{i}" / "gocross.yml"
        path.parent.mkdir()
        path.write_text(VALID + f"# config {i}\n")
        config.load(path)
        # Each entry one second newer than the one before (the clock's tick is coarser than a load).
        for entry in _remembered(cache):
            if json.loads(entry.read_text())["text"] == path.read_text():
                os.utime(entry, (1_700_000_000 + i, 1_700_000_000 + i))
    kept = [json.loads(e.read_text())["text"] for e in _remembered(cache)]
    assert len(kept) == 32
    assert VALID + "# config 39\n" in kept
    assert VALID + "# config 0\n" not in kept
