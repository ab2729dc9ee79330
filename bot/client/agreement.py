"""When the client signs up: the plan's fit to its limits, and the conditions of its file.

Pure functions of a persona and a state; the engine, the scorer's client ratings and the
persona checks all ask them.
"""

from __future__ import annotations

from typing import Any

from bot.client.hearing import contains_any, specifics
from bot.client.state import ClientState
from bot.client.tuning import TUNING
from bot.language.quantities import minutes, times_per_week
from bot.moves import CONDITIONS
from bot.persona.model import Persona


def too_long(persona: Persona, plan: dict[str, Any]) -> bool:
    limit = persona.task_limits.max_duration_minutes
    asked = minutes(plan.get("duration"))
    return limit is not None and asked is not None and asked > limit


def too_often(persona: Persona, plan: dict[str, Any]) -> bool:
    limit = persona.task_limits.max_times_per_week
    asked = times_per_week(plan.get("frequency"), plan.get("day"))
    return limit is not None and asked is not None and asked > limit


def within_limits(persona: Persona, plan: dict[str, Any]) -> bool:
    """Not longer, not more often than the client can manage, and nothing it dislikes."""
    if too_long(persona, plan) or too_often(persona, plan):
        return False
    return not contains_any(plan.get("activity"), persona.task_limits.disliked_activities)


def task_features(persona: Persona, state: ClientState, move: str, cues: dict[str, Any],
                  proposed: dict[str, Any]) -> set[str]:
    """Features of the task on the table that can set off a belief (moves.TASK_FEATURES)."""
    limits = persona.task_limits
    feats: set[str] = set()
    if not proposed.get("activity") and move != "propose_task":
        return feats
    if too_long(persona, proposed) or too_often(persona, proposed):
        feats.add("large")
    if move in ("propose_task", "summarize_plan", "written_summary") and specifics(proposed) < 2:
        feats.add("vague")
    if move == "propose_task" and cues.get("directive") and not state.ideas_elicited:
        feats.add("imposed")
    if contains_any(proposed.get("activity"), limits.frightening_activities):
        feats.add("frightening")
    if contains_any(proposed.get("activity"), limits.evaluative_activities):
        feats.add("evaluative")
    if proposed.get("activity") and state.activity_by == "therapist":
        feats.add("not_client_idea")
    return feats


def unmet_conditions(persona: Persona, state: ClientState) -> list[str]:
    """Agreement conditions that do not hold, in the order the persona file lists them."""
    req = persona.agreement.requires
    order = [c for c in req if c in CONDITIONS] or []
    unmet: list[str] = []
    for cond in order:
        want = req[cond]
        ok = True
        if cond == "rationale_understood" and want:
            ok = state.understanding >= TUNING.rationale_understood_from
        elif cond == "client_shaped" and want:
            ok = state.client_shaped
        elif cond == "min_specifics":
            ok = specifics(state.plan) >= int(want or 0)
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
    if "min_trust" not in req and state.trust < TUNING.floor_trust:
        unmet.append("min_trust")
    if "min_willingness" not in req and state.willingness < TUNING.floor_willingness:
        unmet.append("min_willingness")
    if not state.plan.get("activity"):
        unmet.insert(0, "activity")
    return unmet
