"""ports.validate: what this Go's port list says about each target, before any build."""

from __future__ import annotations

from gocross_action.config import TargetConfig
from gocross_action.matrix.ports import Port, Ports, validate
from gocross_action.targets import Target

PORTS = Ports(
    go_version="go1.26.0",
    by_pair={
        p.pair: p
        for p in (
            Port(goos="linux", goarch="amd64", cgo=True, first_class=True),
            Port(goos="linux", goarch="arm", cgo=True, first_class=True),
            Port(goos="linux", goarch="arm64", cgo=True, first_class=True),
            Port(goos="js", goarch="wasm", cgo=False, first_class=False),
        )
    },
)


def _tc(text: str, **kwargs: object) -> TargetConfig:
    return TargetConfig(target=Target.parse(text), **kwargs)  # type: ignore[arg-type]


def test_known_pair_missing_from_this_go_is_unsupported_and_skipped() -> None:
    result = validate([_tc("linux/amd64"), _tc("linux/wasm")], PORTS, {})
    assert [str(t.target) for t in result.buildable] == ["linux/amd64"]
    assert "linux/wasm" in result.skipped
    (finding,) = result.findings
    assert finding.category == "unsupported-target"
    assert finding.target == "linux/wasm"
    assert "linux/amd64" in finding.evidence[0].text, "the finding lists the ports this Go has for linux"


def test_cgo_requested_on_a_port_without_cgo_is_an_error_finding() -> None:
    result = validate([_tc("js/wasm", cgo=True)], PORTS, {})
    (finding,) = result.findings
    assert finding.rule == "config.cgo-unsupported-port"
    assert finding.severity.value == "error"


def test_invalid_variant_from_the_environment_skips_only_that_arch() -> None:
    result = validate([_tc("linux/arm"), _tc("linux/amd64")], PORTS, {"GOARM": "9"})
    assert [str(t.target) for t in result.buildable] == ["linux/amd64"]
    (finding,) = result.findings
    assert finding.rule == "config.invalid-variant"
    assert "GOARM=9" in finding.title


def test_target_variant_wins_over_an_environment_variant() -> None:
    result = validate([_tc("linux/arm/7")], PORTS, {"GOARM": "9"})
    assert result.findings == ()
