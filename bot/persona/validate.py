"""Check persona YAML files and report every problem as `file:line: message`.

The entry points: `validate_text`, `validate_file` and the `python -m bot personas
validate` command. A file is parsed once into YAML nodes (so every value keeps its line),
walked against the field table (bot/persona/structure.py), then checked by the
cross-field rules (bot/persona/rules.py). All problems of a file are reported at once.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, SequenceNode

from bot.config import PERSONA_DIR
from bot.persona.fields import PERSONA
from bot.persona.problems import Problem
from bot.persona.rules import check_semantics
from bot.persona.safety import (
    MAX_BYTES,
    capped,
    flow_nesting_problem,
    node_problems,
    too_deep,
    too_large,
)
from bot.persona.structure import Checker
from bot.persona.yaml_syntax import parse_problems, tab_problems


def validate_text(text: str, filename: str, *, warnings: bool = False) -> list[Problem]:
    """All problems of one persona file's text; never raises.

    Warnings (severity "warning": the file works but something in it is unused or
    cannot happen) are left out unless asked for, because loaders reject a file on
    any returned problem; the CLI asks for them.
    """
    try:
        problems = _validate(text, filename)
        if not warnings:
            problems = [p for p in problems if p.severity == "error"]
        return capped(problems, filename)
    except Exception as exc:  # noqa: BLE001 - a validator bug must not take a server down
        return [Problem(filename, 1, f"internal error in the persona validator "
                        f"({type(exc).__name__}: {exc}); please report this to the developers")]


def _validate(text: str, filename: str) -> list[Problem]:
    stem = Path(filename).stem
    # Length in characters first: cheap, and a bound on the bytes that encode() would make.
    if len(text) > MAX_BYTES or len(text.encode("utf-8")) > MAX_BYTES:
        return [too_large(filename, len(text.encode("utf-8", "replace")))]
    problems = tab_problems(text, filename)
    tab_lines = {p.line for p in problems}
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        return [Problem(filename, 1, "the file is empty; a persona needs at least "
                        + ", ".join(f.name for f in PERSONA.fields if f.required))]
    deep = flow_nesting_problem(text, filename)
    if deep is not None:
        return [deep]
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:  # PyYAML composes nested values recursively
        return [too_deep(filename, 1)]
    except yaml.YAMLError as err:
        for p in parse_problems(filename, err, text):
            # A tab often causes the parse error itself; the tab message says it better.
            if p.line not in tab_lines and p.line - 1 not in tab_lines:
                problems.append(p)
        return sorted(problems, key=lambda p: p.line)
    if root is None:
        return [Problem(filename, 1, "the file contains no persona")]
    if not isinstance(root, MappingNode):
        kind = "a list" if isinstance(root, SequenceNode) else "plain text"
        return problems + [Problem(filename, root.start_mark.line + 1, "the file must be a "
                                   f"mapping of fields (id: ..., name: ...), but it is {kind}")]
    hostile = node_problems(root, filename)
    if hostile:
        return hostile
    checker = Checker(filename)
    checker.lines[()] = 1
    data = checker.walk(root, PERSONA, ())
    if isinstance(data, dict):
        check_semantics(checker, data, stem)
    problems += checker.problems
    return sorted(problems, key=lambda p: p.line)


@dataclass(frozen=True)
class CheckedFile:
    """A persona file read once: its text and every problem found in it."""

    path: str
    text: str | None  # None when the file could not be read as UTF-8 text
    problems: list[Problem]


def check_file(path: str | Path, *, warnings: bool = False) -> CheckedFile:
    """Read one persona file once and check it; never raises.

    Loaders build the persona from `text` only when `problems` is empty, so what was
    checked is exactly what is loaded, even if the file is saved again in between.
    `warnings`: as in validate_text.
    """
    name = str(path)

    def unreadable(line: int, message: str) -> CheckedFile:
        return CheckedFile(name, None, [Problem(name, line, message)])

    try:
        p = Path(path)
        if p.is_dir():
            return unreadable(1, "this is a directory, not a persona file; give a .yml file "
                              "(the `validate` command accepts directories)")
        if not p.exists():
            return unreadable(1, "file not found; check the path and the spelling")
        if not p.is_file():  # a device or a pipe: reading it might never end
            return unreadable(1, "this is not a regular file; give a .yml file")
        size = p.stat().st_size
        if size > MAX_BYTES:
            return unreadable(1, too_large(name, size).message)
        with p.open("rb") as fh:  # never more than the limit, even if the file grows
            raw = fh.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            return unreadable(1, too_large(name, len(raw)).message)
    except OSError as exc:
        return unreadable(1, f"cannot read the file ({exc.strerror or exc})")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return unreadable(1, "the file is saved as UTF-16 (Unicode); save it as UTF-8 "
                          "(in Notepad: Save As, Encoding: UTF-8)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return unreadable(line, "the file is not UTF-8 text (byte "
                          f"0x{raw[exc.start]:02x}); save it as UTF-8 in your editor")
    return CheckedFile(name, text, validate_text(text, name, warnings=warnings))


def validate_file(path: str | Path, *, warnings: bool = False) -> list[Problem]:
    """All problems of one persona file (or why it cannot be read); never raises.

    `warnings`: as in validate_text.
    """
    return check_file(path, warnings=warnings).problems


def _persona_files(paths: Iterable[str]) -> Iterator[str]:
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files = sorted(f for f in p.iterdir() if f.suffix in (".yml", ".yaml"))
            yield from (str(f) for f in files if not f.name.startswith("_") and f.is_file())
        elif p.name.startswith("_"):
            print(f"skipped {raw}: files starting with '_' are not personas", file=sys.stderr)
        else:
            yield raw


def default_persona_dir() -> Path:
    # Relative when run from the project's root, so that messages name data/personas/...
    here = Path("data/personas")
    return here if here.is_dir() else PERSONA_DIR


def cli(paths: list[str]) -> int:
    """Print one `file:line: message` per problem and a summary; 1 if any problem."""
    files = list(_persona_files(paths or [str(default_persona_dir())]))
    n_problems = 0
    bad_files = 0
    for f in files:
        problems = validate_file(f, warnings=True)
        for p in problems:
            print(p)
        n_problems += len(problems)
        bad_files += bool(problems)
    s = "s" if len(files) != 1 else ""
    if n_problems:
        print(f"{len(files)} file{s} checked, {n_problems} problem{'s' * (n_problems != 1)} "
              f"in {bad_files} file{'s' * (bad_files != 1)}")
    else:
        print(f"{len(files)} file{s} checked, no problems")
    return 1 if n_problems else 0
