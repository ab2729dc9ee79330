"""YAML that does not parse: every line that is wrong on its own, said in plain words.

The parser stops at its first error; an author wants every broken line at once, and a
hint in words ("put the whole text in double quotes") rather than the parser's terms.
"""

from __future__ import annotations

import re

import yaml

from bot.persona.problems import Problem

_PARSE_HINTS: tuple[tuple[str, str], ...] = (
    ("mapping values are not allowed", "a colon followed by a space (': ') inside unquoted "
     "text; put the whole text in double quotes"),
    ("cannot start any token", "a tab or special character where YAML expects text; indent "
     "with spaces and put text starting with @, ` or % in quotes"),
    ("could not find expected ':'", "a line is missing its ':' or is indented differently from "
     "its neighbours"),
    ("expected <block end>", "the indentation does not line up with the lines above, or a "
     "quoted text has more text after its closing quote (use double quotes around text "
     "containing an apostrophe)"),
    ("did not find expected '-' indicator", "list items ('- ...') must all be indented the "
     "same"),
    ("did not find expected key", "the indentation does not line up, or a quoted text has more "
     "text after its closing quote"),
    ("found unexpected end of stream", "a quote is opened but never closed"),
    ("while scanning a quoted scalar", "a quote is opened but never closed"),
    ("expected a single document", "a '---' line starts a second document here, but a "
     "persona file holds exactly one persona; remove this '---' line"),
    ("found undefined alias", "'*' starts an alias in YAML; put the text in quotes"),
    ("while scanning an alias", "'*' starts an alias in YAML; put the text in quotes"),
    ("while scanning an anchor", "'&' starts an anchor in YAML; put the text in quotes"),
    ("expected ',' or ']'", "a [list, in brackets] is not closed, contains an unquoted comma or "
     "colon, or a text in 'single quotes' contains an apostrophe; use \"double quotes\""),
    ("expected ',' or '}'", "a {mapping, in braces} is not closed properly"),
    ("found '<stream end>'", "a [ or { is opened but never closed"),
)


def parse_problems(filename: str, err: yaml.YAMLError, text: str) -> list[Problem]:
    """The parse error, said as specifically as its line allows, plus every other line that
    is wrong on its own: the parser stops at the first, the author wants them all."""
    mark = getattr(err, "problem_mark", None)
    context = str(getattr(err, "context", "") or "")
    if "quoted scalar" in context and getattr(err, "context_mark", None) is not None:
        mark = err.context_mark  # the opening quote is where the fix is
    line = mark.line + 1 if mark is not None else 1
    raw = " ".join(str(x) for x in (getattr(err, "context", ""), getattr(err, "problem", ""))
                   if x) or str(err).splitlines()[0]
    scan = syntax_scan(text)
    lines = text.splitlines()
    # The parser often notices a bad line only on the line after it.
    culprit = next((n for n in (line, line - 1) if n in scan), None)
    out = [Problem(filename, n, f"YAML syntax error: {msg}") for n, msg in scan.items()]
    if culprit is None:
        hint = None if "single document" in raw else _indent_hint(lines, line)
        if hint is None:
            hint = "probably " + next((h for key, h in _PARSE_HINTS if key in raw),
                                      "check the indentation and quotes on this line and the "
                                      "one before")
        out.append(Problem(filename, line, f"YAML syntax error ({raw}): {hint}"))
    return out


# `key: rest` on one line (a plain key, not a quoted or flow one).
_KEY_RE = re.compile(r"^(?P<key>[^\s\"'\[\]{}#&*!|>%@`,-][^:#]*?|-[^\s][^:#]*?)"
                     r":(?:\s+|$)(?P<rest>.*)$")
_QUOTE_STARTS = {
    "*": "'*' at the start of a text starts an alias in YAML (for *sighs* write (sighs))",
    "&": "'&' at the start of a text starts an anchor in YAML",
    "@": "'@' cannot start unquoted text in YAML",
    "`": "'`' cannot start unquoted text in YAML",
    "%": "'%' cannot start unquoted text in YAML",
}


def _strip_comment(value: str) -> str:
    return re.split(r"(?:^|\s)#", value, maxsplit=1)[0].rstrip()


