"""The GODEBUG the audit predicts from go.mod and //go:debug is what go build puts in the binary,
and a built binary's DefaultGODEBUG is reported in plain words."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from gocross_action import audit
from gocross_action.audit import files, godebug
from tests.conftest import go_cache, run_gocross

GO_MOD = "module example.com/legacy\n\ngo 1.22\n\ngodebug (\n\thttp2client=0\n\tpanicnil=1\n)\n"
MAIN = "//go:debug x509usefallbackroots=1\npackage main\n\nfunc main() {}\n"


def _build(module: Path) -> Path:
    env = {**os.environ, "GOCACHE": go_cache(), "GOTOOLCHAIN": "local", "GOFLAGS": "-buildvcs=false"}
    out = module / "legacy"
    subprocess.run(["go", "build", "-o", str(out), "."], cwd=module, env=env, check=True, timeout=300)
    return out


def test_the_predicted_default_godebug_is_the_one_go_build_records(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text(GO_MOD, encoding="utf-8")
    (tmp_path / "main.go").write_text(MAIN, encoding="utf-8")
    binary = _build(tmp_path)
    predicted = godebug.predict(files.Repository(root=tmp_path), tmp_path / "go.mod")
    built = godebug.from_binary(binary)
    assert predicted is not None and not isinstance(built, str)
    assert dict(predicted.settings) == dict(built.settings)
    assert built.settings["x509negativeserial"] == "1"  # the go 1.22 line keeps the pre-1.23 default


def test_audit_reports_a_binarys_settings_in_plain_words(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text(GO_MOD, encoding="utf-8")
    (tmp_path / "main.go").write_text(MAIN, encoding="utf-8")
    binary = _build(tmp_path)
    done = run_gocross(["audit", str(tmp_path), "--binary", str(binary), "--format", "json"])
    assert done.code == 0, done.stderr
    report = json.loads(done.stdout)
    entry = report["environment"]["audit"]["godebug"]["binaries"][str(binary)]
    assert entry["default_godebug"]["http2client"] == "0"
    assert any("never uses HTTP/2" in text for text in entry["meaning"])
    (notice,) = [f for f in report["findings"] if f["rule"] == "audit.godebug.binary-non-default"]
    assert notice["severity"] == "notice"


def test_a_binary_that_ignores_the_cpu_quota_is_warned_about(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text("module example.com/old\n\ngo 1.24\n", encoding="utf-8")
    (tmp_path / "main.go").write_text("package main\n\nfunc main() {}\n", encoding="utf-8")
    binary = _build(tmp_path)
    cgroup = tmp_path / "cgroup"
    cgroup.mkdir()
    (cgroup / "cpu.max").write_text("50000 100000\n", encoding="ascii")
    result = audit.run(tmp_path, env={"PATH": ""}, cgroup=cgroup, binaries=[binary])
    (warning,) = [f for f in result.findings if f.rule == "audit.runtime.gomaxprocs-quota"]
    assert "containermaxprocs=0" in warning.root_cause
    # The same binary without a quota: nothing to say.
    (cgroup / "cpu.max").write_text("max 100000\n", encoding="ascii")
    result = audit.run(tmp_path, env={"PATH": ""}, cgroup=cgroup, binaries=[binary])
    assert not [f for f in result.findings if f.rule == "audit.runtime.gomaxprocs-quota"]


def test_audit_refuses_a_binary_that_does_not_exist(tmp_path: Path) -> None:
    done = run_gocross(["audit", str(tmp_path), "--binary", str(tmp_path / "missing")])
    assert done.code == 2
    assert "is not a file" in done.stderr
