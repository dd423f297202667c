"""Dean Edwards' p.a.c.k.e.r format: `eval(function(p,a,c,k,e,d){...}('payload',a,c,'k|…'))`.

The payload is JavaScript whose identifiers were replaced by numbers written in base
`a` (digits 0-9a-zA-Z, up to base 62); `k` is the word list. Unpacking puts each word
back where its number stands. Used by the packed-JS video hosts to reveal their player
setup (and its master.m3u8).
"""

from __future__ import annotations

import re

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_PACKED = re.compile(
    r"eval\(function\(p,a,c,k,e,[dr]\).*?\}\(\s*'(?P<payload>(?:\\.|[^'\\])*)'\s*,"
    r"\s*(?P<radix>\d+)\s*,\s*(?P<count>\d+)\s*,\s*'(?P<words>(?:\\.|[^'\\])*)'\.split\('\|'\)",
    re.DOTALL)
_WORD = re.compile(r"\b\w+\b", re.ASCII)


class UnpackError(ValueError):
    """The script is not in the p.a.c.k.e.r format, or is damaged."""


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _to_base(number: int, radix: int) -> str:
    if number < radix:
        return _DIGITS[number]
    return _to_base(number // radix, radix) + _DIGITS[number % radix]


def find_packed(text: str) -> list[str]:
    """Every packed script found in a page, unpacked, in page order (damaged ones skipped)."""
    found = []
    for match in _PACKED.finditer(text):
        try:
            found.append(_unpack_match(match))
        except UnpackError:
            continue
    return found


def unpack(script: str) -> str:
    """Unpack the first packed script in `script` (raise UnpackError when there is none)."""
    match = _PACKED.search(script)
    if match is None:
        raise UnpackError("No eval(function(p,a,c,k,e,d)…) script found.")
    return _unpack_match(match)


def _unpack_match(match: re.Match[str]) -> str:
    payload = _unescape(match["payload"])
    radix, count = int(match["radix"]), int(match["count"])
    words = _unescape(match["words"]).split("|")
    if not 2 <= radix <= len(_DIGITS):
        raise UnpackError(f"Unsupported packer radix {radix} (only 2 to 62).")
    if len(words) != count:
        raise UnpackError(f"The packed word list has {len(words)} words, {count} announced.")
    table = {_to_base(i, radix): word for i, word in enumerate(words) if word}
    return _WORD.sub(lambda m: table.get(m.group(0), m.group(0)), payload)
