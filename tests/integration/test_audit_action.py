"""The audit inside the Action's check mode: a Dockerfile problem in the pull request becomes a
check-run annotation at the Dockerfile's line, with the build itself passing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.github_server import GithubServer, openapi_available
from tests.integration.action_env import HELLO_GO, TOKEN, ActionHarness, go_module
from tests.results_service import ResultsService

pytestmark = pytest.mark.skipif(
    not openapi_available(),
    reason="GitHub's OpenAPI description is missing (.ci/setup.d/40-octokit-openapi.sh)",
)

DOCKERFILE = """FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=1 go build -o /out/app .
FROM scratch
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
"""


@pytest.fixture
def services() -> Iterator[tuple[GithubServer, ResultsService]]:
    with GithubServer(token=TOKEN) as api, ResultsService() as results:
        yield api, results


def test_a_dockerfile_finding_is_annotated_at_its_line_in_check_mode(
    tmp_path: Path, services: tuple[GithubServer, ResultsService]
) -> None:
    api, results = services
    harness = ActionHarness(tmp_path, api.url)
    harness.extra_env.update(results.env())
    module = go_module(harness.workspace, HELLO_GO, subdir="app")
    (module / "Dockerfile").write_text(DOCKERFILE, encoding="utf-8")
    run = harness.run({"working-directory": "app", "targets": "linux/amd64"})
    assert run.code == 1, run.log
    report = json.loads((harness.workspace / run.outputs["report"]).read_text(encoding="utf-8"))
    assert report["targets"][0]["status"] == "passed"
    rules = {f["rule"] for f in report["findings"]}
    assert "audit.dockerfile.cgo-in-static-image" in rules
    assert report["environment"]["audit"]["status"] == "error"
    assert "Dockerfile" in report["environment"]["audit"]["dockerfiles"]
    (check,) = api.check_runs.values()
    assert check["conclusion"] == "failure"
    assert any(
        a["path"] == "app/Dockerfile" and a["start_line"] == 6 and a["annotation_level"] == "failure"
        for a in check["annotations"]
    ), check["annotations"]
