"""How the scorer reads a stored transcript: each turn normalised for the checklists of
the rubric (bot/scoring/rubric.py), and the facts that several dimensions share (a barrier
left unaddressed, a rupture left unrepaired, the plan dropped at the first hesitation, the
trainee's adjustments after the client's feedback).

Pure: everything here is computed from the stored turns (and the persona, where given).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.client.tuning import TUNING
from bot.moves import FALLBACK, PLAN_ENTITIES

# The intent of a turn whose parse was not trustworthy (fallback or low confidence).
UNCLEAR = "unclear"
# Evidence quotes are cut to about this many characters, at a word boundary.
QUOTE_CHARS = 120

# Moves that belong to designing the new plan; the review of last week happens before them.
DESIGN_MOVES = frozenset(
    {"elicit_ideas", "propose_task", "specify_plan", "link_to_goals", "summarize_plan",
     "written_summary"}
)
# Moves that show the trainee staying with the client's hesitation instead of dropping it.
EXPLORING_MOVES = frozenset(
    {"explore_barriers", "problem_solve", "reflect", "elicit_feedback", "check_understanding",
     "give_rationale", "elicit_ideas", "explore_learning", "specify_plan", "link_to_goals",
     "ask_permission", "repair_rupture", "affirm"}
)
# Wording that lets the plan go ("leave it", "never mind").
DROP_RE = re.compile(
    r"\bleave it\b|\bforget (it|about)\b|\bdon't worry about\b|\bno need\b|\bskip\b|"
    r"\bnot do (a|an|any)\b|\bdon't have to do\b|\bdrop (it|the)\b|\bno plan\b|\bnever ?mind\b",
    re.IGNORECASE,
)
# Which trainee moves answer which unmet agreement condition (plan_objection:<condition>).
OBJECTION_ANSWERS: dict[str, frozenset[str]] = {
    "rationale_understood": frozenset({"give_rationale", "check_understanding",
                                       "explore_learning", "link_to_goals"}),
    "client_shaped": frozenset({"elicit_ideas", "elicit_feedback", "ask_permission"}),
    "min_specifics": frozenset({"specify_plan"}),
    "barriers_resolved": frozenset({"explore_barriers", "problem_solve"}),
    "within_task_limits": frozenset({"specify_plan", "problem_solve", "elicit_ideas",
                                     "propose_task"}),
    "feedback_asked": frozenset({"elicit_feedback", "check_understanding"}),
    "understanding_checked": frozenset({"check_understanding"}),
    "linked_to_goals": frozenset({"link_to_goals"}),
    "min_trust": frozenset({"reflect", "repair_rupture", "affirm", "ask_permission"}),
    "min_willingness": frozenset({"reflect", "elicit_ideas", "problem_solve", "affirm"}),
    "no_open_rupture": frozenset({"repair_rupture"}),
}


# --------------------------------------------------------------------------------------------
# Transcript view


@dataclass(frozen=True)
class Turn:
    """One trainee turn and the client's reaction, normalised for the checklists."""

    n: int
    text: str
    intent: str  # UNCLEAR when the parse was not trustworthy
    cues: Mapping[str, Any]
    entities: tuple[tuple[str, str], ...]
    events: tuple[tuple[str, str], ...]
    state: Mapping[str, Any]

    def cue(self, name: str) -> bool:
        return bool(self.cues.get(name))

    @property
    def question(self) -> str:
        return str(self.cues.get("question") or "none")

    def has_event(self, kind: str, detail: str | None = None) -> bool:
        return any(k == kind and (detail is None or d == detail) for k, d in self.events)

    def event_details(self, kind: str) -> list[str]:
        return [d for k, d in self.events if k == kind]

    def entity_names(self) -> set[str]:
        return {e for e, _ in self.entities}


def read_turn(raw: Mapping[str, Any], index: int) -> Turn:
    intent = str(raw.get("intent") or "")
    try:
        confidence = float(raw.get("confidence", 1.0) or 0.0)
    except (TypeError, ValueError):
        confidence = 0.0
    if intent == FALLBACK or confidence < TUNING.scorer_min_confidence or not intent:
        intent = UNCLEAR
    entities = tuple(
        (str(e.get("entity")), str(e.get("value")))
        for e in raw.get("entities") or []
        if isinstance(e, Mapping) and e.get("entity")
    )
    events = []
    for ev in raw.get("events") or []:
        kind, _, detail = str(ev).partition(":")
        events.append((kind, detail))
    n = raw.get("n")
    return Turn(
        n=int(n) if isinstance(n, int) or str(n).isdigit() else index + 1,
        text=str(raw.get("trainee") or ""),
        intent=intent,
        cues=raw.get("cues") or {},
        entities=entities,
        events=tuple(events),
        state=raw.get("client_state") or {},
    )


