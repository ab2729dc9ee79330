"""The NLU contract in one place: trainee moves, plan entities, cues, events.

`domain.yml`, the NLU training data and the rules must agree with this module;
`tests/test_contract.py` checks that they do.
"""

from __future__ import annotations

# The 21 trainee moves of shared/spec/moves.md, in the spec's order.
MOVES: tuple[str, ...] = (
    "greet",
    "set_agenda",
    "review_plan",
    "explore_learning",
    "reflect",
    "affirm",
    "ask_permission",
    "repair_rupture",
    "give_rationale",
    "link_to_goals",
    "elicit_ideas",
    "propose_task",
    "specify_plan",
    "explore_barriers",
    "problem_solve",
    "elicit_feedback",
    "check_understanding",
    "summarize_plan",
    "written_summary",
    "goodbye",
    "off_topic",
)

# Rasa's FallbackClassifier intent for low-confidence parses.
FALLBACK = "nlu_fallback"

# Control intents sent by scripts and the web page, never by NLU training data.
START = "start_rehearsal"
END = "end_rehearsal"
CONTROL_INTENTS: tuple[str, ...] = (START, END)

# Everything the engine may receive as an intent.
ENGINE_INTENTS: tuple[str, ...] = MOVES + (FALLBACK,)

# Plan specifics (entities).
PLAN_ENTITIES: tuple[str, ...] = (
    "activity",
    "day",
    "time_of_day",
    "frequency",
    "duration",
    "place",
    "person",
)

# Entities of the control intents.
CONTROL_ENTITIES: tuple[str, ...] = ("persona", "trainee", "seed")

# Linguistic cues computed by the spaCy pipeline.
CUES: tuple[str, ...] = ("question", "directive", "homework_term", "collaborative", "tentative")
QUESTION_KINDS: tuple[str, ...] = ("open", "closed", "none")


def empty_cues() -> dict[str, object]:
    """Cues of a message that shows none of them."""
    return {
        "question": "none",
        "directive": False,
        "homework_term": False,
        "collaborative": False,
        "tentative": False,
    }


# Event names the engine emits; `kind:detail` strings in transcripts.
EVENT_KINDS: tuple[str, ...] = (
    "phase",  # phase:<opening|review|design|closing>
    "belief_activated",  # belief_activated:<belief id>
    "belief_softened",  # belief_softened:<belief id>
    "barrier_disclosed",  # barrier_disclosed:<barrier id>
    "barrier_resolved",  # barrier_resolved:<barrier id>
    "sensitivity",  # sensitivity:<homework_term|directive|closed_question|lecture|praise|pressure>
    "rupture",  # rupture:<cause>
    "repair",  # repair
    "learning_shared",  # learning_shared
    "idea_offered",  # idea_offered:<activity>  (client volunteers its own idea)
    "plan_detail",  # plan_detail:<entity>=<value>
    "plan_countered",  # plan_countered:<entity>=<client's value>
    "plan_objection",  # plan_objection:<condition not met>
    "plan_agreed",  # plan_agreed
    "plan_refused",  # plan_refused
    "repeat_noticed",  # repeat_noticed:<move>
    "not_understood",  # not_understood
)

PHASES: tuple[str, ...] = ("opening", "review", "design", "closing")
