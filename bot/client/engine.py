"""The simulated client: a pure, deterministic state machine over trainee moves.

`start`, `step` and `finish` take a Persona and a ClientState and return a new state;
nothing is mutated and nothing is random except through a stable hash of
(seed, turn, situation), so a rehearsal replays identically. No Rasa imports.

Per turn the client decides one *situation* in the documented priority (rupture >
repair > sensitivity > belief > barrier disclosed > barrier resolved > counter-offer >
agreement / not yet / refusal > the move's own lines); sensitivity and belief lines may be
prefixed to the line that answers the move.
"""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from bot import moves
from bot.client.generic_lines import GENERIC_MOVE_LINES, GENERIC_NOT_YET
from bot.moves import CONDITIONS, DETAIL_QUESTIONS, STATE_KEYS
from bot.persona.model import Barrier, Belief, Persona, TriggerGroup

GUARDED_BELOW = 0.35
WARM_FROM = 0.65
# Diminishing returns: above this level a positive effect shrinks in proportion to the room
# left (at 0.75 it counts half, at 1.0 nothing), so only sustained skill reaches the top.
TAPER_FROM = 0.5
LOW_CONFIDENCE = 0.4
# A statement the NLU half-recognises as a reflection or an affirmation is safe to take as
# one: it asks nothing and proposes nothing, so reading it wrongly gives the client nothing
# to agree to, while dropping it answers a skilful reflection with "Sorry, what?".
UNSURE_SAFE_MOVES = frozenset({"reflect", "affirm"})
UNSURE_FLOOR = 0.2
RECENT_LINES = 12  # line ids remembered to avoid repeating a variant soon
# Floors every client has even when its file names no threshold: nobody signs up to a plan
# while guarded with the trainee (trust below GUARDED_BELOW) or with almost no wish to do
# it. A persona's own min_trust / min_willingness replaces the floor.
FLOOR_TRUST = GUARDED_BELOW
FLOOR_WILLINGNESS = 0.3

# Default effects of each move, following the between-session homework literature:
# rationale builds understanding, eliciting the client's ideas and collaboration build
# willingness, affirmation builds hope, reflective listening and repair build trust.
DEFAULT_EFFECTS: dict[str, dict[str, float]] = {
    "greet": {"trust": 0.02},
    "set_agenda": {"trust": 0.03, "understanding": 0.02},
    "review_plan": {"trust": 0.02},
    "explore_learning": {"understanding": 0.08, "hope": 0.05},
    "reflect": {"trust": 0.06},
    "affirm": {"hope": 0.06, "trust": 0.03},
    "ask_permission": {"trust": 0.05, "willingness": 0.02},
    "repair_rupture": {"trust": 0.06},
    "give_rationale": {"understanding": 0.15},
    "link_to_goals": {"willingness": 0.08, "understanding": 0.05, "hope": 0.03},
    "elicit_ideas": {"willingness": 0.08, "trust": 0.03},
    "propose_task": {},
    "specify_plan": {"willingness": 0.03},
    "explore_barriers": {"trust": 0.04, "willingness": 0.02},
    "problem_solve": {"willingness": 0.05, "hope": 0.04},
    "elicit_feedback": {"trust": 0.04, "willingness": 0.03},
    "check_understanding": {"understanding": 0.08},
    "summarize_plan": {"understanding": 0.03},
    "written_summary": {"understanding": 0.04, "willingness": 0.02},
    "goodbye": {},
    "off_topic": {"trust": -0.01},
}
# How it was said matters as much as what was said.
CUE_EFFECTS: dict[str, dict[str, float]] = {
    "open_question": {"trust": 0.02},
    "directive": {"trust": -0.04, "willingness": -0.02},
    "collaborative": {"willingness": 0.03, "trust": 0.01},
    "tentative": {"trust": 0.02},
}

PHASE_OF_MOVE: dict[str, str] = {
    "greet": "opening",
    "set_agenda": "opening",
    "review_plan": "review",
    "explore_learning": "review",
    "give_rationale": "design",
    "link_to_goals": "design",
    "elicit_ideas": "design",
    "propose_task": "design",
    "specify_plan": "design",
    "problem_solve": "design",
    "elicit_feedback": "design",
    "check_understanding": "design",
    "summarize_plan": "design",
    "written_summary": "design",
    "goodbye": "closing",
}
# Moves whose entities are plan details (talk about last week's plan is not a new plan).
PLAN_MOVES = frozenset(
    {
        "propose_task",
        "specify_plan",
        "problem_solve",
        "summarize_plan",
        "written_summary",
        "elicit_feedback",
        "check_understanding",
        "link_to_goals",
    }
)
CHECK_MOVES = frozenset(
    {
        "propose_task",
        "specify_plan",
        "summarize_plan",
        "elicit_feedback",
        "check_understanding",
        "written_summary",
    }
)
PUSH_MOVES = frozenset({"propose_task", "summarize_plan", "elicit_feedback", "written_summary"})
# Plan slots the NLU confuses with one another (see _slot_values).
LOOSE_SLOTS: tuple[str, ...] = ("activity", "day", "time_of_day", "place", "person")
# Moves of the problem-solving family: once the client has named an obstacle, "What if it
# were on your days off?" is problem-solving in substance whether it is read as a proposal,
# a detail question or a request for permission (the NLU confuses them, and so do human
# raters). Asked openly or tentatively while a named barrier is open, they count as
# problem_solve for resolving that barrier and as exploring for an objection.
SOLVING_FAMILY = frozenset({"problem_solve", "propose_task", "specify_plan", "ask_permission"})
PRESSURE_MOVES = frozenset({"propose_task", "summarize_plan", "written_summary"})
# "What do you think might help about trying it?" asked while a task is being designed asks
# for (or checks) the reason for it; the NLU often reads such questions as explore_learning.
# A blaming "why didn't you...?" asks for no reason to try anything.
RATIONALE_TALK = re.compile(
    r"\bwhy\b(?!\s+(?:didn't|did not|don't|do not|haven't|have not|won't|can't|couldn't|"
    r"wouldn't|not)\b)|\breasons?\b|\bhelp(?:s|ful)?\b|\bthe (?:idea|point)\b|"
    r"\bexperiment\b|\bso that\b",
    re.IGNORECASE,
)
# Moves that open the topic again after an objection, so a later proposal is not pressure.
EXPLORING_MOVES = frozenset(
    {
        "explore_barriers",
        "elicit_feedback",
        "reflect",
        "problem_solve",
        "repair_rupture",
        "elicit_ideas",
        "ask_permission",
        "give_rationale",
        "link_to_goals",
        "affirm",
    }
)
# A question asked twice is noticed; these moves may be repeated naturally.
REPEATABLE = frozenset(
    {"reflect", "affirm", "problem_solve", "specify_plan", "off_topic", "propose_task"}
)
# Follow-up questions of the same kind are ordinary ("How did it go?" then "Which days?"),
# so only a question whose wording nearly matches a recent one counts as asked twice.
RECENT_QUESTIONS = 4
SAME_QUESTION = 0.6  # Jaccard overlap of content words
_WORD_RE = re.compile(r"[a-z']+")
_FILLER = frozenset(
    "a an the and or so um uh er just i you your we it to of in on that this is was do did "
    "how what".split()
)
SPECIFIC_ENTITIES: tuple[str, ...] = ("day", "time_of_day", "frequency", "duration", "place",
                                      "person")
PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")
# Moves that are questions in substance: a closed question here gets a short answer.
QUESTION_MOVES = frozenset(
    {"review_plan", "explore_learning", "explore_barriers", "elicit_ideas", "link_to_goals",
     "set_agenda"}
)
# A closed form is natural for these, so it is no "closed question" the client reacts to:
# asking permission, asking for a paraphrase, and a confidence scale (checked on the text).
CLOSED_QUESTION_EXEMPT = frozenset({"ask_permission", "check_understanding"})
SCALE_RE = re.compile(r"\bscale\b|\bout of (?:10|ten)\b|\bhow (?:confident|likely|sure)\b|"
                      r"\b(?:0|zero|1|one)\s*(?:to|-|and)\s*(?:10|ten)\b", re.IGNORECASE)
# What a specify_plan question is about, by its words (the entities given count too).
DETAIL_WORDS: dict[str, re.Pattern[str]] = {
    "when": re.compile(r"\bwhen\b|what time|which days?\b|what days?\b|\bwhat point\b",
                       re.IGNORECASE),
    "where": re.compile(r"\bwhere\b|\bwhich place\b|\bwhat place\b", re.IGNORECASE),
    "how_long": re.compile(r"\bhow long\b|\bhow many minutes\b|\bhow much time\b",
                           re.IGNORECASE),
    "how_often": re.compile(r"\bhow often\b|\bhow many times\b|\bhow many days\b|"
                            r"\bhow frequently\b", re.IGNORECASE),
    "who": re.compile(r"\bwho\b|\bwhom\b|\bwith anyone\b|\banyone (?:else|with)\b",
                      re.IGNORECASE),
}
# Conditions that only say the trainee has not asked yet: a detail question is answered,
# not met with an objection.
ASKING_CONDITIONS = frozenset({"feedback_asked", "understanding_checked", "linked_to_goals",
                               "client_shaped", "rationale_understood", "min_specifics",
                               "first_proposal"})


# ---------------------------------------------------------------- data shapes


@dataclass
class TurnInput:
    text: str
    intent: str
    confidence: float = 0.95
    entities: list[dict[str, Any]] = field(default_factory=list)
    cues: dict[str, Any] = field(default_factory=moves.empty_cues)


def _empty_plan() -> dict[str, Any]:
    plan: dict[str, Any] = {"agreed": False}
    plan.update({e: None for e in moves.PLAN_ENTITIES})
    return plan


@dataclass
class ClientState:
    trust: float = 0.5
    hope: float = 0.5
    understanding: float = 0.5
    willingness: float = 0.5
    phase: str = "opening"
    rupture: bool = False
    disclosed: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    beliefs_active: list[str] = field(default_factory=list)
    beliefs_softened: list[str] = field(default_factory=list)
    plan: dict[str, Any] = field(default_factory=_empty_plan)
    client_shaped: bool = False
    rationale_heard: bool = False
    feedback_asked: bool = False
    understanding_checked: bool = False
    linked_to_goals: bool = False
    refused: bool = False
    turn: int = 0
    # Private bookkeeping (not part of public()).
    seed: int = 0
    recent_lines: list[str] = field(default_factory=list)
    move_counts: dict[str, int] = field(default_factory=dict)
    last_move: str | None = None
    ideas_elicited: bool = False
    proposals: int = 0
    failed_checks: int = 0
    objection_pending: str | None = None
    lecture_run: int = 0
    learning_shared: bool = False
    report_given: bool = False
    barrier_in_play: str | None = None
    activity_by: str | None = None  # "client" | "therapist": who put the activity on the table
    client_ideas: list[str] = field(default_factory=list)  # activities the client offered
    recent_questions: list[list[str]] = field(default_factory=list)  # [move, words] pairs

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(asdict(self))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ClientState:
        known = {f for f in cls.__dataclass_fields__}
        data = {k: copy.deepcopy(v) for k, v in d.items() if k in known}
        state = cls(**data)
        plan = _empty_plan()
        plan.update(state.plan or {})
        state.plan = plan
        return state

    def public(self) -> dict[str, Any]:
        return {
            "trust": round(self.trust, 3),
            "hope": round(self.hope, 3),
            "understanding": round(self.understanding, 3),
            "willingness": round(self.willingness, 3),
            "phase": self.phase,
            "rupture": self.rupture,
            "disclosed": list(self.disclosed),
            "resolved": list(self.resolved),
            "beliefs_active": list(self.beliefs_active),
            "plan": dict(self.plan),
            "client_shaped": self.client_shaped,
            "rationale_heard": self.rationale_heard,
            "feedback_asked": self.feedback_asked,
            "understanding_checked": self.understanding_checked,
            "linked_to_goals": self.linked_to_goals,
            "refused": self.refused,
            "turn": self.turn,
        }

    def band(self) -> str:
        if self.rupture:
            return "ruptured"
        if self.trust < GUARDED_BELOW:
            return "guarded"
        if self.trust >= WARM_FROM:
            return "warm"
        return "neutral"


@dataclass
class TurnResult:
    reply: str
    state: ClientState
    events: list[str] = field(default_factory=list)
    generic: bool = False


# ---------------------------------------------------------------- parsing plan values

WORD_NUMBERS: dict[str, float] = {
    "a": 1, "an": 1, "one": 1, "once": 1, "two": 2, "twice": 2, "couple": 2, "three": 3,
    "thrice": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "forty-five": 45, "fifty": 50, "sixty": 60, "ninety": 90, "few": 3, "several": 4,
}
WEEKDAYS: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                             "sunday")
_NUM = r"(\d+(?:\.\d+)?|" + "|".join(sorted(map(re.escape, WORD_NUMBERS), key=len,
                                            reverse=True)) + r")"


def _number(token: str) -> float:
    token = token.lower()
    return float(WORD_NUMBERS[token]) if token in WORD_NUMBERS else float(token)


def parse_minutes(value: str | None) -> float | None:
    """'10 minutes', 'ten minutes', 'half an hour', 'an hour and a half', '20-30 min' -> minutes.

    A range counts by its upper end: the client hears the most that is asked of them.
    """
    if not value:
        return None
    text = value.lower().replace("–", "-")
    total = 0.0
    found = False
    for phrase, minutes in (("half an hour", 30), ("half hour", 30), ("quarter of an hour", 15),
                            ("quarter hour", 15), ("three quarters of an hour", 45)):
        if phrase in text:
            total += minutes
            found = True
            text = text.replace(phrase, " ")  # so "an hour" inside it is not counted again
    for m in re.finditer(_NUM + r"(?:\s*-\s*" + _NUM + r")?\s*(hours?|hrs?|h\b)", text):
        total += _number(m.group(2) or m.group(1)) * 60
        found = True
    if re.search(r"hours?\s+and\s+a\s+half|and a half hours?", text):
        total += 30
    for m in re.finditer(_NUM + r"(?:\s*-\s*" + _NUM + r")?\s*(minutes?|mins?|m\b)", text):
        total += _number(m.group(2) or m.group(1))
        found = True
    return total if found else None


