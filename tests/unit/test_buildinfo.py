from __future__ import annotations

from gocross_action.inspect import buildinfo

MODINFO = (
    "path\texample.com/app\n"
    "mod\texample.com/app\t(devel)\t\n"
    "dep\tgolang.org/x/sys\tv0.20.0\th1:abc=\n"
    "dep\texample.com/lib\tv1.0.0\t\n"
    "=>\t../lib\t(devel)\t\n"
    'build\t-ldflags="-s -w -X main.v=1"\n'
    "build\t-tags=netgo,osusergo\n"
    "build\tCGO_ENABLED=0\n"
    'build\t"odd=key"=value\n'
    "build\tvcs.revision=0123abc\n"
)


def test_parse_reads_path_main_deps_replacements_and_settings() -> None:
    info = buildinfo.parse("go1.22.3", MODINFO)
    assert info.version == "go1.22.3" and info.path == "example.com/app"
    assert info.main is not None and info.main.version == "(devel)"
    assert [d.path for d in info.deps] == ["golang.org/x/sys", "example.com/lib"]
    assert info.deps[1].replace is not None and info.deps[1].replace.path == "../lib"
    assert info.settings == {
        "-ldflags": "-s -w -X main.v=1",
        "-tags": "netgo,osusergo",
        "CGO_ENABLED": "0",
        "odd=key": "value",
        "vcs.revision": "0123abc",
    }


def test_parse_decodes_go_escapes_in_quoted_values() -> None:
    info = buildinfo.parse("go1.22", 'build\t-gcflags="a\\tb \\"c\\" \\u00e9"\n')
    assert info.settings["-gcflags"] == 'a\tb "c" \u00e9'


def test_parse_skips_malformed_lines_instead_of_failing() -> None:
    info = buildinfo.parse(
        "go1.22", 'build\t=x\nbuild\tnoequals\ndep\nmod\nbuild\tK="unterminated\nweird\tline\n'
    )
    assert info.settings == {} and info.deps == () and info.main is None


def test_version_only_accepts_go_versions_and_rejects_garbage() -> None:
    assert buildinfo.version_only(b"go1.12.17") is not None
    assert buildinfo.version_only(b"devel go1.23-abc") is not None
    assert buildinfo.version_only(b"\x00\x01garbage") is None
    assert buildinfo.version_only(None) is None
