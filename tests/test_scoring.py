"""Unit tests for bot.scoring.rubric, bot.scoring.client_ratings and the agreement benchmark."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bench.agreement import DIMS, compute, load_all, spearman
from bot.moves import EVENT_KINDS, MOVES, empty_cues
from bot.scoring.client_ratings import ITEMS, client_ratings
from bot.scoring.rubric import LABEL, score_transcript


def turn(n: int, text: str, intent: str, events: list[str] | None = None,
         entities: dict[str, str] | None = None, state: dict[str, Any] | None = None,
         confidence: float = 0.9, **cues: Any) -> dict[str, Any]:
    c = empty_cues()
    c.update(cues)
    st = {"trust": 0.5, "hope": 0.4, "understanding": 0.3, "willingness": 0.4,
          "phase": "design", "rupture": False, "disclosed": [], "resolved": [],
          "plan": {"agreed": False}}
    st.update(state or {})
    return {"n": n, "trainee": text, "intent": intent, "confidence": confidence,
            "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
            "cues": c, "client": "...", "client_state": st, "events": events or []}


def dims(result: dict[str, Any]) -> dict[str, int]:
    return {d: v["score"] for d, v in result["dimensions"].items()}


AGREED = {"plan": {"agreed": True, "activity": "a walk", "day": "Monday", "place": "the park",
                   "duration": "ten minutes", "frequency": "three times"}}


def test_events_and_moves_used_here_are_in_the_contract() -> None:
    used = {"barrier_disclosed", "barrier_resolved", "rupture", "repair", "plan_agreed",
            "learning_shared", "sensitivity", "plan_countered", "plan_objection"}
    assert used <= set(EVENT_KINDS)
    assert {"explore_barriers", "problem_solve", "review_plan"} <= set(MOVES)


def test_shape_label_and_rollups() -> None:
    r = score_transcript([turn(1, "How did the walks go?", "review_plan", question="open")],
                         "maya")
    assert set(r["dimensions"]) == {f"D{i}" for i in range(1, 10)}
    assert r["label"] == LABEL and r["version"]
    assert r["total"] == sum(dims(r).values())
    assert set(r["rollups"]) == {"review", "design", "planning", "specificity", "motivation",
                                 "problem_solving", "ctrs_homework"}
    assert r["rollups"]["review"] == r["dimensions"]["D1"]["score"]
    for d in r["dimensions"].values():
        assert 0 <= d["score"] <= 6 and d["name"]


def test_empty_transcript_scores_zero_with_supportive_missing() -> None:
    r = score_transcript([], "maya")
    assert r["total"] == 0 and r["plan_agreed"] is False
    for d in r["dimensions"].values():
        assert d["evidence"] == [] and d["missing"]
        assert "fail" not in d["missing"].lower()


def test_d1_review_anchors_rise_with_learning() -> None:
    base = [turn(1, "Did you do the walks?", "review_plan", question="closed",
                 state={"phase": "review"})]
    assert dims(score_transcript(base, "maya"))["D1"] == 2
    deeper = base + [
        turn(2, "What got in the way?", "explore_barriers", question="open",
             state={"phase": "review"}),
        turn(3, "Getting out at all took effort.", "affirm", state={"phase": "review"}),
    ]
    assert dims(score_transcript(deeper, "maya"))["D1"] == 4
    learned = deeper + [
        turn(4, "What did you notice on the days you walked?", "explore_learning",
             events=["learning_shared"], question="open", state={"phase": "review"}),
        turn(5, "You said you want to enjoy things; how could that fit?", "link_to_goals",
             question="open"),
    ]
    assert dims(score_transcript(learned, "maya"))["D1"] == 6


def test_d1_blame_keeps_review_low() -> None:
    t = [turn(1, "Why didn't you do the walks?", "review_plan", question="open",
              state={"phase": "review"}),
         turn(2, "What did you notice?", "explore_learning", events=["learning_shared"],
              question="open", state={"phase": "review"})]
    r = score_transcript(t, "maya")
    assert r["dimensions"]["D1"]["score"] <= 2


def test_problem_solving_a_barrier_raises_d6() -> None:
    asked = [
        turn(1, "One idea might be a short walk?", "propose_task", tentative=True,
             entities={"activity": "a short walk"}),
        turn(2, "What might get in the way?", "explore_barriers", question="open",
             events=["barrier_disclosed:evening_exhaustion"],
             state={"disclosed": ["evening_exhaustion"]}),
    ]
    before = dims(score_transcript(asked, "maya"))["D6"]
    solved = asked + [turn(3, "Could mornings work instead, before work?", "problem_solve",
                           question="closed", events=["barrier_resolved:evening_exhaustion"],
                           state={"disclosed": ["evening_exhaustion"],
                                  "resolved": ["evening_exhaustion"]})]
    after = dims(score_transcript(solved, "maya"))["D6"]
    assert before <= 2 < after
    assert after >= 4


def test_unaddressed_barrier_caps_d6_and_d8() -> None:
    t = [
        turn(1, "What got in the way?", "explore_barriers", question="open",
             events=["barrier_disclosed:night_shifts"], state={"disclosed": ["night_shifts"]}),
        turn(2, "What would you like to try?", "elicit_ideas", question="open",
             events=["idea_offered:a walk"]),
        turn(3, "How does that sound?", "elicit_feedback", question="open",
             events=["plan_countered:duration=ten minutes"]),
        turn(4, "Ten minutes then. How confident are you?", "elicit_feedback", question="open",
             entities={"duration": "ten minutes"}),
        turn(5, "Could you put it in your own words?", "check_understanding", question="open"),
    ]
    r = score_transcript(t, "sam")
    assert r["dimensions"]["D6"]["score"] <= 2
    assert r["dimensions"]["D8"]["score"] <= 2
    assert any("night_shifts" in c for c in r["caps"])


def test_unrepaired_rupture_caps_d8_and_repair_lifts_it() -> None:
    common = [
        turn(1, "You need to do it every day.", "propose_task", directive=True,
             events=["rupture:directive"], state={"rupture": True}),
    ]
    tail = [
        turn(3, "What would you like to try instead?", "elicit_ideas", question="open",
             events=["idea_offered:writing"]),
        turn(4, "How does that sound?", "elicit_feedback", question="open"),
        turn(5, "Could you say in your words what we agreed?", "check_understanding",
             question="open"),
    ]
    unrepaired = common + [turn(2, "Anyway.", "off_topic", state={"rupture": True})] + [
        dict(t, client_state=dict(t["client_state"], rupture=True)) for t in tail]
    repaired = common + [turn(2, "I think I pushed too hard there, I'm sorry.",
                              "repair_rupture", events=["repair"])] + tail
    r1 = score_transcript(unrepaired, "alex")
    r2 = score_transcript(repaired, "alex")
    assert r1["dimensions"]["D8"]["score"] <= 2
    assert any("rupture" in c.lower() for c in r1["caps"])
    assert r2["dimensions"]["D8"]["score"] > r1["dimensions"]["D8"]["score"]


def test_no_agreed_plan_caps_d5_and_d7() -> None:
    specifics = {"activity": "a walk", "day": "Monday", "place": "the park",
                 "duration": "ten minutes", "frequency": "three times"}
    t = [
        turn(1, "A ten-minute walk in the park on Monday, three times?", "specify_plan",
             entities=specifics, question="closed"),
        turn(2, "I'll write that down on a card for you, with why and a back-up if it rains.",
             "written_summary"),
    ]
    r = score_transcript(t, "maya")
    assert r["plan_agreed"] is False
    assert r["dimensions"]["D5"]["score"] <= 2 and r["dimensions"]["D7"]["score"] <= 2
    agreed = copy.deepcopy(t)
    agreed[-1]["events"] = ["plan_agreed"]
    agreed[-1]["client_state"]["plan"] = dict(specifics, agreed=True)
    r2 = score_transcript(agreed, "maya")
    assert r2["plan_agreed"] is True
    assert r2["dimensions"]["D5"]["score"] >= 4 and r2["dimensions"]["D7"]["score"] >= 4


def test_homework_term_with_sensitive_persona_counts_against_d9() -> None:
    def build(hw: bool) -> list[dict[str, Any]]:
        word = "homework" if hw else "action plan"
        return [
            turn(1, f"How did the {word} go?", "review_plan", question="open",
                 homework_term=hw, events=["sensitivity:homework_term"] if hw else []),
            turn(2, "It sounds like it was hard.", "reflect"),
            turn(3, "What did you notice?", "explore_learning", question="open",
                 events=["learning_shared"]),
            turn(4, "How would you put in your own words what we're trying?",
                 "check_understanding", question="open", state={"understanding": 0.7}),
            turn(5, "So, one question in Tuesday's seminar.", "summarize_plan"),
        ]
    clean = score_transcript(build(False), "jordan")["dimensions"]["D9"]["score"]
    flagged = score_transcript(build(True), "jordan")
    assert flagged["dimensions"]["D9"]["score"] < clean
    assert any("homework" in c.lower() for c in flagged["caps"])


def test_dropping_plan_at_first_reluctance_caps_d2_and_d8() -> None:
    t = [
        turn(1, "What would you like to try? Perhaps a diary?", "elicit_ideas",
             question="open", tentative=True, entities={"activity": "a diary"}),
        turn(2, "You said you wanted your wife off your back; how might it fit?",
             "link_to_goals", question="open"),
        turn(3, "How does that sound?", "elicit_feedback", question="open",
             events=["plan_objection:linked_to_goals", "belief_activated:pointless"]),
        turn(4, "OK, let's leave it for this week then.", "goodbye"),
    ]
    r = score_transcript(t, "leo")
    assert r["dimensions"]["D2"]["score"] <= 2 and r["dimensions"]["D8"]["score"] <= 3
    assert any("reluctance" in c for c in r["caps"])


def test_low_confidence_and_fallback_intents_are_unclear() -> None:
    good = [turn(1, "What did you notice?", "explore_learning", question="open",
                 events=["learning_shared"])]
    low = [turn(1, "What did you notice?", "explore_learning", question="open",
                events=["learning_shared"], confidence=0.3)]
    fb = [turn(1, "What did you notice?", "nlu_fallback", question="open",
               events=["learning_shared"])]
    assert dims(score_transcript(good, "maya"))["D1"] > 0
    assert dims(score_transcript(low, "maya"))["D1"] == 0
    assert dims(score_transcript(fb, "maya"))["D1"] == 0


@pytest.fixture(scope="module")
def references() -> list[Any]:
    refs = load_all()
    assert len(refs) >= 10
    return refs


def test_every_positive_score_has_valid_evidence(references: list[Any]) -> None:
    for ref in references:
        texts = {t["n"]: t["trainee"] for t in ref.turns}
        result = score_transcript(ref.turns, ref.persona)
        for name, d in result["dimensions"].items():
            if d["score"] > 0:
                assert d["evidence"], f"{ref.name} {name} has no evidence"
                if d["score"] < 6:
                    assert d["missing"], f"{ref.name} {name} says nothing about the next anchor"
            else:
                assert d["evidence"] == [] and d["missing"]
            for ev in d["evidence"]:
                assert ev["turn"] in texts, f"{ref.name} {name} cites turn {ev['turn']}"
                assert ev["quote"] and ev["quote"] in texts[ev["turn"]]
                assert len(ev["quote"]) <= 120


def test_scoring_is_deterministic_and_pure(references: list[Any]) -> None:
    ref = references[0]
    frozen = copy.deepcopy(ref.turns)
    a = score_transcript(ref.turns, ref.persona)
    b = score_transcript(copy.deepcopy(ref.turns), ref.persona)
    assert a == b
    assert ref.turns == frozen


def test_skilful_rehearsals_outscore_unskilful(references: list[Any]) -> None:
    by_name = {r.name: r for r in references}
    total = {n: score_transcript(r.turns, r.persona)["total"] for n, r in by_name.items()}
    assert total["maya_excellent"] > total["maya_directive_lecture"] + 20
    assert total["alex_rupture_repaired"] > total["alex_unrepaired_rupture"]
    assert total["sam_barriers_solved"] > total["sam_review_no_plan"]


def test_spearman_basics() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 2, 2, 3], [1, 3, 2, 4]) == pytest.approx(0.9487, abs=1e-3)


def test_agreement_with_reference_raters_within_one(references: list[Any]) -> None:
    agreement = compute(references)
    low = {d: agreement.within_one[d] for d in DIMS if agreement.within_one[d] < 0.8}
    assert not low, f"within-one agreement below 80%: {low}"
    assert agreement.rho > 0.8


def test_client_ratings_from_state_only() -> None:
    poor = {"trust": 0.2, "hope": 0.1, "understanding": 0.1, "willingness": 0.1,
            "rupture": True, "plan": {"agreed": False}}
    good = {"trust": 0.8, "hope": 0.7, "understanding": 0.8, "willingness": 0.8,
            "client_shaped": True, "feedback_asked": True, "linked_to_goals": True,
            "understanding_checked": True, **AGREED}
    rp, rg = client_ratings(None, poor), client_ratings(None, good)
    assert list(rp["items"]) == list(ITEMS)
    assert all(0 <= v <= 4 for v in rp["items"].values())
    assert sum(rg["items"].values()) > sum(rp["items"].values())
    assert rp["items"]["plan_specific"] == 0 and rg["items"]["plan_specific"] == 4
    assert "not sure why" in rp["comment"]
    assert rp["comment"] and rg["comment"]


def test_client_comment_uses_persona_lines_deterministically() -> None:
    persona = {"name": "Maya", "lines": {
        "comment.agreed": ["{activity} feels doable.", "I can try {activity}, I think.",
                           "Uses {unknown_placeholder}."],
        "comment.not_agreed": ["We didn't get anywhere."]}}
    state = {"trust": 0.6, "hope": 0.5, "understanding": 0.6, "willingness": 0.6, **AGREED}
    a = client_ratings(persona, state)
    assert a == client_ratings(persona, copy.deepcopy(state))
    assert a["comment"] in ("a walk feels doable.", "I can try a walk, I think.")
    no = client_ratings(persona, {"plan": {"agreed": False}})
    assert no["comment"] == "We didn't get anywhere."

    class Obj:
        lines = {"comment.agreed": ["OK."]}
    assert client_ratings(Obj(), state)["comment"] == "OK."


# ---------------------------------------------------------------- comment by reason

def _persona_file(pid: str):  # noqa: ANN202 - Persona
    from pathlib import Path

    from bot.persona.registry import load_persona
    return load_persona(Path(__file__).resolve().parent.parent / "data" / "personas" /
                        f"{pid}.yml")


def _sam_end(disclosed: list[str], resolved: list[str], **over: Any) -> dict[str, Any]:
    # Rationale understood, three specifics, within limits, willing: only barriers can fail.
    state = {"trust": 0.6, "hope": 0.5, "understanding": 0.6, "willingness": 0.55,
             "disclosed": disclosed, "resolved": resolved, "turn": 14,
             "plan": {"agreed": False, "activity": "a walk to the park", "day": "days off",
                      "duration": "15 minutes", "frequency": "twice a week"}}
    state.update(over)
    return state


def test_comment_names_the_barrier_left_open_not_nobody_asked() -> None:
    # The live case: shifts explored and solved, childcare named but left open.
    sam = _persona_file("sam")
    state = _sam_end(["running_on_empty", "rotating_shifts", "childcare"],
                     ["running_on_empty", "rotating_shifts"])
    comment = client_ratings(sam, state)["comment"]
    assert sam.barrier("childcare").summary in comment
    assert "nobody asked" not in comment.lower()
    variants = sam.lines["comment.not_agreed.barriers_resolved"]
    for turn_no in range(12):  # whichever variant the state picks
        c = client_ratings(sam, {**state, "turn": turn_no})["comment"]
        assert any(v.split("{barrier}")[0] in c for v in variants if "{barrier}" in v)


def test_comment_without_named_barrier_speaks_of_what_was_not_said() -> None:
    sam = _persona_file("sam")
    comment = client_ratings(sam, _sam_end([], []))["comment"]
    own = [v for v in sam.lines["comment.not_agreed.barriers_resolved"] if "{barrier}" not in v]
    assert comment in own


def test_comment_follows_first_unmet_condition() -> None:
    sam = _persona_file("sam")
    solved = ["rotating_shifts", "childcare"]
    low_understanding = _sam_end(solved, solved, understanding=0.2)
    assert client_ratings(sam, low_understanding)["comment"] in \
        sam.lines["comment.not_agreed.rationale_understood"]
    too_much = _sam_end(solved, solved)
    too_much["plan"] = {**too_much["plan"], "frequency": "every day"}
    assert client_ratings(sam, too_much)["comment"] in \
        sam.lines["comment.not_agreed.within_task_limits"]
    no_task = _sam_end(solved, solved)
    no_task["plan"] = {"agreed": False}
    assert client_ratings(sam, no_task)["comment"] in sam.lines["comment.not_agreed"]


@pytest.mark.parametrize("pid", ["alex", "dan", "jordan", "leo", "maya", "nora", "priya",
                                 "ruth", "sam"])
def test_every_required_condition_has_its_own_comments(pid: str) -> None:
    persona = _persona_file(pid)
    for cond in persona.agreement.requires:
        lines = persona.lines.get(f"comment.not_agreed.{cond}", ())
        assert len(lines) >= 2, f"{pid}: comment.not_agreed.{cond}"
        if cond == "barriers_resolved":
            assert any("{barrier}" in ln for ln in lines)
            assert any("{barrier}" not in ln for ln in lines)
