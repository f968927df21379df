"""The report artifact's zip: what goes in under which name, and what may come out."""

from __future__ import annotations

import hashlib
import io
import stat
import zipfile
from pathlib import Path

import pytest

from gocross_action.errors import InputError
from gocross_action.github.artifact_archive import ArchiveError, pack, unpack


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "work"
    (root / ".gocross" / "logs").mkdir(parents=True)
    (root / ".gocross" / "report.json").write_text('{"schema_version": 1}')
    (root / ".gocross" / "report.md").write_text("# gocross\n")
    (root / ".gocross" / "report.sarif").write_text('{"version": "2.1.0"}')
    (root / ".gocross" / "logs" / "linux_arm64.log").write_text("# runtime/cgo\n")
    return root


def test_pack_names_files_relative_to_the_root_with_forward_slashes(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    reports = root / ".gocross"
    files = [
        reports / "report.json",
        reports / "report.sarif",
        reports / "report.md",
        reports / "logs/linux_arm64.log",
    ]
    packed = pack(files, root=reports)
    with packed.file, zipfile.ZipFile(packed.file) as archive:
        assert archive.namelist() == ["report.json", "report.sarif", "report.md", "logs/linux_arm64.log"]
        assert archive.read("logs/linux_arm64.log") == b"# runtime/cgo\n"
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in archive.infolist())


def test_pack_reports_the_size_and_sha256_of_the_bytes_it_produced(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    packed = pack([root / ".gocross" / "report.json"], root=root)
    with packed.file:
        data = packed.file.read()
    assert packed.size == len(data)
    assert packed.digest == "sha256:" + hashlib.sha256(data).hexdigest()


def test_pack_keeps_only_the_file_name_of_a_file_outside_the_root(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    outside = tmp_path / "build.log"
    outside.write_text("log")
    packed = pack([outside], root=root / ".gocross")
    with packed.file:
        assert packed.names == ("build.log",)


def test_pack_refuses_two_files_that_would_share_a_name(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "report.json").write_text("{}")
    with pytest.raises(InputError, match="same name"):
        pack([root / ".gocross" / "report.json", tmp_path / "a" / "report.json"], root=root / ".gocross")


def test_pack_refuses_a_missing_file_and_an_empty_list(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a file"):
        pack([tmp_path / "missing.json"], root=tmp_path)
    with pytest.raises(InputError, match="no files"):
        pack([], root=tmp_path)


def test_pack_refuses_a_file_name_the_artifact_service_would_reject(tmp_path: Path) -> None:
    bad = tmp_path / "what?.log"
    bad.write_text("x")
    with pytest.raises(InputError, match="'\\?'"):
        pack([bad], root=tmp_path)


def test_unpack_restores_what_pack_put_in(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    reports = root / ".gocross"
    packed = pack([reports / "report.json", reports / "logs/linux_arm64.log"], root=reports)
    with packed.file:
        written = unpack(packed.file, tmp_path / "out")
    assert written == [tmp_path / "out/report.json", tmp_path / "out/logs/linux_arm64.log"]
    assert (tmp_path / "out/logs/linux_arm64.log").read_text() == "# runtime/cgo\n"


def _zip_with(name: str, data: bytes = b"x", *, mode: int | None = None) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo(name)
        if mode is not None:
            info.external_attr = mode << 16
        archive.writestr(info, data)
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/evil", "logs/../../evil", "C:/evil", "logs\\..\\evil"])
def test_unpack_refuses_entries_that_would_land_outside_the_destination(tmp_path: Path, name: str) -> None:
    with pytest.raises(ArchiveError, match="unsafe entry name"):
        unpack(_zip_with(name), tmp_path / "out")
    assert not (tmp_path / "evil.txt").exists()


def test_unpack_refuses_symbolic_links(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="symbolic link"):
        unpack(_zip_with("link", b"/etc/passwd", mode=stat.S_IFLNK | 0o777), tmp_path / "out")


def test_unpack_refuses_something_that_is_not_a_zip(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="not a zip"):
        unpack(io.BytesIO(b"PK but not really"), tmp_path / "out")
