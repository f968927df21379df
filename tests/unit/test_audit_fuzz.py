"""Whatever a pull request puts in a Dockerfile or a workflow, the audit answers with findings or
a skip note, never an exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from gocross_action.audit import dockerfile, dockerfile_checks, files, workflow_checks, workflows

PIECES = st.sampled_from(
    [
        "FROM ",
        "--platform=$BUILDPLATFORM ",
        "golang:1.26 ",
        "scratch",
        " AS b",
        "\n",
        "\\\n",
        "`",
        "# escape=`\n",
        "RUN ",
        "go build ",
        "GOARCH=$TARGETARCH ",
        "CGO_ENABLED=1 ",
        "<<EOF\n",
        "<<-'X'\n",
        "EOF\n",
        "COPY --from=",
        "b ",
        "0 ",
        ". .",
        "ENV ",
        "ARG ",
        "A=${B:-${C",
        "}",
        "USER 1000\n",
        '"',
        "'",
        "[",
        "]",
        "=",
        "$",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=60).map("".join))
def test_any_dockerfile_text_parses_or_is_refused_cleanly(text: str) -> None:
    try:
        parsed = dockerfile.parse(text)
    except dockerfile.ParseError:
        return
    ctx = dockerfile_checks.Context(
        path="Dockerfile",
        dockerfile=parsed,
        repo=files.Repository(root=Path("/nonexistent-gocross-repo")),
        context_dir=Path("/nonexistent-gocross-repo"),
        platforms=("linux/amd64", "linux/arm64"),
    )
    dockerfile_checks.check(ctx)
    dockerfile_checks.facts(ctx)


YAML = st.sampled_from(
    [
        "jobs:\n",
        "  a:\n",
        "    runs-on: ubuntu-latest\n",
        "    env: {GOOS: windows}\n",
        "    strategy: {matrix: {goarch: [arm64, amd64]}}\n",
        "    container: golang:1.26-alpine\n",
        "    steps:\n",
        "      - run: go test ./...\n",
        "      - uses: actions/setup-node@v4\n",
        "      - uses: docker/build-push-action@v6\n",
        "        with: {platforms: 'linux/arm64'}\n",
        "      - run: GOARCH=${{ matrix.goarch }} CGO_ENABLED=1 go build\n",
        "env: [1, 2]\n",
        "- x\n",
        "&a [*a]\n",
        ": :\n",
        "steps: 3\n",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(YAML, max_size=25).map("".join))
def test_any_workflow_text_parses_or_is_refused_cleanly(text: str) -> None:
    try:
        wf = workflows.parse(text, ".github/workflows/x.yml")
    except workflows.WorkflowError:
        return
    workflow_checks.check(workflow_checks.Context(workflow=wf))
