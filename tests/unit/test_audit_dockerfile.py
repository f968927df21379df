"""The Dockerfile parser reads BuildKit's syntax: continuations, escape directive, heredocs,
ARG/ENV substitution, stages, flags."""

from __future__ import annotations

import pytest

from gocross_action.audit.dockerfile import ParseError, expand, parse

MULTI = """# syntax=docker/dockerfile:1
# escape=`
ARG GO_VERSION=1.22
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION:-1.21}-alpine AS Build
ARG TARGETOS TARGETARCH
ENV CGO_ENABLED=0 `
    GOFLAGS="-mod=vendor -trimpath"
# a comment inside nothing
RUN --mount=type=cache,target=/root/.cache/go-build `
# a comment inside the continuation
    GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
RUN <<EOF
set -e
go build ./...
EOF
COPY <<-"EOT" /x
\thello $X
\tEOT
FROM scratch
COPY --from=build /out/app /app
"""


def test_escape_directive_continuations_and_comments_make_one_instruction() -> None:
    df = parse(MULTI)
    assert df.escape == "`"
    run = next(i for i in df.instructions if i.keyword == "RUN")
    assert run.line == 9
    assert run.flag("mount") == "type=cache,target=/root/.cache/go-build"
    assert run.args.split() == ["GOOS=$TARGETOS", "GOARCH=$TARGETARCH", "go", "build", "-o", "/out/app", "."]


def test_heredocs_are_read_with_their_quoting_and_tab_stripping() -> None:
    df = parse(MULTI)
    run, copy = [i for i in df.instructions if i.heredocs]
    assert run.heredocs[0].body == "set -e\ngo build ./..."
    assert run.heredocs[0].expand
    assert copy.heredocs[0].body == "hello $X"
    assert not copy.heredocs[0].expand
    assert [i.keyword for i in df.instructions][-2:] == ["FROM", "COPY"]


def test_stages_expand_global_args_and_keep_build_time_values_symbolic() -> None:
    build, final = parse(MULTI).stages
    assert (build.name, build.image, build.platform) == ("build", "golang:1.22-alpine", "$BUILDPLATFORM")
    scope = build.steps[-1].scope
    assert scope["TARGETARCH"].value == "${TARGETARCH}"
    assert scope["GOFLAGS"].value == "-mod=vendor -trimpath"
    assert scope["CGO_ENABLED"].line == 6
    assert final.image == "scratch"
    assert final.steps[0].instruction.flag("from") == "build"


def test_env_is_inherited_from_a_parent_stage_but_args_are_not() -> None:
    df = parse("FROM golang:1.22 AS base\nARG X=1\nENV GOARCH=arm64\nFROM base\nRUN go build .\n")
    scope = df.stages[1].steps[0].scope
    assert scope["GOARCH"].value == "arm64"
    assert "X" not in scope


def test_legacy_env_form_and_quoted_values() -> None:
    df = parse('FROM alpine\nENV GOARCH amd64\nENV A="x y" B=${A}z\n')
    scope = df.stages[0].steps[-1].scope
    assert (scope["GOARCH"].value, scope["A"].value, scope["B"].value) == ("amd64", "x y", "x yz")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${UNSET:-dflt}", "dflt"),
        ("${EMPTY:-dflt}", "dflt"),
        ("${EMPTY-dflt}", ""),
        ("${SET:+alt}", "alt"),
        ("${UNSET:+alt}", ""),
        ("$SET/${SET}", "v/v"),
        ("\\$SET", "$SET"),
    ],
)
def test_variable_substitution_follows_buildkit(text: str, expected: str) -> None:
    values = {"SET": "v", "EMPTY": ""}
    assert expand(text, values.get) == expected


def test_a_bad_escape_directive_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse("# escape=x\nFROM alpine\n")


def test_long_hostile_lines_parse_in_linear_time() -> None:
    text = "FROM alpine\nRUN " + "${" * 100_000 + "\n" + "RUN " + "$" * 100_000 + "\n"
    assert len(parse(text).instructions) == 3
    directive = "# escape=" + " " * 200_000 + "x\nFROM alpine\n"
    with pytest.raises(ParseError):
        parse(directive)


def test_variables_per_stage_are_capped_so_snapshots_stay_small() -> None:
    text = "FROM alpine\n" + "".join(f"ENV V{i}=x\n" for i in range(1500)) + "RUN go build .\n"
    stage = parse(text).stages[0]
    assert len(stage.steps[-1].scope) == 1000
    assert stage.steps[-1].scope is stage.steps[-2].scope  # a RUN shares the last ENV's snapshot


def test_a_stage_on_the_target_platform_keeps_its_variables_apart() -> None:
    df = parse("FROM --platform=$TARGETPLATFORM golang AS b\nARG TARGETARCH\nRUN go build .\n")
    assert (df.stages[0].platform, df.stages[0].steps[-1].scope["TARGETARCH"].value) == (
        "$TARGETPLATFORM",
        "${TARGETARCH}",
    )
