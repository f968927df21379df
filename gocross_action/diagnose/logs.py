"""Normalise build log lines, keeping the original line numbers.

Logs arrive as bytes from anywhere: GitHub Actions (a timestamp before every line, ``::group::``
or ``##[group]`` folds), Docker BuildKit (``#6 0.088 `` before every line of a step), terminals
(ANSI colours, CRLF) and pastes (invalid UTF-8). ``clean`` turns one raw line into the text
rules are matched against; the engine streams blocks of ``BLOCK_SIZE`` and cuts lines at ``MAX_LINE``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

BLOCK_SIZE = 8 << 20
# A single line longer than this is cut: evidence never needs more, and memory stays bounded.
MAX_LINE = 64 << 10

# An OSC sequence (ESC ] ... BEL or ESC \) left unterminated runs to the next ESC or the end
# of the line: the terminator is optional so that no match ever scans ahead and fails (a line
# full of "ESC ]" costs linear time, not quadratic).
_ANSI_BYTES = re.compile(rb"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b\n]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_ANSI = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b\n]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
# 2024-05-01T12:34:56.1234567Z (GitHub Actions raw logs put one before every line).
_TIMESTAMP = re.compile(r"^\ufeff?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ")
# BuildKit plain progress: "#6 0.088 output"; "#6 [builder 3/5] RUN ..." keeps its step header.
_BUILDKIT = re.compile(r"^#\d+ \d+\.\d+ ")
_GROUP = re.compile(r"^(?:::group::|##\[group\])(?P<title>.*)$")
_ENDGROUP = re.compile(r"^(?:::endgroup::|##\[endgroup\])")


@dataclass(frozen=True, kw_only=True)
class Line:
    """A normalised log line and its 1-based line number in the original log."""

    number: int
    text: str


# Bytes stripped of escape sequences at a time: ``re.sub`` holds every piece of its result, and a
# block full of escapes would otherwise hold millions of them.
ANSI_PIECE = 256 << 10


def strip_ansi_bytes(data: bytes) -> bytes:
    """``data`` without ANSI escape sequences, in pieces cut just before an ESC (so no sequence
    is split)."""
    if b"\x1b" not in data:
        return data
    if len(data) <= ANSI_PIECE:
        return _ANSI_BYTES.sub(b"", data)
    out = []
    pos = 0
    while pos < len(data):
        cut = data.find(b"\x1b", pos + ANSI_PIECE)
        if cut < 0:
            cut = len(data)
        out.append(_ANSI_BYTES.sub(b"", data[pos:cut]))
        pos = cut
    return b"".join(out)


# Bytes ``NewlineCounter`` counts at a time, and the average line length (bytes) under which
# ``bytes.count`` is the faster way to count them.
NEWLINE_PIECE = 64 << 10
_SHORT_LINE = 40


class NewlineCounter:
    """Counts the newlines of a log, a stretch at a time (line numbers need all of them).
    ``bytes.count`` tests every byte (about 0.6 ns a byte whatever the text); ``bytes.replace``
    finds each newline with memchr: twice as fast on build-log lines (60-120 bytes), many times
    slower on lines of a few bytes. Each piece is counted the way the previous piece's line
    length favours, so every input costs linear time."""

    def __init__(self) -> None:
        self._short_lines = False

    def count(self, buf: bytes, start: int, end: int) -> int:
        total = 0
        for low in range(start, end, NEWLINE_PIECE):
            high = min(low + NEWLINE_PIECE, end)
            if self._short_lines:
                found = buf.count(b"\n", low, high)
            else:
                found = high - low - len(buf[low:high].replace(b"\n", b""))
            self._short_lines = found * _SHORT_LINE > high - low
            total += found
        return total


def clean(raw: bytes | str) -> str:
    """One raw line as rules see it: decoded (invalid UTF-8 replaced), without CR, ANSI
    colours, the GitHub Actions timestamp or the BuildKit step prefix."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    text = text.rstrip("\r\n")
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    if "\r" in text:
        # A progress line redrawn with bare CRs: what remains on screen is the last part.
        text = text.rsplit("\r", 1)[-1] or text.replace("\r", "")
    if text[:1].isdigit() or text[:1] == "\ufeff":
        text = _TIMESTAMP.sub("", text, count=1)
    if text[:1] == "#":
        text = _BUILDKIT.sub("", text, count=1)
    if not text.isascii():
        text = normalise_punctuation(text)
    return text


# Quotes and spaces of translated messages (French guillemets, German »«, no-break spaces) as
# the ASCII the rules are written with; NFKC does the full-width forms (U+FF1A colon, U+FF08
# and U+FF09 parentheses... -> ASCII).
_PUNCTUATION = str.maketrans({"«": '"', "»": '"', "„": '"', "“": '"', "”": '"', "\u00a0": " ", "\u202f": " "})


def normalise_punctuation(text: str) -> str:
    """Full-width and typographic punctuation as ASCII, so one regex matches every locale's
    wording: gcc's zh_CN full-width colons read as ``:``, ``« -marm »`` reads ``" -marm "``."""
    return unicodedata.normalize("NFKC", text).translate(_PUNCTUATION)


def group_title(text: str) -> str | None:
    """The title of a ``::group::``/``##[group]`` line, or None."""
    m = _GROUP.match(text)
    return m.group("title").strip() if m else None


def is_endgroup(text: str) -> bool:
    return _ENDGROUP.match(text) is not None


def iter_lines(stream: BinaryIO) -> Iterator[Line]:
    """Every line, normalised, with its original number (for tests and small logs); a line
    longer than ``MAX_LINE`` is cut there."""
    number = 0
    while True:
        raw = stream.readline(MAX_LINE)
        if not raw:
            return
        number += 1
        if not raw.endswith(b"\n"):
            rest = raw
            while rest and not rest.endswith(b"\n"):
                rest = stream.readline(MAX_LINE)
        yield Line(number=number, text=clean(raw))
