from __future__ import annotations

import pytest

from gocross_action import deploy
from gocross_action.errors import UsageError


@pytest.mark.parametrize(
    ("spec", "name", "libc", "glibc"),
    [
        ("debian:bullseye", "debian-11", "glibc", "2.31"),
        ("debian:bookworm-slim", "debian-12", "glibc", "2.36"),
        ("docker.io/library/debian:12.5", "debian-12", "glibc", "2.36"),
        ("ubuntu:focal", "ubuntu-20.04", "glibc", "2.31"),
        ("ubuntu:22.04", "ubuntu-22.04", "glibc", "2.35"),
        ("centos:7", "centos-7", "glibc", "2.17"),
        ("rockylinux:9", "rhel-9", "glibc", "2.34"),
        ("amazonlinux:2", "amazonlinux-2", "glibc", "2.26"),
        ("alpine:3.20", "alpine", "musl", None),
        ("golang:1.22-alpine", "alpine", "musl", None),
        ("gcr.io/distroless/static-debian12", "distroless-static", "none", None),
        ("gcr.io/distroless/static-debian12:nonroot", "distroless-static", "none", None),
        ("gcr.io/distroless/base-debian11", "distroless-base-debian11", "glibc", "2.31"),
        ("scratch", "scratch", "none", None),
        ("glibc-2.28", "glibc 2.28", "glibc", "2.28"),
    ],
)
def test_resolve_knows_images_and_aliases(spec: str, name: str, libc: str, glibc: str | None) -> None:
    system = deploy.resolve(spec)
    assert (system.name, system.libc, system.glibc) == (name, libc, glibc)


def test_resolve_accepts_a_glibc_version_object() -> None:
    system = deploy.resolve({"glibc": "2.31"})
    assert (system.libc, system.glibc) == ("glibc", "2.31")
    assert deploy.resolve({"libc": "musl", "name": "my-alpine"}).name == "my-alpine"


@pytest.mark.parametrize(
    "spec", [{"glibc": "2.x"}, {"libc": "bionic"}, {"glibc": "2.31", "libc": "musl"}, {"os": "x"}]
)
def test_resolve_rejects_malformed_objects(spec: dict[str, str]) -> None:
    with pytest.raises(UsageError):
        deploy.resolve(spec)


def test_resolve_rejects_unknown_names_listing_the_known_ones_with_a_hint() -> None:
    with pytest.raises(UsageError) as err:
        deploy.resolve("debain:11")
    message = str(err.value)
    assert "did you mean 'debian:11'" in message
    assert all(name in message for name in deploy.known_names())


def test_known_names_are_the_canonical_names_and_resolve_to_themselves() -> None:
    for name in deploy.known_names():
        assert deploy.resolve(name).name == name


def test_common_systems_are_glibc_systems_oldest_first() -> None:
    common = deploy.common_systems()
    keys = [s.glibc_key for s in common]
    assert common and all(k is not None for k in keys)
    assert keys == sorted(keys)  # type: ignore[type-var]
    assert common[0].name == "centos-7"


def test_every_table_row_keeps_the_libc_invariants() -> None:
    for system in deploy.systems():
        assert system.libc in deploy.LIBC_FAMILIES
        assert (system.glibc is not None) == (system.libc == "glibc")
