"""Drills: the shipped files, their validation, the client's reply and the judgement.

Every shipped drill must validate, and through the engine (the move given, the cues
computed from the text as in a rehearsal) its model answers must meet the criterion and
its poor answers must not. The same through the real NLU is in test_drills_nlu.py.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from bot.client.state import ClientState, TurnInput
from bot.config import PERSONA_DIR
from bot.drills import practice
from bot.drills.mastery import MASTERY_STREAK, mastery
from bot.drills.model import DIFFICULTIES, Drill, build_drill
from bot.drills.validate import DRILL_DIR, STATE, validate_file, validate_text
from bot.language.cues import detect_cues
from bot.scoring.rubric import DIMENSION_NAMES
from tests.helpers.drills import DRILL_FILES, DRILLS, PROBLEMS, persona_of


def _feedback(drill: Drill, answer: practice.Answer) -> practice.Feedback:
    turn = practice.answer_turn(answer, dict(detect_cues(answer.text)))
    return practice.answer(drill, persona_of(drill), turn)


# ---------------------------------------------------------------- the shipped set


def test_every_shipped_drill_validates_without_warnings() -> None:
    problems = [p for f in DRILL_FILES for p in validate_file(f, warnings=True)]
    assert problems == []
    assert PROBLEMS == []
    assert len(DRILLS) == len(DRILL_FILES)


def test_the_set_covers_every_skill_six_personas_and_three_levels() -> None:
    assert len(DRILLS) >= 24
    skills = Counter(d.skill for d in DRILLS.values())
    assert set(skills) == set(DIMENSION_NAMES)
    assert len({d.persona for d in DRILLS.values()}) >= 6
    assert {d.difficulty for d in DRILLS.values()} == set(DIFFICULTIES)
    # Every skill can be practised at more than one level.
    for skill in DIMENSION_NAMES:
        assert len({d.difficulty for d in DRILLS.values() if d.skill == skill}) >= 2, skill


def test_every_drill_has_model_and_poor_answers() -> None:
    for drill in DRILLS.values():
        assert 1 <= len(drill.model_answers) <= 2, drill.id
        assert drill.poor_answers, drill.id
        assert all(a.why for a in drill.poor_answers), drill.id
        assert drill.criterion.explain, drill.id


def test_wording_says_action_plan_and_never_shames() -> None:
    # The drills teach trainees to avoid "homework"; it may appear only where the drill
    # shows what to avoid (poor answers, the client's words, the situation that went wrong).
    for drill in DRILLS.values():
        for answer in drill.model_answers:
            assert "homework" not in answer.text.lower(), drill.id
            assert not detect_cues(answer.text)["directive"], (drill.id, answer.text)
        for text in (drill.criterion.explain, drill.avoid.explain):
            assert "stupid" not in text.lower() and "lazy" not in text.lower(), drill.id


@pytest.mark.parametrize("drill_id", sorted(DRILLS))
def test_model_answers_meet_the_criterion_through_the_engine(drill_id: str) -> None:
    drill = DRILLS[drill_id]
    for answer in drill.model_answers:
        fb = _feedback(drill, answer)
        assert fb.met, (answer.text, [c.text for c in fb.checks if not c.ok], fb.reply)
        assert fb.reply.strip()
        assert all(c.ok for c in fb.checks)


@pytest.mark.parametrize("drill_id", sorted(DRILLS))
def test_poor_answers_do_not_meet_the_criterion(drill_id: str) -> None:
    drill = DRILLS[drill_id]
    for answer in drill.poor_answers:
        fb = _feedback(drill, answer)
        assert not fb.met, answer.text
        missed = [c for c in fb.checks if not c.ok]
        assert missed and all(c.text for c in missed)


def test_drill_state_fields_exist_in_the_engine_state() -> None:
    # A drill file may set only what ClientState has: a renamed engine field must show here
    # rather than be silently ignored by ClientState.from_dict.
    fields = {f.name for f in dataclasses.fields(ClientState)}
    assert {f.name for f in STATE.fields} <= fields


def test_client_state_takes_the_drill_moment() -> None:
    drill = DRILLS["maya_no_point"]
    state = practice.client_state(drill, persona_of(drill))
    assert state.trust == pytest.approx(0.5)
    assert state.beliefs_active == ["all_or_nothing"]
    assert state.plan["activity"] == "a short walk"
    assert state.plan["agreed"] is False
    assert state.phase == "design" and state.report_given
    # What the drill leaves out is the persona's start.
    assert state.hope == pytest.approx(persona_of(drill).state.start["hope"])


# ---------------------------------------------------------------- feedback


def test_feedback_says_what_was_heard_why_and_shows_the_model_answer() -> None:
    drill = DRILLS["maya_twice_out_of_seven"]
    fb = _feedback(drill, drill.poor_answers[1])  # "Well, you need to do better ..."
    data = fb.to_dict()
    assert data["heard"][0]["move"] == "propose_task"
    assert data["heard"][0]["words"] == "a proposed task"
    assert data["cues"]["directive"] is True
    assert any("told Maya what to do" in c["text"] for c in data["checks"] if not c["ok"])
    assert data["model_answers"] == [a.text for a in drill.model_answers]
    assert data["good_answer"] == drill.criterion.explain
    assert any(c["kind"] == "belief" for c in data["changes"])  # all-or-nothing set off
    good = _feedback(drill, drill.model_answers[0]).to_dict()
    assert good["met"] and "learning" in {c["kind"] for c in good["changes"]}


def test_an_answer_the_client_cannot_follow_does_not_count() -> None:
    drill = DRILLS["ruth_what_technique"]
    turn = TurnInput(text="asdf qwerty", intent="nlu_fallback", confidence=0.2)
    fb = practice.answer(drill, persona_of(drill), turn)
    assert not fb.met
    assert "could not make sense" in fb.checks[0].text
    assert fb.reply.strip()


def test_a_proposal_asked_about_a_named_obstacle_counts_as_problem_solving() -> None:
    drill = DRILLS["priya_what_if_i_panic"]
    answer = practice.Answer("What if you went in with Dev to begin with?", "propose_task",
                             {"person": ("Dev",)})
    fb = _feedback(drill, answer)
    assert fb.met, [c.text for c in fb.checks]
    assert "problem-solving" in fb.checks[0].text
    # Said as an order it is no problem-solving and does not count.
    ordered = practice.Answer("You have to go in with Dev.", "propose_task",
                              {"person": ("Dev",)})
    assert not _feedback(drill, ordered).met


def test_the_same_answer_gets_the_same_reply() -> None:
    drill = DRILLS["sam_week_just_went"]
    a = _feedback(drill, drill.model_answers[0])
    b = _feedback(drill, drill.model_answers[0])
    assert a.reply == b.reply and a.events == b.events


# ---------------------------------------------------------------- mastery


def test_mastery_needs_three_good_answers_in_a_row() -> None:
    assert MASTERY_STREAK == 3
    assert not mastery([]).mastered
    assert not mastery([True, True, False, True, True]).mastered
    m = mastery([False, True, True, True])
    assert m.mastered and m.streak == 3 and m.good == 3 and m.attempts == 4
    later = mastery([True, True, True, False])
    assert later.mastered and later.streak == 0 and later.best_streak == 3
    assert mastery([True, False, True]).to_go == 2
    assert mastery([True, True, True]).to_dict()["to_go"] == 0


# ---------------------------------------------------------------- validation


GOOD = (DRILL_DIR / "maya_no_point.yml").read_text(encoding="utf-8")


def _problems(text: str, name: str = "maya_no_point.yml") -> list[str]:
    return [str(p) for p in validate_text(text, name, persona_dir=PERSONA_DIR)]


def test_a_good_drill_text_has_no_problems() -> None:
    assert _problems(GOOD) == []


def test_all_problems_at_once_with_file_and_line() -> None:
    bad = (GOOD.replace("skill: D4", "skill: D10")
           .replace("beliefs_active: [all_or_nothing]", "beliefs_active: [all_or_nothin]")
           .replace("moves: [give_rationale, explore_learning]",
                    "moves: [give_rationale, explore_lerning]"))
    problems = _problems(bad)
    lines = GOOD.splitlines()
    assert len(problems) == 3, problems
    skill_line = next(i for i, ln in enumerate(lines, 1) if ln.startswith("skill:"))
    assert problems[0].startswith(f"maya_no_point.yml:{skill_line}: ")
    assert "D10" in problems[0] and "D1" in problems[0]
    assert any("no belief with that id; did you mean 'all_or_nothing'" in p for p in problems)
    assert any("did you mean 'explore_learning'" in p for p in problems)


def test_a_model_answer_must_stand_for_a_move_that_counts() -> None:
    bad = GOOD.replace("    move: give_rationale\n", "    move: propose_task\n", 1)
    problems = _problems(bad)
    assert len(problems) == 1 and "not one of the moves that count" in problems[0]


def test_unknown_persona_and_id_mismatch() -> None:
    problems = _problems(GOOD.replace("persona: maya", "persona: mya"), "other.yml")
    assert any("persona 'mya' not found" in p and "did you mean 'maya'" in p for p in problems)
    assert any("does not match the file name 'other'" in p for p in problems)


def test_difficulty_may_be_a_number_from_one_to_three() -> None:
    assert _problems(GOOD.replace("difficulty: introductory", "difficulty: 1")) == []
    drill = build_drill({**_yaml(GOOD), "difficulty": 3})
    assert drill.difficulty == "advanced" and drill.level == 3
    problems = _problems(GOOD.replace("difficulty: introductory", "difficulty: 5"))
    assert len(problems) == 1 and "difficulty" in problems[0]


def test_yaml_syntax_error_is_a_message_not_a_traceback() -> None:
    bad = GOOD.replace('client_says: "If I can\'t do it properly there\'s no point. '
                       'I\'d just be failing at something smaller."',
                       "client_says: 'If I can't do it properly'")
    problems = _problems(bad)
    assert problems and all(p.startswith("maya_no_point.yml:") for p in problems)
    assert any("double quotes" in p for p in problems)


def test_resolved_barrier_must_be_disclosed_and_events_must_exist() -> None:
    bad = GOOD.replace("  beliefs_active: [all_or_nothing]\n",
                       "  beliefs_active: [all_or_nothing]\n  resolved: [evening_exhaustion]\n")
    bad = bad.replace("events: [belief_softened]", "events: [belief_sofened]")
    problems = _problems(bad)
    assert any("not in state.disclosed" in p for p in problems)
    assert any("unknown event 'belief_sofened'; did you mean 'belief_softened'" in p
               for p in problems)


def _yaml(text: str) -> dict:
    import yaml

    return yaml.safe_load(text)
