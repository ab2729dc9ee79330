"""Editing persona and drill files through the library: checked like the command line,
written only without problems, never outside the two folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.training.library import Library

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def library(tmp_path: Path) -> Library:
    personas, drills = tmp_path / "personas", tmp_path / "drills"
    personas.mkdir()
    drills.mkdir()
    shutil.copy(ROOT / "data" / "personas" / "maya.yml", personas)
    shutil.copy(ROOT / "data" / "drills" / "maya_no_point.yml", drills)
    return Library(personas, drills)


def test_listing_shows_every_file_with_its_check(library: Library) -> None:
    listing = library.listing()
    assert [f["file"] for f in listing["personas"]] == ["data/personas/maya.yml"]
    assert [f["ok"] for f in listing["drills"]] == [True]


def test_a_bad_edit_is_refused_with_file_line_messages_and_not_written(library: Library
                                                                       ) -> None:
    before = library.read("personas", "maya") or ""
    bad = before.replace("difficulty: moderate", "difficulty: hard")
    problems = library.save("personas", "maya", bad)
    line = next(i for i, ln in enumerate(before.splitlines(), 1)
                if ln.startswith("difficulty:"))
    assert problems and problems[0].startswith(f"data/personas/maya.yml:{line}: ")
    assert "hard" in problems[0]
    assert library.read("personas", "maya") == before


def test_a_good_edit_is_saved(library: Library) -> None:
    text = (library.read("drills", "maya_no_point") or "").replace(
        "difficulty: introductory", "difficulty: intermediate")
    assert library.save("drills", "maya_no_point", text) == []
    assert "difficulty: intermediate" in (library.read("drills", "maya_no_point") or "")
    assert not list(library.drill_dir.glob(".*.tmp"))


def test_a_drill_edit_is_checked_against_its_persona(library: Library) -> None:
    text = (library.read("drills", "maya_no_point") or "").replace(
        "beliefs_active: [all_or_nothing]", "beliefs_active: [never_heard_of]")
    problems = library.save("drills", "maya_no_point", text)
    assert len(problems) == 1 and "Maya has no belief" in problems[0]


@pytest.mark.parametrize("name", ["../maya", "maya.yml", "", "Maya", "a/b"])
def test_names_cannot_leave_the_folders(library: Library, name: str) -> None:
    assert library.path("personas", name) is None
    assert library.read("personas", name) is None
    assert library.save("personas", name, "id: x\n")
    assert library.path("elsewhere", "maya") is None
