"""Persona files (docs/persona-format.md) as frozen dataclasses.

Validation is bot.persona.validate's job and loading bot.persona.registry's; this module
only turns data that passed validation into objects the engine can read without
defensive lookups. No Rasa imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot import moves

Lines = tuple[str, ...]


@dataclass(frozen=True)
class LastWeek:
    plan: str | None = None
    outcome: str = "none"
    report: Lines = ()
    learning: Lines = ()


@dataclass(frozen=True)
class StateSpec:
    start: dict[str, float] = field(default_factory=dict)
    effects: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class TaskLimits:
    max_duration_minutes: float | None = None
    max_times_per_week: float | None = None
    counter_offer: dict[str, str] = field(default_factory=dict)
    disliked_activities: Lines = ()
    preferred_activities: Lines = ()
    frightening_activities: Lines = ()  # added field
    evaluative_activities: Lines = ()  # added field
    # The client's own choice of a detail (entity -> value), said when asked about it.
    preferences: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TriggerGroup:
    """Parts that must all hold together (within one part, any listed value counts)."""

    moves: Lines = ()
    cues: Lines = ()
    task: Lines = ()
    phase: Lines = ()


@dataclass(frozen=True)
class Triggers:
    moves: Lines = ()
    cues: Lines = ()
    task: Lines = ()
    all: tuple[TriggerGroup, ...] = ()  # combinations: any one group counts


@dataclass(frozen=True)
class Belief:
    id: str
    about: str
    text: str
    triggers: Triggers
    effects: dict[str, float]
    lines: Lines
    softened_by: Triggers
    softened_lines: Lines


@dataclass(frozen=True)
class Resolution:
    moves: Lines = ()
    details: dict[str, Lines] = field(default_factory=dict)


@dataclass(frozen=True)
class Barrier:
    id: str
    kind: str
    hidden: bool
    disclose_on: Lines
    summary: str
    lines: Lines
    resolved_by: Resolution
    resolved_lines: Lines
    # A disclose_on move brings it out only when asked as an open question (or a scale).
    disclose_needs_open_question: bool = False
    # false: never raised unasked when a plan is pushed, however warm the client is.
    volunteers: bool = True


@dataclass(frozen=True)
class Sensitivity:
    strength: float = 0.0
    rupture: bool = False
    lines: Lines = ()


@dataclass(frozen=True)
class Agreement:
    # Condition -> required value, in the order the file lists them (checked in that order).
    requires: dict[str, Any] = field(default_factory=dict)
    not_yet: dict[str, Lines] = field(default_factory=dict)
    agree_lines: Lines = ()
    refuse_lines: Lines = ()


@dataclass(frozen=True)
class Life:
    """What the client can say about its week when asked (several variants each)."""

    energy: Lines = ()  # when its energy is best and worst
    routine: Lines = ()  # work hours, shifts, days off, school runs
    places: Lines = ()  # places it goes
    people: Lines = ()  # people around it


@dataclass(frozen=True)
class DetailPreference:
    """What the client suggests itself for one plan detail when the trainee asks."""

    suggest: str  # a value as the NLU normalises it, so it compares with limits and barriers
    lines: Lines  # "{duration}" (the detail's own name) stands for `suggest`
    # Until all these barriers have come up (been disclosed), it cannot say: not_yet_lines.
    not_yet_barriers: Lines = ()
    not_yet_lines: Lines = ()


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    age: int | None
    difficulty: str
    approach: str
    stage_of_change: str
    presenting_problem: str
    briefing: str
    goals: Lines
    values: Lines
    last_week: LastWeek
    state: StateSpec
    task_limits: TaskLimits
    beliefs: tuple[Belief, ...]
    barriers: tuple[Barrier, ...]
    sensitivities: dict[str, Sensitivity]
    agreement: Agreement
    lines: dict[str, Lines]
    path: str = ""
    life: Life = field(default_factory=Life)
    # Plan detail (bot.moves.PLAN_ENTITIES) -> the client's own suggestion; absent: unknown.
    preferences: dict[str, DetailPreference] = field(default_factory=dict)

    def belief(self, belief_id: str) -> Belief | None:
        return next((b for b in self.beliefs if b.id == belief_id), None)

    def barrier(self, barrier_id: str) -> Barrier | None:
        return next((b for b in self.barriers if b.id == barrier_id), None)


# ---------------------------------------------------------------- building from YAML


def _lines(value: Any) -> Lines:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _floats(value: Any) -> dict[str, float]:
    return {str(k): float(v) for k, v in (value or {}).items()}


def _triggers(value: Any) -> Triggers:
    value = value or {}
    return Triggers(
        moves=_lines(value.get("moves")),
        cues=_lines(value.get("cues")),
        task=_lines(value.get("task")),
        all=tuple(
            TriggerGroup(
                moves=_lines(g.get("moves")),
                cues=_lines(g.get("cues")),
                task=_lines(g.get("task")),
                phase=_lines(g.get("phase")),
            )
            for g in value.get("all") or []
        ),
    )


def build_persona(data: dict[str, Any], path: str = "") -> Persona:
    """Build a Persona from parsed YAML that passed validation."""
    lw = data.get("last_week") or {}
    st = data.get("state") or {}
    tl = data.get("task_limits") or {}
    ag = data.get("agreement") or {}

    def _num(v: Any) -> float | None:
        return None if v is None else float(v)

    beliefs = tuple(
        Belief(
            id=str(b["id"]),
            about=str(b.get("about", "tasks")),
            text=str(b.get("text", "")),
            triggers=_triggers(b.get("triggers")),
            effects=_floats(b.get("effects")),
            lines=_lines(b.get("lines")),
            softened_by=_triggers(b.get("softened_by")),
            softened_lines=_lines(b.get("softened_lines")),
        )
        for b in data.get("beliefs") or []
    )
    barriers = tuple(
        Barrier(
            id=str(b["id"]),
            kind=str(b.get("kind", "practical")),
            hidden=bool(b.get("hidden", True)),
            disclose_on=_lines(b.get("disclose_on")),
            summary=str(b.get("summary", "")),
            lines=_lines(b.get("lines")),
            resolved_by=Resolution(
                moves=_lines((b.get("resolved_by") or {}).get("moves")),
                details={
                    str(k): _lines(v)
                    for k, v in ((b.get("resolved_by") or {}).get("details") or {}).items()
                },
            ),
            resolved_lines=_lines(b.get("resolved_lines")),
            disclose_needs_open_question=bool(b.get("disclose_needs_open_question", False)),
            volunteers=bool(b.get("volunteers", True)),
        )
        for b in data.get("barriers") or []
    )
    sensitivities = {
        str(k): Sensitivity(
            strength=float((v or {}).get("strength", 0.0)),
            rupture=bool((v or {}).get("rupture", False)),
            lines=_lines((v or {}).get("lines")),
        )
        for k, v in (data.get("sensitivities") or {}).items()
    }
    life = data.get("life") or {}
    preferences = {
        str(detail): DetailPreference(
            suggest=str(pref["suggest"]),
            lines=_lines(pref.get("lines")),
            not_yet_barriers=_lines((pref.get("not_yet") or {}).get("barriers")),
            not_yet_lines=_lines((pref.get("not_yet") or {}).get("lines")),
        )
        for detail, pref in (data.get("preferences") or {}).items()
    }
    start = {k: 0.5 for k in moves.STATE_KEYS}
    start.update(_floats(st.get("start")))
    return Persona(
        id=str(data["id"]),
        name=str(data.get("name", data["id"])),
        age=int(data["age"]) if data.get("age") is not None else None,
        difficulty=str(data.get("difficulty", "moderate")),
        approach=str(data.get("approach", "CBT")),
        stage_of_change=str(data.get("stage_of_change", "contemplation")),
        presenting_problem=str(data.get("presenting_problem", "")),
        briefing=" ".join(str(data.get("briefing", "")).split()),
        goals=_lines(data.get("goals")),
        values=_lines(data.get("values")),
        last_week=LastWeek(
            plan=lw.get("plan"),
            outcome=str(lw.get("outcome", "none")),
            report=_lines(lw.get("report")),
            learning=_lines(lw.get("learning")),
        ),
        state=StateSpec(
            start=start,
            effects={str(m): _floats(e) for m, e in (st.get("effects") or {}).items()},
        ),
        task_limits=TaskLimits(
            max_duration_minutes=_num(tl.get("max_duration_minutes")),
            max_times_per_week=_num(tl.get("max_times_per_week")),
            counter_offer={str(k): str(v) for k, v in (tl.get("counter_offer") or {}).items()},
            disliked_activities=_lines(tl.get("disliked_activities")),
            preferred_activities=_lines(tl.get("preferred_activities")),
            frightening_activities=_lines(tl.get("frightening_activities")),
            evaluative_activities=_lines(tl.get("evaluative_activities")),
            preferences={str(k): str(v) for k, v in (tl.get("preferences") or {}).items()},
        ),
        beliefs=beliefs,
        barriers=barriers,
        sensitivities=sensitivities,
        agreement=Agreement(
            requires=dict(ag.get("requires") or {}),
            not_yet={str(k): _lines(v) for k, v in (ag.get("not_yet") or {}).items()},
            agree_lines=_lines(ag.get("agree_lines")),
            refuse_lines=_lines(ag.get("refuse_lines")),
        ),
        lines={str(k): _lines(v) for k, v in (data.get("lines") or {}).items()},
        path=path,
        life=Life(
            energy=_lines(life.get("energy")),
            routine=_lines(life.get("routine")),
            places=_lines(life.get("places")),
            people=_lines(life.get("people")),
        ),
        preferences=preferences,
    )
