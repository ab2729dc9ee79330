"""The spoken client-led rehearsals through the engine alone, as the trained NLU read them.

Every persona's long, spoken client-led trainee (tests/rehearsals_spoken/) reaches an
agreed plan from the NLU's recorded readings of its turns (tests/fixtures/
spoken_readings.json; see tests/helpers/spoken_readings.py). The same texts go through the
real servers in tests/test_client_led_servers.py.
"""

from __future__ import annotations

import json

import pytest

from bot.client import engine
from bot.persona.registry import load_persona
from bot.service import parse_to_turn, seed_for
from tests.helpers.spoken_readings import FIXTURE, ROOT, spoken_scripts

READINGS: dict[str, list[dict]] = json.loads(FIXTURE.read_text(encoding="utf-8"))
SCRIPTS = spoken_scripts()


def test_the_readings_are_of_todays_spoken_scripts() -> None:
    # Edited scripts need new readings: `.venv/bin/python -m tests.helpers.spoken_readings`.
    assert {pid: [r["text"] for r in rs] for pid, rs in READINGS.items()} == SCRIPTS


@pytest.mark.parametrize("pid", sorted(SCRIPTS))
def test_the_spoken_client_led_rehearsal_agrees_through_the_engine(pid: str) -> None:
    persona = load_persona(ROOT / "data" / "personas" / f"{pid}.yml")
    result = engine.start(persona, seed_for(f"cl-spoken-{pid}"))  # as the server test seeds
    heard: list[str] = []
    for reading in READINGS[pid]:
        turn = parse_to_turn(reading)
        result = engine.step(persona, result.state, turn)
        heard.append(f"{turn.intent}: {turn.text}\n   -> {result.reply}  {result.events}")
    end = engine.finish(persona, result.state)
    assert end.state.plan["agreed"], "\n".join(heard)
    # Asked, not told: the client's own details make the plan specific.
    assert sum(1 for k in ("day", "time_of_day", "duration", "frequency", "place")
               if end.state.plan.get(k)) >= 3, end.state.plan
