"""Every drill through the real NLU: model answers meet the criterion, poor answers do not.

The trained model is loaded in-process once per test session and each answer is parsed
as a rehearsal turn is (bot.service.parse_to_turn), so the judgement sees what a trainee
typing that answer would get.

A model answer is written as a natural, clear example of the skill, not tuned to the
model's quirks. The few that today's NLU mishears are listed in MISHEARD, with what it
hears; they are expected failures (not strict: when the NLU improves they simply pass).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from bench.servers import MODEL
from bot.drills import practice
from bot.drills.model import Drill
from bot.service import parse_to_turn
from tests.helpers.drills import DRILLS, persona_of

pytestmark = pytest.mark.integration

# (drill id, answer text) -> what today's NLU makes of it.
MISHEARD: dict[tuple[str, str], str] = {
    ("priya_what_if_i_panic",
     "Could Dev come with you the first time, so you're not on your own with it?"):
        "read as a closed detail question (specify_plan), with no person found, so it is "
        "not taken as problem-solving the fear of being alone",
    ("alex_bristles_at_homework",
     "I chose the wrong word there, sorry. Nothing needs to be checked; it's about something "
     "you'd want to try, if anything."):
        "the second part, an invitation, is read as a proposed task (propose_task), which "
        "this drill asks the trainee to hold back",
}


class Parser:
    """The trained model, in-process, with its own event loop."""

    def __init__(self) -> None:
        from rasa.core.agent import Agent

        self.loop = asyncio.new_event_loop()
        self.agent = Agent.load(str(MODEL))

    def parse(self, text: str) -> dict[str, Any]:
        return self.loop.run_until_complete(self.agent.parse_message(text))

    def close(self) -> None:
        self.loop.close()


@pytest.fixture(scope="session")
def nlu() -> Iterator[Parser]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}; run `make test` (it trains first)")
    parser = Parser()
    try:
        yield parser
    finally:
        parser.close()


def _cases(kind: str) -> list[Any]:
    out = []
    for drill_id in sorted(DRILLS):
        drill = DRILLS[drill_id]
        answers = drill.model_answers if kind == "model" else drill.poor_answers
        for i, answer in enumerate(answers):
            marks = []
            why = MISHEARD.get((drill_id, answer.text))
            if why:
                marks.append(pytest.mark.xfail(reason=f"today's NLU: {why}", strict=False))
            out.append(pytest.param(drill_id, i, id=f"{drill_id}-{kind}{i}", marks=marks))
    return out


def _judge(nlu: Parser, drill: Drill, text: str) -> practice.Feedback:
    turn = parse_to_turn(nlu.parse(text))
    return practice.answer(drill, persona_of(drill), turn)


@pytest.mark.parametrize(("drill_id", "i"), _cases("model"))
def test_model_answer_meets_the_criterion_through_the_nlu(nlu: Parser, drill_id: str,
                                                          i: int) -> None:
    drill = DRILLS[drill_id]
    fb = _judge(nlu, drill, drill.model_answers[i].text)
    assert fb.met, ([h.move for h in fb.heard], [c.text for c in fb.checks if not c.ok])


@pytest.mark.parametrize(("drill_id", "i"), _cases("poor"))
def test_poor_answer_does_not_meet_the_criterion_through_the_nlu(nlu: Parser, drill_id: str,
                                                                 i: int) -> None:
    drill = DRILLS[drill_id]
    fb = _judge(nlu, drill, drill.poor_answers[i].text)
    assert not fb.met, [h.move for h in fb.heard]


def test_misheard_list_names_real_model_answers() -> None:
    for drill_id, text in MISHEARD:
        assert text in [a.text for a in DRILLS[drill_id].model_answers]
