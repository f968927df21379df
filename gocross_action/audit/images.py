"""What a base image holds for a Go build or a Go binary: its C library (and glibc version), and
whether it ships gcc and git. Facts are data: ``data/images.json`` for the golang and busybox
images, ``data/deploy.json`` (through ``deploy.resolve``) for the distributions and distroless."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..data_files import load_json
from ..errors import DataError, UsageError

_GOLANG_TAG = re.compile(r"^(\d+(?:\.\d+){0,2}(?:rc\d+)?)?(.*)$")


@dataclass(frozen=True, kw_only=True)
class ImageFacts:
    """``libc``: glibc, musl, none (no C library: only static binaries run) or None (unknown)."""

    image: str
    libc: str | None
    glibc: str | None = None
    gcc: bool | None = None
    git: bool | None = None
    go: str | None = None  # the Go release of a golang image, when its tag names one
    title: str = ""

    @property
    def known(self) -> bool:
        return self.libc is not None


@cache
def _data() -> dict[str, Any]:
    loaded: dict[str, Any] = load_json("data", "images.json")
    _check(loaded)
    return loaded


def _check(data: dict[str, Any]) -> None:
    """The table's invariants: known libc families, a glibc version exactly for glibc rows, and
    each golang variant's system named in deploy.json with the same C library."""
    from ..deploy import LIBC_FAMILIES, systems

    if "_sources" not in data:
        raise DataError("images.json: _sources is missing")
    known = {s.name: s for s in systems()}
    for row in (*data["golang_variants"], *data["busybox_variants"]):
        if row["libc"] not in LIBC_FAMILIES:
            raise DataError(f"images.json: {row['suffix']!r}: libc {row['libc']!r} is unknown")
    for row in data["golang_variants"]:
        system = known.get(row["system"])
        if system is None or system.libc != row["libc"] or system.glibc != row["glibc"]:
            raise DataError(
                f"images.json: golang{row['suffix']} disagrees with deploy.json's {row['system']}"
            )


def compilers() -> tuple[str, ...]:
    """Package-name patterns that install a C compiler."""
    return tuple(_data()["compilers"])


def cross_compilers() -> tuple[str, ...]:
    """Package-name patterns that install a C compiler for another architecture or OS."""
    return tuple(_data()["cross_compilers"])


def git_packages() -> tuple[str, ...]:
    return tuple(_data()["git"])


def _split(image: str) -> tuple[str, str]:
    """``(repository, tag)`` without registry prefix for Docker Hub, digest or default tag."""
    text = image.strip().lower().split("@", 1)[0]
    for prefix in ("docker.io/library/", "docker.io/", "index.docker.io/library/", "library/"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    repo, sep, tag = text.rpartition(":")
    if not sep or "/" in tag:
        return text, ""
    return repo, tag


def facts(image: str) -> ImageFacts:
    """The facts about ``image`` (``ImageFacts.libc`` None when the image is not known)."""
    repo, tag = _split(image)
    if repo == "golang" or repo.endswith("/golang"):
        match = _GOLANG_TAG.match(tag)
        version = match[1] if match else None
        variant = (match[2] if match else "") or ""
        if version is None and variant and not variant.startswith("-"):
            variant = "-" + variant  # golang:alpine, golang:bookworm
        for row in _data()["golang_variants"]:
            if variant.startswith(row["suffix"]) if row["suffix"] else not variant:
                return ImageFacts(
                    image=image,
                    libc=row["libc"],
                    glibc=row["glibc"],
                    gcc=row["gcc"],
                    git=row["git"],
                    go=version,
                    title=f"golang ({row['system']})",
                )
        return ImageFacts(image=image, libc=None, go=version)
    if repo == "busybox" or repo.endswith("/busybox"):
        for row in _data()["busybox_variants"]:
            suffix = row["suffix"]
            if (suffix and tag.endswith(suffix)) or not suffix:
                return ImageFacts(image=image, libc=row["libc"], gcc=False, git=False, title="busybox")
    from ..deploy import resolve

    try:
        system = resolve(image)
    except UsageError:
        return ImageFacts(image=image, libc=None)
    return ImageFacts(
        image=image,
        libc=system.libc,
        glibc=system.glibc,
        gcc=False,
        git=False,
        title=system.title,
    )
