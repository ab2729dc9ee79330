"""What goes into a turn, what the client carries from turn to turn, and what comes out.

`ClientState` is plain data that round-trips through a dict (the Rasa slot and the store
keep it as JSON); the engine never mutates a state it was given.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from typing import Any

from bot import moves
from bot.client.tuning import TUNING
from bot.moves import STATE_KEYS


@dataclass(frozen=True)
class TurnPart:
    """One move of a trainee message ("It sounds hard. | What if we tried mornings?")."""

    text: str
    intent: str
    confidence: float = 0.95
    entities: tuple[dict[str, Any], ...] = ()
    cues: dict[str, Any] = field(default_factory=moves.empty_cues)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "intent": self.intent,
                "confidence": round(self.confidence, 4),
                "entities": [dict(e) for e in self.entities], "cues": dict(self.cues)}


@dataclass
class TurnInput:
    """A trainee message as the NLU read it: the whole message, and its parts in order.

    A message of one move has no `parts` (or one part equal to the whole).
    """

    text: str
    intent: str
    confidence: float = 0.95
    entities: list[dict[str, Any]] = field(default_factory=list)
    cues: dict[str, Any] = field(default_factory=moves.empty_cues)
    parts: tuple[TurnPart, ...] = ()


def empty_plan() -> dict[str, Any]:
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
    plan: dict[str, Any] = field(default_factory=empty_plan)
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
        plan = empty_plan()
        plan.update(state.plan or {})
        state.plan = plan
        return state

    def copy(self) -> ClientState:
        return ClientState.from_dict(self.to_dict())

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
        if self.trust < TUNING.guarded_below:
            return "guarded"
        if self.trust >= TUNING.warm_from:
            return "warm"
        return "neutral"


@dataclass
class TurnResult:
    reply: str
    state: ClientState
    events: list[str] = field(default_factory=list)
    generic: bool = False
    answered: int = 0  # which part of the turn the reply answers (TurnInput.parts)


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def apply_effects(state: ClientState, effects: dict[str, float], scale: float = 1.0) -> None:
    """Move the client's state; gains taper off above TUNING.taper_from."""
    for key, delta in effects.items():
        if key in STATE_KEYS:
            value = getattr(state, key)
            change = delta * scale
            if change > 0 and value > TUNING.taper_from:
                change *= (1.0 - value) / (1.0 - TUNING.taper_from)
            setattr(state, key, _clamp(value + change))
