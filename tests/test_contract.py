"""domain.yml, rules, NLU data and bot/moves.py must tell the same story."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot import moves, service

ROOT = Path(__file__).resolve().parent.parent


def load(path: str) -> dict:
    return yaml.safe_load((ROOT / path).read_text())


def test_domain_intents_are_the_moves_plus_control_intents() -> None:
    assert load("domain.yml")["intents"] == list(moves.MOVES + moves.CONTROL_INTENTS)


def test_domain_entities_are_plan_and_control_entities() -> None:
    assert load("domain.yml")["entities"] == list(moves.PLAN_ENTITIES + moves.CONTROL_ENTITIES)


def test_domain_slots_are_the_service_slots() -> None:
    assert sorted(load("domain.yml")["slots"]) == sorted(service.SLOTS)


def test_every_engine_intent_is_routed_to_the_client() -> None:
    rules = load("data/rules.yml")["rules"]
    routed: set[str] = set()
    for rule in rules:
        steps = rule["steps"]
        if steps[-1] == {"action": "action_client_reply"}:
            routed |= {step["intent"] for step in steps[0]["or"]}
    assert routed == set(moves.ENGINE_INTENTS)


def test_nlu_data_uses_exactly_the_moves() -> None:
    intents: set[str] = set()
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text()).get("nlu", []):
            if "intent" in block:
                intents.add(block["intent"])
    assert intents == set(moves.MOVES)


def test_domain_actions_exist_in_the_action_package() -> None:
    from actions import actions

    names = {cls().name() for cls in (actions.ActionStartRehearsal, actions.ActionClientReply,
                                      actions.ActionEndRehearsal)}
    assert names == set(load("domain.yml")["actions"])


def test_parts_use_the_same_fallback_threshold_as_the_whole_message() -> None:
    pipeline = {str(c["name"]).rsplit(".", 1)[-1]: c for c in load("config.yml")["pipeline"]}
    assert pipeline["PartsAnnotator"]["fallback_threshold"] == \
        pipeline["FallbackClassifier"]["threshold"]
    names = [str(c["name"]) for c in load("config.yml")["pipeline"]]
    # PartsAnnotator reads the ensemble's part rankings and the final (fallback) intent.
    assert names.index("bot.rasa_ext.nlu.PartsAnnotator") > names.index("FallbackClassifier")
    assert names.index("bot.rasa_ext.nlu.IntentEnsemble") < names.index("FallbackClassifier")
