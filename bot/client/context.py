"""Everything one turn knows while the client answers it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot import moves
from bot.client.state import ClientState
from bot.persona.model import Barrier, Persona


@dataclass(frozen=True)
class Said:
    """A line the client says, and whether it came from the built-in generic lines."""

    text: str
    generic: bool


@dataclass(frozen=True)
class Reaction:
    """The client's reaction to how something was said (a sensitivity, or a rupture)."""

    kind: str  # a sensitivity, or "rupture"
    said: Said
    replace: bool  # the reaction is the whole answer (else it is said before the answer)


@dataclass
class TurnContext:
    persona: Persona
    state: ClientState
    move: str
    turn_values: dict[str, str]
    events: list[str] = field(default_factory=list)
    barrier: Barrier | None = None
    extra: dict[str, str] = field(default_factory=dict)
    text: str = ""
    cues: dict[str, Any] = field(default_factory=moves.empty_cues)
    confidence: float = 0.95
    closed_counts: bool = False  # a closed question the client reacts to as one
    open_asked: bool = False  # an open question or a scale question
    disclosed_now: bool = False  # this turn's main line is a barrier disclosure
    solving: bool = False  # a problem-solving question about a named, open barrier
    rationale_talk: bool = False  # a design-phase question about the task's reason
    goals_talk: bool = False  # a question about what the client wants (link to goals)
    # Set as the turn runs (bot/client/turn.py):
    before: ClientState | None = None  # the state before the move's effects
    repeated: bool = False  # the question nearly repeats a recent one
    plan_changed: bool = False
    detail: str | None = None  # the plan detail a specify_plan turn asks about
    task_features: set[str] = field(default_factory=set)
    reaction: Reaction | None = None
    belief_line: str | None = None
    detail_said: Said | None = None  # the client's answer to the details it was asked for
    contradiction: tuple[str, str, str] | None = None  # (entity, first, second)
    unrelated: str | None = None  # an activity that has nothing to do with the client

    def values(self) -> dict[str, str]:
        """What a line's {placeholders} are filled with."""
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
