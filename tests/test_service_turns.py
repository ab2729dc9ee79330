"""The service stores a turn of several moves with every part, and a half-heard turn as a
clarifying question (real SQLite store, no Rasa)."""

from __future__ import annotations

from pathlib import Path

from bot import moves
from bot.scoring.rubric import score_transcript
from bot.service import RehearsalService
from bot.store import Store


def _service(tmp_path: Path) -> RehearsalService:
    return RehearsalService(store=Store(f"sqlite:///{tmp_path / 'turns.db'}"))


def _part(text: str, intent: str, question: str = "none") -> dict:
    return {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": [],
            "cues": {**moves.empty_cues(), "question": question}}


def test_a_turn_of_several_moves_is_stored_with_its_parts(tmp_path: Path) -> None:
    svc = _service(tmp_path)
    assert svc.start("s1", "maya", "t01", seed=3).ok
    text = "That sounds exhausting. What would you like to try this week?"
    out = svc.reply("s1", {}, {
        "text": text, "intent": {"name": "elicit_ideas", "confidence": 0.8}, "entities": [],
        "cues": {**moves.empty_cues(), "question": "open"},
        "parts": [_part("That sounds exhausting.", "reflect"),
                  _part("What would you like to try this week?", "elicit_ideas", "open")]})
    assert out.ok and len(out.messages) == 1
    turn = svc.store.get_session("s1")["turns"][-1]
    assert [p["intent"] for p in turn["parts"]] == ["reflect", "elicit_ideas"]
    assert turn["intent"] == "elicit_ideas"  # the part the client answered
    assert any(e.startswith("idea_offered:") for e in turn["events"])
    # Both parts count for the rubric: the reflection is credited as a reflection.
    scored = score_transcript(svc.store.get_session("s1")["turns"], "maya")
    solo = dict(turn, parts=[])
    scored_solo = score_transcript([solo], "maya")
    assert scored["dimensions"]["D9"]["score"] >= scored_solo["dimensions"]["D9"]["score"]
    assert any(ev["quote"].startswith("That sounds exhausting")
               for d in scored["dimensions"].values() for ev in d["evidence"]) or \
        scored["total"] >= scored_solo["total"]


def test_a_half_heard_turn_gets_a_clarifying_question_not_say_again(tmp_path: Path) -> None:
    svc = _service(tmp_path)
    assert svc.start("s2", "maya", "t01", seed=3).ok
    text = "So evenings are a write-off. What if we moved it to the morning before work?"
    out = svc.reply("s2", {}, {
        "text": text, "intent": {"name": moves.FALLBACK, "confidence": 0.38},
        "intent_ranking": [{"name": moves.FALLBACK, "confidence": 0.38},
                           {"name": "problem_solve", "confidence": 0.38},
                           {"name": "propose_task", "confidence": 0.2}],
        "entities": [{"entity": "time_of_day", "value": "before work"},
                     {"entity": "activity", "value": "write-"}],
        "cues": {**moves.empty_cues(), "question": "open"}})
    reply = out.messages[0]
    assert "before work" in reply and "?" in reply
    assert "again" not in reply.lower()
    turn = svc.store.get_session("s2")["turns"][-1]
    assert turn["events"] == ["clarify:problem_solve"]
    # Not held against the trainee: the scorecard is the same as without the turn.
    assert score_transcript([turn], "maya")["total"] == score_transcript([], "maya")["total"]
    bye = svc.reply("s2", {}, {
        "text": "Thanks so much, take care.", "intent": {"name": moves.FALLBACK,
                                                         "confidence": 0.3},
        "intent_ranking": [{"name": moves.FALLBACK, "confidence": 0.3},
                           {"name": "goodbye", "confidence": 0.3}],
        "entities": [], "cues": moves.empty_cues()})
    assert "again" not in bye.messages[0].lower()


def test_every_part_of_a_combined_turn_counts_for_the_rubric() -> None:
    import copy

    from bot.client.scripted import load_scripts, run_script
    from bot.persona.registry import load_persona

    root = Path(__file__).resolve().parent.parent
    p = load_persona(root / "data" / "personas" / "maya.yml")
    script = next(s for s in load_scripts(root / "tests" / "rehearsals" / "maya.yml").scripts
                  if s.name == "skilful")
    turns = run_script(p, script).turns
    i = next(k for k, t in enumerate(turns) if t["intent"] == "link_to_goals")
    merged = copy.deepcopy(turns)
    link, ideas = merged[i], merged[i + 1]
    ideas["parts"] = [{"text": t["trainee"], "intent": t["intent"], "confidence": 0.9,
                       "entities": [], "cues": t["cues"]} for t in (link, ideas)]
    merged = merged[:i] + merged[i + 1:]  # the goals link now lives only inside a part
    dropped = turns[:i] + turns[i + 1:]
    as_parts = score_transcript(merged, "maya", p)
    without = score_transcript(dropped, "maya", p)
    assert as_parts["total"] == score_transcript(turns, "maya", p)["total"]
    assert as_parts["dimensions"]["D3"]["score"] > without["dimensions"]["D3"]["score"]
