"""The trained model against the project's NLU bars (bench/nlu_targets.py ASSERTED).

Loads models/hw.tar.gz in-process (rasa.core.agent.Agent, as /model/parse does) once, and
parses the held-out set and the spoken held-out set (about a minute on 2 cores).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench import nlu_eval, nlu_spoken
from bench.nlu_targets import ASSERTED
from bench.servers import MODEL
from bot.moves import FALLBACK, MOVES

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def figures() -> dict[str, Any]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}; run `make setup`")
    heldout = nlu_eval.load_examples(ROOT / "tests" / "nlu_heldout.yml")
    spoken = nlu_spoken.load()
    parses, times, _ = nlu_eval.parse_all(
        MODEL, [e.text for e in heldout] + [u.text for u in spoken])
    h_parses, s_parses = parses[:len(heldout)], parses[len(heldout):]
    gold = [e.intent for e in heldout]
    pred = [(p.get("intent") or {}).get("name") or "" for p in h_parses]
    in_scope = [p for g, p in zip(gold, pred, strict=True) if g != "off_topic"]
    plan = [(e, p) for e, p in zip(heldout, h_parses, strict=True)
            if e.intent in nlu_eval.PLAN_MOVES]
    ents = nlu_eval.entity_metrics([e.entities for e, _ in plan],
                                   [nlu_eval.plan_entities_of(p) for _, p in plan],
                                   lenient=False, normalised=True)
    scored = [nlu_spoken.score(u, p, t) for u, p, t in
              zip(spoken, s_parses, times[len(heldout):], strict=True)]
    return {
        "intents": nlu_eval.intent_metrics(gold, pred, MOVES),
        "in_scope_fallback": sum(p == FALLBACK for p in in_scope) / len(in_scope),
        "plan_entity_f1": ents["micro"]["f1"],
        "spoken": nlu_spoken.figures(scored),
        "spoken_parses": dict(zip([u.text for u in spoken], s_parses, strict=True)),
    }


def test_intent_macro_f1_on_the_heldout_set(figures: dict[str, Any]) -> None:
    assert figures["intents"]["macro_f1"] >= ASSERTED["intent_macro_f1"]


def test_few_in_scope_turns_fall_back(figures: dict[str, Any]) -> None:
    assert figures["in_scope_fallback"] <= ASSERTED["in_scope_fallback_max"]


def test_plan_entities_are_extracted_exactly(figures: dict[str, Any]) -> None:
    assert figures["plan_entity_f1"] >= ASSERTED["plan_entity_f1"]


def test_spoken_reflections_are_heard_as_reflections(figures: dict[str, Any]) -> None:
    assert figures["spoken"]["reflect_parts"] >= ASSERTED["spoken_reflect_parts"]
    assert figures["spoken"]["pure_reflections"] >= ASSERTED["spoken_pure_reflections"]


def test_spoken_question_cue(figures: dict[str, Any]) -> None:
    assert figures["spoken"]["question_cue"] >= ASSERTED["spoken_question_cue"]


def test_spoken_parts_are_classified(figures: dict[str, Any]) -> None:
    assert figures["spoken"]["part_intents"] >= ASSERTED["spoken_part_intents"]
    assert figures["spoken"]["max_part_fallback"] <= ASSERTED["spoken_part_fallback_max"]


def test_a_reflection_then_a_question_gives_two_parts_with_offsets(
    figures: dict[str, Any]
) -> None:
    text = next(t for t in figures["spoken_parses"] if t.startswith("So the evenings are"))
    parse = figures["spoken_parses"][text]
    parts = parse["parts"]
    assert len(parts) == 2
    assert [text[p["start"]:p["end"]] for p in parts] == [p["text"] for p in parts]
    assert parts[1]["cues"]["question"] == "open"
    # The whole message keeps its own intent and cues next to the parts.
    assert parse["intent"]["name"] and parse["cues"]["question"] == "open"
