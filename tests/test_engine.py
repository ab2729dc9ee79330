"""Unit tests of the client engine and persona loading (no Rasa)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.client import agreement, engine, hearing
from bot.client.state import ClientState, TurnInput, TurnResult, apply_effects
from bot.moves import empty_cues
from bot.persona.model import Persona, build_persona
from bot.persona.registry import PersonaError, PersonaRegistry, load_persona
from tests.helpers.replay import replay

ROOT = Path(__file__).resolve().parent.parent
MAYA = ROOT / "data" / "personas" / "maya.yml"


def persona(**over: Any) -> Persona:
    """A small persona; keyword arguments replace top-level sections."""
    data: dict[str, Any] = {
        "id": "tess",
        "name": "Tess",
        "state": {"start": {"trust": 0.5, "hope": 0.4, "understanding": 0.3,
                            "willingness": 0.4}},
        "task_limits": {"max_duration_minutes": 15, "max_times_per_week": 3,
                        "counter_offer": {"duration": "ten minutes"},
                        "preferred_activities": ["a short walk"]},
        "barriers": [{
            "id": "night_shifts", "kind": "practical", "hidden": True,
            "disclose_on": ["explore_barriers"], "summary": "the night shifts",
            "lines": ["I work nights, that's the thing."],
            "resolved_by": {"details": {"day": ["weekend", "saturday"]}},
            "resolved_lines": ["Weekends, yes, I'm off then."],
        }],
        "agreement": {
            "requires": {"min_specifics": 1},
            "not_yet": {"min_specifics": ["When, though?", "When would that be?"],
                        "barriers_resolved": ["Like I said, {barrier}."]},
            "agree_lines": ["OK, {activity} it is.", "Fine, {activity}."],
            "refuse_lines": ["No."],
        },
        "lines": {
            "greet": ["Hi.", "Hello.", "Hey."],
            "propose_task": ["Maybe.", "Hmm, maybe."],
            "specify_plan": ["{time_of_day} suits me.", "Sure."],
            "reflect": ["Yes.", "Mm, yes."],
        },
    }
    data.update(over)
    return build_persona(data)


def turn(intent: str, text: str = "...", **kw: Any) -> TurnInput:
    ents = kw.pop("entities", {})
    cues = {**empty_cues(), **kw.pop("cues", {})}
    return TurnInput(text, intent, kw.pop("confidence", 0.95),
                     [{"entity": k, "value": v} for k, v in ents.items()], cues)


def run(p: Persona, turns: list[TurnInput], seed: int = 1) -> list[TurnResult]:
    return replay(p, turns, seed)


# ---------------------------------------------------------------- behaviour


def test_hidden_barrier_stays_hidden_until_explored() -> None:
    p = persona()
    res = run(p, [turn("greet"), turn("reflect"), turn("propose_task",
                                                         entities={"activity": "a walk"})])
    assert all("night_shifts" not in r.state.disclosed for r in res)
    explored = engine.step(p, res[-1].state, turn("explore_barriers"))
    assert "barrier_disclosed:night_shifts" in explored.events
    assert explored.reply == "I work nights, that's the thing."


def test_warm_client_raises_hidden_barrier_unasked_when_plan_pushed() -> None:
    p = persona(state={"start": {"trust": 0.8, "hope": 0.5, "understanding": 0.5,
                                 "willingness": 0.5}})
    res = run(p, [turn("propose_task", entities={"activity": "a walk"})])
    assert "barrier_disclosed:night_shifts" in res[-1].events


def test_barrier_resolved_by_plan_detail_and_referred_back() -> None:
    p = persona()
    res = run(p, [turn("explore_barriers"), turn("explore_barriers", text="anything else?")])
    # Asked twice: the client refers back to what it already said.
    assert "the night shifts" in res[-1].reply
    solved = engine.step(p, res[-1].state, turn("problem_solve", entities={"day": "Saturday"}))
    assert "barrier_resolved:night_shifts" in solved.events
    assert solved.state.resolved == ["night_shifts"]


def test_no_agreement_on_first_proposal_but_later() -> None:
    # The tentative, collaborative proposal itself lifts willingness over the bar, but
    # nobody signs up on the spot: that condition did not hold before the proposal.
    p = persona(agreement={"requires": {"min_willingness": 0.42},
                           "agree_lines": ["OK, {activity} it is.", "Fine, {activity}."],
                           "refuse_lines": ["No."]})
    walk = {"activity": "a walk", "time_of_day": "in the morning"}
    res = run(p, [turn("propose_task", entities=walk,
                       cues={"tentative": True, "collaborative": True})])
    assert res[-1].state.willingness >= 0.42
    assert "plan_agreed" not in res[-1].events
    assert not res[-1].state.plan["agreed"]
    again = engine.step(p, res[-1].state, turn("elicit_feedback"))
    assert "plan_agreed" in again.events
    assert again.reply in ("OK, a walk it is.", "Fine, a walk.")


def test_first_proposal_agreed_when_everything_already_holds() -> None:
    p = persona(agreement={"requires": {}, "agree_lines": ["OK."], "refuse_lines": ["No."]})
    res = run(p, [turn("propose_task", entities={"activity": "a walk"})])
    assert "plan_agreed" in res[-1].events


def test_unmet_condition_gives_its_not_yet_line() -> None:
    p = persona()
    res = run(p, [turn("propose_task", entities={"activity": "a walk"}),
                  turn("elicit_feedback")])
    assert "plan_objection:min_specifics" in res[-1].events
    assert res[-1].reply in ("When, though?", "When would that be?")
    assert res[-1].reply != res[-2].reply


def test_counter_offer_for_too_large_task() -> None:
    p = persona()
    res = run(p, [turn("propose_task", entities={"activity": "a walk", "duration": "an hour"})])
    assert "plan_countered:duration=ten minutes" in res[-1].events
    assert res[-1].state.plan["duration"] == "ten minutes"
    assert "plan_agreed" not in res[-1].events


def test_disliked_activity_replaced_by_clients_own() -> None:
    p = persona(task_limits={"disliked_activities": ["gym"],
                             "preferred_activities": ["a short walk"]})
    res = run(p, [turn("propose_task", entities={"activity": "the gym"})])
    assert res[-1].state.plan["activity"] == "a short walk"
    assert "plan_countered:activity=a short walk" in res[-1].events


def test_homework_term_reaction_for_sensitive_persona_only() -> None:
    sens = {"homework_term": {"strength": 0.2, "rupture": False,
                              "lines": ["Homework? Like at school?"]}}
    touchy, calm = persona(sensitivities=sens), persona()
    t = turn("reflect", "your homework", cues={"homework_term": True})
    hit = run(touchy, [t])[-1]
    assert "sensitivity:homework_term" in hit.events
    assert hit.reply.startswith("Homework? Like at school?")
    assert hit.state.trust < run(calm, [t])[-1].state.trust
    assert "sensitivity:homework_term" not in run(calm, [t])[-1].events


def test_rupture_and_repair() -> None:
    p = persona(
        sensitivities={"directive": {"strength": 0.2, "rupture": True,
                                     "lines": ["(arms folded) Don't tell me what to do."]}},
        agreement={"requires": {"no_open_rupture": True},
                   "not_yet": {"no_open_rupture": ["Not now."]},
                   "agree_lines": ["OK."], "refuse_lines": ["No."]},
        lines={"repair_rupture": ["Thanks for saying that."], "reflect.ruptured": ["(silence)"],
               "reflect": ["Yes."]},
    )
    res = run(p, [turn("propose_task", cues={"directive": True},
                       entities={"activity": "a diary"})])
    r = res[-1]
    assert "rupture:directive" in r.events and r.state.rupture
    assert r.state.plan["activity"] is None  # nothing taken on in a rupture
    assert engine.step(p, r.state, turn("reflect")).reply == "(silence)"
    check = engine.step(p, r.state, turn("elicit_feedback"))
    assert "plan_objection:no_open_rupture" not in check.events or not check.state.plan["agreed"]
    rep = engine.step(p, r.state, turn("repair_rupture"))
    assert "repair" in rep.events and not rep.state.rupture
    assert rep.state.trust > r.state.trust
    assert rep.reply == "Thanks for saying that."


def test_pressure_after_objection_without_exploring() -> None:
    p = persona(sensitivities={"pressure": {"strength": 0.1, "rupture": False,
                                            "lines": ["You're not listening."]}})
    res = run(p, [turn("propose_task", entities={"activity": "a walk"}),
                  turn("elicit_feedback"),  # objection: min_specifics
                  turn("propose_task", entities={"activity": "a walk"})])
    assert "sensitivity:pressure" in res[-1].events
    explored = run(p, [turn("propose_task", entities={"activity": "a walk"}),
                       turn("elicit_feedback"), turn("reflect"),
                       turn("propose_task", entities={"activity": "a walk"})])
    assert "sensitivity:pressure" not in explored[-1].events


def test_belief_activated_by_vague_task_and_softened() -> None:
    p = persona(beliefs=[{
        "id": "pointless", "about": "tasks", "text": "No point",
        "triggers": {"task": ["vague"]}, "effects": {"hope": -0.1},
        "lines": ["What's the point?"],
        "softened_by": {"moves": ["give_rationale"]}, "softened_lines": ["OK, I see."],
    }])
    res = run(p, [turn("propose_task", entities={"activity": "a walk"})])
    assert "belief_activated:pointless" in res[-1].events
    assert res[-1].reply.startswith("What's the point?")
    soft = engine.step(p, res[-1].state, turn("give_rationale", cues={"question": "open"}))
    assert "belief_softened:pointless" in soft.events and soft.reply == "OK, I see."
    # A specific proposal does not re-activate it.
    again = engine.step(p, soft.state, turn("propose_task", entities={
        "activity": "a walk", "day": "Saturday", "time_of_day": "morning"}))
    assert "belief_activated:pointless" not in again.events


def test_placeholders_filled_and_lines_without_value_skipped() -> None:
    p = persona()
    with_value = run(p, [turn("specify_plan", entities={"time_of_day": "monday mornings"})])
    assert with_value[-1].reply == "Monday mornings suits me."
    without = run(p, [turn("specify_plan")])
    assert without[-1].reply == "Sure."  # the {time_of_day} variant is skipped


def test_never_same_line_twice_in_a_row() -> None:
    p = persona()
    for seed in range(20):
        res = run(p, [turn("reflect")] * 12, seed=seed)
        replies = [r.reply for r in res[1:]]
        assert all(a != b for a, b in zip(replies, replies[1:], strict=False))


def test_same_move_twice_noticed() -> None:
    p = persona(lines={"repeat": ["You asked me that."], "greet": ["Hi."],
                       "explore_learning": ["Not much.", "Nothing really."]})
    res = run(p, [turn("explore_learning"), turn("explore_learning")])
    assert "repeat_noticed:explore_learning" in res[-1].events
    assert res[-1].reply == "You asked me that."


def test_low_confidence_and_fallback_not_understood() -> None:
    p = persona(lines={"not_understood": ["Sorry?"]})
    for t in (turn("reflect", confidence=0.1), turn("propose_task", confidence=0.1),
              turn("nlu_fallback"), turn("off_topic", confidence=0.3)):
        r = run(p, [t])[-1]
        assert r.reply == "Sorry?" and r.events == ["not_understood"]


def test_half_heard_turn_gets_a_clarifying_question_naming_what_was_heard() -> None:
    p = persona(lines={"not_understood": ["Sorry?"]})
    start = engine.start(p, 1).state
    r = engine.step(p, start, turn("problem_solve", "What if we moved it to the morning?",
                                   confidence=0.35, entities={"time_of_day": "morning"}))
    assert r.events == ["clarify:problem_solve"]
    assert "in the morning" in r.reply and r.reply.endswith("?") and r.reply != "Sorry?"
    assert r.state.plan == start.plan and r.state.trust == start.trust  # nothing taken in
    goal = engine.step(p, start, turn("link_to_goals", "How does that fit with what you want?",
                                      confidence=0.3))
    assert goal.events == ["clarify:link_to_goals"] and "what I want" in goal.reply
    # A half-heard goodbye is a goodbye, never "say that again".
    bye = engine.step(p, start, turn("goodbye", "Thanks so much, see you next week.",
                                     confidence=0.25))
    assert "not_understood" not in bye.events and not any(
        e.startswith("clarify") for e in bye.events)


def test_unsure_reflection_taken_but_not_an_unsure_question_or_instruction() -> None:
    p = persona(lines={"not_understood": ["Sorry?"], "reflect": ["Yes."]})
    r = run(p, [turn("reflect", "There's something heavy in how you say that.",
                     confidence=0.26)])[-1]
    assert r.reply == "Yes." and "not_understood" not in r.events
    for t in (turn("reflect", "Is that heavy for you?", confidence=0.26),
              turn("reflect", "You must do it.", confidence=0.26, cues={"directive": True}),
              turn("propose_task", "Maybe a walk.", confidence=0.26)):
        assert run(p, [t])[-1].events == [f"clarify:{t.intent}"]


def _designing(p: Persona) -> TurnResult:
    return run(p, [turn("link_to_goals", cues={"question": "open"})])[-1]


def test_design_phase_question_about_the_reason_counts_as_rationale() -> None:
    p = persona()
    start = _designing(p)
    assert start.state.phase == "design"
    why = engine.step(p, start.state, turn(
        "explore_learning", "What do you think might help about trying it this way?",
        cues={"question": "open"}))
    plain = engine.step(p, start.state, turn(
        "explore_learning", "What did you notice last week?", cues={"question": "open"}))
    assert why.state.rationale_heard and why.state.phase == "design"
    assert why.state.understanding > plain.state.understanding
    assert not plain.state.rationale_heard and plain.state.phase == "review"
    # Before any task is in view, the same words ask about last week, not about a task.
    early = run(p, [turn("explore_learning", "What helped last week?",
                         cues={"question": "open"})])[-1]
    assert not early.state.rationale_heard


@pytest.mark.parametrize(("text", "cues"), [
    ("Why didn't you do it?", {"question": "open"}),  # blaming, asks for no reason to try
    ("It helps, you need to do it.", {"question": "none", "directive": True}),
    ("That will help.", {"question": "none"}),  # told, not asked
])
def test_reason_words_alone_are_not_a_rationale(text: str, cues: dict[str, Any]) -> None:
    p = persona()
    r = engine.step(p, _designing(p).state, turn("explore_learning", text, cues=cues))
    assert not r.state.rationale_heard


def test_pressure_needs_a_push_not_a_question() -> None:
    p = persona(sensitivities={"pressure": {"strength": 0.1, "rupture": True,
                                            "lines": ["You're not listening."]}})
    objected = run(p, [turn("propose_task", entities={"activity": "a walk"}),
                       turn("elicit_feedback")])[-1]  # objection: min_specifics
    assert objected.state.objection_pending
    for cues in ({"question": "closed"}, {"question": "open"}, {"tentative": True},
                 {"collaborative": True}):
        r = engine.step(p, objected.state, turn("written_summary", "Shall I write it down?",
                                                cues=cues))
        assert "sensitivity:pressure" not in r.events, cues
    # Offering a written record is handing something over, not pushing the plan again.
    r = engine.step(p, objected.state, turn("written_summary", "I'll write it down for you.",
                                            cues={"question": "none"}))
    assert "sensitivity:pressure" not in r.events
    for cues in ({"question": "none", "directive": True},
                 {"question": "closed", "directive": True}):
        r = engine.step(p, objected.state, turn("written_summary", "You must write it down.",
                                                cues=cues))
        assert "rupture:pressure" in r.events, cues
    # A proposal restated as a statement still pushes.
    r = engine.step(p, objected.state, turn("propose_task", "A walk, then.",
                                            cues={"question": "none"}))
    assert "rupture:pressure" in r.events


def test_generic_flag_when_persona_has_no_line() -> None:
    p = persona()
    r = run(p, [turn("link_to_goals")])[-1]
    assert r.generic
    assert not run(p, [turn("greet")])[-1].generic


def test_goodbye_and_finish_refuse_without_agreement() -> None:
    p = persona()
    r = run(p, [turn("greet"), turn("goodbye")])[-1]
    assert "plan_refused" in r.events and r.state.phase == "closing"
    end = engine.finish(p, run(p, [turn("greet")])[-1].state)
    assert "plan_refused" in end.events and end.reply


def test_phases_follow_the_trainee() -> None:
    p = persona()
    res = run(p, [turn("review_plan"), turn("propose_task", entities={"activity": "a walk"}),
                  turn("explore_learning")])
    assert [r.state.phase for r in res] == ["opening", "review", "design", "review"]


def test_determinism_and_seed_matters() -> None:
    p = load_persona(MAYA)
    ts = [turn("greet"), turn("reflect"), turn("reflect"), turn("affirm"), turn("reflect")]
    a = [r.reply for r in run(p, ts, seed=3)]
    assert a == [r.reply for r in run(p, ts, seed=3)]
    assert any([r.reply for r in run(p, ts, seed=s)] != a for s in range(4, 12))


def test_state_json_round_trip() -> None:
    p = load_persona(MAYA)
    res = run(p, [turn("review_plan"), turn("explore_barriers"),
                  turn("propose_task", entities={"activity": "a walk", "duration": "1 hour"})])
    state = res[-1].state
    back = ClientState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert back == state
    pub = back.public()
    assert set(pub) == {"trust", "hope", "understanding", "willingness", "phase", "rupture",
                        "disclosed", "resolved", "beliefs_active", "plan", "client_shaped",
                        "rationale_heard", "feedback_asked", "understanding_checked",
                        "linked_to_goals", "refused", "turn"}
    nxt = turn("reflect")
    assert engine.step(p, back, nxt).reply == engine.step(p, state, nxt).reply


def test_step_does_not_mutate_input_state() -> None:
    p = load_persona(MAYA)
    s0 = engine.start(p, 1).state
    before = s0.to_dict()
    engine.step(p, s0, turn("propose_task", entities={"activity": "a walk"}))
    assert s0.to_dict() == before


# ---------------------------------------------------------------- loading


def test_maya_loads() -> None:
    p = load_persona(MAYA)
    assert p.id == "maya" and p.barriers and p.beliefs and p.agreement.requires


def test_broken_file_raises_persona_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("id: bad\nname: [unclosed\n")
    with pytest.raises(PersonaError) as exc:
        load_persona(bad)
    assert exc.value.problems


def test_registry_keeps_last_good_version(tmp_path: Path) -> None:
    target = tmp_path / "maya.yml"
    shutil.copy(MAYA, target)
    (tmp_path / "_template.yml").write_text("not: a persona\n")
    reg = PersonaRegistry(tmp_path)
    assert reg.ids() == ["maya"] and not reg.problems
    good = reg.get("maya")
    target.write_text(MAYA.read_text().replace("name: Maya", "name: [broken"))
    st = target.stat()
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    problems = reg.reload()
    assert problems and reg.problems
    assert reg.get("maya") is good  # the running server keeps the last good version
    target.write_text(MAYA.read_text().replace("name: Maya", "name: Maya B"))
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 2 * 10**9))
    assert reg.reload() == [] and not reg.problems
    assert reg.get("maya").name == "Maya B"
    assert reg.get("nobody") is None


# ---------------------------------------------------------------- persona authors' gaps


def _barrier(**over: Any) -> dict[str, Any]:
    b: dict[str, Any] = {
        "id": "doubt", "kind": "interpersonal", "hidden": True,
        "disclose_on": ["elicit_feedback"], "summary": "dropping it when asked",
        "lines": ["Honestly? I'll drop it the moment someone asks."],
        "resolved_by": {"details": {"person": ["friend"]}},
        "resolved_lines": ["With a friend I'd turn up."],
    }
    b.update(over)
    return b


def _warm() -> dict[str, Any]:
    return {"start": {"trust": 0.8, "hope": 0.5, "understanding": 0.6, "willingness": 0.6}}


def test_open_question_needed_to_bring_out_a_guarded_doubt() -> None:
    p = persona(barriers=[_barrier(disclose_needs_open_question=True)])
    base = engine.start(p, 1).state
    base.plan["activity"] = "a walk"  # feedback on a plan: the plan touches the doubt
    leading = engine.step(p, base, turn("elicit_feedback", "You'll do it this time?",
                                        cues={"question": "closed"}))
    assert "doubt" not in leading.state.disclosed
    for text, q in (("How confident are you, honestly?", "open"),
                    ("On a scale of 0 to 10, how confident are you?", "none")):
        asked = engine.step(p, base, turn("elicit_feedback", text, cues={"question": q}))
        assert "barrier_disclosed:doubt" in asked.events, text
    # Without the setting, the closed form is enough (older files behave as before).
    plain = persona(barriers=[_barrier()])
    res = engine.step(plain, base, turn("elicit_feedback", "You'll do it?",
                                        cues={"question": "closed"}))
    assert "barrier_disclosed:doubt" in res.events
    # With no plan on the table, "How does that fit?" is not a question about obstacles.
    empty = engine.step(plain, engine.start(plain, 1).state,
                        turn("elicit_feedback", "How does that fit with what you want?",
                             cues={"question": "open"}))
    assert "barrier_disclosed:doubt" not in empty.events


def test_barrier_that_does_not_volunteer_stays_hidden_when_warm() -> None:
    pushes = [turn("propose_task", entities={"activity": "a walk"}), turn("summarize_plan")]
    quiet = persona(state=_warm(), barriers=[_barrier(volunteers=False)])
    assert all("doubt" not in r.state.disclosed for r in run(quiet, pushes))
    loud = persona(state=_warm(), barriers=[_barrier()])
    assert "barrier_disclosed:doubt" in run(loud, pushes)[1].events


def _control_belief(**triggers: Any) -> dict[str, Any]:
    return {"id": "managed", "about": "therapist", "text": "They want me to jump",
            "triggers": triggers, "lines": ["Another technique."],
            "softened_by": {"moves": ["ask_permission"]}, "softened_lines": ["Fine, ask."]}


def test_not_client_idea_feature_tells_therapists_task_from_clients() -> None:
    p = persona(beliefs=[_control_belief(task=["not_client_idea"])])
    told = run(p, [turn("propose_task", entities={"activity": "a breathing exercise"})])
    assert "belief_activated:managed" in told[-1].events
    assert told[-1].reply.startswith("Another technique.")
    # Her own idea, then the therapist building on it (naming it back): no reaction.
    own = run(p, [turn("elicit_ideas", "What would you like to try?", cues={"question": "open"}),
                  turn("propose_task", entities={"activity": "short walk",
                                                 "time_of_day": "morning"})])
    assert own[1].state.plan["activity"] == "a short walk"
    assert not any(e.startswith("belief_activated") for r in own for e in r.events)


def test_trigger_combination_needs_all_its_parts() -> None:
    p = persona(beliefs=[_control_belief(all=[{"cues": ["closed_question"],
                                               "phase": ["review"]}])],
                sensitivities={})
    closed = {"question": "closed"}
    review = run(p, [turn("review_plan", "Did you do it?", cues=closed)])
    assert "belief_activated:managed" in review[-1].events
    design = run(p, [turn("propose_task", entities={"activity": "a walk"}),
                     turn("elicit_feedback", "Is that OK?", cues=closed)])
    assert not any("belief_activated:managed" in r.events for r in design)


def test_check_understanding_keeps_the_paraphrase_and_names_what_is_missing() -> None:
    p = persona(lines={"check_understanding": ["So I try {activity} and see what happens."],
                       "propose_task": ["Maybe."]})
    res = run(p, [turn("propose_task", entities={"activity": "a walk"}),
                  turn("check_understanding", "In your own words?", cues={"question": "open"})])
    reply = res[-1].reply
    assert reply.startswith("So I try a walk and see what happens.")
    assert reply.endswith(("When, though?", "When would that be?"))
    assert "plan_objection:min_specifics" in res[-1].events


def test_agreement_on_check_understanding_restates_the_plan() -> None:
    lines = {"check_understanding.agreed": ["So: {activity}, {time_of_day}. Yes, I'll do that."],
             "propose_task": ["Maybe."]}
    agreement = {"requires": {"understanding_checked": True},
                 "not_yet": {"understanding_checked": ["Sure."]},
                 "agree_lines": ["OK, {activity} it is."], "refuse_lines": ["No."]}
    p = persona(lines=lines, agreement=agreement)
    res = run(p, [turn("propose_task", entities={"activity": "a walk", "time_of_day": "morning"}),
                  turn("check_understanding", "In your own words?", cues={"question": "open"})])
    assert "plan_agreed" in res[-1].events
    assert res[-1].reply == "So: a walk, morning. Yes, I'll do that."


def test_repair_line_comes_from_the_ruptured_band() -> None:
    lines = {"repair_rupture.ruptured": ["(still stiff) Thank you for saying that."],
             "repair_rupture": ["It's fine."]}
    p = persona(lines=lines, sensitivities={"directive": {"strength": 0.1, "rupture": True,
                                                          "lines": ["No."]}})
    res = run(p, [turn("propose_task", cues={"directive": True},
                       entities={"activity": "a walk"}), turn("repair_rupture")])
    assert res[1].state.rupture and not res[2].state.rupture
    assert res[2].reply == "(still stiff) Thank you for saying that."


def test_barrier_on_elicit_ideas_does_not_swallow_the_idea() -> None:
    p = persona(barriers=[_barrier(disclose_on=["elicit_ideas"])],
                lines={"elicit_ideas": ["Maybe {activity}?", "No idea."]})
    res = run(p, [turn("elicit_ideas", "What might you try?", cues={"question": "open"})])
    last = res[-1]
    assert "barrier_disclosed:doubt" in last.events
    assert "idea_offered:a short walk" in last.events
    assert last.state.plan["activity"] == "a short walk"
    assert last.reply == "Honestly? I'll drop it the moment someone asks. Maybe a short walk?"


def test_open_barrier_on_first_review_follows_last_weeks_report() -> None:
    p = persona(barriers=[_barrier(hidden=False, disclose_on=["explore_barriers"])],
                last_week={"plan": "a walk", "outcome": "partly",
                           "report": ["I walked once."]})
    res = run(p, [turn("review_plan", "How did it go?", cues={"question": "open"})])
    assert res[-1].reply == "I walked once. Honestly? I'll drop it the moment someone asks."
    assert "barrier_disclosed:doubt" in res[-1].events


def test_closed_form_is_no_closed_question_on_permission_paraphrase_or_scale() -> None:
    sens = {"closed_question": {"strength": 0.1, "lines": ["Yes."]}}
    belief = _control_belief(cues=["closed_question"])
    p = persona(sensitivities=sens, beliefs=[belief],
                lines={"ask_permission": ["Go ahead."], "elicit_feedback": ["A six, maybe."]})
    closed = {"question": "closed"}
    for t in (turn("ask_permission", "Would it be OK if I shared an idea?", cues=closed),
              turn("elicit_feedback", "Would you say you're a 7 on a scale of 0 to 10?",
                   cues=closed)):
        res = engine.step(p, engine.start(p, 1).state, t)
        assert not any(e.startswith(("sensitivity:", "belief_activated")) for e in res.events)
    # ...while a plain closed question still gets the short answer.
    res = engine.step(p, engine.start(p, 1).state, turn("review_plan", "Did you?", cues=closed))
    assert "sensitivity:closed_question" in res.events


def test_specify_plan_answers_the_detail_asked_with_the_clients_preference() -> None:
    limits = {"max_duration_minutes": 15, "preferred_activities": ["a short walk"],
              "counter_offer": {"duration": "ten minutes"},
              "preferences": {"time_of_day": "before work", "place": "the park"}}
    lines = {"specify_plan.when": ["{time_of_day}, if anything."],
             "specify_plan": ["{place}, I suppose.", "Sure."], "propose_task": ["Maybe."]}
    agreement = {"requires": {"min_specifics": 3}, "not_yet": {"min_specifics": ["When?"]},
                 "agree_lines": ["OK, {activity} it is."], "refuse_lines": ["No."]}
    p = persona(task_limits=limits, lines=lines, agreement=agreement)
    start = run(p, [turn("propose_task", entities={"activity": "a walk"})])[-1].state
    when = engine.step(p, start, turn("specify_plan", "When would suit you?",
                                      cues={"question": "open"}))
    assert when.reply == "Before work, if anything."
    assert when.state.plan["time_of_day"] == "before work"
    assert "plan_detail:time_of_day=before work" in when.events
    where = engine.step(p, start, turn("specify_plan", "Where would you go?",
                                       cues={"question": "open"}))
    assert where.reply == "The park, I suppose." and where.state.plan["place"] == "the park"
    how_long = engine.step(p, start, turn("specify_plan", "How long?", cues={"question": "open"}))
    assert how_long.state.plan["duration"] == "ten minutes"
    # A value the trainee offers stands; the client does not overrule it.
    offered = engine.step(p, start, turn("specify_plan", "When? Maybe in the evening?",
                                         entities={"time_of_day": "evening"}))
    assert offered.state.plan["time_of_day"] == "evening"


def test_plan_details_survive_a_reaction_that_replaces_the_answer() -> None:
    p = persona(sensitivities={"lecture": {"strength": 0.05, "lines": ["Mm."]}})
    res = run(p, [turn("give_rationale"),
                  turn("propose_task", entities={"activity": "a walk", "day": "Saturday"})])
    assert "sensitivity:lecture" in res[-1].events and res[-1].reply == "Mm."
    assert res[-1].state.plan["activity"] == "a walk"
    assert res[-1].state.plan["day"] == "Saturday"


def test_positive_effects_have_diminishing_returns() -> None:
    p = persona(state={"start": {"trust": 0.3, "hope": 0.4, "understanding": 0.3,
                                 "willingness": 0.4}})
    res = run(p, [turn("reflect", f"reflection {i}") for i in range(30)])
    trusts = [r.state.trust for r in res]
    gains = [b - a for a, b in zip(trusts, trusts[1:], strict=False)]
    assert trusts[-1] < 0.99  # thirty reflections are not perfect trust
    assert gains[-1] < gains[0] / 3  # each one adds less near the top
    # Losses are not damped: a sensitivity costs its full strength at the top too.
    s = ClientState(trust=0.9)
    apply_effects(s, {"trust": -0.1})
    assert s.trust == pytest.approx(0.8)


def test_shared_names_come_from_moves() -> None:
    from bot import moves
    from bot.persona import fields, rules, structure
    assert rules.CONDITIONS is moves.CONDITIONS
    assert fields.TASK_FEATURES is moves.TASK_FEATURES
    assert fields.SENSITIVITIES is moves.SENSITIVITIES
    assert fields.PLACEHOLDERS is moves.PLACEHOLDERS and structure.BANDS is moves.BANDS
    assert agreement.CONDITIONS is moves.CONDITIONS
    assert set(hearing.DETAIL_WORDS) == set(moves.DETAIL_QUESTIONS)
    assert {f"specify_plan.{d}" for d in moves.DETAIL_QUESTIONS} <= set(moves.FIXED_SITUATIONS)


def test_follow_up_question_of_the_same_kind_is_not_a_repeat() -> None:
    p = persona(lines={"repeat": ["You asked me that."], "greet": ["Hi."],
                       "review_plan": ["Twice.", "Not really."]})
    res = run(p, [turn("review_plan", text="How did the walks go this week?"),
                  turn("review_plan", text="Which days did you manage to get out?")])
    assert not any(e.startswith("repeat_noticed") for e in res[-1].events)
    again = engine.step(p, res[-1].state, turn("review_plan", text="So how did the walks go?"))
    assert "repeat_noticed:review_plan" in again.events


# ---------------------------------------------------------------- forgiving a plausible misparse

def _move_solved_barrier() -> dict[str, Any]:
    return _barrier(disclose_on=["explore_barriers"],
                    resolved_by={"moves": ["problem_solve"]},
                    resolved_lines=["That could work, actually."])


@pytest.mark.parametrize("move", ["propose_task", "specify_plan", "ask_permission"])
def test_open_question_of_the_solving_family_works_on_a_named_barrier(move: str) -> None:
    # "What if it were on your days off?" read as a proposal, a detail question or a request
    # for permission still works on the obstacle the client has just named.
    p = persona(barriers=[_move_solved_barrier()])
    asked = run(p, [turn("explore_barriers", cues={"question": "open"}),
                    turn(move, "What if a friend came along?", cues={"question": "open"})])
    assert "barrier_resolved:doubt" in asked[-1].events
    tentative = run(p, [turn("explore_barriers", cues={"question": "open"}),
                        turn(move, "Maybe a friend could come along.",
                             cues={"tentative": True})])
    assert "barrier_resolved:doubt" in tentative[-1].events


def test_flat_or_directive_proposal_does_not_solve_a_barrier() -> None:
    p = persona(barriers=[_move_solved_barrier()])
    flat = run(p, [turn("explore_barriers", cues={"question": "open"}),
                   turn("propose_task", "Do it with a friend.",
                        entities={"activity": "a walk"})])
    assert "barrier_resolved:doubt" not in flat[-1].events
    ordered = run(p, [turn("explore_barriers", cues={"question": "open"}),
                      turn("propose_task", "What if you just did it?",
                           cues={"question": "open", "directive": True})])
    assert "barrier_resolved:doubt" not in ordered[-1].events
    # Nothing named yet: a question-shaped proposal is just a proposal.
    unnamed = run(p, [turn("propose_task", "What if a friend came along?",
                           cues={"question": "open"})])
    assert "barrier_resolved:doubt" not in unnamed[-1].events


def test_solving_question_after_an_objection_is_not_pressure() -> None:
    p = persona(sensitivities={"pressure": {"strength": 0.1, "rupture": False,
                                            "lines": ["You're not listening."]}},
                barriers=[_move_solved_barrier()],
                agreement={"requires": {"barriers_resolved": ["doubt"], "min_specifics": 1},
                           "agree_lines": ["OK."], "refuse_lines": ["No."]})
    res = run(p, [turn("explore_barriers", cues={"question": "open"}),
                  turn("propose_task", entities={"activity": "a walk", "day": "monday"}),
                  turn("elicit_feedback"),  # objection: barriers_resolved
                  turn("propose_task", "What if we tried it another way?",
                       cues={"question": "open"})])
    assert "plan_objection:barriers_resolved" in res[-2].events
    assert "sensitivity:pressure" not in res[-1].events


def test_resolving_detail_counts_in_whichever_what_when_where_slot_it_landed() -> None:
    # The client hears "at the weekend" whether the NLU called it a day or a time of day...
    p = persona()
    res = run(p, [turn("explore_barriers"),
                  turn("specify_plan", entities={"time_of_day": "at the weekend"})])
    assert "barrier_resolved:night_shifts" in res[-1].events
    # ...but numbers stay in their slot: "five minutes" is no "five" o'clock.
    b = _barrier(disclose_on=["explore_barriers"],
                 resolved_by={"details": {"time_of_day": ["five"]}})
    q = persona(barriers=[b])
    res = run(q, [turn("explore_barriers"),
                  turn("specify_plan", entities={"duration": "five minutes"})])
    assert "barrier_resolved:doubt" not in res[-1].events


def test_solving_question_does_not_set_off_a_proposal_belief() -> None:
    # "What if the first step were just ten minutes at the corner shop?" asked about the
    # obstacle she has just named is problem-solving, even when read as a proposal.
    belief = {"id": "must_escape", "about": "tasks", "text": "I'd have to get out",
              "triggers": {"moves": ["propose_task"]}, "effects": {"willingness": -0.1},
              "lines": ["I'd have to leave."],
              "softened_by": {"moves": ["give_rationale"]}, "softened_lines": ["OK."]}
    p = persona(beliefs=[belief], barriers=[_move_solved_barrier()])
    solving = run(p, [turn("explore_barriers", cues={"question": "open"}),
                      turn("propose_task", "What if a friend came along?",
                           cues={"question": "open"})])
    assert "belief_activated:must_escape" not in solving[-1].events
    # The same proposal with no obstacle named is a proposal and sets the belief off.
    proposing = run(p, [turn("propose_task", "What if a friend came along?",
                             cues={"question": "open"})])
    assert "belief_activated:must_escape" in proposing[-1].events


# ---------------------------------------------------------------- the client answers the question


def _maya_led(*extra: TurnInput) -> list[TurnResult]:
    """Maya after a skilful lead-in in which the trainee proposed nothing."""
    p = load_persona(MAYA)
    lead = [turn("greet", "Hi Maya. How have you been?", cues={"question": "open"}),
            turn("review_plan", "How did the walks go?", cues={"question": "open"}),
            turn("reflect", "It sounds like a hard week."),
            turn("give_rationale", "It's an experiment, not a test. What do you make of that?",
                 cues={"question": "open"}),
            turn("elicit_ideas", "What would you like to try?", cues={"question": "open"})]
    return run(p, lead + list(extra))


def test_a_detail_question_gets_the_clients_own_value_said_and_in_the_plan() -> None:
    res = _maya_led(turn("specify_plan", "How long would feel doable, honestly?",
                         cues={"question": "open"}))
    r = res[-1]
    value = r.state.plan["duration"]
    assert value and f"plan_detail:duration={value}" in r.events
    assert "ten minutes" in r.reply.lower() or value in r.reply  # the reply says it
    assert not any(e.startswith(("barrier_", "plan_objection")) for e in r.events)
    assert r.state.client_shaped


def test_several_details_asked_at_once_are_answered_together() -> None:
    r = _maya_led(turn("specify_plan", "Which days, and where would you go?",
                       cues={"question": "open"}))[-1]
    assert r.state.plan["day"] and r.state.plan["place"]
    assert "Tuesday" in r.reply and "park" in r.reply.lower()


def test_not_yet_while_the_barrier_has_not_come_up_then_the_clients_own_solution() -> None:
    p = load_persona(MAYA)
    res = _maya_led(turn("specify_plan", "What time of day would work?",
                         cues={"question": "open"}))
    when = res[-1]
    assert when.state.plan["time_of_day"] is None  # she cannot say yet
    assert "barrier_disclosed:evening_exhaustion" in when.events
    assert when.reply in p.preferences["time_of_day"].not_yet_lines
    helped = engine.step(p, when.state, turn("problem_solve", "What would help with that?",
                                             cues={"question": "open"}))
    assert "barrier_resolved:evening_exhaustion" in helped.events
    assert helped.state.plan["time_of_day"] == "before work"


def test_a_goals_question_never_gets_an_obstacle() -> None:
    r = _maya_led(turn("elicit_feedback",
                       "How does that fit with what you want from our work together?",
                       cues={"question": "open"}))[-1]
    assert not any(e.startswith("barrier_disclosed") for e in r.events)
    link = _maya_led(turn("link_to_goals",
                          "How does that fit with what you want from our work together?",
                          cues={"question": "open"}))[-1]
    assert not any(e.startswith("barrier_disclosed") for e in link.events)


def test_fragments_never_enter_the_plan() -> None:
    r = _maya_led(turn("summarize_plan", "So, ten minutes, Tuesday and Thursday mornings before "
                       "work, just around the park. Does that sound right?",
                       entities={"place": "around the park and sound", "activity": "write-"},
                       cues={"question": "closed"}))[-1]
    assert r.state.plan["place"] == "around the park"
    assert r.state.plan["activity"] == "a short walk"  # her own idea, not "write-"


def test_contradictory_details_get_asked_which() -> None:
    p = persona()
    r = run(p, [turn("propose_task", "A walk every day, twice a week?", entities={
        "activity": "a short walk", "frequency": ["every day", "twice a week"]},
        cues={"question": "closed"})])[-1]
    assert "plan_contradiction:frequency" in r.events
    assert "every day" in r.reply and "twice a week" in r.reply and "?" in r.reply
    assert r.state.plan["frequency"] is None


def test_an_activity_unrelated_to_the_clients_goals_gets_a_reason_why_not() -> None:
    p = load_persona(MAYA)
    r = run(p, [turn("propose_task", "How about learning Mandarin?",
                     entities={"activity": "learning Mandarin"}, cues={"question": "open"})])[-1]
    assert "plan_unrelated:learning Mandarin" in r.events
    assert r.state.plan["activity"] is None and "want" in r.reply
    ok = run(p, [turn("propose_task", "How about a short walk?",
                      entities={"activity": "a short walk"}, cues={"question": "open"})])[-1]
    assert not any(e.startswith("plan_unrelated") for e in ok.events)


def test_a_turn_of_several_moves_reacts_to_each_and_answers_the_last_question() -> None:
    from bot.client.state import TurnPart

    p = load_persona(MAYA)
    base = _maya_led()[-1].state
    reflect = TurnPart("It sounds like evenings are hard.", "reflect",
                       cues={**empty_cues()})
    ask = TurnPart("How long would feel manageable?", "specify_plan",
                   cues={**empty_cues(), "question": "open"})
    both = engine.step(p, base, TurnInput("It sounds like evenings are hard. How long would "
                                          "feel manageable?", "specify_plan", parts=(reflect, ask)))
    only_ask = engine.step(p, base, TurnInput(ask.text, ask.intent, cues=ask.cues))
    assert both.answered == 1 and both.state.plan["duration"]
    assert both.state.trust > only_ask.state.trust  # the reflection counted too
    assert both.state.turn == base.turn + 1


def test_the_words_settle_a_misread_detail_or_solving_question() -> None:
    from bot.client.hearing import move_in_substance

    s = ClientState(phase="design", disclosed=["evenings"])
    s.plan["activity"] = "a short walk"
    assert move_in_substance("elicit_ideas", "What would help with that?", s, {}) \
        == "problem_solve"
    assert move_in_substance("off_topic", "Who else, if anyone?", s, {}) == "specify_plan"
    assert move_in_substance("explore_barriers", "What might get in the way on Saturday?", s,
                             {"day": "Saturday"}) == "explore_barriers"
    assert move_in_substance("elicit_feedback", "How does that fit with what you want?", s,
                             {}) == "link_to_goals"
    fresh = ClientState()  # nothing named, nothing planned: the NLU's reading stands
    assert move_in_substance("elicit_ideas", "What would help with that?", fresh, {}) \
        == "elicit_ideas"
    assert move_in_substance("off_topic", "Who else, if anyone?", fresh, {}) == "off_topic"


def test_a_goodbye_heard_before_more_of_the_message_does_not_end_the_rehearsal() -> None:
    from bot.client.state import TurnPart

    p = load_persona(MAYA)
    base = _maya_led()[-1].state
    ack = TurnPart("Okay, yeah, I can see that.", "goodbye", confidence=0.4)
    ask = TurnPart("How long would feel manageable?", "specify_plan",
                   cues={**empty_cues(), "question": "open"})
    r = engine.step(p, base, TurnInput("Okay, yeah, I can see that. How long would feel "
                                       "manageable?", "specify_plan", parts=(ack, ask)))
    assert "plan_refused" not in r.events and not r.state.refused
    assert r.answered == 1 and r.state.plan["duration"]
    bye = engine.step(p, base, TurnInput("Thanks. See you next week.", "goodbye",
                                         parts=(ask, TurnPart("See you next week.", "goodbye"))))
    assert "plan_refused" in bye.events or bye.state.plan.get("agreed")


def test_a_part_the_nlu_could_not_place_is_left_out_when_the_rest_was_heard() -> None:
    from bot.client.state import TurnPart

    p = load_persona(MAYA)
    base = _maya_led()[-1].state
    lost = TurnPart("I'd really like this to be your plan, not mine.", "nlu_fallback",
                    confidence=0.2)
    ask = TurnPart("How long would feel manageable?", "specify_plan",
                   cues={**empty_cues(), "question": "open"})
    r = engine.step(p, base, TurnInput(f"{lost.text} {ask.text}", "specify_plan",
                                       parts=(lost, ask)))
    assert "not_understood" not in r.events
    assert r.answered == 1 and r.state.plan["duration"]
    # With nothing heard at all, the client still says it did not follow.
    none = engine.step(p, base, TurnInput(lost.text, "nlu_fallback", confidence=0.1,
                                          parts=(lost, TurnPart("Mm hm.", "nlu_fallback",
                                                                confidence=0.1))))
    assert "not_understood" in none.events or any(e.startswith("clarify:") for e in none.events)


def test_a_question_about_company_asks_who() -> None:
    from bot.client.hearing import ENTITY_WORDS

    for text in ("Would anyone come with you?", "Could someone join you?",
                 "Is there anybody who could walk with you?", "Who else, if anyone?"):
        assert ENTITY_WORDS["person"].search(text), text
    for text in ("Where would you go?", "How long would feel doable?"):
        assert not ENTITY_WORDS["person"].search(text), text


def test_asking_what_would_make_it_doable_after_an_obstacle_is_problem_solving() -> None:
    from bot.client.hearing import move_in_substance

    s = ClientState(phase="design", disclosed=["evenings"])
    for text in ("What would make it more doable?", "How could we work around that?",
                 "What could help, do you think?"):
        assert move_in_substance("explore_barriers", text, s, {}) == "problem_solve", text
    assert move_in_substance("explore_barriers", "What might get in the way?", s, {}) \
        == "explore_barriers"
