"""The NLU contract in one place: trainee moves, plan entities, cues, events.

`domain.yml`, the NLU training data and the rules must agree with this module;
`tests/test_contract.py` checks that they do.
"""

from __future__ import annotations

# The 21 trainee moves of docs/moves.md, in the spec's order.
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
    "clarify",  # clarify:<move the client thinks it heard>  (asks; not held against the trainee)
    "plan_contradiction",  # plan_contradiction:<entity>  (the client asks which of two details)
    "plan_unrelated",  # plan_unrelated:<activity>  (nothing to do with the client's goals)
)

PHASES: tuple[str, ...] = ("opening", "review", "design", "closing")

# ---------------------------------------------------------------- persona vocabulary
# Names shared by the persona format (bot/persona/, the validator) and the engine
# (bot/engine.py); spelled only here.

# The client's inner state, each 0..1.
STATE_KEYS: tuple[str, ...] = ("trust", "hope", "understanding", "willingness")

# Features of the task on the table that can trigger a belief (`triggers.task`).
TASK_FEATURES: tuple[str, ...] = (
    "large",  # above task_limits.max_duration_minutes / max_times_per_week
    "vague",  # fewer than 2 specifics besides the activity
    "frightening",  # activity contains one of task_limits.frightening_activities
    "evaluative",  # activity contains one of task_limits.evaluative_activities
    "imposed",  # proposed with the directive cue before the client's ideas were asked for
    "not_client_idea",  # the activity came from the therapist, not from the client
)

# Sensitivities (`sensitivities:` keys and `sensitivity:<kind>` events).
SENSITIVITIES: tuple[str, ...] = (
    "homework_term",
    "directive",
    "closed_question",
    "lecture",
    "praise",
    "pressure",
)

# Agreement conditions (`agreement.requires` keys), in the documented order.
CONDITIONS: tuple[str, ...] = (
    "rationale_understood",
    "client_shaped",
    "min_specifics",
    "barriers_resolved",
    "within_task_limits",
    "feedback_asked",
    "understanding_checked",
    "linked_to_goals",
    "min_trust",
    "min_willingness",
    "no_open_rupture",
    "beliefs_softened",
)
# `agreement.not_yet` may also say what the client says while no activity is chosen.
NOT_YET_KEYS: tuple[str, ...] = CONDITIONS + ("activity",)

# State bands of line qualifiers (`<situation>.<band>`).
BANDS: tuple[str, ...] = ("guarded", "neutral", "warm", "ruptured")

# Placeholders allowed in client lines.
PLACEHOLDERS: tuple[str, ...] = PLAN_ENTITIES + ("barrier", "goal", "last_plan", "name")

# Which detail a `specify_plan` turn asks about -> the plan entities that answer it.
# Lines for `specify_plan.<detail>` answer that question (falling back to `specify_plan`).
DETAIL_QUESTIONS: dict[str, tuple[str, ...]] = {
    "when": ("time_of_day", "day"),
    "where": ("place",),
    "how_long": ("duration",),
    "how_often": ("frequency",),
    "who": ("person",),
}

# Moves acknowledged in a few words when another part of the same message is answered
# ("It sounds hard. | How long would feel doable?" -> "Yeah. Ten minutes."): they ask
# nothing and propose nothing. Persona lines: `acknowledge.<move>`.
ACKNOWLEDGED_MOVES: tuple[str, ...] = ("reflect", "affirm")

# Line situations that are not trainee moves (may take @phase and .band like moves).
# `clarify`: "Do you mean ...?" for a turn half heard; `contradiction`: two details that
# cannot both hold; `unrelated`: an activity that has nothing to do with the client.
EXTRA_SITUATIONS: tuple[str, ...] = ("opening", "off_topic", "not_understood", "repeat",
                                     "counter_offer", "clarify", "contradiction", "unrelated")
# Placeholders only the lines of one situation may use (besides PLACEHOLDERS): what the
# client heard, the two details it asks between, the activity it was offered.
SITUATION_PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "clarify": ("heard",),
    "contradiction": ("first", "second"),
    "unrelated": ("offered",),
}
# Situations spelled exactly (no phase or band qualifier).
FIXED_SITUATIONS: tuple[str, ...] = (
    "closing.agreed",
    "closing.not_agreed",
    "comment.agreed",
    "comment.not_agreed",
    "check_understanding.agreed",  # the client restates the plan it has just agreed to
) + tuple(f"acknowledge.{m}" for m in ACKNOWLEDGED_MOVES) + tuple(
    f"specify_plan.{d}" for d in DETAIL_QUESTIONS) + tuple(
    # The scorecard comment when the plan was not agreed, by the first condition unmet at
    # the end (bot/ratings.py); falls back to comment.not_agreed.
    f"comment.not_agreed.{c}" for c in NOT_YET_KEYS)

# Conditions a trigger group (`triggers.all`) may add besides moves, cues and task.
TRIGGER_CONTEXT: tuple[str, ...] = ("phase",)
