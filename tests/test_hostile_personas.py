"""Hostile persona files are refused in bounded time and memory, with a clear message.

The files are generated here: alias bombs ("billion laughs"), files far over the size
limit, deep nesting, Python object tags, a pipe instead of a file. Each must give a
`file:line:` problem that says what is wrong, never a traceback, and a running registry
keeps the last good version of the persona. The time limits are only a guard against a
hang (a check of a shipped persona takes milliseconds).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from bot.persona.registry import PersonaError, PersonaRegistry, load_persona
from bot.persona.safety import MAX_BYTES, MAX_DEPTH, MAX_PROBLEMS
from bot.persona.validate import check_file, validate_file, validate_text

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "fixtures" / "valid_persona" / "tiny.yml"
HANG_GUARD_SECONDS = 5.0

T = TypeVar("T")


def _timed(fn: Callable[[], T]) -> T:
    start = time.monotonic()
    result = fn()
    assert time.monotonic() - start < HANG_GUARD_SECONDS
    return result


def _billion_laughs(levels: int = 9) -> str:
    """The classic: each level is a list of ten aliases of the level before."""
    out = ['a0: &a0 "lol"']
    for i in range(1, levels + 1):
        out.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(out) + "\n"


def _one(problems: list) -> object:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_billion_laughs_is_refused_without_expanding_it() -> None:
    p = _one(_timed(lambda: validate_text(_billion_laughs(), "bomb.yml")))
    # The root, its ten keys, and level i standing for 1 + 10 + ... + 10^i values.
    expanded = 1 + 10 + sum(int("1" * (i + 1)) for i in range(10))
    assert "alias bomb" in p.message and f"expand to {expanded:,} values" in p.message
    assert str(p).startswith("bomb.yml:1: ")


def test_alias_bomb_inside_a_real_persona_is_refused() -> None:
    text = TINY.read_text().replace(
        "values: [being kind, learning new things]",
        "values: &v0 [being kind, learning new things]\n"
        + "".join(f"extra{i}: &v{i} [" + ", ".join([f"*v{i - 1}"] * 8) + "]\n"
                  for i in range(1, 8)), 1)
    p = _one(_timed(lambda: validate_text(text, "tiny.yml")))
    assert "alias bomb" in p.message


def test_merge_key_bomb_is_refused() -> None:
    lines = ["m0: &m0 {k: v}"]
    for i in range(1, 9):
        lines.append(f"m{i}: &m{i}\n  <<: [" + ", ".join([f"*m{i - 1}"] * 10) + f"]\n  k{i}: v")
    p = _one(_timed(lambda: validate_text("\n".join(lines) + "\n", "merge.yml")))
    assert "alias bomb" in p.message


def test_a_few_aliases_are_still_fine() -> None:
    text = TINY.read_text().replace(
        '  homework_term: {strength: 0.1, lines: ["Homework? I\'m not at school."]}\n'
        '  directive: {strength: 0.1, rupture: false, lines: ["(frowns) OK."]}\n',
        "  homework_term: &base {strength: 0.1, lines: [\"Homework? I'm not at school.\"]}\n"
        "  directive:\n    <<: *base\n    rupture: false\n", 1)
    assert "<<: *base" in text
    assert validate_text(text, "tiny.yml", warnings=True) == []


def test_alias_to_itself_is_refused() -> None:
    p = _one(_timed(lambda: validate_text("id: tiny\nname: &n [a, *n]\n", "tiny.yml")))
    assert p.line == 2 and "refers to the value it is inside of" in p.message


def test_huge_text_is_refused_before_parsing() -> None:
    text = "lines:\n" + "  x: [\"" + "a" * (MAX_BYTES + 10) + "\"]\n"
    p = _one(_timed(lambda: validate_text(text, "huge.yml")))
    assert p.line == 1 and "too large" in p.message and f"{MAX_BYTES // 1024} KB" in p.message


def test_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.yml"
    with path.open("wb") as fh:  # sparse: 2 GB on paper, nothing on disk
        fh.truncate(2 * 1024 ** 3)
    checked = _timed(lambda: check_file(path))
    assert checked.text is None
    p = _one(checked.problems)
    assert str(p).startswith(f"{path}:1: the file is too large (2097152 KB")


@pytest.mark.parametrize("text", [
    "a: " + "[" * 50_000 + "]" * 50_000 + "\n",
    "a: " + "{b: " * 20_000 + "c" + "}" * 20_000 + "\n",
    "".join(" " * i + f"k{i}:\n" for i in range(300)) + " " * 300 + "end: 1\n",
    "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n",
], ids=["flow_lists", "flow_maps", "indentation", "just_over_the_limit"])
def test_deep_nesting_is_refused(text: str) -> None:
    assert len(text.encode()) <= MAX_BYTES
    p = _one(_timed(lambda: validate_text(text, "deep.yml")))
    assert "nested more than" in p.message and "levels deep" in p.message


def test_unclosed_brackets_are_not_a_traceback() -> None:
    problems = _timed(lambda: validate_text("a: " + "[" * 100_000 + "\n", "open.yml"))
    assert problems and all("Traceback" not in str(p) and "internal error" not in p.message
                            for p in problems)


@pytest.mark.parametrize("tagged", [
    '!!python/object/apply:os.system ["touch {marker}"]',
    "!!python/object/new:os.system [touch {marker}]",
    "!!python/name:os.system",
    "!!python/object:builtins.object {{}}",
    "!!python/module:os",
    "!custom {{a: 1}}",
], ids=["apply", "new", "name", "object", "module", "custom"])
def test_python_object_tags_are_refused_not_run(tmp_path: Path, tagged: str) -> None:
    marker = tmp_path / "ran"
    path = tmp_path / "tiny.yml"
    path.write_text(TINY.read_text().replace(
        "briefing: >", "presenting_problem_extra: " + tagged.format(marker=marker)
        + "\nbriefing: >", 1).replace("values: [being kind, learning new things]",
                                      "values: " + tagged.format(marker=marker), 1))
    problems = _timed(lambda: validate_file(path))
    assert any("unsupported YAML tag" in p.message for p in problems), [str(p) for p in problems]
    with pytest.raises(PersonaError):
        load_persona(path)
    assert not marker.exists()


def test_a_pipe_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yml"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    p = _one(_timed(lambda: validate_file(fifo)))
    assert p.line == 1 and "not a regular file" in p.message


def test_a_flood_of_problems_is_capped() -> None:
    text = "".join(f"unknown_key_{i}: 1\n" for i in range(5_000))
    problems = _timed(lambda: validate_text(text, "flood.yml"))
    assert len(problems) == MAX_PROBLEMS + 1
    assert "more problems" in problems[-1].message and "fix the ones above" in problems[-1].message


@pytest.mark.parametrize("hostile", [
    lambda: TINY.read_text() + _billion_laughs(),
    lambda: TINY.read_text() + "# filler\n" * (MAX_BYTES // 9 + 1),
    lambda: TINY.read_text() + "deep: " + "[" * 50_000 + "]" * 50_000 + "\n",
    lambda: TINY.read_text().replace("values: [being kind, learning new things]",
                                     "values: !!python/object/apply:os.getcwd []"),
], ids=["alias_bomb", "huge", "deep", "python_tag"])
def test_registry_keeps_the_last_good_version(tmp_path: Path,
                                              hostile: Callable[[], str]) -> None:
    path = tmp_path / "tiny.yml"
    path.write_text(TINY.read_text())
    registry = PersonaRegistry(tmp_path)
    good = registry.get("tiny")
    assert good is not None and registry.problems == []
    path.write_text(hostile())
    problems = _timed(registry.reload)
    assert problems and all(p.file == str(path) for p in problems)
    assert registry.get("tiny") is good
    assert registry.problems == problems
    # Fixing the file loads the new version and clears the problems.
    path.write_text(TINY.read_text().replace("name: Tia", "name: Tia B"))
    assert registry.reload() == [] and registry.get("tiny").name == "Tia B"
