"""Unit tests are pure and fast: spawning the Go toolchain here is a test bug."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _no_go_in_unit_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    real_popen = subprocess.Popen

    class GuardedPopen(real_popen):  # type: ignore[misc, valid-type]
        def __init__(self, args: Any, *rest: Any, **kwargs: Any) -> None:
            argv0 = args[0] if isinstance(args, (list, tuple)) else str(args).split()[0]
            if str(argv0).rsplit("/", 1)[-1] in {"go", "gofmt"}:
                raise AssertionError(
                    "unit tests must not run the Go toolchain; put this in tests/integration"
                )
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", GuardedPopen)


@pytest.fixture(autouse=True)
def _own_user_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """gocross's user cache (ports, accepted configs) lives in the test run's temp folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