def parse_times_per_week(frequency: str | None, day: str | None = None) -> float | None:
    """'daily' -> 7, 'weekdays' -> 5, 'twice' -> 2, 'three times a week' -> 3, or count days."""
    text = (frequency or "").lower()
    if text:
        per_day = 1.0
        m = re.search(_NUM + r"\s+times?\s+(?:a|per|each)\s+day|twice\s+(?:a|per)\s+day", text)
        if m:
            per_day = 2.0 if m.group(1) is None else _number(m.group(1))
            return per_day * 7
        if re.search(r"every\s*day|daily|each day|every (?:morning|evening|night|afternoon)|"
                     r"each (?:morning|evening|night)|7 days|seven days", text):
            return 7.0
        if "every other day" in text or "alternate days" in text:
            return 4.0
        if "weekday" in text:
            return 5.0
        if "weekend" in text:
            return 2.0
        if re.search(r"\b(weekly|once a week|one time)\b", text):
            return 1.0
        m = re.search(_NUM + r"\s+(?:times?|days?|sessions?|mornings?|evenings?)", text)
        if m:
            return _number(m.group(1))
        m = re.search(r"\b(once|twice|thrice)\b", text)
        if m:
            return _number(m.group(1))
        m = re.search(r"\d+", text)
        if m:
            return float(m.group(0))
    return _days_count(day)


def _days_count(day: str | None) -> float | None:
    if not day:
        return None
    text = day.lower()
    if re.search(r"every\s*day|daily", text):
        return 7.0
    if "weekday" in text:
        return 5.0
    n = sum(1 for d in WEEKDAYS if d in text or re.search(rf"\b{d[:3]}\b", text))
    if "weekend" in text:
        n += 2
    return float(n) if n else None


# ---------------------------------------------------------------- helpers


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def _apply(state: ClientState, effects: dict[str, float], scale: float = 1.0) -> None:
    for key, delta in effects.items():
        if key in STATE_KEYS:
            value = getattr(state, key)
            change = delta * scale
            if change > 0 and value > TAPER_FROM:
                change *= (1.0 - value) / (1.0 - TAPER_FROM)
            setattr(state, key, _clamp(value + change))


