"""The shipped drills and their personas, loaded once for the drill tests."""

from __future__ import annotations

import functools

from bot.config import PERSONA_DIR
from bot.drills.model import Drill, load_drills
from bot.drills.validate import DRILL_DIR
from bot.persona.model import Persona
from bot.persona.registry import load_persona

DRILL_FILES = sorted(DRILL_DIR.glob("*.yml"))
DRILLS, PROBLEMS = load_drills(DRILL_DIR, PERSONA_DIR)


@functools.cache
def _load(persona_id: str) -> Persona:
    return load_persona(PERSONA_DIR / f"{persona_id}.yml")


def persona_of(drill: Drill) -> Persona:
    """The persona a drill is played with (each file loaded once)."""
    return _load(drill.persona)
