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


def test_fallback_keeps_the_top_in_scope_guess_for_the_engine_to_check() -> None:
    # The engine, not the parse, decides: a safe reflection is taken, anything else unsure
    # gets "Do you mean ...?" (bot/client/turn.py), and only no guess at all is "say again".
    cases = [
        (_parse("Is that heavy for you?", [("reflect", 0.26)], question="closed"), "reflect"),
        (_parse("What if mornings?", [("problem_solve", 0.28), ("reflect", 0.25)]),
         "problem_solve"),
        (_parse("You have to, it's important.", [("affirm", 0.31)], directive=True), "affirm"),
        (_parse("Nice weather.", [("off_topic", 0.2)]), "off_topic"),
    ]
    for parse, guess in cases:
        t = parse_to_turn(parse)
        assert t.intent == guess and t.confidence < 0.4, parse["text"]
    unknown = _parse("Blah.", [("start_rehearsal", 0.3)])
    assert parse_to_turn(unknown).intent == moves.FALLBACK


def test_parts_of_a_message_come_through_in_order() -> None:
    parse = _parse("It sounds like evenings are hard. What if we tried mornings?",
                   [("problem_solve", 0.5)])
    parse["parts"] = [
        {"text": "It sounds like evenings are hard.",
         "intent": {"name": "reflect", "confidence": 0.9}, "entities": [],
         "cues": {**moves.empty_cues()}},
        {"text": "What if we tried mornings?",
         "intent": {"name": "problem_solve", "confidence": 0.8},
         "entities": [{"entity": "time_of_day", "value": "morning", "start": 44, "end": 52}],
         "cues": {**moves.empty_cues(), "question": "open"}},
    ]
    t = parse_to_turn(parse)
    assert [p.intent for p in t.parts] == ["reflect", "problem_solve"]
    assert t.parts[1].entities == ({"entity": "time_of_day", "value": "morning"},)
    assert t.parts[1].cues["question"] == "open"
    parse["parts"] = parse["parts"][:1]  # one move: no parts, the whole turn is the move
    assert parse_to_turn(parse).parts == ()


def test_no_ranking_keeps_the_fallback() -> None:
    parse = _parse("You sound tired.", [])
    del parse["intent_ranking"]
    assert parse_to_turn(parse).intent == moves.FALLBACK
