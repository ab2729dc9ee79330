"""Limits that keep a hostile or broken persona file from hanging or flooding a server.

A persona file is written by hand and is about 20-35 KB, at most 8 levels deep, with
a few YAML aliases (`<<: *base`) if any. A file far outside that is a mistake or an
attack: a "billion laughs" alias bomb (a few lines whose aliases expand to billions of
values), a file of megabytes, nesting thousands of levels deep. Such a file is refused
with one clear `file:line:` problem before anything walks or builds it, so the time
and memory a check takes stay bounded by the size limit. Python object tags
(`!!python/object`) are never constructed: the file is parsed with PyYAML's safe
loader and every tag outside plain YAML is reported (bot/persona/structure.py).
"""

from __future__ import annotations

from yaml.nodes import MappingNode, Node, SequenceNode

from bot.persona.problems import Problem

# Bytes read from a persona file at most; a shipped persona is about 20-35 KB.
MAX_BYTES = 256 * 1024
# Levels of nesting (the top level is 1); shipped personas use at most 8.
MAX_DEPTH = 32
# Values that aliases (*name) may add to a file beyond those written out in it.
MAX_ALIAS_VALUES = 10_000
# Problems reported for one file; more would only bury the first ones.
MAX_PROBLEMS = 100


def too_large(filename: str, size: int) -> Problem:
    return Problem(filename, 1, f"the file is too large ({size / 1024:.0f} KB; the limit is "
                   f"{MAX_BYTES // 1024} KB, and a persona is usually 20-35 KB); check that it "
                   "holds one persona and nothing pasted by mistake")


def too_deep(filename: str, line: int) -> Problem:
    return Problem(filename, line, f"the file is nested more than {MAX_DEPTH} levels deep here; "
                   "a persona needs at most about 8 (check for brackets [ or { that are never "
                   "closed, or indentation that keeps growing)")


def flow_nesting_problem(text: str, filename: str) -> Problem | None:
    """A [ or { nested deeper than MAX_DEPTH, found before YAML parses the text.

    PyYAML's scanner slows down with every open bracket (its work per token grows with
    the depth), so a file of nothing but brackets would take minutes; this linear scan
    refuses it first. It follows YAML closely enough for hand-written files: brackets
    count where a value starts or inside brackets, not inside quotes or comments.
    """
    depth = 0
    for n, line in enumerate(text.splitlines(), 1):
        quote = ""
        value_start = True  # at the start of a line, after "key: ", "- " or "[", "{", ","
        i = 0
        while i < len(line):
            ch = line[i]
            if quote:
                if ch == "\\" and quote == '"':
                    i += 1
                elif ch == quote:
                    quote = ""
            elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
                break  # a comment
            elif ch in "[{" and (depth > 0 or value_start):
                depth += 1
                if depth > MAX_DEPTH:
                    return too_deep(filename, n)
                value_start = True
            elif ch in "]}" and depth > 0:
                depth -= 1
            elif ch in "\"'" and value_start:
                quote = ch
            elif ch == "," and depth > 0:
                value_start = True
            elif ch == ":" and line[i + 1:i + 2] in ("", " ", "\t"):
                value_start = True
            elif ch == "-" and value_start and line[i + 1:i + 2] in ("", " "):
                value_start = True
            elif ch not in " \t":
                value_start = False
            i += 1
    return None


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def node_problems(root: Node, filename: str) -> list[Problem]:
    """Why the composed file is too deep or its aliases expand too far; [] when it is fine.

    Iterative (no recursion, whatever the depth) and linear in the nodes written in the
    file: each node is visited once, and its expanded size is computed from its
    children's, so an alias bomb is measured without being expanded.
    """
    expanded: dict[int, int] = {}  # id(node) -> values it stands for, aliases expanded
    on_path: set[int] = set()
    stack: list[tuple[Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            expanded[key] = 1 + sum(expanded[id(c)] for c in _children(node))
            continue
        if key in expanded:
            continue  # an alias of a node already measured
        if key in on_path:
            return [Problem(filename, node.start_mark.line + 1, "a YAML alias (*name) here "
                            "refers to the value it is inside of, so the value never ends; "
                            "write the value out instead of using the alias")]
        if depth > MAX_DEPTH:
            return [too_deep(filename, node.start_mark.line + 1)]
        on_path.add(key)
        stack.append((node, depth, True))
        stack.extend((c, depth + 1, False) for c in _children(node) if id(c) not in expanded)
    written = len(expanded)
    added = expanded[id(root)] - written
    if added > MAX_ALIAS_VALUES:
        return [Problem(filename, 1, f"the YAML aliases (*name) in this file expand to "
                        f"{expanded[id(root)]:,} values, though only {written:,} are written "
                        "out (an 'alias bomb'); a persona uses aliases at most for a few "
                        "shared settings (`<<: *base`): write the values out instead")]
    return []


def capped(problems: list[Problem], filename: str) -> list[Problem]:
    """The first MAX_PROBLEMS problems, and one line saying how many more there are."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    shown = problems[:MAX_PROBLEMS]
    rest = len(problems) - MAX_PROBLEMS
    return shown + [Problem(filename, shown[-1].line, f"... and {rest} more problems; fix the "
                            "ones above first (often one mistake causes many)")]
