"""parse_to_turn: a Rasa parse becomes the engine's input (no Rasa needed)."""

from __future__ import annotations

from typing import Any

from bot import moves
from bot.service import parse_to_turn


def _parse(text: str, ranking: list[tuple[str, float]], **cues: Any) -> dict[str, Any]:
    return {
        "text": text,
        "intent": {"name": moves.FALLBACK, "confidence": 0.3},
        "intent_ranking": [{"name": moves.FALLBACK, "confidence": 0.3}]
        + [{"name": n, "confidence": c} for n, c in ranking],
        "entities": [],
        "cues": {**moves.empty_cues(), **cues},
    }


def test_fallback_over_a_likely_reflection_is_the_reflection() -> None:
    t = parse_to_turn(_parse("There's something heavy in how you say that.",
                             [("reflect", 0.26), ("elicit_feedback", 0.14)]))
    assert (t.intent, round(t.confidence, 2)) == ("reflect", 0.26)


def test_fallback_stays_for_questions_weak_or_unsafe_readings() -> None:
    cases = [
        _parse("Is that heavy for you?", [("reflect", 0.26)], question="closed"),
        _parse("You sound tired.", [("reflect", 0.15)]),
        _parse("You sound tired.", [("propose_task", 0.28), ("reflect", 0.25)]),
        _parse("You have to, it's important.", [("affirm", 0.31)], directive=True),
    ]
    for parse in cases:
        assert parse_to_turn(parse).intent == moves.FALLBACK, parse["text"]


def test_no_ranking_keeps_the_fallback() -> None:
    parse = _parse("You sound tired.", [])
    del parse["intent_ranking"]
    assert parse_to_turn(parse).intent == moves.FALLBACK