def _stable_index(seed: int, turn: int, situation: str, n: int) -> int:
    digest = hashlib.sha256(f"{seed}|{turn}|{situation}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % n


def _entity_values(turn: TurnInput) -> dict[str, str]:
    values: dict[str, list[str]] = {}
    for ent in turn.entities or []:
        name = str(ent.get("entity", ""))
        raw = ent.get("value")
        items = raw if isinstance(raw, list) else [raw]
        for item in items:
            if item is None or str(item).strip() == "":
                continue
            text = str(item).strip()
            if text not in values.setdefault(name, []):
                values[name].append(text)
    return {k: " and ".join(v) for k, v in values.items() if v}


def _contains_any(text: str | None, needles: tuple[str, ...]) -> bool:
    low = (text or "").lower()
    return any(n.lower() in low for n in needles if n)


def _specifics(plan: dict[str, Any]) -> int:
    return sum(1 for e in SPECIFIC_ENTITIES if plan.get(e))


@dataclass
class _Ctx:
    """Everything one turn knows while it is being answered."""

    persona: Persona
    state: ClientState
    move: str
    turn_values: dict[str, str]
    events: list[str] = field(default_factory=list)
    barrier: Barrier | None = None
    extra: dict[str, str] = field(default_factory=dict)
    text: str = ""
    closed_counts: bool = False  # a closed question the client reacts to as one
    open_asked: bool = False  # an open question or a scale question
    disclosed_now: bool = False  # this turn's main line is a barrier disclosure
    solving: bool = False  # a problem-solving question about a named, open barrier
    rationale_talk: bool = False  # a design-phase question about the task's reason

    def values(self) -> dict[str, str]:
        vals: dict[str, str] = {}
        for e in moves.PLAN_ENTITIES:
            v = self.state.plan.get(e) or self.turn_values.get(e)
            if v:
                vals[e] = str(v)
        if self.barrier is not None:
            vals["barrier"] = self.barrier.summary
        if self.persona.goals:
            vals["goal"] = self.persona.goals[0]
        if self.persona.last_week.plan:
            vals["last_plan"] = str(self.persona.last_week.plan)
        vals["name"] = self.persona.name
        vals.update(self.extra)
        return vals


def _fill(line: str, values: dict[str, str]) -> str | None:
    names = PLACEHOLDER_RE.findall(line)
    if any(not values.get(n) for n in names):
        return None
    def sub(m: re.Match[str]) -> str:
        value = values[m.group(1)]
        before = line[: m.start()].rstrip()
        # A value opening a sentence ("a short walk, before work.") gets a capital letter.
        if (not before or before[-1] in ".!?)") and not before.endswith("..."):
            value = value[:1].upper() + value[1:]
        return value

    return PLACEHOLDER_RE.sub(sub, line)


def _choose(
    ctx: _Ctx, levels: list[tuple[str, tuple[str, ...], bool]],
    prefer: set[str] | frozenset[str] = frozenset(),
) -> tuple[str, bool] | None:
    """Pick a line from the first level that has a usable one; record it as recent.

    levels: (situation key, variants, generic?). A variant is usable when its placeholders
    have values and it is not the line said last; among usable ones, variants not said
    recently are preferred, so a rehearsal cycles through a persona's voice.
    """
    state = ctx.state
    values = ctx.values()
    last = state.recent_lines[-1] if state.recent_lines else None
    for key, variants, generic in levels:
        usable: list[tuple[str, str]] = []
        preferred: list[tuple[str, str]] = []
        for i, raw in enumerate(variants):
            line_id = f"{'generic:' if generic else ''}{key}#{i}"
            text = _fill(raw, values)
            if text is None or line_id == last:
                continue
            usable.append((line_id, text))
            if prefer and prefer & set(PLACEHOLDER_RE.findall(raw)):
                preferred.append((line_id, text))
        if preferred:  # voice what this turn is about (the detail just given, ...)
            usable = preferred
        if not usable:
            continue
        fresh = [u for u in usable if u[0] not in state.recent_lines]
        pool = fresh or usable
        line_id, text = pool[_stable_index(state.seed, state.turn, key, len(pool))]
        state.recent_lines = (state.recent_lines + [line_id])[-RECENT_LINES:]
        return text, generic
    return None


def _move_levels(persona: Persona, key: str, band: str, phase: str
                 ) -> list[tuple[str, tuple[str, ...], bool]]:
    """Specific before generic: key@phase.band, key@phase, key.band, key, built-in."""
    lines = persona.lines
    out: list[tuple[str, tuple[str, ...], bool]] = []
    for k in (f"{key}@{phase}.{band}", f"{key}@{phase}", f"{key}.{band}", key):
        if lines.get(k):
            out.append((k, lines[k], False))
    if key in GENERIC_MOVE_LINES:
        out.append((key, GENERIC_MOVE_LINES[key], True))
    return out


def _say_move(ctx: _Ctx, key: str, before_generic: list[tuple[str, tuple[str, ...], bool]]
              | None = None, prefer: set[str] | frozenset[str] = frozenset()
              ) -> tuple[str, bool]:
    levels = _move_levels(ctx.persona, key, ctx.state.band(), ctx.state.phase)
    if before_generic:
        # Persona material that is not a `lines` key (report, learning) sits before the
        # unqualified move lines but after band/phase-specific ones.
        specific = [lv for lv in levels if lv[0] != key and not lv[2]]
        rest = [lv for lv in levels if lv[0] == key or lv[2]]
        levels = specific + before_generic + rest
    chosen = _choose(ctx, levels, prefer)
    if chosen is None:  # every variant skipped for missing placeholders: stay in voice
        chosen = _choose(ctx, [("fallback", ("Mm.", "(nods)", "OK."), True)]) or ("Mm.", True)
    return chosen


def _say_list(ctx: _Ctx, key: str, variants: tuple[str, ...], fallback_key: str
              ) -> tuple[str, bool]:
    levels: list[tuple[str, tuple[str, ...], bool]] = []
    if variants:
        levels.append((key, variants, False))
    generic = GENERIC_MOVE_LINES.get(fallback_key) or GENERIC_NOT_YET.get(fallback_key, ())
    levels.append((fallback_key, generic, True))
    levels.append(("fallback", ("Mm.", "(nods)", "OK."), True))
    return _choose(ctx, levels) or ("Mm.", True)


# ---------------------------------------------------------------- task features & agreement


def _task_features(persona: Persona, state: ClientState, move: str, cues: dict[str, Any],
                   proposed: dict[str, Any]) -> set[str]:
    limits = persona.task_limits
    feats: set[str] = set()
    if not proposed.get("activity") and move != "propose_task":
        return feats
    minutes = parse_minutes(proposed.get("duration"))
    times = parse_times_per_week(proposed.get("frequency"), proposed.get("day"))
    if limits.max_duration_minutes is not None and minutes is not None \
            and minutes > limits.max_duration_minutes:
        feats.add("large")
    if limits.max_times_per_week is not None and times is not None \
            and times > limits.max_times_per_week:
        feats.add("large")
    if move in ("propose_task", "summarize_plan", "written_summary") and _specifics(proposed) < 2:
        feats.add("vague")
    if move == "propose_task" and cues.get("directive") and not state.ideas_elicited:
        feats.add("imposed")
    if _contains_any(proposed.get("activity"), limits.frightening_activities):
        feats.add("frightening")
    if _contains_any(proposed.get("activity"), limits.evaluative_activities):
        feats.add("evaluative")
    if proposed.get("activity") and state.activity_by == "therapist":
        feats.add("not_client_idea")
    return feats


def within_limits(persona: Persona, plan: dict[str, Any]) -> bool:
    limits = persona.task_limits
    minutes = parse_minutes(plan.get("duration"))
    times = parse_times_per_week(plan.get("frequency"), plan.get("day"))
    if limits.max_duration_minutes is not None and minutes is not None \
            and minutes > limits.max_duration_minutes:
        return False
    if limits.max_times_per_week is not None and times is not None \
            and times > limits.max_times_per_week:
        return False
    return not _contains_any(plan.get("activity"), limits.disliked_activities)


def unmet_conditions(persona: Persona, state: ClientState) -> list[str]:
    """Agreement conditions that do not hold, in the order the persona file lists them."""
    req = persona.agreement.requires
    order = [c for c in req if c in CONDITIONS] or []
    unmet: list[str] = []
    for cond in order:
        want = req[cond]
        ok = True
        if cond == "rationale_understood" and want:
            ok = state.understanding >= 0.5
        elif cond == "client_shaped" and want:
            ok = state.client_shaped
        elif cond == "min_specifics":
            ok = _specifics(state.plan) >= int(want or 0)
        elif cond == "barriers_resolved":
            ok = all(b in state.disclosed and b in state.resolved for b in (want or []))
        elif cond == "within_task_limits" and want:
            ok = within_limits(persona, state.plan)
        elif cond == "feedback_asked" and want:
            ok = state.feedback_asked
        elif cond == "understanding_checked" and want:
            ok = state.understanding_checked
        elif cond == "linked_to_goals" and want:
            ok = state.linked_to_goals
        elif cond == "min_trust":
            ok = state.trust >= float(want or 0)
        elif cond == "min_willingness":
            ok = state.willingness >= float(want or 0)
        elif cond == "no_open_rupture" and want:
            ok = not state.rupture
        elif cond == "beliefs_softened":
            ok = not any(b in state.beliefs_active for b in (want or []))
        if not ok:
            unmet.append(cond)
    if "min_trust" not in req and state.trust < FLOOR_TRUST:
        unmet.append("min_trust")
    if "min_willingness" not in req and state.willingness < FLOOR_WILLINGNESS:
        unmet.append("min_willingness")
    if not state.plan.get("activity"):
        unmet.insert(0, "activity")
    return unmet


# ---------------------------------------------------------------- public API


def initial_state(persona: Persona, seed: int) -> ClientState:
    start = persona.state.start
    return ClientState(
        trust=float(start.get("trust", 0.5)),
        hope=float(start.get("hope", 0.5)),
        understanding=float(start.get("understanding", 0.5)),
        willingness=float(start.get("willingness", 0.5)),
        seed=int(seed),
    )


def start(persona: Persona, seed: int) -> TurnResult:
    state = initial_state(persona, seed)
    ctx = _Ctx(persona, state, "opening", {})
    reply, generic = _say_move(ctx, "opening")
    return TurnResult(reply, state, ["phase:opening"], generic)


def finish(persona: Persona, state: ClientState) -> TurnResult:
    s = ClientState.from_dict(state.to_dict())
    events: list[str] = []
    if s.phase != "closing":
        s.phase = "closing"
        events.append("phase:closing")
    if not s.plan.get("agreed") and not s.refused:
        s.refused = True
        events.append("plan_refused")
    ctx = _Ctx(persona, s, "end", {}, events)
    key = "closing.agreed" if s.plan.get("agreed") else "closing.not_agreed"
    reply, generic = _say_move(ctx, key)
    return TurnResult(reply, s, events, generic)


def step(persona: Persona, state: ClientState, turn: TurnInput) -> TurnResult:
    s = ClientState.from_dict(state.to_dict())
    s.turn += 1
    move = turn.intent
    cues = {**moves.empty_cues(), **(turn.cues or {})}
    ctx = _Ctx(persona, s, move, _entity_values(turn), text=turn.text or "")
    scale_question = bool(SCALE_RE.search(ctx.text))
    ctx.open_asked = cues.get("question") == "open" or scale_question
    ctx.closed_counts = cues.get("question") == "closed" and not (
        move in CLOSED_QUESTION_EXEMPT or (move == "elicit_feedback" and scale_question))
    ctx.solving = _solving(s, move, cues)
    ctx.rationale_talk = _rationale_talk(s, move, cues, ctx.text)

    if move == moves.FALLBACK or move not in moves.MOVES or (
            turn.confidence < LOW_CONFIDENCE and not unsure_but_safe(move, turn.confidence,
                                                                     ctx.text, cues)):
        ctx.events.append("not_understood")
        reply, generic = _say_move(ctx, "not_understood")
        return TurnResult(reply, s, ctx.events, generic)

    repeated = move not in REPEATABLE and _asked_before(s, move, ctx.text)
    prior_count = s.move_counts.get(move, 0)
    s.move_counts[move] = prior_count + 1
    s.last_move = move
    pre = ClientState.from_dict(s.to_dict())  # for "already holds" on a first proposal

    _phase(ctx)
    _effects(ctx, cues, prior_count)
    _flags(ctx, cues)
    plan_changed = _absorb_plan(ctx)
    if move in ("elicit_feedback", "check_understanding") and s.plan.get("activity"):
        # "How does that sound?" with no task on the table asks for no view of a plan, and
        # there is nothing to put in one's own words yet.
        s.feedback_asked = True
        s.understanding_checked = s.understanding_checked or move == "check_understanding"
    detail = _client_details(ctx) if move == "specify_plan" else None
    plan_changed = plan_changed or bool(detail and detail[1])
    if move == "goodbye":
        return _goodbye(ctx)

    prefixes: list[str] = []
    generic_main = False

    # 1. rupture and repair
    sens = _sensitivity(ctx, cues, plan_changed)
    if sens is not None and sens[0] == "rupture":
        # A client who has just shut down takes none of this turn's details on board.
        s.plan = dict(pre.plan)
        s.activity_by = pre.activity_by
        ctx.events = [e for e in ctx.events if not e.startswith("plan_detail:")]
        return TurnResult(sens[1], s, ctx.events, sens[2])
    if move == "repair_rupture" and s.rupture:
        # The line answers from inside the rupture (`repair_rupture.ruptured` first).
        reply, generic = _say_move(ctx, "repair_rupture")
        s.rupture = False
        s.refused = False
        s.failed_checks = 0
        s.objection_pending = None
        _apply(s, {"trust": 0.1, "willingness": 0.05})
        ctx.events.append("repair")
        return TurnResult(reply, s, ctx.events, generic)

    # 2. beliefs: activation (line prefixed), softening (own line)
    feats = _task_features(persona, s, move, cues, s.plan) if move in CHECK_MOVES else set()
    belief_line = _beliefs(ctx, cues, feats)
    if sens is not None:
        kind, line, gen, replace = sens
        if replace:
            # The reaction is the whole answer; what the trainee put into the plan stays
            # there (the client did not counter it). A short yes/no may carry the belief
            # behind it ("No. I know, I should've just done it.").
            if belief_line is not None and kind == "closed_question":
                return TurnResult(f"{line} {belief_line}", s, ctx.events, False)
            return TurnResult(line, s, ctx.events, gen)
        prefixes.append(line)
    if belief_line is not None:
        prefixes.append(belief_line)

    main: tuple[str, bool] | None = None
    if belief_line is None:
        main = _softening(ctx, cues)
    if main is None and not s.rupture:
        main = _barriers(ctx, plan_changed)
    countered = _counter_offer(ctx) if move in PLAN_MOVES and not s.rupture else {}
    if main is None and countered:
        main = _counter_line(ctx, set(countered))
    if main is None and belief_line is None and move in CHECK_MOVES and s.plan.get("activity") \
            and not s.plan.get("agreed"):
        main = _agreement(ctx, pre, detail[0] if detail else None, grated=sens is not None)
    if main is not None and move == "elicit_ideas":
        # A barrier or a softened belief comes first, but the client's idea still counts.
        idea = _idea(ctx, only_if_offered=True)
        if idea is not None:
            main = (f"{main[0]} {idea[0]}", main[1] and idea[1])
    if main is not None and ctx.disclosed_now and move == "review_plan" \
            and not s.report_given and persona.last_week.report:
        # Last week's report is the answer to the question; the barrier follows it.
        report = _move_line(ctx)
        main = (f"{report[0]} {main[0]}", main[1] and report[1])
    if belief_line is not None and main is None:
        return TurnResult(" ".join(prefixes), s, ctx.events, False)
    if main is None and repeated:
        main = _repeat(ctx)
    if main is None:
        main = _move_line(ctx, detail[0] if detail else None)
    reply, generic_main = main
    if len(prefixes) > 1:  # at most one reaction before the answer, or it reads as a speech
        prefixes = prefixes[-1:]
    return TurnResult(" ".join(prefixes + [reply]), s, ctx.events, generic_main)


# ---------------------------------------------------------------- turn stages


def unsure_but_safe(move: str, confidence: float, text: str, cues: dict[str, Any]) -> bool:
    """A low-confidence reading that may still be taken (see UNSURE_SAFE_MOVES): a statement,
    not a question, and no instruction."""
    return (move in UNSURE_SAFE_MOVES and confidence >= UNSURE_FLOOR and "?" not in text
            and not cues.get("directive"))


def _solving(s: ClientState, move: str, cues: dict[str, Any]) -> bool:
    """Whether this turn works on an obstacle the client has named (see SOLVING_FAMILY)."""
    if move not in SOLVING_FAMILY or cues.get("directive"):
        return False
    if move != "problem_solve" and not (cues.get("question") == "open" or cues.get("tentative")):
        return False  # a flat proposal or instruction is not an invitation to solve it together
    return any(b not in s.resolved for b in s.disclosed)


def _rationale_talk(s: ClientState, move: str, cues: dict[str, Any], text: str) -> bool:
    """Whether an explore_learning turn is, in substance, a question about why to do the task
    (see RATIONALE_TALK): asked, not told, and while a task is being designed or is on the
    table (stepping back to last week's evidence to frame a proposed task is still about it)."""
    designing = s.phase == "design" or bool(s.plan.get("activity"))
    if move != "explore_learning" or not designing or cues.get("directive"):
        return False
    asked = cues.get("question") in ("open", "closed") or "?" in text
    return asked and bool(RATIONALE_TALK.search(text))


def _phase(ctx: _Ctx) -> None:
    s = ctx.state
    new = PHASE_OF_MOVE.get(ctx.move)
    if ctx.rationale_talk:
        new = None  # talking about the task's reason is still designing it
    if ctx.move == "explore_barriers" and s.phase == "opening":
        new = "review"
    if ctx.move == "explore_barriers" and s.phase == "review":
        new = None  # "what got in the way last week" stays in the review
    if new and new != s.phase:
        s.phase = new
        ctx.events.append(f"phase:{new}")


def _effects(ctx: _Ctx, cues: dict[str, Any], prior_count: int) -> None:
    s = ctx.state
    # Diminishing returns: the third rationale in a row adds little.
    scale = 1.0 if prior_count < 2 else 0.5
    _apply(s, DEFAULT_EFFECTS.get(ctx.move, {}), scale)
    _apply(s, ctx.persona.state.effects.get(ctx.move, {}), scale)
    if ctx.rationale_talk:
        # It builds understanding as a rationale does (once the reading's own share is paid).
        gain = (DEFAULT_EFFECTS["give_rationale"].get("understanding", 0.0)
                - DEFAULT_EFFECTS.get(ctx.move, {}).get("understanding", 0.0)
                + ctx.persona.state.effects.get("give_rationale", {}).get("understanding", 0.0))
        _apply(s, {"understanding": max(gain, 0.0)}, scale)
    if cues.get("question") == "open":
        _apply(s, CUE_EFFECTS["open_question"])
    for cue in ("directive", "collaborative", "tentative"):
        if cues.get(cue):
            _apply(s, CUE_EFFECTS[cue])


def _flags(ctx: _Ctx, cues: dict[str, Any]) -> None:
    s, move = ctx.state, ctx.move
    if move == "give_rationale" or ctx.rationale_talk:
        s.rationale_heard = True
    if move == "check_understanding" and s.rationale_heard:
        # Putting it in one's own words consolidates the rationale.
        _apply(s, {"understanding": 0.05})
    if move == "link_to_goals":
        s.linked_to_goals = True
    if move == "elicit_ideas":
        s.ideas_elicited = True
        s.client_shaped = True
    if move in ("propose_task", "specify_plan", "problem_solve") and (
        cues.get("tentative") or cues.get("collaborative")
    ) and not cues.get("directive"):
        s.client_shaped = True
    # Answering an objection with a rationale counts only if it invites a response.
    if ctx.solving or (move in EXPLORING_MOVES and (
        move not in ("give_rationale", "link_to_goals") or cues.get("question") != "none"
    )):
        s.objection_pending = None
    # A lecture is rationale/proposal after rationale/proposal without asking anything.
    if move in ("give_rationale", "propose_task") and cues.get("question") == "none":
        s.lecture_run += 1
    else:
        s.lecture_run = 0
    if move == "propose_task":
        s.proposals += 1


def _absorb_plan(ctx: _Ctx) -> bool:
    """Take this turn's plan entities; return whether the plan changed."""
    s = ctx.state
    if ctx.move not in PLAN_MOVES or s.plan.get("agreed") and ctx.move == "written_summary":
        return False
    changed = False
    for ent in moves.PLAN_ENTITIES:
        value = ctx.turn_values.get(ent)
        if value and s.plan.get(ent) != value:
            s.plan[ent] = value
            changed = True
            ctx.events.append(f"plan_detail:{ent}={value}")
            if ent == "activity":
                # The trainee naming the client's own idea back is still the client's idea.
                own = any(_same_activity(value, idea) for idea in s.client_ideas)
                s.activity_by = "client" if own else "therapist"
    if ctx.turn_values.get("day") and not ctx.turn_values.get("frequency") \
            and s.plan.get("frequency"):
        days = _days_count(s.plan["day"])
        if days and days >= 2 and days != parse_times_per_week(s.plan["frequency"]):
            s.plan["frequency"] = None  # named days replace an older "how often"
    if changed and s.plan.get("agreed"):
        # A changed plan is a new plan: the client has to agree to it again.
        s.plan["agreed"] = False
    return changed


def _same_activity(a: str, b: str) -> bool:
    x, y = a.lower().strip(), b.lower().strip()
    for art in ("the ", "a ", "an ", "my ", "your "):
        x, y = x.removeprefix(art), y.removeprefix(art)
    return bool(x and y) and (x in y or y in x)


def _asked_details(ctx: _Ctx) -> list[str]:
    """Which details a specify_plan turn asks about, in the order the text names them."""
    found = sorted((m.start(), d) for d, rx in DETAIL_WORDS.items()
                   if (m := rx.search(ctx.text)))
    asked = [d for _, d in found]
    for d, ents in DETAIL_QUESTIONS.items():  # a detail offered ("Wednesday?") is asked about
        if d not in asked and any(ctx.turn_values.get(e) for e in ents):
            asked.append(d)
    return asked


def _client_details(ctx: _Ctx) -> tuple[str | None, bool]:
    """(detail asked about, whether the client's own choice went into the plan).

    Asked about a detail the trainee gives no value for and the plan lacks, the client
    answers with its own choice (task_limits.preferences, else its counter_offer) and the
    plan takes it.
    """
    p, s = ctx.persona, ctx.state
    asked = _asked_details(ctx)
    if not asked or s.plan.get("agreed"):
        return (asked[0] if asked else None), False
    limits = p.task_limits
    changed = False
    for d in asked:
        for ent in DETAIL_QUESTIONS[d]:
            if ctx.turn_values.get(ent) or s.plan.get(ent):
                continue
            value = limits.preferences.get(ent) or limits.counter_offer.get(ent)
            if not value:
                continue
            s.plan[ent] = value
            ctx.events.append(f"plan_detail:{ent}={value}")
            s.client_shaped = True  # the client's own detail shapes the plan
            changed = True
            break  # one value answers the question ("when": a time of day or a day)
    return asked[0], changed


def _goodbye(ctx: _Ctx) -> TurnResult:
    s = ctx.state
    if not s.plan.get("agreed") and not s.refused:
        s.refused = True
        ctx.events.append("plan_refused")
    key = "closing.agreed" if s.plan.get("agreed") else "closing.not_agreed"
    reply, generic = _say_move(ctx, key)
    return TurnResult(reply, s, ctx.events, generic)


def _sensitivity(ctx: _Ctx, cues: dict[str, Any], plan_changed: bool
                 ) -> tuple[str, str, bool, bool] | None:
    """Return (kind or 'rupture', line, generic, replace) of the strongest reaction."""
    p, s, move = ctx.persona, ctx.state, ctx.move
    fired: list[str] = []
    # Pressure: pushing again after an objection or refusal, with nothing explored in between
    # and nothing changed (or changed to something the client has already said is too much).
    # It needs a real push: an instruction, or a proposal restated without asking anything.
    # A tentative, collaborative or questioning turn asks; it does not push (a misread
    # "Shall I write it down for you?" must not cost a skilful trainee the client).
    pushing = (bool(cues.get("directive")) or cues.get("question") == "none") \
        and not cues.get("tentative") and not cues.get("collaborative") \
        and cues.get("question") != "open"
    # Offering a written record ("I'll write it on a card for you") hands something over;
    # it pushes only when worded as an instruction.
    if move == "written_summary":
        pushing = bool(cues.get("directive"))
    if move in PRESSURE_MOVES and (s.objection_pending or s.refused) \
            and pushing and not ctx.solving \
            and (not plan_changed or not within_limits(p, s.plan)):
        fired.append("pressure")
    if s.lecture_run >= 2:  # the lecture is what the client reacts to, not its wording
        fired.append("lecture")
        _apply(s, {"understanding": -0.1})
    if cues.get("directive"):
        fired.append("directive")
    if cues.get("homework_term"):
        fired.append("homework_term")
    if ctx.closed_counts and move in QUESTION_MOVES:
        fired.append("closed_question")
    if move == "affirm" and s.trust < WARM_FROM:
        fired.append("praise")
    chosen: tuple[str, str, bool, bool] | None = None
    for kind in fired:
        sens = p.sensitivities.get(kind)
        if sens is None:
            continue
        _apply(s, {"trust": -sens.strength, "willingness": -sens.strength / 2})
        ctx.events.append(f"sensitivity:{kind}")
        if chosen is not None:
            continue
        if sens.rupture and not s.rupture:
            s.rupture = True
            ctx.events.append(f"rupture:{kind}")
            line, gen = _say_list(ctx, f"sensitivity.{kind}", sens.lines, "no_open_rupture")
            chosen = ("rupture", line, gen, True)
            continue
        if not sens.lines:
            continue
        line, gen = _say_list(ctx, f"sensitivity.{kind}", sens.lines, "fallback")
        # Reactions that *are* the answer replace it; a word that grates is said first.
        replace = kind in ("closed_question", "lecture", "praise", "pressure")
        chosen = (kind, line, gen, replace)
    return chosen


def _beliefs(ctx: _Ctx, cues: dict[str, Any], feats: set[str]) -> str | None:
    s, line = ctx.state, None
    for belief in ctx.persona.beliefs:
        if belief.id in s.beliefs_active:
            continue
        t = belief.triggers
        # Once softened, only the task or the wording can bring a belief back, not the bare
        # move: otherwise every later proposal would undo the trainee's work.
        softened = belief.id in s.beliefs_softened
        # A proposal asked openly about a named obstacle is problem-solving in substance
        # (SOLVING_FAMILY): it sets off what problem-solving would, not what a proposal would.
        trigger_move = "problem_solve" if ctx.solving else ctx.move
        by_move = trigger_move in t.moves and not softened
        hit = (by_move or any(_cue_on(ctx, cues, c) for c in t.cues)
               or any(f in feats for f in t.task)
               or any(_group_holds(ctx, cues, feats, g, softened) for g in t.all))
        if not hit:
            continue
        s.beliefs_active.append(belief.id)
        if belief.id in s.beliefs_softened:
            s.beliefs_softened.remove(belief.id)
        _apply(s, belief.effects)
        ctx.events.append(f"belief_activated:{belief.id}")
        if line is None and belief.lines:
            line = _say_list(ctx, f"belief.{belief.id}", belief.lines, "fallback")[0]
    return line


def _group_holds(ctx: _Ctx, cues: dict[str, Any], feats: set[str], g: TriggerGroup,
                 softened: bool) -> bool:
    """Every part of a trigger combination holds (any listed value within a part)."""
    if g.moves and (ctx.move not in g.moves or (softened and not (g.cues or g.task))):
        return False
    if g.cues and not any(_cue_on(ctx, cues, c) for c in g.cues):
        return False
    if g.task and not any(f in feats for f in g.task):
        return False
    if g.phase and ctx.state.phase not in g.phase:
        return False
    return bool(g.moves or g.cues or g.task)


def _cue_on(ctx: _Ctx, cues: dict[str, Any], cue: str) -> bool:
    if cue == "closed_question":
        return ctx.closed_counts
    if cue == "open_question":
        return cues.get("question") == "open"
    return bool(cues.get(cue))


def _softening(ctx: _Ctx, cues: dict[str, Any]) -> tuple[str, bool] | None:
    s, out = ctx.state, None
    for belief in list(_active_beliefs(ctx)):
        sb = belief.softened_by
        if ctx.move in sb.moves or any(_cue_on(ctx, cues, c) for c in sb.cues):
            s.beliefs_active.remove(belief.id)
            s.beliefs_softened.append(belief.id)
            # Undo the belief's pull and a little more: the client has seen past it.
            _apply(s, {k: -v for k, v in belief.effects.items()})
            _apply(s, {"hope": 0.03})
            ctx.events.append(f"belief_softened:{belief.id}")
            if out is None:
                out = _say_list(ctx, f"softened.{belief.id}", belief.softened_lines,
                                "belief_softened")
    return out


def _active_beliefs(ctx: _Ctx) -> list[Belief]:
    return [b for b in ctx.persona.beliefs if b.id in ctx.state.beliefs_active]


def _barriers(ctx: _Ctx, plan_changed: bool) -> tuple[str, bool] | None:
    p, s, move = ctx.persona, ctx.state, ctx.move
    # Resolution first: it refers to a barrier named on an earlier turn.
    for b in p.barriers:
        if b.id not in s.disclosed or b.id in s.resolved:
            continue
        if _resolves(b, move, s.plan, plan_changed, ctx.solving):
            s.resolved.append(b.id)
            s.barrier_in_play = b.id
            _apply(s, {"willingness": 0.08, "hope": 0.05})
            ctx.events.append(f"barrier_resolved:{b.id}")
            ctx.barrier = b
            return _say_list(ctx, f"resolved.{b.id}", b.resolved_lines, "barrier_resolved")
    for b in p.barriers:
        if b.id in s.disclosed:
            continue
        # A doubt kept from a leading question comes out only when asked openly.
        asked = move in b.disclose_on and (ctx.open_asked or not b.disclose_needs_open_question)
        said_early = not b.hidden and move in ("review_plan", "propose_task", "elicit_ideas",
                                               "specify_plan", "explore_barriers")
        # Initiative: a client who trusts the trainee raises the objection unasked.
        unasked = b.hidden and b.volunteers and move in PUSH_MOVES and s.trust >= WARM_FROM
        if asked or said_early or unasked:
            s.disclosed.append(b.id)
            s.barrier_in_play = b.id
            _apply(s, {"trust": 0.02})
            ctx.events.append(f"barrier_disclosed:{b.id}")
            ctx.barrier = b
            ctx.disclosed_now = True
            return _say_list(ctx, f"barrier.{b.id}", b.lines, "explore_barriers")
    return None


def _resolves(b: Barrier, move: str, plan: dict[str, Any], plan_changed: bool,
              solving: bool = False) -> bool:
    by_move = move in b.resolved_by.moves or (solving and "problem_solve" in b.resolved_by.moves)
    details = b.resolved_by.details
    if details:
        matched = any(_contains_any(value, vals) for ent, vals in details.items()
                      for value in _slot_values(plan, ent))
        return matched and (by_move or move in PLAN_MOVES)
    return by_move


def _slot_values(plan: dict[str, Any], ent: str) -> list[Any]:
    """Plan values a barrier's `resolved_by.details` entry is matched against.

    The client hears words, not slots: "in the van" solves "Carol will see" whether the
    NLU labelled it a place or an activity. Among the what/when/where/who slots a detail
    counts in any of them; duration and frequency stay strict, since a number there
    ("five minutes") means something else than a time of day ("five").
    """
    if ent not in LOOSE_SLOTS:
        return [plan.get(ent)]
    return [plan.get(e) for e in LOOSE_SLOTS]


def _counter_offer(ctx: _Ctx) -> dict[str, str]:
    """Put the client's values into a plan that breaks its limits; return them."""
    p, s = ctx.persona, ctx.state
    limits = p.task_limits
    countered: dict[str, str] = {}
    minutes = parse_minutes(s.plan.get("duration"))
    if limits.max_duration_minutes is not None and minutes is not None \
            and minutes > limits.max_duration_minutes:
        countered["duration"] = limits.counter_offer.get(
            "duration", f"{int(limits.max_duration_minutes)} minutes")
    times = parse_times_per_week(s.plan.get("frequency"), s.plan.get("day"))
    if limits.max_times_per_week is not None and times is not None \
            and times > limits.max_times_per_week:
        countered["frequency"] = limits.counter_offer.get(
            "frequency", f"{int(limits.max_times_per_week)} times this week")
        if not s.plan.get("frequency") and s.plan.get("day"):
            s.plan["day"] = None  # too many days: the client's frequency replaces them
    if _contains_any(s.plan.get("activity"), limits.disliked_activities):
        alt = next((a for a in limits.preferred_activities
                    if not _contains_any(a, limits.disliked_activities)), None)
        alt = alt or limits.counter_offer.get("activity")
        if alt:
            countered["activity"] = alt
    if not countered:
        return countered
    for ent, value in countered.items():
        s.plan[ent] = value
        ctx.events.append(f"plan_countered:{ent}={value}")
    if "activity" in countered:
        s.activity_by = "client"
        s.client_ideas.append(countered["activity"])
    s.objection_pending = "within_task_limits"
    # The counter-offer is the client's own detail: it shapes the plan.
    s.client_shaped = True
    return countered


def _counter_line(ctx: _Ctx, countered: set[str]) -> tuple[str, bool]:
    # lines.counter_offer, else the persona's "too much" objection (its placeholders now hold
    # the client's values), else the built-in lines.
    p = ctx.persona
    levels = _move_levels(p, "counter_offer", ctx.state.band(), ctx.state.phase)
    own = [lv for lv in levels if not lv[2]]
    too_much = p.agreement.not_yet.get("within_task_limits", ())
    if too_much:
        own.append(("not_yet.within_task_limits", too_much, False))
    # Lines naming what was countered come first ("What about three times this week?").
    return _choose(ctx, own + [lv for lv in levels if lv[2]], countered) or ("Mm.", True)


def _agreement(ctx: _Ctx, pre: ClientState, detail: str | None = None,
               grated: bool = False) -> tuple[str, bool]:
    p, s = ctx.persona, ctx.state
    unmet = unmet_conditions(p, s)
    if not unmet and grated:
        # "Need to." followed by "OK, I'll do it" in one breath reads false: a client who has
        # just bristled at the wording does not sign up on the same turn.
        return _move_line(ctx, detail)
    if not unmet and ctx.move == "propose_task" and pre.proposals == 0:
        # First proposal: agree at once only if everything already held before it was made.
        pre.plan = dict(s.plan)
        if unmet_conditions(p, pre):
            unmet = ["first_proposal"]
    if not unmet:
        s.plan["agreed"] = True
        s.objection_pending = None
        s.refused = False
        ctx.events.append("plan_agreed")
        _apply(s, {"hope": 0.05, "willingness": 0.05})
        if ctx.move == "check_understanding":
            # Asked to say it back, the client restates the plan it now signs up to.
            own = p.lines.get("check_understanding.agreed", ())
            levels = [("check_understanding.agreed", own, False)] if own else []
            levels.append(("agree", p.agreement.agree_lines, False))
            chosen = _choose(ctx, [lv for lv in levels if lv[1]])
            if chosen is not None:
                return chosen
        return _say_list(ctx, "agree", p.agreement.agree_lines, "agree")
    cond = unmet[0]
    if ctx.move == "specify_plan" and cond in ASKING_CONDITIONS:
        # A question about a detail gets an answer about the detail, not a verdict.
        return _move_line(ctx, detail)
    s.failed_checks += 1
    if s.failed_checks >= 3 and s.willingness < 0.25 and not s.refused:
        s.refused = True
        ctx.events.append("plan_refused")
        return _say_list(ctx, "refuse", p.agreement.refuse_lines, "refuse")
    if cond == "first_proposal":
        # Nothing is wrong yet; the client just does not sign up on the spot.
        return _move_line(ctx)
    ctx.events.append(f"plan_objection:{cond}")
    s.objection_pending = cond
    if cond == "barriers_resolved":
        pending = [b for b in p.barriers if b.id in s.disclosed and b.id not in s.resolved]
        ctx.barrier = pending[0] if pending else None
    objection = _say_list(ctx, f"not_yet.{cond}", p.agreement.not_yet.get(cond, ()), cond)
    if ctx.move == "check_understanding":
        # The paraphrase is what was asked for; what is still missing follows it.
        paraphrase = _say_move(ctx, "check_understanding")
        return f"{paraphrase[0]} {objection[0]}", paraphrase[1] and objection[1]
    return objection


def _words(text: str) -> set[str]:
    return {w for w in _WORD_RE.findall(text.lower()) if w not in _FILLER}


def _asked_before(s: ClientState, move: str, text: str) -> bool:
    """Whether this question nearly repeats one of the last few; remembers it either way."""
    words = _words(text)
    repeated = False
    for old_move, old_words in s.recent_questions:
        old = set(old_words)
        union = words | old
        if old_move == move and (words == old or len(words & old) / len(union) >= SAME_QUESTION):
            repeated = True
    s.recent_questions = (s.recent_questions + [[move, sorted(words)]])[-RECENT_QUESTIONS:]
    return repeated


def _repeat(ctx: _Ctx) -> tuple[str, bool]:
    s, p = ctx.state, ctx.persona
    ctx.events.append(f"repeat_noticed:{ctx.move}")
    if s.barrier_in_play:
        ctx.barrier = p.barrier(s.barrier_in_play)
    return _say_move(ctx, "repeat")


def _move_line(ctx: _Ctx, detail: str | None = None) -> tuple[str, bool]:
    p, s, move = ctx.persona, ctx.state, ctx.move
    if move == "explore_barriers":
        # Memory: every barrier already named and not solved is referred back to.
        pending = [b for b in p.barriers if b.id in s.disclosed and b.id not in s.resolved]
        if pending:
            ctx.barrier = pending[0]
            with_barrier = tuple(ln for ln in p.lines.get("repeat", ()) if "{barrier}" in ln)
            if with_barrier:
                return _say_list(ctx, "recall", with_barrier, "repeat")
            generic = tuple(ln for ln in GENERIC_MOVE_LINES["repeat"] if "{barrier}" in ln)
            chosen = _choose(ctx, [("recall", generic, True)])
            if chosen:
                return chosen
    if move == "review_plan":
        report = p.last_week.report
        s.report_given = True
        return _say_move(ctx, move, [("report", report, False)] if report else None)
    if move == "explore_learning":
        learning = p.last_week.learning
        if learning and s.band() not in ("guarded", "ruptured"):
            if not s.learning_shared:
                s.learning_shared = True
                ctx.events.append("learning_shared")
            return _say_move(ctx, move, [("learning", learning, False)])
        return _say_move(ctx, move)
    if move == "elicit_ideas":
        return _idea(ctx) or _say_move(ctx, "elicit_ideas")
    if move == "specify_plan" and detail is not None:
        # `specify_plan.when` answers "when?"; lines naming the asked detail come first.
        key = f"specify_plan.{detail}"
        own = [(key, p.lines[key], False)] if p.lines.get(key) else None
        return _say_move(ctx, move, own,
                         prefer=set(DETAIL_QUESTIONS[detail]) | set(ctx.turn_values))
    line, generic = _say_move(ctx, move, prefer=set(ctx.turn_values))
    # Initiative: once trust is warm the client volunteers what last week taught it.
    if move in ("affirm", "reflect") and s.phase == "review" and s.band() == "warm" \
            and not s.learning_shared and p.last_week.learning:
        s.learning_shared = True
        ctx.events.append("learning_shared")
        extra = _say_list(ctx, "learning", p.last_week.learning, "learning")[0]
        line = f"{line} {extra}"
    return line, generic


def _idea(ctx: _Ctx, only_if_offered: bool = False) -> tuple[str, bool] | None:
    """The client's own idea into the plan and its line; None when it has none to offer.

    only_if_offered: another line already answers the turn, so say the idea only if it
    can be voiced (a variant with {activity}); the plan takes it either way.
    """
    p, s = ctx.persona, ctx.state
    limits = p.task_limits
    if s.band() in ("guarded", "ruptured") or not limits.preferred_activities:
        return None
    # The client's own idea; a second ask brings the next one.
    ideas = [a for a in limits.preferred_activities
             if not _contains_any(a, limits.disliked_activities)]
    idea = ideas[(s.move_counts.get("elicit_ideas", 1) - 1) % len(ideas)] if ideas else None
    if idea is None:
        return None
    if not s.plan.get("activity"):
        s.plan["activity"] = idea
        s.activity_by = "client"
        ctx.events.append(f"plan_detail:activity={idea}")
    if idea not in s.client_ideas:
        s.client_ideas.append(idea)
    ctx.events.append(f"idea_offered:{idea}")
    ctx.extra["activity"] = idea
    # Prefer the variants that voice the idea, so the plan and the words agree.
    levels = [(k, tuple(v for v in vs if "{activity}" in v), g)
              for k, vs, g in _move_levels(p, "elicit_ideas", s.band(), s.phase)]
    if only_if_offered:  # the built-in idea lines would read as a second answer
        levels = [lv for lv in levels if not lv[2]]
    chosen = _choose(ctx, [lv for lv in levels if lv[1]])
    if chosen is None and only_if_offered:
        return None
    return chosen or _say_move(ctx, "elicit_ideas")
