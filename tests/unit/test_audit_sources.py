"""The audit's readers: bounded repository files, workflows, bake and compose files, the go env
layers and the GODEBUG defaults."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gocross_action.audit import bake, files, godebug, goenv, workflows
from gocross_action.config import TargetConfig
from gocross_action.targets import Target

# ----------------------------------------------------------------------------- files


def test_a_symlink_leaving_the_repository_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("token", encoding="utf-8")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "Dockerfile").symlink_to(secret)
    r = files.Repository(root=repo)
    assert r.read(repo / "Dockerfile") is None
    assert r.skipped == ["Dockerfile: a symlink leaving the repository"]


def test_an_oversized_file_is_skipped_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(b"#" * (files.MAX_BYTES + 1))
    r = files.Repository(root=tmp_path)
    assert r.read(tmp_path / "Dockerfile") is None
    assert "over the" in r.skipped[0]


def test_a_fifo_named_like_a_dockerfile_is_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "Dockerfile")
    r = files.Repository(root=tmp_path)
    assert r.read(tmp_path / "Dockerfile") is None  # would block forever if opened
    assert r.skipped == ["Dockerfile: not a regular file"]


def test_discovery_finds_dockerfile_names_and_skips_testdata_vendor_and_hidden(tmp_path: Path) -> None:
    for name in (
        "Dockerfile",
        "api.Dockerfile",
        "build/Dockerfile.release",
        "Containerfile",
        "Dockerfile.dockerignore",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("FROM scratch\n", encoding="utf-8")
    for skipped in ("testdata/Dockerfile", "vendor/x/Dockerfile", ".hidden/Dockerfile"):
        (tmp_path / skipped).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / skipped).write_text("FROM scratch\n", encoding="utf-8")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: push\n", encoding="utf-8")
    r = files.Repository(root=tmp_path)
    found = files.discover(r)
    assert sorted(r.relative(p) for p in found.dockerfiles) == [
        "Containerfile",
        "Dockerfile",
        "api.Dockerfile",
        "build/Dockerfile.release",
    ]
    assert [r.relative(p) for p in found.workflows] == [".github/workflows/ci.yml"]


# ----------------------------------------------------------------------------- workflows

WORKFLOW = """on: push
env:
  GOOS: linux
jobs:
  build:
    runs-on: [self-hosted, linux, arm64]
    container:
      image: golang:1.26-alpine
    strategy:
      matrix:
        goarch: [amd64]
        include:
          - goarch: riscv64
    steps:
      - uses: actions/checkout@v4
      - name: build
        run: go build ./...
        env:
          GOARCH: ${{ matrix.goarch }}