def read_turns(raw_turns: list[dict]) -> list[Turn]:
    """The transcript's turns as the checklists see them.

    A turn of several moves counts as each of its parts (same number; the client's events
    and state go with the last part), so a reflection followed by a question earns both. A
    turn the client only checked ("Do you mean ...?") counts neither for nor against the
    trainee: the simulator was unsure, not the trainee unskilled.
    """
    out: list[Turn] = []
    for i, raw in enumerate(raw_turns):
        if any(str(e).startswith("clarify:") for e in raw.get("events") or []):
            continue
        parts = raw.get("parts")
        if not isinstance(parts, list) or len(parts) < 2:
            out.append(read_turn(raw, i))
            continue
        for k, part in enumerate(parts):
            if not isinstance(part, Mapping):
                continue
            last = k == len(parts) - 1
            out.append(read_turn({
                "n": raw.get("n", i + 1), "trainee": part.get("text"),
                "intent": part.get("intent"), "confidence": part.get("confidence", 1.0),
                "entities": part.get("entities"), "cues": part.get("cues"),
                "events": raw.get("events") if last else [],
                "client_state": raw.get("client_state")}, i))
    return out


@dataclass
class Transcript:
    turns: list[Turn]
    persona: Any = None

    @property
    def final(self) -> Mapping[str, Any]:
        return self.turns[-1].state if self.turns else {}

    def with_intent(self, *intents: str) -> list[Turn]:
        return [t for t in self.turns if t.intent in intents]

    def with_event(self, kind: str, detail: str | None = None) -> list[Turn]:
        return [t for t in self.turns if t.has_event(kind, detail)]

    def after(self, n: int) -> list[Turn]:
        return [t for t in self.turns if t.n > n]

    @property
    def design_start(self) -> int:
        """Turn number where designing the new plan starts (review turns come before it)."""
        for t in self.turns:
            if t.intent in DESIGN_MOVES or t.state.get("phase") in ("design", "closing"):
                return t.n
        return 10**9

    def review_turns(self) -> list[Turn]:
        return [t for t in self.turns if t.n < self.design_start]

    def design_turns(self) -> list[Turn]:
        return [t for t in self.turns if t.n >= self.design_start]

    @property
    def plan_agreed(self) -> bool:
        plan = self.final.get("plan") or {}
        return bool(plan.get("agreed")) or bool(self.with_event("plan_agreed"))

    def plan_fields(self) -> set[str]:
        """Plan entities the plan carries: the client's plan state plus the trainee's details."""
        fields: set[str] = set()
        plan = self.final.get("plan") or {}
        fields |= {k for k in PLAN_ENTITIES if plan.get(k)}
        if any(k in plan for k in PLAN_ENTITIES):
            # The engine records the plan as the client holds it, so details the trainee
            # dropped or the client replaced do not count twice.
            return fields
        for t in self.turns:
            fields |= t.entity_names() & set(PLAN_ENTITIES)
            for d in t.event_details("plan_detail") + t.event_details("plan_countered"):
                fields.add(d.partition("=")[0])
        return fields

    def has_task(self) -> bool:
        return (
            "activity" in self.plan_fields()
            or bool(self.with_intent("propose_task"))
            or bool(self.with_event("idea_offered"))
        )


def quote(text: str) -> str:
    """Trainee text trimmed to about QUOTE_CHARS at a word boundary; always a substring."""
    text = text.strip()
    if len(text) <= QUOTE_CHARS:
        return text
    cut = text[:QUOTE_CHARS]
    space = cut.rfind(" ")
    return cut[:space] if space > QUOTE_CHARS // 2 else cut


def unique_turns(turns: Iterable[Turn]) -> list[Turn]:
    seen: dict[int, Turn] = {}
    for t in turns:
        seen.setdefault(t.n, t)
    return [seen[n] for n in sorted(seen)]


