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


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("linux/aarch64", "linux/arm64"),
        ("darwin/x86_64", "darwin/amd64"),
        ("linux/x64", "linux/amd64"),
        ("linux/armv7l", "linux/arm/7"),
        ("linux/armhf", "linux/arm/7"),
        ("linux/armel", "linux/arm/5"),
        ("linux/i686", "linux/386"),
        ("linux/ppc64el", "linux/ppc64le"),
        ("linux/arm/v7", "linux/arm/7"),  # Docker's platform variant
        ("linux/arm64/v8", "linux/arm64"),
        ("macos/arm64", "darwin/arm64"),
        ("aarch64-linux-gnu", "linux/arm64"),  # Debian / GNU triples
        ("arm-linux-gnueabihf", "linux/arm/7"),
        ("x86_64-unknown-linux-gnu", "linux/amd64"),  # LLVM triples
        ("aarch64-apple-darwin", "darwin/arm64"),
        ("x86_64-w64-mingw32", "windows/amd64"),
        ("i686-w64-mingw32", "windows/386"),
    ],
)
def test_names_people_type_map_to_go_targets(typed: str, meant: str) -> None:
    from gocross_action.targets import go_target

    assert str(go_target(typed)) == meant


def test_aarch64_suggests_arm64_not_a_lookalike() -> None:
    assert target_problems("linux/aarch64") == ["'aarch64' is not a valid GOARCH (did you mean 'arm64'?)"]
    assert "did you mean 'amd64'" in target_problems("darwin/x86_64")[0]
    assert "did you mean 'arm' with GOARM=7" in target_problems("linux/armv7l")[0]
    assert "did you mean 'linux/arm64'" in target_problems("aarch64-linux-gnu")[0]
    assert "did you mean 'darwin/arm64'" in target_problems("macos/arm64")[0]


def test_unknown_names_are_not_guessed_into_targets() -> None:
    from gocross_action.targets import go_target

    assert go_target("linux/banana") is None
    assert go_target("linux/amd64") is None  # already Go's name