def _closing_quote(value: str) -> int:
    """Index of the quote that ends a quoted text starting at value[0]; -1 if none here."""
    q = value[0]
    i = 1
    while i < len(value):
        if q == '"' and value[i] == "\\":
            i += 2
            continue
        if value[i] == q:
            if q == "'" and value[i + 1:i + 2] == "'":  # '' is an escaped apostrophe
                i += 2
                continue
            return i
        i += 1
    return -1


def _line_syntax(value: str, is_key_value: bool) -> str | None:
    """What is certainly wrong with one value written on one line, in plain words."""
    v = value.rstrip()
    if not v:
        return None
    first = v[0]
    if first in "\"'":
        end = _closing_quote(v)
        if end < 0 or not _strip_comment(v[end + 1:]).strip():
            return None
        if first == "'":
            return (f"the text in 'single quotes' contains an apostrophe, which ends the text "
                    f"early (after {v[:end + 1]}); put the whole text in double quotes instead: "
                    f"\"{v[1:].rstrip(chr(39))}\"")
        return ("the text goes on after its closing double quote; put the whole text in one "
                "pair of double quotes and use single quotes for speech inside it, e.g. "
                "\"'Not great,' he says.\"")
    if first in "[{":
        try:
            yaml.safe_load(v)
            return None
        except yaml.YAMLError:
            pass
        if first == "[":
            return ("a text starting with '[' is read as a list; for a non-verbal cue use round "
                    "brackets, e.g. (nods), or put the whole text in double quotes")
        return ("a text starting with '{' is read as a mapping; put the whole text in double "
                "quotes, e.g. \"{activity}, maybe.\"")
    if first in _QUOTE_STARTS:
        return f"{_QUOTE_STARTS[first]}; put the whole text in double quotes"
    if is_key_value and ": " in _strip_comment(v) and first not in "|>":
        return ("the text contains a colon followed by a space (': '), which YAML reads as a "
                "new key; put the whole text in double quotes")
    return None


def syntax_scan(text: str) -> dict[int, str]:
    """Line -> message for each line that is wrong on its own (used when parsing fails,
    so that every such line is reported at once, not only the first)."""
    found: dict[int, str] = {}
    block_indent = -1  # inside a `|` or `>` block: its lines are free text
    for n, raw in enumerate(text.splitlines(), 1):
        stripped = raw.lstrip(" ")
        indent = len(raw) - len(stripped)
        if not stripped or stripped.startswith("#"):
            continue
        if block_indent >= 0:
            if indent > block_indent:
                continue
            block_indent = -1
        body = stripped
        item_indent = indent
        while body.startswith("- ") or body == "-":
            body = body[2:].lstrip(" ")
            item_indent = len(raw) - len(body)
        m = _KEY_RE.match(body)
        value, is_kv = (m["rest"], True) if m else (body, False)
        if _strip_comment(value)[:1] in ("|", ">"):
            block_indent = indent if m else item_indent - 1
            continue
        if m is None and body is stripped:
            continue  # a continuation line of a multi-line text
        problem = _line_syntax(value, is_kv)
        if problem:
            found[n] = problem
    return found


def _indent_hint(lines: list[str], n: int) -> str | None:
    """Why line n (1-based) probably broke the parse, if its indentation is the cause."""
    if not 0 < n <= len(lines):
        return None
    line = lines[n - 1]
    indent = len(line) - len(line.lstrip(" "))
    prev = next((ln for ln in reversed(lines[:n - 1])
                 if ln.strip() and not ln.lstrip().startswith("#")), None)
    if prev is None:
        return None
    prev_indent = len(prev) - len(prev.lstrip(" "))
    body = line.lstrip(" ")
    if body.startswith("-") and indent < prev_indent and not prev.rstrip().endswith(":"):
        return (f"this list item is indented {indent} spaces but the entries above use "
                f"{prev_indent}; indent every '- ' of one list the same")
    if body.startswith("-") and prev.rstrip().endswith(":") and indent < prev_indent:
        return (f"this list item is indented less than the key above it; indent it at least "
                f"{prev_indent} spaces (as far as the key, or further)")
    if _KEY_RE.match(body) and indent != prev_indent and not prev.rstrip().endswith(":"):
        return (f"this line is indented {indent} spaces but the line before uses {prev_indent}; "
                "keys of one section must start in exactly the same column")
    return None


def tab_problems(text: str, filename: str) -> list[Problem]:
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            out.append(Problem(filename, n, "tab character used for indentation; YAML needs "
                               "spaces (replace the tab with spaces, aligned with the lines "
                               "above)"))
    return out