def persona_get(persona: Any, *path: str) -> Any:
    """Read a nested value from a persona that is a dict, a dataclass, or None."""
    cur = persona
    for key in path:
        if cur is None:
            return None
        if isinstance(cur, Mapping):
            cur = cur.get(key)
        else:
            cur = getattr(cur, key, None)
    return cur


# --------------------------------------------------------------------------------------------
# Shared facts


def unaddressed_barriers(tx: Transcript) -> list[str]:
    """Barriers the client disclosed that the trainee never problem-solved or resolved."""
    out = []
    resolved = set(tx.final.get("resolved") or [])
    for t in tx.turns:
        for b in t.event_details("barrier_disclosed"):
            later = [u for u in tx.turns if u.n >= t.n]
            solved = b in resolved or any(u.has_event("barrier_resolved", b) for u in later)
            worked_on = any(u.intent == "problem_solve" for u in tx.after(t.n))
            if not (solved or worked_on) and b not in out:
                out.append(b)
    return out


def unrepaired_rupture(tx: Transcript) -> bool:
    last_rupture = max((t.n for t in tx.with_event("rupture")), default=None)
    if last_rupture is None:
        return False
    repaired = any(t.has_event("repair") for t in tx.turns if t.n >= last_rupture)
    return not repaired or bool(tx.final.get("rupture"))


def first_reluctance(tx: Transcript) -> Turn | None:
    """The first turn in design where the client hesitated about the new plan."""
    for t in tx.design_turns():
        if (t.has_event("plan_objection") or t.has_event("belief_activated")
                or t.has_event("plan_countered") or t.has_event("plan_refused")):
            return t
    return None


def dropped_at_first_reluctance(tx: Transcript) -> Turn | None:
    """The trainee's turn that let the plan go right after the first hesitation, unexplored."""
    first = first_reluctance(tx)
    if first is None or tx.plan_agreed:
        return None
    later = tx.after(first.n)
    if not later:
        return None
    nxt = later[0]
    explored = any(t.intent in EXPLORING_MOVES and not DROP_RE.search(t.text) for t in later)
    let_go = DROP_RE.search(nxt.text) or nxt.intent in ("goodbye", "off_topic")
    return nxt if let_go and not explored else None


def adjustments_after_feedback(tx: Transcript) -> list[Turn]:
    """Trainee turns that changed the plan or the approach after the client's feedback."""
    out: list[Turn] = []
    for t in tx.turns:
        for detail in t.event_details("plan_countered"):
            entity, _, value = detail.partition("=")
            # The trainee took the client's value: said it back in a later turn.
            for u in tx.after(t.n):
                if (entity, value) in u.entities or (value and value.lower() in u.text.lower()):
                    out.append(u)
                    break
        for condition in t.event_details("plan_objection"):
            answers = OBJECTION_ANSWERS.get(condition, EXPLORING_MOVES)
            nxt = tx.after(t.n)[:2]
            hit = next((u for u in nxt if u.intent in answers and not u.cue("directive")), None)
            if hit:
                out.append(hit)
        if t.has_event("barrier_disclosed") or t.has_event("belief_activated"):
            # Planning around what the client disclosed, even if it surfaced in the review.
            hit = next((u for u in tx.after(t.n) if u.intent == "problem_solve"
                        or u.has_event("barrier_resolved") or u.has_event("belief_softened")),
                       None)
            if hit:
                out.append(hit)
        if t.has_event("rupture"):
            # After a rupture: repair, then a non-directive new start (choice handed back).
            repaired = next((u for u in tx.after(t.n) if u.has_event("repair")), None)
            if repaired:
                hit = next((u for u in tx.after(repaired.n) if u.intent in (
                    "elicit_ideas", "ask_permission", "elicit_feedback", "problem_solve")
                    and not u.cue("directive")), None)
                if hit:
                    out.append(hit)
        if t.intent == "elicit_feedback" and t.question == "open":
            # The client's answer about the plan changes the plan in the next trainee turn.
            nxt = tx.after(t.n)[:1]
            if nxt and nxt[0].intent in ("problem_solve", "specify_plan") and not nxt[
                    0].cue("directive"):
                out.append(nxt[0])
    return unique_turns(out)


def homework_sensitive(tx: Transcript) -> bool:
    sens = persona_get(tx.persona, "sensitivities")
    if isinstance(sens, Mapping) and "homework_term" in sens:
        return True
    return bool(tx.with_event("sensitivity", "homework_term"))
