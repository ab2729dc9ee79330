"""The client hears the turn it is given (engine alone, no Rasa): several moves in one
message, plan details only from plan talk, fragments kept out, the client's own wording of
a check (`clarify`, `contradiction`, `unrelated` lines)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.client import engine
from bot.client.acknowledge import is_short, spoken_words
from bot.client.generic_lines import GENERIC_ACKNOWLEDGE
from bot.client.hearing import plausible_value
from bot.client.plan import fuller_own_idea
from bot.client.state import TurnInput, TurnPart, TurnResult
from bot.client.tuning import TUNING
from bot.moves import empty_cues
from bot.persona.model import Persona, build_persona
from bot.persona.registry import load_persona
from bot.persona.validate import validate_text
from tests.helpers.replay import replay

ROOT = Path(__file__).resolve().parent.parent
PERSONAS = ROOT / "data" / "personas"


def _turn(intent: str, text: str, **kw: Any) -> TurnInput:
    ents = kw.pop("entities", {})
    return TurnInput(text, intent, kw.pop("confidence", 0.95),
                     [{"entity": k, "value": v} for k, v in ents.items()],
                     {**empty_cues(), **kw.pop("cues", {})}, **kw)


def _part(intent: str, text: str, **cues: Any) -> TurnPart:
    return TurnPart(text, intent, cues={**empty_cues(), **cues})


def _run(p: Persona, turns: list[TurnInput], seed: int = 3) -> list[TurnResult]:
    return replay(p, turns, seed)


def _led(pid: str) -> TurnResult:
    """After a skilful lead-in: the client has named its own idea; nothing was proposed."""
    p = load_persona(PERSONAS / f"{pid}.yml")
    return _run(p, [
        _turn("greet", "Hi. How have you been?", cues={"question": "open"}),
        _turn("review_plan", "How did last week go?", cues={"question": "open"}),
        _turn("give_rationale", "It's an experiment, not a test. What do you make of that?",
              cues={"question": "open"}),
        _turn("elicit_ideas", "What would you like to try?", cues={"question": "open"}),
    ])[-1]


# ---------------------------------------------------------------- several moves, one reply


REFLECT = _part("reflect", "It sounds like it's been a hard few weeks.")
HOW_LONG = _part("specify_plan", "How long would feel manageable?", question="open")


@pytest.mark.parametrize("pid", ["maya", "leo", "alex", "nora"])
def test_a_reflection_before_a_question_is_acknowledged_then_the_question_answered(
        pid: str) -> None:
    p = load_persona(PERSONAS / f"{pid}.yml")
    base = _led(pid).state
    both = engine.step(p, base, _turn("specify_plan", f"{REFLECT.text} {HOW_LONG.text}",
                                      parts=(REFLECT, HOW_LONG)))
    alone = engine.step(p, base, _turn("specify_plan", HOW_LONG.text,
                                       cues={"question": "open"}))
    value = both.state.plan["duration"]
    assert both.answered == 1 and value and value == alone.state.plan["duration"]
    # A few words for the reflection, then the answer, which says the detail.
    ack = next((a for a in _acks(p, "reflect") if both.reply.startswith(a + " ")), None)
    assert ack is not None and spoken_words(ack) <= TUNING.acknowledge_max_words, both.reply
    assert len(both.reply[len(ack):].split()) >= 2, both.reply
    assert both.state.trust > alone.state.trust  # the reflection counted too


def _acks(p: Persona, move: str) -> list[str]:
    """Every acknowledgement the client may say for a move (persona first, built-in last)."""
    own = [v for k, vs in p.lines.items() if k.split(".")[0].split("@")[0] == move
           for v in vs if is_short(v)]
    return own + list(p.lines.get(f"acknowledge.{move}", ())) + list(GENERIC_ACKNOWLEDGE[move])


def test_an_affirmation_before_a_question_is_thanked_for_unless_it_grates() -> None:
    p = load_persona(PERSONAS / "maya.yml")
    assert "praise" in p.sensitivities
    well_done = _part("affirm", "You really stuck with it, that took something.")
    turn = _turn("specify_plan", f"{well_done.text} {HOW_LONG.text}", parts=(well_done, HOW_LONG))
    warm = _led("maya").state.copy()
    warm.trust = TUNING.warm_from + 0.05
    r = engine.step(p, warm, turn)
    assert any(r.reply.startswith(a + " ") for a in _acks(p, "affirm")), r.reply
    assert r.state.plan["duration"]
    # Not yet warm, praise grates (a sensitivity): no "Thanks." before the answer.
    cool = _led("maya").state.copy()
    cool.trust = TUNING.warm_from - 0.1
    r = engine.step(p, cool, turn)
    assert "sensitivity:praise" in r.events
    assert not any(r.reply.startswith(a + " ") for a in _acks(p, "affirm")), r.reply
    assert r.state.plan["duration"]


def test_the_persona_can_word_its_acknowledgement() -> None:
    p = load_persona(PERSONAS / "maya.yml")
    lines = dict(p.lines)
    lines["acknowledge.reflect"] = ("(small nod) Mm.",)
    worded = Persona(**{**p.__dict__, "lines": lines})
    r = engine.step(worded, _led("maya").state,
                    _turn("specify_plan", f"{REFLECT.text} {HOW_LONG.text}",
                          parts=(REFLECT, HOW_LONG)))
    assert r.reply.startswith("(small nod) Mm. "), r.reply


def test_no_acknowledgement_before_an_answer_when_the_first_part_asks_too() -> None:
    p = load_persona(PERSONAS / "maya.yml")
    base = _led("maya").state
    # Two questions: the last is answered, exactly as if they had come one after the other;
    # a question before it is no reflection to nod at.
    where = _part("specify_plan", "Where would you go?", question="open")
    two = engine.step(p, base, _turn("specify_plan", f"{where.text} {HOW_LONG.text}",
                                     parts=(where, HOW_LONG)))
    first = engine.step(p, base, _turn("specify_plan", where.text, cues={"question": "open"}))
    then = engine.step(p, first.state, _turn("specify_plan", HOW_LONG.text,
                                             cues={"question": "open"}))
    assert two.reply == then.reply


def test_how_does_that_sit_after_a_rationale_gets_the_reaction_to_the_rationale() -> None:
    p = load_persona(PERSONAS / "priya.yml")
    res = _run(p, [_turn("greet", "Hi Priya. How have you been?", cues={"question": "open"}),
                   _turn("review_plan", "How did the diary go?", cues={"question": "open"})])
    base = res[-1].state
    assert not base.plan["activity"]
    parts = (_part("affirm", "I think that's a real achievement, honestly."),
             _part("give_rationale", "The thing about a small step is that it's an experiment: "
                   "you find out what happens rather than what the fear predicts."),
             _part("elicit_feedback", "How does that sit with you?", question="open"))
    r = engine.step(p, base, _turn("elicit_feedback", " ".join(x.text for x in parts),
                                   parts=parts))
    rationale = [v for k, vs in p.lines.items() if k.split(".")[0].split("@")[0]
                 == "give_rationale" for v in vs]
    rationale += [v for b in p.beliefs for v in b.softened_lines]
    assert r.answered == 1 and any(r.reply.endswith(v) for v in rationale), r.reply
    assert r.state.rationale_heard
    feedback = [v for k, vs in p.lines.items() if k.startswith("elicit_feedback") for v in vs]
    assert not any(v in r.reply for v in feedback), r.reply
    # With a task on the table, the same question asks about the task.
    planned = base.copy()
    planned.plan["activity"] = "going into the corner shop for one thing"
    r = engine.step(p, planned, _turn("elicit_feedback", " ".join(x.text for x in parts),
                                      parts=parts))
    assert r.answered == 2, r.reply


def test_the_tail_of_a_detail_question_is_the_same_question() -> None:
    p = load_persona(PERSONAS / "nora.yml")
    base = _led("nora").state
    assert base.plan["activity"]
    head = TurnPart("So, um, thinking about how long you'd actually do it for, you know,",
                    "specify_plan", 0.67, cues={**empty_cues()})
    tail = _part("elicit_ideas", "what would feel manageable to you?", question="open")
    r = engine.step(p, base, _turn("specify_plan", f"{head.text} {tail.text}",
                                   parts=(head, tail)))
    value = r.state.plan["duration"]
    assert value and f"plan_detail:duration={value}" in r.events, r.events
    assert not any(e.startswith("idea_offered") for e in r.events), r.reply
    assert r.answered == 0 and r.state.plan["activity"] == base.plan["activity"]
    # Before any task is on the table, "what would you like to try?" asks for an idea.
    fresh = _run(p, [_turn("greet", "Hi. How have you been?", cues={"question": "open"})])
    ask = _part("elicit_ideas", "what would you like to try?", question="open")
    r = engine.step(p, fresh[-1].state, _turn("elicit_ideas", f"{head.text} {ask.text}",
                                              parts=(head, ask)))
    assert r.answered == 1


def test_a_half_heard_affirmation_is_not_thanked_for() -> None:
    p = load_persona(PERSONAS / "dan.yml")
    base = _led("dan").state
    okay = TurnPart("Okay, yeah.", "affirm", confidence=TUNING.engine_min_confidence - 0.05)
    ask = _part("explore_barriers", "What might get in the way of that?", question="open")
    r = engine.step(p, base, _turn("explore_barriers", f"{okay.text} {ask.text}",
                                   parts=(okay, ask)))
    assert not any(r.reply.startswith(a) for a in _acks(p, "affirm")), r.reply
    sure = TurnPart("That took real effort.", "affirm")
    warm = base.copy()
    warm.trust = TUNING.warm_from + 0.05
    r = engine.step(p, warm, _turn("explore_barriers", f"{sure.text} {ask.text}",
                                   parts=(sure, ask)))
    assert any(r.reply.startswith(a + " ") for a in _acks(p, "affirm")), r.reply


def test_an_acknowledgement_neither_repeats_nor_doubles_a_gesture() -> None:
    from bot.client.acknowledge import with_acknowledgement
    from bot.client.context import Said

    nod = Said("(nods) Yeah.", False)
    assert with_acknowledgement(nod, "Yeah, ten minutes.") == "Yeah, ten minutes."
    assert with_acknowledgement(nod, "(nods slowly) Ten minutes.") \
        == "Yeah. (nods slowly) Ten minutes."
    assert with_acknowledgement(nod, "Ten minutes.") == "(nods) Yeah. Ten minutes."
    assert with_acknowledgement(None, "Ten minutes.") == "Ten minutes."


def test_acknowledgements_are_short_and_replayable() -> None:
    for lines in GENERIC_ACKNOWLEDGE.values():
        assert lines and all(is_short(line) for line in lines)
    assert not is_short("Yes. And then I'm exhausted for the rest of the day.")
    assert is_short("(eyes fill) Yes. That's it, really.")
    p = load_persona(PERSONAS / "leo.yml")
    turn = _turn("specify_plan", f"{REFLECT.text} {HOW_LONG.text}", parts=(REFLECT, HOW_LONG))
    base = _led("leo").state
    assert engine.step(p, base, turn).reply == engine.step(p, base, turn).reply


# ---------------------------------------------------------------- plan details: from plan talk


def test_a_goals_question_puts_no_detail_into_the_plan() -> None:
    p = load_persona(PERSONAS / "priya.yml")
    base = _led("priya").state
    r = engine.step(p, base, _turn(
        "link_to_goals", "You mentioned missing your friends. What would it mean to see them?",
        entities={"person": "your friends", "duration": "ten minutes"},
        cues={"question": "open"}))
    assert r.state.plan["person"] is None and r.state.plan["duration"] is None, r.events
    assert not any(e.startswith("plan_detail:") for e in r.events)
    # The same details in a proposal do go in.
    asked = engine.step(p, base, _turn("specify_plan", "With your friends, maybe?",
                                       entities={"person": "your friends"},
                                       cues={"question": "closed", "tentative": True}))
    assert asked.state.plan["person"] == "your friends"


@pytest.mark.parametrize("value", ["a number", "a minute", "a few minutes", "a couple",
                                   "the number", "once", "a bit more"])
def test_a_size_or_quantity_alone_is_not_an_activity(value: str) -> None:
    assert plausible_value("activity", value) is None


@pytest.mark.parametrize("value", ["a number out of ten on my phone", "a walk",
                                   "jot my energy down on my phone", "a short walk",
                                   "ten minutes of guitar"])
def test_an_activity_with_a_thing_to_do_is_kept(value: str) -> None:
    assert plausible_value("activity", value) == value


def test_the_clients_idea_named_back_in_part_keeps_its_wording() -> None:
    idea = "a number out of ten for my energy"
    assert fuller_own_idea("number out of ten", [idea]) == idea
    assert fuller_own_idea("a walk in the park", ["a walk"]) == "a walk in the park"
    assert fuller_own_idea("swimming", [idea]) == "swimming"


def test_a_fragment_activity_never_enters_the_plan() -> None:
    p = load_persona(PERSONAS / "leo.yml")
    base = _led("leo").state
    own = base.plan["activity"]
    assert own
    r = engine.step(p, base, _turn(
        "problem_solve", "What if it's just a number on your phone, a minute at most?",
        entities={"activity": "a number", "duration": "1 minutes"}, cues={"question": "open"}))
    assert r.state.plan["activity"] == own, r.events
    assert not any(e.startswith(("plan_unrelated", "plan_detail:activity")) for e in r.events)


# ---------------------------------------------------------------- the client's own checks


def _tess(lines: dict[str, list[str]]) -> Persona:
    return build_persona({
        "id": "tess", "name": "Tess", "goals": ["sleep better"],
        "task_limits": {"preferred_activities": ["a short walk"]},
        "agreement": {"requires": {"min_specifics": 1}, "agree_lines": ["OK."],
                      "refuse_lines": ["No."]},
        "lines": lines,
    })


def test_clarify_contradiction_and_unrelated_lines_come_from_the_persona() -> None:
    p = _tess({"clarify": ["Hang on, {heard}?"],
               "contradiction@design": ["{first} or {second}, which?"],
               "unrelated": ["{offered}? Not for me."]})
    start = engine.start(p, 1).state
    half = engine.step(p, start, _turn("propose_task", "maybe a walk", confidence=0.3,
                                       entities={"activity": "a short walk"}))
    assert half.reply.startswith("Hang on, ") and "clarify:propose_task" in half.events
    both = engine.step(p, start, _turn("specify_plan", "Every day, twice a week?",
                                       entities={"frequency": ["every day", "twice a week"]},
                                       cues={"question": "closed"}))
    assert both.reply.endswith(", which?"), both.reply
    odd = engine.step(p, start, _turn("propose_task", "How about learning Mandarin?",
                                      entities={"activity": "learning Mandarin"},
                                      cues={"question": "open"}))
    assert odd.reply == "Learning Mandarin? Not for me.", odd.reply


def _problems(lines_yaml: str) -> list[str]:
    text = (PERSONAS / "maya.yml").read_text(encoding="utf-8")
    assert "\nlines:\n" in text
    text = text.replace("\nlines:\n", "\nlines:\n" + lines_yaml, 1)
    return [f"{p.line}: {p.message}" for p in validate_text(text, "maya.yml")]


def test_the_validator_takes_the_new_keys_and_their_own_placeholders() -> None:
    assert _problems('  clarify: ["Sorry, {heard}?"]\n'
                     '  clarify@design.warm: ["You mean {heard}?"]\n'
                     '  unrelated: ["{offered}? I want {goal}."]\n'
                     '  contradiction: ["{first} or {second}?"]\n') == []
    # The shipped personas word their acknowledgements (acknowledge.<move>).
    assert all("acknowledge.reflect" in load_persona(path).lines
               for path in PERSONAS.glob("*.yml"))


def test_a_situation_placeholder_elsewhere_is_refused_with_its_line() -> None:
    text = (PERSONAS / "maya.yml").read_text(encoding="utf-8")
    at = text.splitlines().index("lines:") + 2  # the inserted key's line, 1-based
    problems = _problems('  set_agenda@opening.warm: ["So {heard}?"]\n')
    assert len(problems) == 1 and problems[0].startswith(f"{at}: "), problems
    assert "{heard}" in problems[0] and "clarify" in problems[0], problems


# ---------------------------------------------------------------- the question's own words


def _priya_before_when() -> tuple[Persona, TurnResult]:
    """Priya in the client-led rehearsal, up to the question about days and time."""
    from bot.client.scripted import load_scripts, turn_input

    p = load_persona(PERSONAS / "priya.yml")
    led = next(s for s in load_scripts(ROOT / "tests" / "rehearsals" / "priya.yml").scripts
               if s.name == "client_led")
    upto = [t for t in led.turns if "Which days" in str(t["text"])][0]
    turns = [turn_input(t) for t in led.turns[:led.turns.index(upto)]]
    return p, _run(p, turns, seed=led.seed)[-1]


def test_when_in_the_week_asks_for_days_and_offers_none() -> None:
    from bot.client.hearing import span_of_the_question

    p, before = _priya_before_when()
    spoken = "And, um, when in the week, like which days, and what sort of time would suit you?"
    # The NLU reads "in the week" as weekdays (as in "I'm busy in the week").
    r = engine.step(p, before.state, _turn("specify_plan", spoken, entities={"day": "weekdays"},
                                           cues={"question": "open"}))
    assert r.state.plan["day"] and r.state.plan["day"] != "weekdays", r.events
    assert r.state.plan["time_of_day"], r.events  # "what sort of time" asks when
    assert not any(e.startswith(("belief_activated", "plan_countered")) for e in r.events), \
        r.events
    assert span_of_the_question("day", "weekdays", "How many times over the week?")
    assert not span_of_the_question("day", "weekdays", "Would weekdays work, in the week?")
    assert not span_of_the_question("day", "weekdays", "You're busy in the week.")
    assert not span_of_the_question("day", "Saturday", "Which day in the week, Saturday?")


def test_a_detail_question_misread_as_a_proposal_asks_and_does_not_push() -> None:
    from bot.client.hearing import asked_entities, move_in_substance

    s = _priya_before_when()[1].state
    assert s.plan["activity"] and s.phase == "design"
    ask = "And what sort of time would suit you?"
    assert asked_entities(ask, {}) == ["time_of_day"]
    assert move_in_substance("propose_task", ask, s, {}) == "specify_plan"
    # A proposal that offers a detail with its question still proposes.
    assert move_in_substance("propose_task", "How about Saturday, what time would suit you?",
                             s, {"day": "Saturday"}) == "propose_task"


@pytest.mark.parametrize("text", [
    "What would it mean to you to be able to keep up with him again?",
    "What do you miss most?",
])
def test_a_goals_question_read_as_a_request_for_ideas_is_about_goals(text: str) -> None:
    from bot.client.hearing import move_in_substance

    p = load_persona(PERSONAS / "leo.yml")
    s = _led("leo").state
    assert move_in_substance("elicit_ideas", text, s, {}) == "link_to_goals"
    r = engine.step(p, s, _turn("elicit_ideas", text, cues={"question": "open"}))
    assert r.state.linked_to_goals
    assert not any(e.startswith(("idea_offered", "plan_detail", "barrier_")) for e in r.events)
