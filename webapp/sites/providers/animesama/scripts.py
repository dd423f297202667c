"""Reading anime-sama's inline JavaScript: comments, call arguments, function definitions.

The site declares its seasons (`panneauAnime(...)`) and episode names (`creerListe(...)`)
as calls in inline scripts, next to commented templates and to the functions' own
definitions. These helpers turn script text into the calls that really run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

SCRIPT_RE = re.compile(r"<script\b[^>]*>([\s\S]*?)</script\s*>", re.I)
# A string literal (kept) or a comment (dropped); scanning them together means a `//`
# inside 'https://…' or an apostrophe inside a comment is never mistaken for the other.
TOKEN_RE = re.compile(r"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`"""
                      r"""|/\*[\s\S]*?(?:\*/|$)|<!--[\s\S]*?(?:-->|$)|//[^\n]*""")
ARG_RE = re.compile(r"""\s*(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|([^,()'"]*?))"""
                    r"""\s*([,)])""")
ESCAPE_RE = re.compile(r"\\(.)")


def inline_scripts(html: str) -> str:
    """The text of every `<script>` of a page, in order, one after the other."""
    return "\n;\n".join(SCRIPT_RE.findall(html))


def strip_comments(code: str) -> str:
    """JavaScript without its `/* */`, `//` and `<!-- -->` comments (strings kept intact)."""
    def keep_strings(match: re.Match[str]) -> str:
        token = match.group(0)
        return token if token[0] in "'\"`" else (" " if token.startswith("/*") else "")

    return TOKEN_RE.sub(keep_strings, code)


def drop_functions(code: str, names: tuple[str, ...]) -> str:
    """`code` without the `function <name>(…){…}` definitions of `names` (braces balanced)."""
    pattern = re.compile(r"\bfunction\s+(?:" + "|".join(map(re.escape, names)) +
                         r")\s*\([^)]*\)\s*\{")
    while (match := pattern.search(code)) is not None:
        end = _closing_brace(code, match.end())
        code = code[:match.start()] + " " + code[end:]
    return code


def function_body(code: str, name: str) -> str | None:
    """The body of `function <name>(…){…}` in `code`, if it defines it."""
    match = re.search(r"\bfunction\s+" + re.escape(name) + r"\s*\([^)]*\)\s*\{", code)
    if match is None:
        return None
    return code[match.end():_closing_brace(code, match.end()) - 1]


def _closing_brace(code: str, start: int) -> int:
    """The index just after the `}` that closes the brace opened before `start`."""
    depth = 1
    for token in re.finditer(r"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|[{}]""",
                             code[start:]):
        if token.group(0) == "{":
            depth += 1
        elif token.group(0) == "}":
            depth -= 1
            if depth == 0:
                return start + token.end()
    return len(code)


def calls(code: str, names: tuple[str, ...]) -> Iterator[tuple[str, list[str]]]:
    """Each call `name(arg, …)` of one of `names`, in order, with its literal arguments.

    String arguments are unquoted and unescaped; other arguments are their stripped text.
    A call whose arguments are not plain literals (an expression with brackets) is skipped.
    """
    start_re = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\s*\(")
    for match in start_re.finditer(code):
        args = _arguments(code, match.end())
        if args is not None:
            yield match.group(1), args


def _arguments(code: str, pos: int) -> list[str] | None:
    if code[pos:].lstrip().startswith(")"):
        return []
    args: list[str] = []
    while True:
        match = ARG_RE.match(code, pos)
        if match is None:
            return None
        single, double, bare, end = match.groups()
        quoted = single if single is not None else double
        args.append(ESCAPE_RE.sub(r"\1", quoted) if quoted is not None else bare.strip())
        pos = match.end()
        if end == ")":
            return args
