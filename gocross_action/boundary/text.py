"""Untrusted text printed where the Actions runner reads it is data, never a workflow command.

What the runner honours (actions/runner ``ActionCommand.cs``, ``ActionCommandManager.cs``):

- it reads the step's output one line at a time, a line ending at LF, CR or CRLF;
- ``::name props::data`` is a command when it starts the line after leading whitespace is
  trimmed (any Unicode white space);
- ``##[name props]data`` is a command wherever ``##[`` occurs in the line (the legacy form);
- command names are matched without regard to case;
- ``::stop-commands::TOKEN`` ignores every command, ``add-mask`` included, until a line holding
  the command ``TOKEN`` (in either form, any case) resumes them.

So untrusted text gets: every character that can end a line (and every other control character
but tab and ESC, whose colours the log viewer renders) written as a visible escape, a zero-width
space before a leading ``::`` and inside every ``##[``; an echoed log goes between
``stop-commands`` and its resume line, with a token the text does not contain. gocross's own
commands are printed by the caller, outside, and never pass through here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

ZWSP = "\u200b"
# Characters escaped in untrusted text: C0 controls except TAB and ESC, DEL, C1 controls (NEL
# among them), the Unicode line and paragraph separators, and lone surrogates (undecodable bytes
# of a file name) which no stream could encode.
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1a\x1c-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\x00": "\\0"}
_LEGACY = "##["


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` on one line: line breaks and control characters as visible escapes."""
    return _UNSAFE.sub(_escape, text)


def _is_space(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in ("Zs", "Zl", "Zp")


def neutralise(line: str) -> str:
    """One line of untrusted text, safe to print in an Actions log: it reads the same, but the
    runner finds no command in it (neither ``::`` form nor ``##[`` form) and it cannot split
    into several lines."""
    line = printable(line)
    if _LEGACY in line:
        line = line.replace(_LEGACY, "##" + ZWSP + "[")
    start = 0
    while start < len(line) and _is_space(line[start]):
        start += 1
    if line.startswith("::", start):
        line = ZWSP + line
    return line


def neutralise_lines(text: str) -> list[str]:
    """Every line of ``text`` (split where the runner would split it) neutralised."""
    return [neutralise(line) for line in re.split(r"\r\n|\r|\n", text)]


def name(value: object) -> str:
    """A file name or path from the repository, for a message: control characters escaped, no
    command form."""
    return neutralise(str(value))


def quoted(value: object) -> str:
    """``name`` in quotes, for a message that must show where the name ends."""
    return "'" + name(value) + "'"


def stop_token(text: str) -> str:
    """A random token for ``stop-commands`` that occurs nowhere in ``text`` (in any case)."""
    import secrets

    folded = text.casefold()
    while True:
        token = "gocross-" + secrets.token_hex(16)
        if token.casefold() not in folded:
            return token


def echo_block(lines: Sequence[str] | Iterable[str]) -> list[str]:
    """Untrusted lines to echo in an Actions log, as the lines to print: ``::stop-commands::``
    with a fresh token, each line neutralised, then the resume line. Even a line that slipped
    through the neutralising could neither run a command nor end the block."""
    shown = [neutralise(line) for line in lines]
    token = stop_token("\n".join(shown))
    return [f"::stop-commands::{token}", *shown, f"::{token}::"]


def marker_id(text: str) -> str:
    """A stable identifier for ``text`` made only of hex digits: a hidden HTML marker built from it
    cannot be broken out of whatever the text holds."""
    import hashlib  # only here: loading OpenSSL's digests costs every command's start-up

    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
