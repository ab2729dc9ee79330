"""The persona format, described once: the field table `PERSONA` and its vocabulary.

Each value of a persona file has a `Spec` here (type, allowed names, ranges, whether it
is required, and a description for authors). The structural checks
(bot/persona/structure.py) and the JSON Schema (bot/persona/schema.py) are both derived
from this table, so they cannot drift apart. Names the engine reads too (moves, states,
task features, sensitivities, conditions, bands, placeholders, situations) come from
bot.moves; only the format's own labels live here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.moves import (
    CUES,
    EXTRA_SITUATIONS,
    FIXED_SITUATIONS,
    MOVES,
    NOT_YET_KEYS,
    PHASES,
    PLACEHOLDERS,
    PLAN_ENTITIES,
    SENSITIVITIES,
    STATE_KEYS,
    TASK_FEATURES,
)

# --- vocabulary that is not part of the NLU contract (persona-format.md) -----------
# Names the engine reads too (states, task features, sensitivities, conditions, bands,
# placeholders, situations) come from bot.moves; only the format's labels live here.

STATES = STATE_KEYS
DIFFICULTIES: tuple[str, ...] = ("gentle", "moderate", "challenging")
APPROACHES: tuple[str, ...] = ("CBT", "psychodynamic", "humanistic-experiential")
STAGES: tuple[str, ...] = (
    "precontemplation",
    "contemplation",
    "preparation",
    "action",
    "maintenance",
)
OUTCOMES: tuple[str, ...] = ("done", "partly", "not_done", "none")
BARRIER_KINDS: tuple[str, ...] = ("practical", "task", "belief", "emotional", "interpersonal")
BELIEF_ABOUT: tuple[str, ...] = ("self", "therapy", "therapist", "tasks")
# Boolean cues by name, plus the two question kinds spelled as cues
# (`closed_question` is the format doc's name for question == "closed").
CUE_NAMES: tuple[str, ...] = tuple(c for c in CUES if c != "question") + (
    "closed_question",
    "open_question",
)
# Plan entities that count towards min_specifics (activity is always needed).
SPECIFICS: tuple[str, ...] = tuple(e for e in PLAN_ENTITIES if e != "activity")
SITUATION_BASES: tuple[str, ...] = tuple(dict.fromkeys(MOVES + EXTRA_SITUATIONS))

# What the client can tell about its week (`life:`), and what each topic holds.
LIFE_TOPICS: dict[str, str] = {
    "energy": "When the client's energy is best and worst.",
    "routine": "Work hours, shifts, days off, school runs.",
    "places": "Places the client goes.",
    "people": "People around the client.",
}

ID_RE = re.compile(r"^[a-z0-9_]+$")
SITUATION_RE = re.compile(
    r"^(?P<base>[A-Za-z_]+)(?:@(?P<phase>[A-Za-z_]+))?(?:\.(?P<band>[A-Za-z_]+))?$"
)


# --- the field table -----------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """What one value in a persona file must look like.

    type: text | line | int | number | bool | list | map | dict
    (`line` is text the client says: placeholders are checked;
    `map` has fixed `fields`; `dict` has free keys checked by `key`.)
    """

    type: str
    desc: str = ""
    enum: tuple[str, ...] | None = None
    noun: str = ""  # what an enum value is called in messages ("move", "cue")
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    item: Spec | None = None
    fields: tuple[Field, ...] = ()
    key: Spec | None = None
    value: Spec | None = None
    nonempty: bool = False
    situation_keys: bool = False  # keys of `lines:`
    key_noun: str = "key"  # what the field names of a map are called in messages
    # A value above `warn_above` is allowed but hard to reach in a rehearsal: a warning.
    warn_above: float | None = None


@dataclass(frozen=True)
class Field:
    name: str
    spec: Spec
    required: bool = False


def _text(desc: str, **kw: Any) -> Spec:
    return Spec("text", desc, **kw)


def _lines(desc: str) -> Spec:
    return Spec(
        "list",
        desc,
        item=Spec("line", "One variant, in the client's voice. Placeholders: "
                  + " ".join("{" + p + "}" for p in PLACEHOLDERS)),
        nonempty=True,
    )


def _names(desc: str, enum: tuple[str, ...], noun: str) -> Spec:
    return Spec("list", desc, item=Spec("text", f"A {noun} name.", enum=enum, noun=noun))


def _state_effects(desc: str) -> Spec:
    return Spec(
        "map",
        desc,
        fields=tuple(
            Field(s, Spec("number", f"Change of {s} (-1..1).", minimum=-1, maximum=1))
            for s in STATES
        ),
        key_noun="state",
    )


def _move_and_cue_triggers(desc: str, with_task: bool) -> Spec:
    fields = [
        Field("moves", _names("Trainee moves (any one of them counts).", MOVES, "move")),
        Field("cues", _names("Linguistic cues of the trainee's message.", CUE_NAMES, "cue")),
    ]
    if with_task:
        fields.append(
            Field("task", _names("Features of the proposed task.", TASK_FEATURES, "task feature"))
        )
        group = Spec(
            "map",
            "A combination: fires only when every part given here holds on the same turn "
            "(within one part, any listed value counts).",
            fields=tuple(fields) + (
                Field("phase", _names("Phases of the session in which it counts.", PHASES,
                                      "phase")),
            ),
            key_noun="trigger part",
        )
        fields.append(Field("all", Spec(
            "list", "Combinations of moves, cues, task features and phase that must hold "
            "together, e.g. {cues: [closed_question], phase: [review]}; any one "
            "combination is enough.", item=group, nonempty=True)))
    return Spec("map", desc, fields=tuple(fields))


PROB = {"minimum": 0, "maximum": 1}
# Gains above 0.5 shrink with the room left (engine TAPER_FROM), so a threshold above this
# needs a long run of skilful turns in a row; allowed, but worth a warning.
HARD_TO_REACH = 0.8

BELIEF = Spec(
    "map",
    "A belief the client holds; activated by triggers, softened by softened_by.",
    fields=(
        Field("id", _text("Short name of the belief (lowercase letters, digits, _); "
                          "used in events.", pattern=ID_RE.pattern), True),
        Field("about", _text("What the belief is about.", enum=BELIEF_ABOUT, noun="belief topic"),
              True),
        Field("text", _text("The belief in the client's words."), True),
        Field("triggers", _move_and_cue_triggers(
            "What activates the belief; any one of these is enough.", with_task=True), True),
        Field("effects", _state_effects("How the client's state changes when it is activated.")),
        Field("lines", _lines("What the client says when the belief is activated."), True),
        Field("softened_by", _move_and_cue_triggers(
            "What softens the belief; any one of these is enough.", with_task=False)),
        Field("softened_lines", _lines("What the client says when the belief softens.")),
    ),
)

BARRIER = Spec(
    "map",
    "Something that gets in the way of doing a task.",
    fields=(
        Field("id", _text("Short name of the barrier (lowercase letters, digits, _); "
                          "used in agreement.requires.barriers_resolved and events.",
                          pattern=ID_RE.pattern), True),
        Field("kind", _text("Kind of barrier.", enum=BARRIER_KINDS, noun="barrier kind"), True),
        Field("hidden", Spec("bool", "true: only disclosed when explored (disclose_on); "
                             "false: the client says it early."), True),
        Field("disclose_on", _names("Trainee moves that make the client disclose it.",
                                    MOVES, "move")),
        Field("summary", _text("Short description, used as {barrier} in lines."), True),
        Field("lines", _lines("What the client says when disclosing the barrier."), True),
        Field("resolved_by", Spec(
            "map",
            "What resolves the barrier: one of these moves and/or a plan detail.",
            fields=(
                Field("moves", _names("Trainee moves that resolve it.", MOVES, "move")),
                Field("details", Spec(
                    "dict",
                    "Plan details that resolve it: entity -> list of matching values.",
                    key=_text("Plan entity.", enum=PLAN_ENTITIES, noun="entity"),
                    value=Spec("list", "Matching values (substrings).",
                               item=_text("A value."), nonempty=True),
                )),
            ),
        )),
        Field("resolved_lines", _lines("What the client says when the barrier is resolved.")),
        Field("disclose_needs_open_question", Spec(
            "bool", "true: a disclose_on move brings it out only when asked as an open "
            "question or on a scale ('How confident...?', 'On a scale of 0 to 10...'), not a "
            "closed or leading one ('You'll do it this time?'). Default false.")),
        Field("volunteers", Spec(
            "bool", "false: the client never raises it unasked when a plan is pushed, however "
            "much it trusts the trainee; it comes out only on a disclose_on move. Default "
            "true.")),
    ),
)

SENSITIVITY = Spec(
    "map",
    "How the client reacts to this kind of trainee behaviour.",
    fields=(
        Field("strength", Spec("number", "How much it lowers trust/willingness (0..1).", **PROB),
              True),
        Field("rupture", Spec("bool", "true: this causes a rupture until it is repaired.")),
        Field("lines", _lines("What the client says in reaction."), True),
    ),
)

REQUIRES = Spec(
    "map",
    "What must hold before the client agrees to a plan (all optional).",
    key_noun="condition",
    fields=(
        Field("rationale_understood", Spec("bool", "Understanding >= 0.5 (rationale given "
                                           "or drawn out).")),
        Field("client_shaped", Spec("bool", "The client's ideas were elicited, or the task was "
                                    "proposed tentatively/collaboratively.")),
        Field("min_specifics", Spec("int", "How many distinct plan details among "
                                    + "/".join(SPECIFICS) + " are needed (0..6; activity is "
                                    "always needed).", minimum=0, maximum=len(SPECIFICS))),
        Field("barriers_resolved", Spec("list", "Barrier ids that must be disclosed and "
                                        "resolved.", item=_text("A barrier id from barriers."))),
        Field("within_task_limits", Spec("bool", "The task must be inside task_limits.")),
        Field("feedback_asked", Spec("bool", "elicit_feedback or check_understanding at "
                                     "least once.")),
        Field("understanding_checked", Spec("bool", "check_understanding at least once.")),
        Field("linked_to_goals", Spec("bool", "link_to_goals at least once.")),
        Field("min_trust", Spec("number", "Minimum trust (0..1).", warn_above=HARD_TO_REACH,
                                **PROB)),
        Field("min_willingness", Spec("number", "Minimum willingness (0..1).",
                                      warn_above=HARD_TO_REACH, **PROB)),
        Field("no_open_rupture", Spec("bool", "No rupture that has not been repaired.")),
        Field("beliefs_softened", Spec("list", "Belief ids that must not be active (softened "
                                       "or never activated).", item=_text("A belief id from "
                                                                          "beliefs."))),
    ),
)

LIFE = Spec(
    "map",
    "What the client can say about its week when the trainee asks: several variants each, "
    "in the client's voice. The client draws on these when it helps to build a plan.",
    key_noun="life topic",
    fields=tuple(Field(name, _lines(desc)) for name, desc in LIFE_TOPICS.items()),
)

PREFERENCE = Spec(
    "map",
    "What the client suggests itself when the trainee asks about this plan detail.",
    key_noun="preference field",
    fields=(
        Field("suggest", _text(
            "The client's own value for this detail, written the way the language model "
            "hears it (e.g. 10 minutes, 2 times a week, Tuesday and Thursday, before work); "
            "it goes into the plan when the client says it."), True),
        Field("lines", _lines("What the client says when it suggests the value; "
                              "{detail name} (e.g. {duration}) stands for the value."), True),
        Field("not_yet", Spec(
            "map",
            "Until all of these barriers have come up in the conversation, the client cannot "
            "name a value yet and says one of these lines instead.",
            key_noun="not_yet field",
            fields=(
                Field("barriers", Spec("list", "Barrier ids from barriers.",
                                       item=_text("A barrier id from barriers."),
                                       nonempty=True), True),
                Field("lines", _lines("What the client says while it cannot say yet."), True),
            ),
        )),
    ),
)

PREFERENCES = Spec(
    "map",
    "For each plan detail, what the client suggests itself when asked (all optional; for a "
    "missing one the client says, in character, that it does not know).",
    key_noun="plan detail",
    fields=tuple(Field(d, PREFERENCE) for d in PLAN_ENTITIES),
)

PERSONA = Spec(
    "map",
    "A simulated client for rehearsing between-session action plans.",
    fields=(
        Field("id", _text("Must equal the file name without .yml (lowercase letters, "
                          "digits, _).", pattern=ID_RE.pattern), True),
        Field("name", _text("Display name; {name} in lines."), True),
        Field("age", Spec("int", "Age in years.", minimum=0, maximum=120)),
        Field("difficulty", _text("Difficulty shown to trainees.", enum=DIFFICULTIES,
                                  noun="difficulty"), True),
        Field("approach", _text("Therapy approach the rehearsal happens in.", enum=APPROACHES,
                                noun="approach"), True),
        Field("stage_of_change", _text("Stage of change.", enum=STAGES, noun="stage of change"),
              True),
        Field("presenting_problem", _text("The presenting problem, one line."), True),
        Field("briefing", _text("One paragraph for the trainee's briefing page."), True),
        Field("goals", Spec("list", "The client's goals in their own words; {goal} is the first.",
                            item=_text("A goal."), nonempty=True), True),
        Field("values", Spec("list", "What matters to the client.", item=_text("A value."))),
        Field("last_week", Spec(
            "map",
            "Last session's plan and how it went.",
            fields=(
                Field("plan", _text("What was agreed last session ({last_plan}).")),
                Field("outcome", _text("How it went.", enum=OUTCOMES, noun="outcome"), True),
                Field("report", _lines("What the client says when asked (review_plan).")),
                Field("learning", _lines("What the client learned; said only on "
                                         "explore_learning.")),
            ),
        ), True),
        Field("state", Spec(
            "map",
            "The client's inner state.",
            fields=(
                Field("start", Spec(
                    "map",
                    "Starting levels, each 0..1.",
                    fields=tuple(
                        Field(s, Spec("number", f"Starting {s} (0..1).", **PROB), True)
                        for s in STATES
                    ),
                    key_noun="state",
                ), True),
                Field("effects", Spec(
                    "dict",
                    "Per trainee move, changes added to the engine's defaults.",
                    key=_text("Trainee move.", enum=MOVES, noun="move"),
                    value=_state_effects("Changes of the client's state for this move."),
                )),
            ),
        ), True),
        Field("task_limits", Spec(
            "map",
            "What a workable task looks like for this client.",
            fields=(
                Field("max_duration_minutes", Spec("int", "Counter-offer above this many "
                                                   "minutes.", minimum=1, maximum=1440)),
                Field("max_times_per_week", Spec("int", "Counter-offer above this many times a "
                                                 "week (every day = 7).", minimum=1, maximum=7)),
                Field("counter_offer", Spec(
                    "dict",
                    "What the client offers instead: entity -> value.",
                    key=_text("Plan entity.", enum=PLAN_ENTITIES, noun="entity"),
                    value=_text("The client's value, e.g. 'ten minutes'."),
                )),
                Field("disliked_activities", Spec("list", "Substrings; proposing them triggers a "
                                                  "counter-offer.", item=_text("An activity."))),
                Field("preferred_activities", Spec("list", "What the client suggests when asked.",
                                                   item=_text("An activity."))),
                Field("frightening_activities", Spec("list", "Substrings; a proposed activity "
                                                     "containing one is a 'frightening' task.",
                                                     item=_text("An activity."))),
                Field("evaluative_activities", Spec("list", "Substrings; a proposed activity "
                                                    "containing one is an 'evaluative' task.",
                                                    item=_text("An activity."))),
                Field("preferences", Spec(
                    "dict",
                    "The client's own choice of a detail, said when the trainee asks about it "
                    "(specify_plan) and taken into the plan: entity -> value, e.g. "
                    "time_of_day: before work.",
                    key=_text("Plan entity.", enum=PLAN_ENTITIES, noun="entity"),
                    value=_text("The client's value, e.g. 'after breakfast'."),
                )),
            ),
        )),
        Field("life", LIFE),
        Field("preferences", PREFERENCES),
        Field("beliefs", Spec("list", "The client's beliefs.", item=BELIEF)),
        Field("barriers", Spec("list", "What gets in the way.", item=BARRIER)),
        Field("sensitivities", Spec(
            "map",
            "Reactions to kinds of trainee behaviour (all optional).",
            fields=tuple(Field(s, SENSITIVITY) for s in SENSITIVITIES),
            key_noun="sensitivity",
        )),
        Field("agreement", Spec(
            "map",
            "When the client agrees to a plan and what it says.",
            fields=(
                Field("requires", REQUIRES),
                Field("not_yet", Spec(
                    "dict",
                    "What the client says while a condition is unmet: condition -> lines.",
                    key=_text("Agreement condition (or activity: no activity chosen yet).",
                              enum=NOT_YET_KEYS, noun="condition"),
                    value=_lines("What the client says while this condition is unmet."),
                )),
                Field("agree_lines", _lines("What the client says when agreeing."), True),
                Field("refuse_lines", _lines("What the client says when refusing."), True),
            ),
        ), True),
        Field("lines", Spec(
            "dict",
            "The client's voice: situation -> variants. Situation = move name or "
            + ", ".join(EXTRA_SITUATIONS + FIXED_SITUATIONS)
            + "; moves may add @phase and .band.",
            key=_text("Situation."),
            value=_lines("Variants for this situation."),
            situation_keys=True,
        ), True),
    ),
)
