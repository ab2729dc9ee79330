"""The Rasa actions, driven the way Rasa's demo bots test them: Tracker + CollectingDispatcher."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import actions
from bot.service import RehearsalService
from bot.store import Store


@pytest.fixture()
def service(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> RehearsalService:
    svc = RehearsalService(store=Store(f"sqlite:///{tmp_path / 'test.db'}"))
    monkeypatch.setattr(actions, "_service", svc)
    return svc


def tracker(sender: str, slots: dict[str, Any], text: str, intent: str,
            entities: list[dict[str, Any]] | None = None,
            cues: dict[str, Any] | None = None) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.93},
              "entities": entities or []}
    if cues is not None:
        latest["cues"] = cues
    return Tracker.from_dict({
        "sender_id": sender, "slots": slots, "latest_message": latest, "events": [],
        "paused": False, "followup_action": None, "active_loop": {},
        "latest_action_name": "action_listen",
    })


async def run(action: Any, t: Tracker) -> tuple[list[str], dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return [m["text"] for m in dispatcher.messages], slots


def start_entities(persona: str) -> list[dict[str, Any]]:
    return [{"entity": "persona", "value": persona}, {"entity": "trainee", "value": "t01"}]


async def test_start_sets_the_slots_and_sends_the_opening_line(service: RehearsalService) -> None:
    texts, slots = await run(actions.ActionStartRehearsal(), tracker(
        "a1", {}, '/start_rehearsal{"persona": "maya"}', "start_rehearsal",
        start_entities("maya")))
    assert len(texts) == 1 and texts[0]
    assert slots["persona"] == "maya" and slots["rehearsal_status"] == "active"
    assert isinstance(slots["client_state"], dict)
    assert service.store.get_session("a1")["turns"] == []


async def test_unknown_persona_creates_no_session(service: RehearsalService) -> None:
    texts, slots = await run(actions.ActionStartRehearsal(), tracker(
        "a2", {}, "/start_rehearsal", "start_rehearsal", start_entities("zelda")))
    assert "zelda" in texts[0] and "maya" in texts[0]
    assert slots == {}
    assert service.store.get_session("a2") is None


async def test_reply_stores_the_turn_before_answering(service: RehearsalService) -> None:
    _, slots = await run(actions.ActionStartRehearsal(), tracker(
        "a3", {}, "/start_rehearsal", "start_rehearsal", start_entities("maya")))
    texts, new_slots = await run(actions.ActionClientReply(), tracker(
        "a3", slots, "How did the walks go this week?", "review_plan"))
    stored = service.store.get_session("a3")["turns"]
    assert [t["client"] for t in stored] == texts
    assert stored[0]["intent"] == "review_plan"
    # No cues in the parse: they are computed from the text.
    assert stored[0]["cues"]["question"] == "open"
    assert new_slots["client_state"] != slots["client_state"]


async def test_low_confidence_is_treated_as_not_understood(service: RehearsalService) -> None:
    _, slots = await run(actions.ActionStartRehearsal(), tracker(
        "a4", {}, "/start_rehearsal", "start_rehearsal", start_entities("maya")))
    t = tracker("a4", slots, "blorp", "review_plan")
    t.latest_message["intent"]["confidence"] = 0.05
    texts, _ = await run(actions.ActionClientReply(), t)
    assert texts and service.store.get_session("a4")["turns"][0]["intent"] == "nlu_fallback"


async def test_end_scores_and_refuses_further_turns(service: RehearsalService) -> None:
    _, slots = await run(actions.ActionStartRehearsal(), tracker(
        "a5", {}, "/start_rehearsal", "start_rehearsal", start_entities("maya")))
    _, slots2 = await run(actions.ActionClientReply(), tracker(
        "a5", slots, "How did last week go?", "review_plan"))
    slots.update(slots2)
    texts, end_slots = await run(actions.ActionEndRehearsal(), tracker(
        "a5", slots, "/end_rehearsal", "end_rehearsal"))
    assert len(texts) == 2 and end_slots["rehearsal_status"] == "ended"
    session = service.store.get_session("a5")
    assert session["ended_at"]
    dims = session["score"]["dimensions"]
    # One open question about last week's plan: some credit for the review, with that
    # turn as evidence, but not the whole review (no learning drawn out, no follow-up).
    assert 0 < dims["D1"]["score"] < 6
    assert dims["D1"]["evidence"] == [{"turn": 1, "quote": "How did last week go?"}]
    # Nothing was designed, so none of the plan-design dimensions earned anything.
    assert [dims[f"D{i}"]["score"] for i in range(2, 9)] == [0] * 7
    assert session["score"]["plan_agreed"] is False
    assert session["client_ratings"]["items"] and session["client_ratings"]["comment"]
    assert (service.store.get_session_row("a5")["scorer_version"]
            == session["score"]["version"])
    texts, _ = await run(actions.ActionClientReply(), tracker(
        "a5", {**slots, **end_slots}, "one more thing", "review_plan"))
    assert "ended" in texts[0]
    assert len(service.store.get_session("a5")["turns"]) == 1


async def test_a_stale_slot_yields_to_the_stored_state(service: RehearsalService) -> None:
    # Rasa died after the action stored turn 1 but before the tracker kept the slot.
    _, slots = await run(actions.ActionStartRehearsal(), tracker(
        "a6", {}, "/start_rehearsal", "start_rehearsal", start_entities("maya")))
    await run(actions.ActionClientReply(), tracker("a6", slots, "Hi Maya", "greet"))
    await run(actions.ActionClientReply(), tracker("a6", slots, "How was the week?",
                                                   "review_plan"))
    states = [t["client_state"]["turn"] for t in service.store.get_session("a6")["turns"]]
    assert states[1] > states[0]


def test_a_turn_of_several_moves_is_stored_with_its_parts(service: RehearsalService) -> None:
    """The parts reach the transcript, so the scorer and the debrief can count each move."""
    service.start("a7", "maya", "t01")
    text = "It sounds like the evenings are hard. What got in the way last week?"
    parse = {
        "text": text, "intent": {"name": "explore_barriers", "confidence": 0.8},
        "entities": [], "cues": {"question": "open", "directive": False,
                                 "homework_term": False, "collaborative": False,
                                 "tentative": False},
        "parts": [
            {"text": "It sounds like the evenings are hard.",
             "intent": {"name": "reflect", "confidence": 0.9}, "entities": [],
             "cues": {"question": "none"}},
            {"text": "What got in the way last week?",
             "intent": {"name": "explore_barriers", "confidence": 0.85}, "entities": [],
             "cues": {"question": "open"}},
        ],
    }
    service.reply("a7", {}, parse)
    [stored] = service.store.get_session("a7")["turns"]
    assert [p["intent"] for p in stored["parts"]] == ["reflect", "explore_barriers"]
    assert [p["text"] for p in stored["parts"]] == [
        "It sounds like the evenings are hard.", "What got in the way last week?"]
    assert stored["intent"] == "explore_barriers"  # the part the client answered
