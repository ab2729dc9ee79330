"""Plain words for what the client heard and what changed inside it.

The debrief and the drill feedback speak to trainees, not to programmers: a move is
"a reflection", not `reflect`; an event is "Maya's belief 'If I can't do it properly
there's no point' loosened", not `belief_softened:all_or_nothing`. The names themselves
live in bot.moves; this module only says them in words.
"""

from __future__ import annotations

from typing import Any

from bot import moves

# What the client heard, as a noun phrase ("heard as a reflection").
MOVE_WORDS: dict[str, str] = {
    "greet": "a greeting",
    "set_agenda": "setting the agenda",
    "review_plan": "a question about last week's plan",
    "explore_learning": "a question about what they noticed or learned",
    "reflect": "a reflection",
    "affirm": "an affirmation",
    "ask_permission": "asking permission",
    "repair_rupture": "a repair of the relationship",
    "give_rationale": "a rationale",
    "link_to_goals": "a link to their goals",
    "elicit_ideas": "asking for their own ideas",
    "propose_task": "a proposed task",
    "specify_plan": "pinning down a detail of the plan",
    "explore_barriers": "asking what might get in the way",
    "problem_solve": "problem-solving an obstacle",
    "elicit_feedback": "asking for their view or confidence",
    "check_understanding": "asking them to put it in their own words",
    "summarize_plan": "a spoken summary of the plan",
    "written_summary": "a written summary",
    "goodbye": "a goodbye",
    "off_topic": "something off topic",
    moves.FALLBACK: "nothing the client could make sense of",
}

# Why a move moved the client (completes "{name} ..."), by move; used when the state
# change has no more specific cause among the turn's events.
MOVE_REASONS: dict[str, str] = {
    "greet": "was greeted warmly",
    "set_agenda": "knew what the session would cover",
    "review_plan": "was asked about last week",
    "explore_learning": "looked at what last week showed",
    "reflect": "felt listened to",
    "affirm": "heard the effort recognised",
    "ask_permission": "was asked rather than told",
    "repair_rupture": "heard the strain acknowledged",
    "give_rationale": "heard a reason that made sense",
    "link_to_goals": "saw the link to a goal that matters",
    "elicit_ideas": "was asked for ideas",
    "propose_task": "heard a suggestion",
    "specify_plan": "saw the plan become concrete",
    "explore_barriers": "had the obstacles taken seriously",
    "problem_solve": "saw an obstacle get a plan",
    "elicit_feedback": "was asked for their view",
    "check_understanding": "put the plan into words",
    "summarize_plan": "heard the plan pulled together",
    "written_summary": "was offered something to take away",
    "goodbye": "was saying goodbye",
    "off_topic": "lost the thread",
}

# How something was said, in words ("It was an open question").
CUE_WORDS: dict[str, str] = {
    "open": "an open question",
    "closed": "a closed (yes/no) question",
    "none": "not a question",
    "directive": "told the client what to do",
    "homework_term": "used the word 'homework' or 'assignment'",
    "collaborative": "spoke of working together",
    "tentative": "was tentative (maybe, perhaps, one idea)",
}

# A sensitivity that fired: why the client's state fell.
SENSITIVITY_REASONS: dict[str, str] = {
    "homework_term": "heard the word 'homework' as a test",
    "directive": "felt told what to do",
    "closed_question": "was given a yes/no question with little room to answer",
    "lecture": "was lectured and switched off",
    "praise": "could not take the praise in",
    "pressure": "felt pushed after saying no",
}

STATE_WORDS: dict[str, str] = {
    "trust": "trust",
    "hope": "hope",
    "understanding": "understanding of the reason for the plan",
    "willingness": "willingness",
}

PLAN_DETAIL_WORDS: dict[str, str] = {
    "activity": "what",
    "day": "which days",
    "time_of_day": "what time",
    "frequency": "how often",
    "duration": "how long",
    "place": "where",
    "person": "with whom",
}

CONDITION_WORDS: dict[str, str] = {
    "activity": "no task chosen yet",
    "rationale_understood": "the reason for it is not clear to them yet",
    "client_shaped": "it does not feel like their own plan yet",
    "min_specifics": "it is still too vague",
    "barriers_resolved": "an obstacle is still in the way",
    "within_task_limits": "it is more than they can manage",
    "feedback_asked": "nobody has asked what they think of it",
    "understanding_checked": "they have not put it in their own words",
    "linked_to_goals": "it is not linked to their goals",
    "min_trust": "they do not trust the process enough yet",
    "min_willingness": "they are not willing enough yet",
    "no_open_rupture": "the strain between you has not been repaired",
    "beliefs_softened": "a belief still stands in the way",
    "first_proposal": "it is the first suggestion and they want to think",
}


def move_words(move: str) -> str:
    return MOVE_WORDS.get(move, move.replace("_", " "))


def cue_notes(cues: dict[str, Any]) -> list[str]:
    """How a message was said, as short phrases, for the cues that are present."""
    notes: list[str] = []
    question = cues.get("question")
    if question in ("open", "closed"):
        notes.append(CUE_WORDS[str(question)])
    for cue in ("directive", "homework_term", "collaborative", "tentative"):
        if cues.get(cue):
            notes.append(CUE_WORDS[cue])
    return notes


def possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"
