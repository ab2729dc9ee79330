"""What changed inside the client on one turn, in words a trainee understands.

Input is what the engine records for every turn (the public client state before and
after, the events, the move heard and its cues); output is a list of `Change`s such as
"Maya felt listened to: trust rose (+0.06)" or "A hidden obstacle came out: being wiped
out by the evenings". Used by the rehearsal debrief and by drill feedback. Pure: no Rasa,
no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.debrief.words import (
    CONDITION_WORDS,
    MOVE_REASONS,
    PLAN_DETAIL_WORDS,
    SENSITIVITY_REASONS,
    STATE_WORDS,
    possessive,
)
from bot.moves import STATE_KEYS

# A change of the inner state smaller than this is noise, not something to tell a trainee.
NOTICEABLE = 0.01

PHASE_WORDS: dict[str, str] = {
    "opening": "the opening",
    "review": "reviewing last week",
    "design": "designing the new plan",
    "closing": "closing the session",
}


@dataclass(frozen=True)
class Change:
    """One thing that changed inside the client.

    kind: state | sensitivity | belief | barrier | rupture | repair | plan | learning |
    agreement | phase | understanding (the client did not follow)
    good: True when it helps the action plan, False when it sets it back, None if neutral.
    """

    kind: str
    text: str
    good: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "good": self.good}


@dataclass(frozen=True)
class ClientFacts:
    """What the explanation needs to know about the persona (all optional)."""

    name: str
    beliefs: dict[str, str]  # belief id -> the belief in the client's words
    barriers: dict[str, str]  # barrier id -> short description
    hidden_barriers: frozenset[str] = frozenset()

    @classmethod
    def of(cls, persona: Any | None, fallback_name: str = "The client") -> ClientFacts:
        """Facts from a bot.persona.model.Persona, or a bare name when it is unavailable."""
        if persona is None:
            return cls(fallback_name, {}, {})
        return cls(
            name=persona.name,
            beliefs={b.id: b.text for b in persona.beliefs},
            barriers={b.id: b.summary for b in persona.barriers},
            hidden_barriers=frozenset(b.id for b in persona.barriers if b.hidden),
        )


def _split(event: str) -> tuple[str, str]:
    kind, _, detail = event.partition(":")
    return kind, detail


def _detail_pair(detail: str) -> tuple[str, str]:
    ent, _, value = detail.partition("=")
    return PLAN_DETAIL_WORDS.get(ent, ent.replace("_", " ")), value


def event_changes(events: list[str], facts: ClientFacts) -> list[Change]:
    """The turn's events, said in words, in the order the engine recorded them."""
    name = facts.name
    out: list[Change] = []
    details: list[str] = []
    for event in events:
        kind, detail = _split(event)
        if kind == "belief_activated":
            text = facts.beliefs.get(detail, detail.replace("_", " "))
            out.append(Change("belief", f"A belief was set off: \u201c{text}\u201d.", False))
        elif kind == "belief_softened":
            text = facts.beliefs.get(detail, detail.replace("_", " "))
            out.append(Change("belief", f"The belief \u201c{text}\u201d loosened.", True))
        elif kind == "barrier_disclosed":
            summary = facts.barriers.get(detail, detail.replace("_", " "))
            lead = ("A hidden obstacle came out" if detail in facts.hidden_barriers
                    else f"{name} named an obstacle")
            out.append(Change("barrier", f"{lead}: {summary}.", True))
        elif kind == "barrier_resolved":
            summary = facts.barriers.get(detail, detail.replace("_", " "))
            out.append(Change("barrier", f"An obstacle was solved: {summary}.", True))
        elif kind == "sensitivity":
            reason = SENSITIVITY_REASONS.get(detail, f"reacted to {detail.replace('_', ' ')}")
            out.append(Change("sensitivity", f"{name} {reason}.", False))
        elif kind == "rupture":
            out.append(Change("rupture", f"A rupture: {name} pulled back from you. Until it is "
                              "repaired, no plan will be agreed.", False))
        elif kind == "repair":
            out.append(Change("repair", f"The rupture was repaired: {name} is back in the "
                              "conversation.", True))
        elif kind == "learning_shared":
            out.append(Change("learning", f"{name} put into words what last week showed.", True))
        elif kind == "idea_offered":
            out.append(Change("plan", f"{name} came up with an idea: {detail}.", True))
        elif kind == "plan_detail":
            what, value = _detail_pair(detail)
            details.append(f"{what}: {value}")
        elif kind == "plan_countered":
            what, value = _detail_pair(detail)
            out.append(Change("plan", f"{name} made a counter-offer ({what}: {value}).", None))
        elif kind == "plan_objection":
            why = CONDITION_WORDS.get(detail, detail.replace("_", " "))
            out.append(Change("agreement", f"{name} is not ready to agree: {why}.", None))
        elif kind == "plan_agreed":
            out.append(Change("agreement", f"{name} agreed to the action plan.", True))
        elif kind == "plan_refused":
            out.append(Change("agreement", f"{name} did not agree to an action plan.", False))
        elif kind == "repeat_noticed":
            out.append(Change("understanding", f"{name} noticed that this was asked before.",
                              None))
        elif kind == "not_understood":
            out.append(Change("understanding", f"{name} did not follow what you meant.", None))
        elif kind == "phase":
            out.append(Change("phase", f"The conversation moved to "
                              f"{PHASE_WORDS.get(detail, detail)}.", None))
    if details:
        out.append(Change("plan", "Added to the plan: " + "; ".join(details) + ".", True))
    return out