"""


def test_workflow_values_keep_their_lines_and_the_matrix_includes_its_include_rows() -> None:
    wf = workflows.parse(WORKFLOW, ".github/workflows/ci.yml")
    (job,) = wf.jobs
    assert wf.env["GOOS"].line == 3
    assert job.container is not None and (job.container.text, job.container.line) == ("golang:1.26-alpine", 8)
    assert job.matrix == {"goarch": ("amd64", "riscv64")}
    step = job.steps[1]
    assert (step.line, step.run_line, step.env["GOARCH"].line) == (16, 17, 19)
    assert job.values(step.env["GOARCH"].text) == ("amd64", "riscv64")
    assert workflows.runner_platform(job.runs_on) == ("linux", "arm64")


@pytest.mark.parametrize(
    ("label", "platform"),
    [
        ("ubuntu-latest", ("linux", "amd64")),
        ("ubuntu-24.04-arm", ("linux", "arm64")),
        ("macos-13", ("darwin", "amd64")),
        ("macos-14", ("darwin", "arm64")),
        ("windows-latest", ("windows", "amd64")),
    ],
)
def test_runner_labels_name_the_platform_they_run(label: str, platform: tuple[str, str]) -> None:
    assert workflows.runner_platform(label) == platform


def test_an_alias_bomb_stops_at_the_node_budget() -> None:
    text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        prev, name = chr(96 + i), chr(97 + i)
        text += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
    with pytest.raises(workflows.WorkflowError, match="YAML nodes"):
        workflows.parse(text, "bomb.yml")


# ----------------------------------------------------------------------------- bake and compose


def test_bake_targets_resolve_context_dockerfile_and_platforms() -> None:
    text = 'target "api" {\n  context = "services/api"\n  dockerfile = "build.Dockerfile"\n'
    text += '  platforms = ["linux/amd64", "linux/arm64"]\n}\ntarget "web" {\n}\n'
    api, web = bake.from_bake(text, "deploy/docker-bake.hcl")
    assert (api.dockerfile, api.context, api.platforms) == (
        "deploy/services/api/build.Dockerfile",
        "deploy/services/api",
        ("linux/amd64", "linux/arm64"),
    )
    assert (web.dockerfile, web.platforms) == ("deploy/Dockerfile", ())


def test_compose_services_name_their_dockerfile_and_platform() -> None:
    text = "services:\n  a:\n    build: ./a\n    platform: linux/arm64\n  b:\n    image: redis\n"
    (a,) = bake.from_compose(text, "compose.yaml")
    assert (a.dockerfile, a.platforms) == ("a/Dockerfile", ("linux/arm64",))


# ----------------------------------------------------------------------------- go env layers


def test_the_go_env_file_is_goenv_else_the_user_config_dir() -> None:
    assert goenv.env_file_path({"GOENV": "/x/env"}) == Path("/x/env")
    assert goenv.env_file_path({"GOENV": "off", "HOME": "/h"}) is None
    if os.name == "posix" and os.uname().sysname != "Darwin":
        assert goenv.env_file_path({"XDG_CONFIG_HOME": "/cfg"}) == Path("/cfg/go/env")
        assert goenv.env_file_path({"HOME": "/h"}) == Path("/h/.config/go/env")


def test_each_setting_comes_from_the_highest_layer_that_sets_it(tmp_path: Path) -> None:
    user = tmp_path / "env"
    user.write_text("# go env -w\nGOARCH=arm64\nGOTOOLCHAIN=local\n", encoding="utf-8")
    layers = [
        goenv.Layer(name="$GOROOT/go.env", values={"GOTOOLCHAIN": "auto", "GOFLAGS": "-trimpath"}),
        goenv.Layer(name="go env -w file", values=goenv.read_env_file(user), where=str(user)),
    ]
    tc = TargetConfig(target=Target.parse("linux/riscv64"), cgo=False)
    got = goenv.effective([tc], layers, {"GOFLAGS": "-mod=mod"})["linux/riscv64"]
    assert got["GOTOOLCHAIN"] == {"value": "local", "from": "go env -w file"}
    assert got["GOFLAGS"] == {"value": "-mod=mod", "from": "environment"}
    assert got["GOARCH"] == {"value": "riscv64", "from": "target"}
    assert got["CGO_ENABLED"] == {"value": "0", "from": "target"}
    (warning, notice) = goenv.findings(layers)
    assert (warning.severity.value, warning.category) == ("warning", "exec-format-error")
    assert (notice.severity.value, notice.category) == ("notice", "go-version-toolchain")


# ----------------------------------------------------------------------------- GODEBUG


def test_an_old_go_line_keeps_the_defaults_changed_since() -> None:
    defaults = godebug.defaults_for("1.22.5")
    assert defaults["x509negativeserial"] == "1"  # changed in 1.23
    assert defaults["containermaxprocs"] == "0"  # changed in 1.25
    assert "httpmuxgo121" not in defaults  # changed in 1.22: a 1.22 module has the new default
    assert godebug.defaults_for("1.26") == {}


def test_settings_are_said_in_plain_words() -> None:
    assert "panic(nil)" in godebug.meaning("panicnil", "1")
    assert "never uses HTTP/2" in godebug.meaning("http2client", "0")
    assert godebug.meaning("unknownsetting", "7") == "unknownsetting=7"


def test_godebug_lines_and_go_debug_directives_override_the_go_line(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text(
        "module m\n\ngo 1.22\n\ngodebug (\n\tpanicnil=1\n\tx509negativeserial=default\n)\n"
        "godebug http2client=0\n",
        encoding="utf-8",
    )
    (tmp_path / "main.go").write_text("//go:debug tlssha1=1\npackage main\n", encoding="utf-8")
    (tmp_path / "lib.go").write_text("//go:debug tls3des=1\npackage lib\n", encoding="utf-8")
    prediction = godebug.predict(files.Repository(root=tmp_path), tmp_path / "go.mod")
    assert prediction is not None
    settings = prediction.settings
    assert (settings["panicnil"], settings["http2client"], settings["tlssha1"]) == ("1", "0", "1")
    assert "x509negativeserial" not in settings
    assert prediction.origin["tlssha1"] == ("main.go", 1)
    assert prediction.origin["http2client"] == ("go.mod", 9)
    assert settings.get("tls3des") == "1"  # from the go line (1.23 change), not lib.go's directive


@pytest.mark.parametrize(
    ("text", "quota"), [("max 100000\n", None), ("150000 100000\n", 1.5), ("garbage", None)]
)
def test_the_cgroup_cpu_quota_is_read_from_cpu_max(tmp_path: Path, text: str, quota: float | None) -> None:
    (tmp_path / "cpu.max").write_text(text, encoding="ascii")
    assert godebug.cpu_quota(tmp_path) == quota


@pytest.mark.parametrize(
    ("toolchain", "settings", "gomaxprocs", "warned"),
    [
        ("go1.24.3", {}, None, True),
        ("go1.26.0", {"containermaxprocs": "0"}, None, True),
        ("go1.26.0", {}, None, False),
        ("go1.24.3", {}, "1", False),
    ],
)
def test_gomaxprocs_is_warned_about_when_the_quota_would_be_ignored(
    toolchain: str, settings: dict[str, str], gomaxprocs: str | None, warned: bool
) -> None:
    found = godebug.gomaxprocs_finding(
        quota=1.0, toolchain=toolchain, settings=settings, cpus=8, gomaxprocs=gomaxprocs
    )
    assert (found is not None) is warned


# ----------------------------------------------------------------------------- data tables


def test_the_image_table_agrees_with_the_deploy_table() -> None:
    import copy

    from gocross_action.audit import images
    from gocross_action.errors import DataError

    data = images._data()
    assert images.facts("golang:1.26-bullseye").glibc == "2.31"
    broken = copy.deepcopy(data)
    broken["golang_variants"][2]["glibc"] = "2.99"  # bookworm is 2.36 in deploy.json
    with pytest.raises(DataError, match="disagrees"):
        images._check(broken)


@pytest.mark.parametrize(
    "text",
    [
        "jobs: " + "[" * 100_000 + "]" * 100_000,  # PyYAML's scanner is quadratic in this depth
        "- " * 100_000 + "x\n",  # block nesting: the composer's recursion
        "a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 900)),
    ],
)
def test_deeply_nested_yaml_is_refused_not_crashed_on(text: str) -> None:
    with pytest.raises(workflows.WorkflowError, match="nested"):
        workflows.parse(text, "deep.yml")
    assert bake.from_compose(text, "compose.yaml") == []


@pytest.mark.parametrize(
    ("script", "cross"),
    [
        ("sudo apt-get install -y gcc-aarch64-linux-gnu libc6-dev-arm64-cross", True),
        ("apt-get install -y crossbuild-essential-armhf", True),
        ("sudo apt-get install -y gcc-mingw-w64-x86-64", True),
        ("sudo apt-get install -y gcc make", False),
        ("echo " + "gcc-" * 50_000, False),
    ],
)
def test_a_cross_compiler_install_is_recognised_by_package_pattern(script: str, cross: bool) -> None:
    from gocross_action.audit import gocommands, images

    assert gocommands.mentions_package(script, images.cross_compilers()) is cross
    assert gocommands.mentions_package("apk add --no-cache gcc-12 musl-dev", images.compilers())
