"""Both ways against the real ``@actions/artifact`` npm client (pinned in tests/node, installed
by .ci/setup.d/50-actions-artifact.sh): the stand-in service must accept the real client's
upload, and what the Python client uploads must be readable by the real client's download."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gocross_action.github.artifacts import RetryPolicy, download_reports, upload_report
from tests.conftest import ROOT
from tests.results_service import ResultsService

NODE_MODULES = ROOT / ".cache" / "node-artifact" / "node_modules"
SCRIPT = ROOT / "tests" / "node" / "artifact-client.mjs"
FAST = RetryPolicy(backoff_s=0.01, max_wait_s=1.0, timeout_s=30.0)


def _node() -> str:
    node = shutil.which("node")
    if node is None or not (NODE_MODULES / "@actions" / "artifact").is_dir():
        pytest.skip("node or @actions/artifact is missing (.ci/setup.d/50-actions-artifact.sh installs it)")
    return node


def run_client(service_env: dict[str, str], workspace: Path, *args: str) -> dict[str, Any]:
    """Run the real client; its answer is the last stdout line (``RESULT <json>``)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ACTIONS_", "GITHUB_", "INPUT_", "RUNNER_"))
    }
    env.update(service_env)
    env.update({"GOCROSS_NODE_MODULES": str(NODE_MODULES), "GITHUB_WORKSPACE": str(workspace)})
    proc = subprocess.run(
        [_node(), str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("RESULT "), proc.stdout[-4000:]
    result: dict[str, Any] = json.loads(last[len("RESULT ") :])
    return result


@pytest.fixture
def service() -> Iterator[ResultsService]:
    _node()
    with ResultsService() as running:
        yield running


@pytest.fixture
def report_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "workspace" / ".gocross"
    (directory / "logs").mkdir(parents=True)
    (directory / "report.json").write_text(json.dumps({"schema_version": 1, "findings": []}))
    (directory / "report.md").write_text("## gocross: 1 error\n")
    (directory / "report.sarif").write_text(json.dumps({"version": "2.1.0", "runs": []}))
    # Incompressible bytes, so the zip is larger than the small blocks used below.
    (directory / "logs" / "linux_arm64.log").write_bytes(os.urandom(3000).hex().encode())
    return directory


FILES = ("report.json", "report.md", "report.sarif", "logs/linux_arm64.log")


def test_the_real_clients_upload_is_accepted_and_readable_by_the_python_client(
    service: ResultsService, report_dir: Path, tmp_path: Path
) -> None:
    uploaded = run_client(
        service.env("node-job"),
        report_dir.parent,
        "upload",
        "gocross-report-build-linux_arm64",
        str(report_dir),
        *(str(report_dir / f) for f in FILES),
    )
    [artifact] = service.finalized()
    assert (artifact.artifact_id, artifact.size) == (uploaded["id"], uploaded["size"])
    assert artifact.digest == "sha256:" + uploaded["digest"]
    # The real client stages blocks and commits a block list, even for a small file.
    comps = [r.query.get("comp", [""])[0] for r in service.requests if r.route == "blob-put"]
    assert comps[-1] == "blocklist" and set(comps[:-1]) == {"block"}

    [directory] = download_reports(
        "gocross-report", dest=tmp_path / "got", env=service.env("agg"), retry=FAST
    )
    for name in FILES:
        assert (directory / name).read_bytes() == (report_dir / name).read_bytes()


@pytest.mark.parametrize("block_bytes", [8 * 1024 * 1024, 1024], ids=["single-put", "blocks"])
def test_the_python_clients_upload_passes_the_service_and_the_real_clients_download(
    service: ResultsService, report_dir: Path, tmp_path: Path, block_bytes: int
) -> None:
    ref = upload_report(
        [report_dir / f for f in FILES],
        name="gocross-report-build-linux_arm64",
        root=report_dir,
        env=service.env("py-job"),
        retry=FAST,
        block_bytes=block_bytes,
    )
    assert ref is not None
    assert (ref.size > block_bytes) is (block_bytes == 1024)
    dest = tmp_path / "node-download"
    downloaded = run_client(service.env("agg"), tmp_path, "download", ref.name, str(dest))
    assert downloaded["digestMismatch"] is False
    assert (downloaded["id"], downloaded["digest"]) == (ref.artifact_id, ref.digest)
    for name in FILES:
        assert (dest / name).read_bytes() == (report_dir / name).read_bytes()


def test_the_real_client_lists_what_the_python_client_uploaded(
    service: ResultsService, report_dir: Path, tmp_path: Path
) -> None:
    ref = upload_report(
        [report_dir / "report.json"],
        name="gocross-report-x",
        root=report_dir,
        env=service.env("py"),
        retry=FAST,
    )
    assert ref is not None
    listed = run_client(service.env("other"), tmp_path, "list")["artifacts"]
    assert [(a["name"], a["id"], a["size"]) for a in listed] == [(ref.name, ref.artifact_id, ref.size)]
    stored = zipfile.ZipFile(io.BytesIO(service.content(ref.name)))
    assert stored.namelist() == ["report.json"]
