"""PartsAnnotator: how `parts` is assembled from the parse (no trained model; see
tests/test_nlu_thresholds.py and tests/test_integration.py for parts from the real model)."""

from __future__ import annotations

from typing import Any

from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.language.parts import split_spans
from bot.moves import FALLBACK
from bot.rasa_ext.nlu import CUES_KEY, PART_RANKINGS_KEY, PartsAnnotator

TEXT_2 = "So evenings are a write-off. What if we moved it to the morning before work?"


def _ranked(text: str, intents: list[tuple[str, float]]) -> list[dict[str, Any]]:
    spans = split_spans(text)
    assert len(spans) == len(intents)
    return [{"start": s.start, "end": s.end, "text": s.text,
             "ranking": [{"name": n, "confidence": c}]} for s, (n, c) in zip(spans, intents,
                                                                               strict=True)]


def _message(text: str, **data: Any) -> Message:
    msg = Message(data={TEXT: text})
    for key, value in data.items():
        msg.set(key, value)
    return msg


def test_one_move_is_one_part_equal_to_the_whole_parse() -> None:
    text = "What might get in the way?"
    msg = _message(text, **{INTENT: {"name": "explore_barriers", "confidence": 0.8},
                            INTENT_RANKING_KEY: [{"name": "explore_barriers", "confidence": 0.8}],
                            CUES_KEY: {"question": "open"}, ENTITIES: []})
    [part] = PartsAnnotator({}).process([msg])[0].get("parts")
    assert part["text"] == text and (part["start"], part["end"]) == (0, len(text))
    assert part["intent"] == {"name": "explore_barriers", "confidence": 0.8}
    assert part["cues"] == {"question": "open"}


def test_each_part_gets_its_intent_cues_and_the_entities_inside_it() -> None:
    morning = TEXT_2.index("the morning")
    ents = [{"entity": "time_of_day", "value": "morning", "start": morning,
             "end": morning + len("the morning")}]
    msg = _message(TEXT_2, **{INTENT: {"name": "problem_solve", "confidence": 0.5},
                              ENTITIES: ents,
                              PART_RANKINGS_KEY: _ranked(TEXT_2, [("reflect", 0.7),
                                                                  ("problem_solve", 0.6)])})
    parts = PartsAnnotator({}).process([msg])[0].get("parts")
    assert [p["intent"]["name"] for p in parts] == ["reflect", "problem_solve"]
    assert [p["text"] for p in parts] == [TEXT_2[p["start"]:p["end"]] for p in parts]
    assert parts[0]["entities"] == [] and parts[1]["entities"] == ents
    assert parts[0]["cues"]["question"] == "none" and parts[1]["cues"]["question"] == "open"
    # The whole message keeps its own reading.
    assert msg.get(INTENT)["name"] == "problem_solve"
    assert "parts" in msg.as_dict(only_output_properties=True)
    assert PART_RANKINGS_KEY not in msg.as_dict(only_output_properties=True)


def test_a_part_below_the_threshold_falls_back_like_the_whole_message() -> None:
    msg = _message(TEXT_2, **{INTENT: {"name": "problem_solve", "confidence": 0.5},
                              PART_RANKINGS_KEY: _ranked(TEXT_2, [("reflect", 0.2),
                                                                  ("problem_solve", 0.6)])})
    parts = PartsAnnotator({"fallback_threshold": 0.3}).process([msg])[0].get("parts")
    assert parts[0]["intent"] == {"name": FALLBACK, "confidence": 0.3}
    assert parts[0]["intent_ranking"][0]["name"] == "reflect"
