"""Check persona YAML files and report every problem as `file:line: message`.

Instructors are clinicians, not programmers, so each message says what is wrong,
where, and how to fix it, and all problems of a file are reported at once.

The format is described once, in the field table `PERSONA` below.  The structural
checks (types, enums, ranges, unknown keys, missing fields) and the JSON Schema
(`python -m bot personas schema`) are both derived from that table, so the two
cannot drift apart; only the cross-field rules live in `_check_semantics`.
"""

from __future__ import annotations

import datetime
import difflib
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.language.entities import DAYS, normalize
from bot.language.quantities import minutes, times_per_week
from bot.moves import (
    BANDS,
    CONDITIONS,
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

WEEKDAY_NAMES = frozenset(DAYS.values())
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
            "While these barriers have not come up in the conversation, the client cannot "
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


# --- problems ------------------------------------------------------------------------


@dataclass
class Problem:
    file: str
    line: int
    message: str
    # "warning" marks things that do not break a rehearsal (e.g. unused lines);
    # they are reported like errors, so authors see them, but loaders may accept them.
    severity: str = field(default="error", compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


Path_ = tuple[str | int, ...]
_BAD = object()  # a value that failed its structural check; semantic checks skip it


def _path_str(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "the top level"


def _normal(word: str) -> str:
    return re.sub(r"[\s\-]+", "_", word.strip().lower())


def _suggest(word: str, known: Iterable[str]) -> str:
    known = list(known)
    match = [k for k in known if k.lower() == _normal(word)][:1]
    if not match:
        match = difflib.get_close_matches(_normal(word), known, n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""


def _known(noun: str, known: tuple[str, ...]) -> str:
    label = f"known {noun}s" if noun else "use one of"
    return f" ({label}: {', '.join(known)})"


def _describe(node: Node, value: Any) -> str:
    if isinstance(node, MappingNode):
        return "a mapping (key: value pairs)"
    if isinstance(node, SequenceNode):
        return "a list"
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"true/false (YAML reads `{node.value}` as a yes/no value)"
    if isinstance(value, int | float):
        return f"a number ({node.value})"
    if isinstance(value, datetime.date):
        return f"a date (YAML reads `{node.value}` as a calendar date)"
    return f"text '{value}'"


_EXPECTED = {
    "text": "text",
    "line": "text",
    "int": "a whole number",
    "number": "a number",
    "bool": "true or false",
    "list": "a list",
    "map": "a mapping (key: value pairs)",
    "dict": "a mapping (key: value pairs)",
}


_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Checker:
    """Walks the node tree of one file against the field table."""

    def __init__(self, filename: str) -> None:
        self.file = filename
        self.problems: list[Problem] = []
        self.lines: dict[Path_, int] = {}
        # Fields that are absent only because their key is misspelled (already reported with
        # a "did you mean"); rules about the missing field would just repeat that problem.
        self.misspelled: set[Path_] = set()
        # Values that failed their structural check (reported, left out of the data).
        self.bad: set[Path_] = set()
        self._constructor = yaml.constructor.SafeConstructor()

    def add(self, line: int, message: str, severity: str = "error") -> None:
        if severity == "warning":
            message = "warning: " + message
        self.problems.append(Problem(self.file, line, message, severity))

    def at(self, path: Path_) -> int:
        """Line of a value, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1

    # structural walk ---------------------------------------------------------------

    def walk(self, node: Node, spec: Spec, path: Path_) -> Any:
        line = node.start_mark.line + 1
        self.lines.setdefault(path, line)
        where = self.at(path)
        if not isinstance(node, ScalarNode) and node.tag not in _PLAIN_TAGS:
            self.add(line, f"unsupported YAML tag `{node.tag}`; remove the '!...' in front of "
                     "the value")
            return _BAD
        if spec.type in ("map", "dict"):
            if not isinstance(node, MappingNode):
                return self._type_error(node, spec, path, where)
            return self._mapping(node, spec, path, where)
        if spec.type == "list":
            if not isinstance(node, SequenceNode):
                return self._type_error(node, spec, path, where)
            if spec.nonempty and not node.value:
                self.add(where, f"{_path_str(path)} is an empty list; add at least one entry "
                         "(one '- ...' per line) or remove the key")
            out = []
            for i, item in enumerate(node.value):
                self.lines[path + (i,)] = item.start_mark.line + 1
                value = self.walk(item, spec.item or Spec("text"), path + (i,))
                if value is not _BAD:
                    out.append(value)
                else:
                    self.bad.add(path + (i,))
            return out
        if not isinstance(node, ScalarNode):
            return self._type_error(node, spec, path, where)
        value = self._construct(node)
        if value is _BAD:
            return _BAD
        return self._scalar(node, value, spec, path, line)

    def _construct(self, node: ScalarNode) -> Any:
        """The Python value of a scalar, or _BAD (reported) for tags like !!python/..."""
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.YAMLError:
            self.add(node.start_mark.line + 1, f"unsupported YAML tag `{node.tag}`; remove the "
                     "'!...' in front of the value")
            return _BAD

    def _merge(self, node: MappingNode) -> None:
        """Expand YAML merge keys (`<<: *base`) in place, as yaml.safe_load does."""
        if not any(k.tag == _MERGE_TAG for k, _ in node.value):
            return
        own = [k.value for k, _ in node.value if k.tag != _MERGE_TAG]
        try:
            self._constructor.flatten_mapping(node)
        except yaml.YAMLError as err:
            self.add(node.start_mark.line + 1, f"a merge key '<<' cannot be used here "
                     f"({getattr(err, 'problem', err)}); '<<' must be followed by an alias to a "
                     "mapping, e.g. `<<: *base`")
            node.value = [(k, v) for k, v in node.value if k.tag != _MERGE_TAG]
            return
        n_merged = len(node.value) - len(own)
        merged, rest = node.value[:n_merged], node.value[n_merged:]
        # Keys written in the mapping itself override merged ones; an earlier merge wins
        # over a later one. Neither is a duplicate key.
        kept: list[tuple[Node, Node]] = []
        names = set(own)
        for k, v in merged:
            if not (isinstance(k, ScalarNode) and k.value in names):
                kept.append((k, v))
                names.add(k.value)
        node.value = kept + rest

    def _mapping(self, node: MappingNode, spec: Spec, path: Path_, where: int) -> Any:
        self._merge(node)
        fields = {f.name: f for f in spec.fields}
        seen: dict[str, int] = {}
        out: dict[str, Any] = {}
        suggested: set[str] = set()  # fields already named in an unknown-key message
        for knode, vnode in node.value:
            kline = knode.start_mark.line + 1
            key = self._construct(knode) if isinstance(knode, ScalarNode) else None
            if key is _BAD:
                continue
            if not isinstance(key, str):
                shown = knode.value if isinstance(knode, ScalarNode) else "a list or mapping"
                self.add(kline, f"key `{shown}` in {_path_str(path)} is not a name; keys must be "
                         "words, not numbers or true/false (put it in quotes if it really is one)")
                continue
            sub = path + (key,)
            if key in seen:
                self.add(kline, f"duplicate key '{key}' in {_path_str(path)} (first at line "
                         f"{seen[key]}); YAML would silently keep only the last one, so merge "
                         "the two or delete one")
                # Check the duplicate's content too, but keep the first for the semantics.
                self.lines.pop(sub, None)
                self.walk(vnode, self._value_spec(spec, key) or Spec("text"), sub)
                continue
            seen[key] = kline
            self.lines[sub] = kline
            if spec.type == "map":
                if key not in fields:
                    known = tuple(fields)
                    suggestion = _suggest(key, known)
                    suggested.update(k for k in known if f"'{k}'" in suggestion)
                    self.misspelled.update(path + (k,) for k in known if f"'{k}'" in suggestion)
                    self.add(kline, f"unknown {spec.key_noun} '{key}' in {_path_str(path)}"
                             f"{suggestion}{_known(spec.key_noun, known)}")
                    continue
                value_spec = fields[key].spec
            else:
                if not self._check_key(key, spec, sub, kline):
                    continue
                value_spec = spec.value or Spec("text")
            value = self.walk(vnode, value_spec, sub)
            if value is not _BAD:
                out[key] = value
            else:
                self.bad.add(sub)
        for f in spec.fields:
            if f.required and f.name not in seen and f.name not in suggested:
                self.add(where, f"{_path_str(path)} is missing the required field "
                         f"'{f.name}' ({f.spec.desc.rstrip('.')}); add `{f.name}:`")
        return out

    @staticmethod
    def _value_spec(spec: Spec, key: str) -> Spec | None:
        if spec.type == "dict":
            return spec.value
        return next((f.spec for f in spec.fields if f.name == key), None)

    def _check_key(self, key: str, spec: Spec, path: Path_, line: int) -> bool:
        if spec.situation_keys:
            return self._check_situation(key, path, line)
        key_spec = spec.key
        if key_spec is not None and key_spec.enum is not None and key not in key_spec.enum:
            self.add(line, f"unknown {key_spec.noun} '{key}' in {_path_str(path[:-1])}"
                     f"{_suggest(key, key_spec.enum)}{_known(key_spec.noun, key_spec.enum)}")
            return False
        return True

    def _check_situation(self, key: str, path: Path_, line: int) -> bool:
        where = _path_str(path[:-1])
        if key in FIXED_SITUATIONS:
            return True
        m = SITUATION_RE.match(key)
        all_plain = SITUATION_BASES + FIXED_SITUATIONS
        if not m:
            self.add(line, f"'{key}' in {where} is not a situation; write a move name, optionally "
                     f"followed by @phase and .band, e.g. 'review_plan@review.guarded'"
                     f"{_suggest(key, all_plain)}")
            return False
        base, phase, band = m.group("base"), m.group("phase"), m.group("band")
        ok = True
        if base not in SITUATION_BASES:
            hint = _suggest(base, all_plain)
            if base == "nlu_fallback":
                hint = "; did you mean 'not_understood'?"
            elif base in ("closing", "comment"):
                hint = f"; use '{base}.agreed' or '{base}.not_agreed'"
            self.add(line, f"unknown situation '{base}' in {where} (key '{key}'){hint}"
                     f"{_known('situation', SITUATION_BASES + FIXED_SITUATIONS)}")
            ok = False
        if phase is not None and phase not in PHASES:
            self.add(line, f"unknown phase '{phase}' in {where} (key '{key}')"
                     f"{_suggest(phase, PHASES)}{_known('phase', PHASES)}")
            ok = False
        if band is not None and band not in BANDS:
            self.add(line, f"unknown band '{band}' in {where} (key '{key}')"
                     f"{_suggest(band, BANDS)}{_known('band', BANDS)}")
            ok = False
        return ok

    def _type_error(self, node: Node, spec: Spec, path: Path_, line: int) -> Any:
        expected = _EXPECTED[spec.type]
        value = None
        if isinstance(node, ScalarNode):
            value = self._construct(node)
            if value is _BAD:
                return _BAD
        found = _describe(node, value)
        name = _path_str(path)
        if value is None and isinstance(node, ScalarNode):
            self.add(line, f"{name} is empty; give it {expected} or remove the key")
            return _BAD
        hint = _type_hint(node, value, spec)
        self.add(line, f"{name} should be {expected}, but it is {found}{hint}")
        return _BAD

    def _scalar(self, node: ScalarNode, value: Any, spec: Spec, path: Path_, line: int) -> Any:
        t = spec.type
        ok = (
            (t in ("text", "line") and isinstance(value, str))
            or (t == "bool" and isinstance(value, bool))
            or (t == "int" and isinstance(value, int) and not isinstance(value, bool))
            or (t == "number" and isinstance(value, int | float) and not isinstance(value, bool))
        )
        if not ok:
            return self._type_error(node, spec, path, line)
        name = _path_str(path)
        if t in ("int", "number"):
            lo, hi = spec.minimum, spec.maximum
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                why = ""
                if path and path[-1] in ("min_trust", "min_willingness", "min_specifics"):
                    why = " (a higher value can never be reached, so the client would never agree)"
                self.add(line, f"{name} is {value}, but it must be between {lo:g} and {hi:g}{why}")
                return _BAD
            if spec.warn_above is not None and value > spec.warn_above:
                self.add(line, f"{name} is {value}: above {spec.warn_above:g} the client's "
                         "state rises only slowly (gains shrink near the top), so agreement "
                         "needs a long run of skilful turns; check that this is intended",
                         "warning")
            return value
        if t in ("text", "line"):
            if not value.strip():
                self.add(line, f"{name} is empty text; write something or remove it")
                return _BAD
            if spec.enum is not None and value not in spec.enum:
                suggestion = _suggest(value, spec.enum)
                if path and isinstance(path[-1], int):  # a name in a list: moves, cues, ...
                    self.add(line, f"unknown {spec.noun} '{value}' in {name}{suggestion}"
                             f"{_known(spec.noun, spec.enum)}")
                else:  # a single choice: difficulty, outcome, kind, ...
                    self.add(line, f"{name} is '{value}', which is not one of the allowed "
                             f"values{suggestion} (use one of: {', '.join(spec.enum)})")
                return _BAD
            if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
                self.add(line, f"{name} '{value}' may only contain lowercase letters, digits and "
                         f"_ (try '{_slug(value)}')")
                return _BAD
            if t == "line":
                self._check_placeholders(value, name, line)
        return value

    def _check_placeholders(self, text: str, name: str, line: int) -> None:
        depth_start = -1
        for i, ch in enumerate(text):
            if ch == "{":
                if depth_start >= 0:
                    self.add(line, f"{name}: '{{' at '{text[depth_start:i + 1]}' is opened twice "
                             "without being closed; each placeholder is {name}")
                depth_start = i
            elif ch == "}":
                if depth_start < 0:
                    self.add(line, f"{name}: unbalanced brace: '}}' without a matching '{{' in "
                             f"'{_clip(text)}'; placeholders look like {{activity}}")
                    continue
                word = text[depth_start + 1:i]
                if word not in PLACEHOLDERS and _normal(word) in PLACEHOLDERS:
                    self.add(line, f"{name}: placeholder '{{{word}}}' must be written exactly "
                             f"'{{{_normal(word)}}}' (lowercase, no spaces inside the braces)")
                elif word not in PLACEHOLDERS:
                    self.add(line, f"{name}: unknown placeholder '{{{word}}}'"
                             f"{_suggest(word, PLACEHOLDERS)}{_known('placeholder', PLACEHOLDERS)}")
                depth_start = -1
        if depth_start >= 0:
            self.add(line, f"{name}: unbalanced brace: '{text[depth_start:][:20]}' is missing its "
                     f"closing '}}'; placeholders look like {{day}}")


_NUMBER_WORDS = {"zero": 0, "none": 0, "quarter": 0.25, "a quarter": 0.25, "half": 0.5,
                 "a half": 0.5, "one": 1, "full": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                 "six": 6, "seven": 7, "ten": 10, "fifteen": 15, "twenty": 20, "thirty": 30}


def _number_hint(text: str, spec: Spec) -> str:
    """How to write `text` (a number in words, a percentage, "20 minutes") as a number."""
    t = text.strip().lower()
    as_int = spec.type == "int"
    m = re.fullmatch(r"(-?\d+(?:[.,]\d+)?)\s*%", t)
    if m and not as_int:
        return f"; write percentages as a fraction of 1: {float(m[1].replace(',', '.')) / 100:g}"
    if re.fullmatch(r"-?\d+,\d+", t):
        return f"; use a dot for decimals: {t.replace(',', '.')}"
    if re.fullmatch(r"-?\d+(\.\d+)?", t):
        return f"; remove the quotes: {t}"
    m = re.match(r"(-?\d+(?:\.\d+)?)\s+\S", t)
    if m:
        return f"; write only the number, without the unit: {m[1]}"
    if t in _NUMBER_WORDS and (not as_int or float(_NUMBER_WORDS[t]).is_integer()):
        n = _NUMBER_WORDS[t]
        return f"; write it in digits: {n:g}"
    return "; write a plain whole number such as 20" if as_int else \
        "; write a plain number such as 0.3, without quotes"


def _type_hint(node: Node, value: Any, spec: Spec) -> str:
    """How to fix a value of the wrong kind, from what the author most likely meant."""
    t = spec.type
    flow = bool(getattr(node, "flow_style", False))
    if t == "list" and isinstance(node, ScalarNode):
        items = [i.strip() for i in str(node.value).split(",") if i.strip()]
        if len(items) > 1:
            return (f"; a text with commas is still one text; write a list in square brackets: "
                    f"[{', '.join(items)}]")
        return f"; write it as a list: [{node.value}] (or one '- ...' per line)"
    if t in ("text", "line") and isinstance(value, bool | int | float | datetime.date):
        return f'; put it in quotes: "{node.value}"'
    if t in ("text", "line") and isinstance(node, MappingNode) and flow and all(
            isinstance(v, ScalarNode) and v.value == "" for _, v in node.value):
        return ("; a text starting with '{' is read as a mapping: put the whole text in double "
                "quotes, e.g. \"{day}, yes.\"")
    if t in ("text", "line") and isinstance(node, MappingNode):
        return ("; if the text contains a colon followed by a space (': ') or ends with a colon, "
                "put the whole text in double quotes")
    if t in ("text", "line") and isinstance(node, SequenceNode) and flow:
        return ("; text starting with '[' is read as a list: for a non-verbal cue use round "
                "brackets, (nods), or put the whole text in double quotes")
    if t in ("map", "dict") and isinstance(node, SequenceNode):
        names = [v.value for v in node.value if isinstance(v, ScalarNode)]
        owner = next((f.name for f in spec.fields if f.spec.type == "list" and f.spec.item
                      and f.spec.item.enum and names and all(n in f.spec.item.enum for n in names)),
                     None)
        if owner is not None:
            return (f"; these look like {owner}: write `{owner}: [{', '.join(names)}]` on the "
                    "next line, indented")
        return "; write its entries as `key: value` lines, indented, without '- ' in front"
    if t in ("map", "dict") and isinstance(node, ScalarNode):
        return "; put its entries on the following lines, indented, as `key: value`"
    if t in ("int", "number") and isinstance(value, str):
        return _number_hint(value, spec)
    if t in ("int", "number") and isinstance(value, float) and t == "int":
        return f"; write a whole number, e.g. {round(value)}"
    if t == "bool":
        return "; write true or false"
    return ""


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", value.lower()).strip("_") or "name"


def _clip(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


# --- cross-field rules -------------------------------------------------------------------


def requires_of(data: dict[str, Any]) -> dict[str, Any]:
    agreement = data.get("agreement", {})
    return agreement.get("requires", {}) if isinstance(agreement, dict) else {}


def _check_semantics(c: _Checker, data: dict[str, Any], stem: str) -> None:
    pid = data.get("id")
    if isinstance(pid, str) and pid != stem:
        fix = f"rename the file to '{pid}.yml'"
        if ID_RE.match(stem):
            fix += f" or set `id: {stem}`"
        else:
            fix += "; file names may only use lowercase letters, digits and _"
        c.add(c.at(("id",)), f"id '{pid}' does not match the file name '{stem}'; the id must "
              f"equal the file name without .yml ({fix})")

    for section in ("beliefs", "barriers"):
        seen: dict[str, int] = {}
        for i, entry in enumerate(data.get(section, [])):
            eid = entry.get("id") if isinstance(entry, dict) else None
            if not isinstance(eid, str):
                continue
            line = c.at((section, i, "id"))
            if eid in seen:
                c.add(line, f"{section}[{i}].id '{eid}' is used twice (first at line "
                      f"{seen[eid]}); give each entry its own id")
            else:
                seen[eid] = line

    for i, belief in enumerate(data.get("beliefs", [])):
        triggers = belief.get("triggers")
        if isinstance(triggers, dict) and not any(triggers.get(k) for k in triggers):
            c.add(c.at(("beliefs", i, "triggers")), f"beliefs[{i}].triggers lists no moves, cues "
                  "or task features, so the belief can never be activated; add at least one")
        for j, group in enumerate((triggers or {}).get("all", []) if isinstance(triggers, dict)
                                  else []):
            if isinstance(group, dict) and not any(group.values()):
                c.add(c.at(("beliefs", i, "triggers", "all", j)), f"beliefs[{i}].triggers.all[{j}] "
                      "names nothing, so it never fires; give it moves, cues, task and/or phase")
            elif isinstance(group, dict) and list(group) == ["phase"]:
                c.add(c.at(("beliefs", i, "triggers", "all", j)), f"beliefs[{i}].triggers.all[{j}] "
                      "has only a phase, so the belief fires on every turn of that phase; add the "
                      "moves, cues or task features it goes with", "warning")
        if belief.get("softened_by") and "softened_lines" not in belief:
            c.add(c.at(("beliefs", i, "softened_by")), f"beliefs[{i}] has softened_by but no "
                  "softened_lines; add what the client says when the belief softens",
                  "warning")

    limits = data.get("task_limits", {})
    for i, belief in enumerate(data.get("beliefs", [])):
        trig = belief.get("triggers", {})
        features = [(("task", j), f) for j, f in enumerate(trig.get("task", []))] + [
            (("all", g, "task", j), f) for g, group in enumerate(trig.get("all", []))
            for j, f in enumerate(group.get("task", []))]
        for where, feature in features:
            if feature == "large" and not (limits.get("max_duration_minutes")
                                           or limits.get("max_times_per_week")):
                c.add(c.at(("beliefs", i, "triggers", *where)), f"beliefs[{i}] is triggered by "
                      "'large' tasks, but task_limits sets neither max_duration_minutes nor "
                      "max_times_per_week, so no task counts as large; add one", "warning")
            if feature in ("frightening", "evaluative") and not limits.get(f"{feature}_activities"):
                c.add(c.at(("beliefs", i, "triggers", *where)), f"beliefs[{i}] is triggered by "
                      f"'{feature}' tasks, but task_limits.{feature}_activities is not set, so no "
                      f"task counts as {feature}; add task_limits.{feature}_activities", "warning")

    belief_ids = [b["id"] for b in data.get("beliefs", []) if isinstance(b.get("id"), str)]
    for j, bid in enumerate(requires_of(data).get("beliefs_softened", [])):
        if bid not in belief_ids:
            c.add(c.at(("agreement", "requires", "beliefs_softened", j)),
                  f"agreement.requires.beliefs_softened names '{bid}', but there is no belief "
                  f"with that id{_suggest(bid, belief_ids)}"
                  + (f" (belief ids: {', '.join(belief_ids)})" if belief_ids else ""))

    # Present-but-invalid or misspelled softened_by is reported already.
    unsoftenable = {b["id"] for i, b in enumerate(data.get("beliefs", []))
                    if isinstance(b.get("id"), str)
                    and not any((b.get("softened_by") or {}).values())
                    and ("beliefs", i, "softened_by") not in c.lines
                    and ("beliefs", i, "softened_by") not in c.misspelled}
    for j, bid in enumerate(requires_of(data).get("beliefs_softened", [])):
        if bid in unsoftenable:
            c.add(c.at(("agreement", "requires", "beliefs_softened", j)),
                  f"agreement.requires.beliefs_softened names '{bid}', but that belief has no "
                  "softened_by, so once it is activated the client can never agree; add "
                  "softened_by (moves or cues) to the belief", "warning")

    barriers = [b for b in data.get("barriers", []) if isinstance(b, dict)]
    barrier_ids = [b["id"] for b in barriers if isinstance(b.get("id"), str)]
    # A hidden barrier without disclose_on can still come up: the first one that volunteers is
    # raised unasked when a plan is pushed to a client who trusts the trainee.
    first_hidden = next((b.get("id") for b in barriers if b.get("hidden") is True
                         and b.get("volunteers") is not False), None)

    agreement = data.get("agreement", {})
    requires = requires_of(data)
    required_barriers = requires.get("barriers_resolved", [])
    for j, bid in enumerate(required_barriers):
        if bid not in barrier_ids:
            c.add(c.at(("agreement", "requires", "barriers_resolved", j)),
                  f"agreement.requires.barriers_resolved names '{bid}', but there is no barrier "
                  f"with that id{_suggest(bid, barrier_ids)}"
                  + (f" (barrier ids: {', '.join(barrier_ids)})" if barrier_ids
                     else "; add it under barriers: or remove it here"))

    for i, b in enumerate(data.get("barriers", [])):
        bid = b.get("id")
        needed = bid in required_barriers
        resolved_by = b.get("resolved_by")
        resolvable = bool(resolved_by and (resolved_by.get("moves") or resolved_by.get("details")))
        if needed and not resolvable and ("barriers", i, "resolved_by") not in c.misspelled \
                and ("barriers", i, "resolved_by") not in c.lines:
            c.add(c.at(("barriers", i)), f"barrier '{bid}' must be resolved before the client "
                  "agrees (agreement.requires.barriers_resolved), but it has no resolved_by moves "
                  "or details, so the plan can never be agreed; add resolved_by")
        if b.get("hidden") is True and not b.get("disclose_on") and bid != first_hidden \
                and ("barriers", i, "disclose_on") not in c.misspelled:
            c.add(c.at(("barriers", i)), f"barrier '{bid}' is hidden and has no disclose_on "
                  "moves, so it never comes up; add disclose_on (e.g. [explore_barriers]) or set "
                  "hidden: false", "error" if needed else "warning")
        if b.get("disclose_needs_open_question") is True and not b.get("disclose_on"):
            c.add(c.at(("barriers", i, "disclose_needs_open_question")), f"barrier '{bid}' sets "
                  "disclose_needs_open_question but has no disclose_on moves, so the setting has "
                  "no effect; add disclose_on (e.g. [elicit_feedback])", "warning")

    if requires.get("within_task_limits") is True and "task_limits" not in data:
        c.add(c.at(("agreement", "requires", "within_task_limits")),
              "agreement.requires.within_task_limits is true but the persona has no task_limits; "
              "add task_limits or remove the condition", "warning")

    not_yet = agreement.get("not_yet", {}) if isinstance(agreement, dict) else {}
    active = {k for k, v in requires.items() if v not in (False, 0, [], None)}
    # A condition with an invalid value is already reported; do not also call it unused.
    invalid = {k for k in CONDITIONS if ("agreement", "requires", k) in c.lines} - set(requires)
    for cond in not_yet:
        if cond not in active and cond not in invalid and cond != "activity":
            c.add(c.at(("agreement", "not_yet", cond)), f"agreement.not_yet.{cond} is never said "
                  f"because agreement.requires does not ask for {cond}; remove these lines or "
                  "add the condition", "warning")
    if "requires" in agreement:
        for cond in sorted(active - set(not_yet) - invalid, key=CONDITIONS.index):
            c.add(c.at(("agreement", "requires", cond)), f"agreement.requires.{cond} is set but "
                  f"agreement.not_yet has no lines for it; add `{cond}: [\"...\"]` under not_yet "
                  "so the client can say what is still missing", "warning")

    last_week = data.get("last_week", {})
    outcome = last_week.get("outcome")
    if outcome is not None and outcome != "none":
        for key, what in (("plan", "what was agreed last session"),
                          ("report", "what the client says when asked how it went")):
            # A value that is present but invalid is already reported.
            if not last_week.get(key) and ("last_week", key) not in c.lines:
                c.add(c.at(("last_week",)), f"last_week.outcome is '{outcome}' but "
                      f"last_week.{key} is missing; add {what} (or set outcome: none)")
    elif outcome == "none" and last_week.get("report"):
        c.add(c.at(("last_week", "report")), "last_week.outcome is 'none' (no plan last week) "
              "but last_week.report has lines that will never be said; remove them or set "
              "the outcome", "warning")

    _check_preferences(c, data)

    if "{last_plan}" in json.dumps(data) and not last_week.get("plan"):
        c.add(c.at(("last_week",)), "some lines use {last_plan} but last_week.plan is not set, "
              "so those lines are never said; add last_week.plan", "warning")


def _plan_values(value: str) -> list[str]:
    """The single values of a suggestion: the engine joins several of one kind with ' and '."""
    return [v.strip() for v in value.split(" and ") if v.strip()]


def _matches(value: str, needles: Iterable[str]) -> bool:
    """As the engine matches plan values against resolved_by.details: substring, any case."""
    low = value.lower()
    return any(str(n).lower() in low for n in needles if n)


# Details whose suggestion must resolve a practical barrier about the same detail.
WHEN_AND_WHERE: tuple[str, ...] = ("time_of_day", "day", "place")


def _check_preferences(c: _Checker, data: dict[str, Any]) -> None:
    """A plan built from the client's own suggestions fits its limits and its barriers."""
    prefs = data.get("preferences")
    if not isinstance(prefs, dict):
        return
    barrier_ids = [b["id"] for b in data.get("barriers", [])
                   if isinstance(b, dict) and isinstance(b.get("id"), str)]
    # A barrier with a bad value in it is reported already; judging suggestions against
    # what is left of it would only repeat that problem.
    barriers = [b for i, b in enumerate(data.get("barriers", [])) if isinstance(b, dict)
                and not any(p[:2] == ("barriers", i) for p in c.bad)]
    limits = data.get("task_limits", {})
    if any(p[:1] == ("task_limits",) for p in c.bad):
        limits = {}
    suggested: dict[str, str] = {}
    for detail, pref in prefs.items():
        if not isinstance(pref, dict):
            continue
        where = ("preferences", detail)
        not_yet = pref.get("not_yet")
        for j, bid in enumerate(not_yet.get("barriers", []) if isinstance(not_yet, dict)
                                else []):
            if bid not in barrier_ids:
                c.add(c.at(where + ("not_yet", "barriers", j)),
                      f"preferences.{detail}.not_yet.barriers names '{bid}', but there is no "
                      f"barrier with that id{_suggest(bid, barrier_ids)}"
                      + (f" (barrier ids: {', '.join(barrier_ids)})" if barrier_ids
                         else "; add it under barriers: or remove it here"))
        value = pref.get("suggest")
        if not isinstance(value, str):
            continue
        suggested[detail] = value
        line = c.at(where + ("suggest",))
        heard = " and ".join(normalize(detail, v) for v in _plan_values(value))
        if heard.lower() != " and ".join(_plan_values(value)).lower():
            c.add(line, f"preferences.{detail}.suggest is '{value}', but the language model "
                  f"hears it as '{heard}'; write `suggest: {heard}` so that the engine can "
                  "compare it with the task limits and barriers")
            continue
        if detail == "duration":
            most = limits.get("max_duration_minutes")
            got = minutes(value)
            if got is None:
                c.add(line, f"preferences.duration.suggest '{value}' is not a length of time; "
                      "write it in minutes, e.g. 10 minutes")
            elif isinstance(most, int | float) and got > most:
                c.add(line, f"preferences.duration.suggest is '{value}', more than "
                      f"task_limits.max_duration_minutes ({most:g}), so the client would "
                      "refuse its own suggestion; suggest less or raise the limit")
        elif detail == "frequency":
            most = limits.get("max_times_per_week")
            got_times = times_per_week(value)
            if got_times is None:
                c.add(line, f"preferences.frequency.suggest '{value}' is not a frequency; "
                      "write e.g. 2 times a week, once a week or daily")
            elif isinstance(most, int | float) and got_times > most:
                c.add(line, f"preferences.frequency.suggest is '{value}' ({got_times:g} times "
                      f"a week), more than task_limits.max_times_per_week ({most:g}), so the "
                      "client would refuse its own suggestion; suggest fewer or raise the limit")
        elif detail == "activity":
            disliked = [d for d in limits.get("disliked_activities", []) if _matches(value, [d])]
            if disliked:
                c.add(line, f"preferences.activity.suggest '{value}' contains '{disliked[0]}', "
                      "which is in task_limits.disliked_activities, so the client would "
                      "refuse its own suggestion; suggest another activity")
        if detail in WHEN_AND_WHERE:
            about = [b for b in barriers if b.get("kind") == "practical"
                     and detail in ((b.get("resolved_by") or {}).get("details") or {})]
            if about and not any(_matches(value, b["resolved_by"]["details"][detail])
                                 for b in about):
                names = "; ".join(f"'{b.get('id')}' is resolved by "
                                  + ", ".join(b["resolved_by"]["details"][detail])
                                  for b in about)
                c.add(line, f"preferences.{detail}.suggest '{value}' does not resolve the "
                      f"practical barrier about {detail} ({names}); a plan built from the "
                      "client's own suggestions must fit its barriers: suggest a value that "
                      f"contains one of these, or add it to resolved_by.details.{detail}")
    day, freq = suggested.get("day"), suggested.get("frequency")
    n_days = len([v for v in _plan_values(day or "") if normalize("day", v) in WEEKDAY_NAMES])
    per_week = times_per_week(freq) if freq else None
    if n_days >= 2 and per_week is not None and per_week != n_days:
        c.add(c.at(("preferences", "frequency", "suggest")), f"preferences.frequency.suggest "
              f"'{freq}' ({per_week:g} times a week) contradicts preferences.day.suggest "
              f"'{day}' ({n_days} days); make them agree")
    # A barrier the client needs resolved, and that only plan details can resolve, must be
    # resolved by the client's own suggestions, or a client-led plan can never be agreed.
    required = requires_of(data).get("barriers_resolved", [])
    for b in barriers:
        details = (b.get("resolved_by") or {}).get("details") or {}
        if b.get("id") not in required or not any(d in suggested for d in details):
            continue
        if not any(_matches(suggested[d], vals) for d, vals in details.items() if d in suggested):
            wanted = "; ".join(f"{d}: {', '.join(vals)}" for d, vals in details.items())
            c.add(c.at(("preferences",)), f"the client's own suggestions never resolve barrier "
                  f"'{b.get('id')}', which agreement.requires.barriers_resolved needs ({wanted}); "
                  "a plan built from them could never be agreed: let one suggestion contain one "
                  "of these values")


# --- entry points ------------------------------------------------------------------------

_PARSE_HINTS: tuple[tuple[str, str], ...] = (
    ("mapping values are not allowed", "a colon followed by a space (': ') inside unquoted "
     "text; put the whole text in double quotes"),
    ("cannot start any token", "a tab or special character where YAML expects text; indent "
     "with spaces and put text starting with @, ` or % in quotes"),
    ("could not find expected ':'", "a line is missing its ':' or is indented differently from "
     "its neighbours"),
    ("expected <block end>", "the indentation does not line up with the lines above, or a "
     "quoted text has more text after its closing quote (use double quotes around text "
     "containing an apostrophe)"),
    ("did not find expected '-' indicator", "list items ('- ...') must all be indented the "
     "same"),
    ("did not find expected key", "the indentation does not line up, or a quoted text has more "
     "text after its closing quote"),
    ("found unexpected end of stream", "a quote is opened but never closed"),
    ("while scanning a quoted scalar", "a quote is opened but never closed"),
    ("expected a single document", "a '---' line starts a second document here, but a "
     "persona file holds exactly one persona; remove this '---' line"),
    ("found undefined alias", "'*' starts an alias in YAML; put the text in quotes"),
    ("while scanning an alias", "'*' starts an alias in YAML; put the text in quotes"),
    ("while scanning an anchor", "'&' starts an anchor in YAML; put the text in quotes"),
    ("expected ',' or ']'", "a [list, in brackets] is not closed, contains an unquoted comma or "
     "colon, or a text in 'single quotes' contains an apostrophe; use \"double quotes\""),
    ("expected ',' or '}'", "a {mapping, in braces} is not closed properly"),
    ("found '<stream end>'", "a [ or { is opened but never closed"),
)


def _parse_problems(filename: str, err: yaml.YAMLError, text: str) -> list[Problem]:
    """The parse error, said as specifically as its line allows, plus every other line that
    is wrong on its own: the parser stops at the first, the author wants them all."""
    mark = getattr(err, "problem_mark", None)
    context = str(getattr(err, "context", "") or "")
    if "quoted scalar" in context and getattr(err, "context_mark", None) is not None:
        mark = err.context_mark  # the opening quote is where the fix is
    line = mark.line + 1 if mark is not None else 1
    raw = " ".join(str(x) for x in (getattr(err, "context", ""), getattr(err, "problem", ""))
                   if x) or str(err).splitlines()[0]
    scan = _syntax_scan(text)
    lines = text.splitlines()
    # The parser often notices a bad line only on the line after it.
    culprit = next((n for n in (line, line - 1) if n in scan), None)
    out = [Problem(filename, n, f"YAML syntax error: {msg}") for n, msg in scan.items()]
    if culprit is None:
        hint = None if "single document" in raw else _indent_hint(lines, line)
        if hint is None:
            hint = "probably " + next((h for key, h in _PARSE_HINTS if key in raw),
                                      "check the indentation and quotes on this line and the "
                                      "one before")
        out.append(Problem(filename, line, f"YAML syntax error ({raw}): {hint}"))
    return out


# `key: rest` on one line (a plain key, not a quoted or flow one).
_KEY_RE = re.compile(r"^(?P<key>[^\s\"'\[\]{}#&*!|>%@`,-][^:#]*?|-[^\s][^:#]*?)"
                     r":(?:\s+|$)(?P<rest>.*)$")
_QUOTE_STARTS = {
    "*": "'*' at the start of a text starts an alias in YAML (for *sighs* write (sighs))",
    "&": "'&' at the start of a text starts an anchor in YAML",
    "@": "'@' cannot start unquoted text in YAML",
    "`": "'`' cannot start unquoted text in YAML",
    "%": "'%' cannot start unquoted text in YAML",
}


def _strip_comment(value: str) -> str:
    return re.split(r"(?:^|\s)#", value, maxsplit=1)[0].rstrip()


def _closing_quote(value: str) -> int:
    """Index of the quote that ends a quoted text starting at value[0]; -1 if none here."""
    q = value[0]
    i = 1
    while i < len(value):
        if q == '"' and value[i] == "\\":
            i += 2
            continue
        if value[i] == q:
            if q == "'" and value[i + 1:i + 2] == "'":  # '' is an escaped apostrophe
                i += 2
                continue
            return i
        i += 1
    return -1


def _line_syntax(value: str, is_key_value: bool) -> str | None:
    """What is certainly wrong with one value written on one line, in plain words."""
    v = value.rstrip()
    if not v:
        return None
    first = v[0]
    if first in "\"'":
        end = _closing_quote(v)
        if end < 0 or not _strip_comment(v[end + 1:]).strip():
            return None
        if first == "'":
            return (f"the text in 'single quotes' contains an apostrophe, which ends the text "
                    f"early (after {v[:end + 1]}); put the whole text in double quotes instead: "
                    f"\"{v[1:].rstrip(chr(39))}\"")
        return ("the text goes on after its closing double quote; put the whole text in one "
                "pair of double quotes and use single quotes for speech inside it, e.g. "
                "\"'Not great,' he says.\"")
    if first in "[{":
        try:
            yaml.safe_load(v)
            return None
        except yaml.YAMLError:
            pass
        if first == "[":
            return ("a text starting with '[' is read as a list; for a non-verbal cue use round "
                    "brackets, e.g. (nods), or put the whole text in double quotes")
        return ("a text starting with '{' is read as a mapping; put the whole text in double "
                "quotes, e.g. \"{activity}, maybe.\"")
    if first in _QUOTE_STARTS:
        return f"{_QUOTE_STARTS[first]}; put the whole text in double quotes"
    if is_key_value and ": " in _strip_comment(v) and first not in "|>":
        return ("the text contains a colon followed by a space (': '), which YAML reads as a "
                "new key; put the whole text in double quotes")
    return None


def _syntax_scan(text: str) -> dict[int, str]:
    """Line -> message for each line that is wrong on its own (used when parsing fails,
    so that every such line is reported at once, not only the first)."""
    found: dict[int, str] = {}
    block_indent = -1  # inside a `|` or `>` block: its lines are free text
    for n, raw in enumerate(text.splitlines(), 1):
        stripped = raw.lstrip(" ")
        indent = len(raw) - len(stripped)
        if not stripped or stripped.startswith("#"):
            continue
        if block_indent >= 0:
            if indent > block_indent:
                continue
            block_indent = -1
        body = stripped
        item_indent = indent
        while body.startswith("- ") or body == "-":
            body = body[2:].lstrip(" ")
            item_indent = len(raw) - len(body)
        m = _KEY_RE.match(body)
        value, is_kv = (m["rest"], True) if m else (body, False)
        if _strip_comment(value)[:1] in ("|", ">"):
            block_indent = indent if m else item_indent - 1
            continue
        if m is None and body is stripped:
            continue  # a continuation line of a multi-line text
        problem = _line_syntax(value, is_kv)
        if problem:
            found[n] = problem
    return found


def _indent_hint(lines: list[str], n: int) -> str | None:
    """Why line n (1-based) probably broke the parse, if its indentation is the cause."""
    if not 0 < n <= len(lines):
        return None
    line = lines[n - 1]
    indent = len(line) - len(line.lstrip(" "))
    prev = next((ln for ln in reversed(lines[:n - 1])
                 if ln.strip() and not ln.lstrip().startswith("#")), None)
    if prev is None:
        return None
    prev_indent = len(prev) - len(prev.lstrip(" "))
    body = line.lstrip(" ")
    if body.startswith("-") and indent < prev_indent and not prev.rstrip().endswith(":"):
        return (f"this list item is indented {indent} spaces but the entries above use "
                f"{prev_indent}; indent every '- ' of one list the same")
    if body.startswith("-") and prev.rstrip().endswith(":") and indent < prev_indent:
        return (f"this list item is indented less than the key above it; indent it at least "
                f"{prev_indent} spaces (as far as the key, or further)")
    if _KEY_RE.match(body) and indent != prev_indent and not prev.rstrip().endswith(":"):
        return (f"this line is indented {indent} spaces but the line before uses {prev_indent}; "
                "keys of one section must start in exactly the same column")
    return None


def _tab_problems(text: str, filename: str) -> list[Problem]:
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            out.append(Problem(filename, n, "tab character used for indentation; YAML needs "
                               "spaces (replace the tab with spaces, aligned with the lines "
                               "above)"))
    return out


def validate_text(text: str, filename: str, *, warnings: bool = False) -> list[Problem]:
    """All problems of one persona file's text; never raises.

    Warnings (severity "warning": the file works but something in it is unused or
    cannot happen) are left out unless asked for, because loaders reject a file on
    any returned problem; the CLI asks for them.
    """
    try:
        problems = _validate(text, filename)
        return problems if warnings else [p for p in problems if p.severity == "error"]
    except Exception as exc:  # noqa: BLE001 - a validator bug must not take a server down
        return [Problem(filename, 1, f"internal error in the persona validator "
                        f"({type(exc).__name__}: {exc}); please report this to the developers")]


# Shipped personas are about 25 KB; parsing a file of several MB blocks a reload for seconds.
MAX_CHARS = 1_000_000


def _validate(text: str, filename: str) -> list[Problem]:
    stem = Path(filename).stem
    if len(text) > MAX_CHARS:
        return [Problem(filename, 1, f"the file is too large ({len(text) // 1000} KB; the limit "
                        f"is {MAX_CHARS // 1000} KB, a persona is usually 20-30 KB); check that "
                        "it holds one persona and nothing pasted by mistake")]
    problems = _tab_problems(text, filename)
    tab_lines = {p.line for p in problems}
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        return [Problem(filename, 1, "the file is empty; a persona needs at least "
                        + ", ".join(f.name for f in PERSONA.fields if f.required))]
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        for p in _parse_problems(filename, err, text):
            # A tab often causes the parse error itself; the tab message says it better.
            if p.line not in tab_lines and p.line - 1 not in tab_lines:
                problems.append(p)
        return sorted(problems, key=lambda p: p.line)
    if root is None:
        return [Problem(filename, 1, "the file contains no persona")]
    if not isinstance(root, MappingNode):
        kind = "a list" if isinstance(root, SequenceNode) else "plain text"
        return problems + [Problem(filename, root.start_mark.line + 1, "the file must be a "
                                   f"mapping of fields (id: ..., name: ...), but it is {kind}")]
    checker = _Checker(filename)
    checker.lines[()] = 1
    data = checker.walk(root, PERSONA, ())
    if isinstance(data, dict):
        _check_semantics(checker, data, stem)
    problems += checker.problems
    return sorted(problems, key=lambda p: p.line)


def validate_file(path: str | Path, *, warnings: bool = False) -> list[Problem]:
    """All problems of one persona file (or why it cannot be read); never raises.

    `warnings`: as in validate_text.
    """
    name = str(path)
    try:
        p = Path(path)
        if p.is_dir():
            return [Problem(name, 1, "this is a directory, not a persona file; give a .yml file "
                            "(the `validate` command accepts directories)")]
        if not p.exists():
            return [Problem(name, 1, "file not found; check the path and the spelling")]
        raw = p.read_bytes()
    except OSError as exc:
        return [Problem(name, 1, f"cannot read the file ({exc.strerror or exc})")]
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return [Problem(name, 1, "the file is saved as UTF-16 (Unicode); save it as UTF-8 "
                        "(in Notepad: Save As, Encoding: UTF-8)")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return [Problem(name, line, "the file is not UTF-8 text (byte "
                        f"0x{raw[exc.start]:02x}); save it as UTF-8 in your editor")]
    return validate_text(text, name, warnings=warnings)


def _persona_files(paths: Iterable[str]) -> Iterator[str]:
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files = sorted(f for f in p.iterdir() if f.suffix in (".yml", ".yaml"))
            yield from (str(f) for f in files if not f.name.startswith("_") and f.is_file())
        elif p.name.startswith("_"):
            print(f"skipped {raw}: files starting with '_' are not personas", file=sys.stderr)
        else:
            yield raw


def default_persona_dir() -> Path:
    here = Path("data/personas")
    return here if here.is_dir() else Path(__file__).resolve().parent.parent / "data" / "personas"


def cli(paths: list[str]) -> int:
    """Print one `file:line: message` per problem and a summary; 1 if any problem."""
    files = list(_persona_files(paths or [str(default_persona_dir())]))
    n_problems = 0
    bad_files = 0
    for f in files:
        problems = validate_file(f, warnings=True)
        for p in problems:
            print(p)
        n_problems += len(problems)
        bad_files += bool(problems)
    s = "s" if len(files) != 1 else ""
    if n_problems:
        print(f"{len(files)} file{s} checked, {n_problems} problem{'s' * (n_problems != 1)} "
              f"in {bad_files} file{'s' * (bad_files != 1)}")
    else:
        print(f"{len(files)} file{s} checked, no problems")
    return 1 if n_problems else 0


# --- JSON Schema ---------------------------------------------------------------------------


def _line_pattern() -> str:
    names = "|".join(PLACEHOLDERS)
    return rf"^(?:[^{{}}]|\{{(?:{names})\}})*$"


def _situation_pattern() -> str:
    bases = "|".join(SITUATION_BASES)
    fixed = "|".join(re.escape(s) for s in FIXED_SITUATIONS)
    return (rf"^(?:(?:{bases})(?:@(?:{'|'.join(PHASES)}))?(?:\.(?:{'|'.join(BANDS)}))?"
            rf"|{fixed})$")


def spec_schema(spec: Spec) -> dict[str, Any]:
    """JSON Schema of one Spec (recursive)."""
    s: dict[str, Any] = {"description": spec.desc} if spec.desc else {}
    t = spec.type
    if t in ("text", "line"):
        s["type"] = "string"
        s["minLength"] = 1
        if spec.enum is not None:
            s["enum"] = list(spec.enum)
        if spec.pattern is not None:
            s["pattern"] = spec.pattern
        if t == "line":
            s["pattern"] = _line_pattern()
    elif t in ("int", "number"):
        s["type"] = "integer" if t == "int" else "number"
        if spec.minimum is not None:
            s["minimum"] = spec.minimum
        if spec.maximum is not None:
            s["maximum"] = spec.maximum
    elif t == "bool":
        s["type"] = "boolean"
    elif t == "list":
        s["type"] = "array"
        s["items"] = spec_schema(spec.item or Spec("text"))
        if spec.nonempty:
            s["minItems"] = 1
    elif t == "map":
        s["type"] = "object"
        s["properties"] = {f.name: spec_schema(f.spec) for f in spec.fields}
        required = [f.name for f in spec.fields if f.required]
        if required:
            s["required"] = required
        s["additionalProperties"] = False
    elif t == "dict":
        s["type"] = "object"
        if spec.situation_keys:
            s["propertyNames"] = {"pattern": _situation_pattern()}
        elif spec.key is not None and spec.key.enum is not None:
            s["propertyNames"] = {"enum": list(spec.key.enum)}
            # Listing the keys lets editors complete them.
            s["properties"] = {k: spec_schema(spec.value or Spec("text")) for k in spec.key.enum}
        s["additionalProperties"] = spec_schema(spec.value or Spec("text"))
    return s


def persona_schema() -> dict[str, Any]:
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://example.invalid/homework-rehearsal/persona.schema.json",
        "title": "Persona",
    }
    schema.update(spec_schema(PERSONA))
    # Situation keys are open-ended; list the plain ones so editors can complete them.
    lines = schema["properties"]["lines"]
    lines["properties"] = {k: spec_schema(PERSONA_LINES_VALUE) for k in
                           SITUATION_BASES + FIXED_SITUATIONS}
    return schema


PERSONA_LINES_VALUE: Spec = next(f.spec for f in PERSONA.fields if f.name == "lines").value or Spec(
    "list"
)


def schema_json() -> str:
    return json.dumps(persona_schema(), indent=2, ensure_ascii=False) + "\n"
