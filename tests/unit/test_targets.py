from __future__ import annotations

import pytest

from gocross_action.errors import UsageError
from gocross_action.targets import Target, parse_list, target_problems


def test_parse_reads_goos_goarch_and_variant() -> None:
    t = Target.parse("linux/arm/7")
    assert (t.goos, t.goarch, t.variant) == ("linux", "arm", "7")
    assert str(t) == "linux/arm/7"
    assert t.env() == {"GOOS": "linux", "GOARCH": "arm", "GOARM": "7"}


def test_parse_rejects_unknown_goarch_with_a_hint() -> None:
    with pytest.raises(UsageError, match=r"'arm32' is not a valid GOARCH \(did you mean 'arm'\?\)"):
        Target.parse("linux/arm32")


def test_parse_rejects_unknown_goos_with_a_hint() -> None:
    assert target_problems("linx/amd64") == ["'linx' is not a valid GOOS (did you mean 'linux'?)"]


def test_variant_must_fit_the_architecture() -> None:
    assert "not a valid GOAMD64" in target_problems("linux/amd64/v5")[0]
    assert target_problems("linux/arm/7,softfloat") == []
    assert "takes no variant" in target_problems("linux/s390x/z13")[0]


def test_lists_accept_commas_spaces_and_newlines_and_report_every_bad_item() -> None:
    assert [str(t) for t in parse_list("linux/amd64, windows/arm64\nlinux/arm/6")] == [
        "linux/amd64",
        "windows/arm64",
        "linux/arm/6",
    ]
    with pytest.raises(UsageError) as err:
        parse_list("linux/arm32,plan10/amd64")
    assert "arm32" in str(err.value) and "plan10" in str(err.value)


def test_windows_binaries_get_an_exe_suffix() -> None:
    assert Target.parse("windows/amd64").exe_suffix == ".exe"
    assert Target.parse("linux/amd64").exe_suffix == ""