def _falling_reason(events: list[str], cues: dict[str, Any], facts: ClientFacts) -> str | None:
    for event in events:
        kind, detail = _split(event)
        if kind == "sensitivity":
            return SENSITIVITY_REASONS.get(detail)
    for event in events:
        kind, detail = _split(event)
        if kind == "belief_activated":
            return "had an old belief set off"
    if cues.get("directive"):
        return SENSITIVITY_REASONS["directive"]
    return None


def _rising_reason(move: str, events: list[str]) -> str | None:
    kinds = [_split(e)[0] for e in events]
    if "repair" in kinds:
        return MOVE_REASONS["repair_rupture"]
    if "barrier_resolved" in kinds:
        return MOVE_REASONS["problem_solve"]
    return MOVE_REASONS.get(move)


def state_changes(before: dict[str, Any] | None, after: dict[str, Any], move: str,
                  cues: dict[str, Any], events: list[str], facts: ClientFacts) -> list[Change]:
    """Rises and falls of the inner state, grouped by their likely cause.

    "Maya felt listened to: trust rose (+0.06)". The cause is the engine's own: a
    sensitivity or an activated belief for a fall, the move (or a repair, or a solved
    obstacle) for a rise. Without the state before (the first turn of a session whose
    persona is unknown), nothing is said.
    """
    if before is None:
        return []
    rises: list[str] = []
    falls: list[str] = []
    for key in STATE_KEYS:
        try:
            delta = float(after.get(key)) - float(before.get(key))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        if abs(delta) < NOTICEABLE:
            continue
        words = f"{STATE_WORDS[key]} {'rose' if delta > 0 else 'fell'} ({delta:+.2f})"
        (rises if delta > 0 else falls).append(words)
    out: list[Change] = []
    name = facts.name
    if falls:
        reason = _falling_reason(events, cues, facts)
        lead = f"{name} {reason}: " if reason else f"{possessive(name)} "
        out.append(Change("state", _sentence(lead, falls), False))
    if rises:
        reason = _rising_reason(move, events)
        lead = f"{name} {reason}: " if reason else f"{possessive(name)} "
        out.append(Change("state", _sentence(lead, rises), True))
    return out


def _sentence(lead: str, parts: list[str]) -> str:
    body = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{lead}{body}."


def turn_changes(before: dict[str, Any] | None, after: dict[str, Any], move: str,
                 cues: dict[str, Any], events: list[str], facts: ClientFacts) -> list[Change]:
    """Everything that changed inside the client on one turn: events first (what happened),
    then the inner state (how it felt)."""
    return event_changes(events, facts) + state_changes(before, after, move, cues, events,
                                                        facts)
