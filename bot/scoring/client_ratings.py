"""The simulated client's own view of the action plan (HRS-II-like, 0-4 per item).

Computed only from the client's final state, never from the rubric scores, so the trainer's
view and the client's view can disagree (as they do in real supervision). Item wording of the
HRS-II is not reproduced; these are this project's estimates.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from bot.client.agreement import unmet_conditions
from bot.client.state import ClientState
from bot.persona.model import Persona

# The items, in display order, in one place.
ITEMS: tuple[str, ...] = (
    "engagement_quantity",
    "engagement_quality",
    "understands_rationale",
    "plan_specific",
    "collaborative",
    "fits_goals",
    "expected_pleasure",
    "expected_mastery",
    "expected_progress",
)

SPECIFICS: tuple[str, ...] = ("day", "time_of_day", "frequency", "duration", "place", "person")
PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")


def _level(value: float) -> int:
    """Map a 0..1 quantity onto the 0..4 item scale."""
    return max(0, min(4, int(round(4 * max(0.0, min(1.0, value))))))


def _num(state: Mapping[str, Any], key: str, default: float = 0.0) -> float:
    try:
        return float(state.get(key, default))
    except (TypeError, ValueError):
        return default


def client_items(final_state: Mapping[str, Any]) -> dict[str, int]:
    """The nine items from the client's final state."""
    trust = _num(final_state, "trust")
    hope = _num(final_state, "hope")
    understanding = _num(final_state, "understanding")
    willingness = _num(final_state, "willingness")
    plan = final_state.get("plan") or {}
    agreed = bool(plan.get("agreed"))
    has_task = bool(plan.get("activity"))
    rupture = bool(final_state.get("rupture"))
    unresolved = set(final_state.get("disclosed") or []) - set(final_state.get("resolved") or [])
    n_specifics = sum(1 for k in SPECIFICS if plan.get(k))
    # Without an agreed plan the client expects to do little of it, whatever it feels.
    commitment = 1.0 if agreed else 0.35
    items = {
        "engagement_quantity": _level(willingness * commitment),
        "engagement_quality": _level((hope + willingness) / 2 * commitment),
        "understands_rationale": _level(
            understanding + (0.1 if final_state.get("understanding_checked") else 0.0)),
        # What alone is 1; each of when / where / how long / how often / with whom adds one.
        "plan_specific": min(4, 1 + n_specifics) if has_task else 0,
        "collaborative": _level(
            0.4 * bool(final_state.get("client_shaped"))
            + 0.2 * bool(final_state.get("feedback_asked"))
            + 0.4 * trust
            - (0.3 if rupture else 0.0)),
        "fits_goals": _level(0.5 * bool(final_state.get("linked_to_goals")) + 0.5 * hope),
        "expected_pleasure": _level(hope * (1.0 if has_task else 0.5)),
        "expected_mastery": _level(
            (0.5 * willingness + 0.5 * hope) * commitment - 0.15 * len(unresolved)),
        "expected_progress": _level((hope + understanding) / 2 * (1.0 if agreed else 0.6)),
    }
    return {k: items[k] for k in ITEMS}


def _persona_lines(persona: Any, situation: str) -> list[str]:
    """Lines for a situation from a persona that is None, a dict or an object."""
    if persona is None:
        return []
    lines: Any = persona.get("lines") if isinstance(persona, Mapping) else getattr(
        persona, "lines", None)
    if isinstance(lines, Mapping):
        found = lines.get(situation)
        if isinstance(found, str):
            return [found]
        if isinstance(found, Sequence):
            return [str(x) for x in found if isinstance(x, str)]
    return []


def _fill(line: str, plan: Mapping[str, Any], persona: Any,
          extra: Mapping[str, str] | None = None) -> str | None:
    """Fill {placeholders} from the plan; a line with a placeholder lacking a value is skipped."""
    values: dict[str, str] = {k: str(v) for k, v in plan.items() if v and k != "agreed"}
    values.update(extra or {})
    name = persona.get("name") if isinstance(persona, Mapping) else getattr(persona, "name", None)
    if name:
        values["name"] = str(name)
    goals = persona.get("goals") if isinstance(persona, Mapping) else getattr(
        persona, "goals", None)
    if goals:
        values["goal"] = str(list(goals)[0])
    for key in PLACEHOLDER_RE.findall(line):
        if key not in values:
            return None
    return PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], line)


def _composed_comment(final_state: Mapping[str, Any], items: Mapping[str, int]) -> str:
    """A comment in the client's voice when the persona supplies none."""
    plan = final_state.get("plan") or {}
    agreed = bool(plan.get("agreed"))
    if final_state.get("rupture"):
        first = "Honestly, I felt pushed today."
    elif agreed and items["expected_mastery"] >= 3:
        first = "I think I can actually do this one."
    elif agreed:
        first = "I said I'd try it, but I'm not sure it'll happen."
    else:
        first = "We didn't really land on anything I'm going to do."
    if items["understands_rationale"] <= 1:
        second = "I'm still not sure why I'd do it."
    elif final_state.get("disclosed") and set(final_state.get("disclosed") or []) - set(
            final_state.get("resolved") or []):
        second = "The thing that got in the way last time is still there."
    elif items["plan_specific"] <= 1 and agreed:
        second = "It's a bit vague when and where, to be honest."
    elif items["collaborative"] >= 3:
        second = "It felt like my plan, not just yours."
    else:
        second = "It helped a bit to talk it through."
    return f"{first} {second}"


def _first_unmet(persona: object | None, state: Mapping[str, Any]) -> str | None:
    """The first agreement condition the final state misses (engine order), if knowable."""
    if not isinstance(persona, Persona):
        return None
    unmet = unmet_conditions(persona, ClientState.from_dict(dict(state)))
    return unmet[0] if unmet else None


def _open_barrier(persona: object, state: Mapping[str, Any]) -> str | None:
    """Summary of a barrier the client named that was left unsolved (required ones first)."""
    open_ids = [b for b in state.get("disclosed") or [] if b not in (state.get("resolved") or [])]
    barriers = list(getattr(persona, "barriers", ()) or ())
    if not open_ids or not barriers:
        return None
    agreement = getattr(persona, "agreement", None)
    required = list((getattr(agreement, "requires", {}) or {}).get("barriers_resolved") or [])
    ranked = sorted(open_ids, key=lambda b: (b not in required, open_ids.index(b)))
    by_id = {getattr(b, "id", None): b for b in barriers}
    for bid in ranked:
        summary = getattr(by_id.get(bid), "summary", None)
        if summary:
            return str(summary)
    return None


def _comment_candidates(persona: object | None, state: Mapping[str, Any]) -> list[str]:
    """The persona's comment lines that fit how the session ended, most specific first.

    Not agreed: `comment.not_agreed.<first unmet condition>`, else `comment.not_agreed`.
    For `barriers_resolved`, a variant with {barrier} speaks of a barrier the client named
    that stayed unsolved (so it is used only when there is one); a variant without it speaks
    of what the client never got to say, so it is used only when no named barrier is open:
    the comment never contradicts a session in which the obstacles were explored.
    """
    plan = state.get("plan") or {}
    if plan.get("agreed"):
        situations = ["comment.agreed"]
    else:
        cond = _first_unmet(persona, state)
        situations = ([f"comment.not_agreed.{cond}"] if cond else []) + ["comment.not_agreed"]
    for situation in situations:
        lines = _persona_lines(persona, situation)
        extra: dict[str, str] = {}
        if situation == "comment.not_agreed.barriers_resolved":
            barrier = _open_barrier(persona, state)
            lines = [ln for ln in lines if ("{barrier}" in ln) == (barrier is not None)]
            if barrier is not None:
                extra["barrier"] = barrier
        filled = [f for ln in lines if (f := _fill(ln, plan, persona, extra)) is not None]
        if filled:
            return filled
    return []


def client_ratings(persona: object | None, final_state: dict) -> dict[str, Any]:
    """The client's view: {"items": {item: 0-4}, "comment": str}. Deterministic."""
    state = final_state or {}
    items = client_items(state)
    candidates = _comment_candidates(persona, state)
    if candidates:
        # Stable across runs and machines (unlike hash()): keyed on the final state.
        key = f"{state.get('turn')}|{sorted(items.items())}".encode()
        comment = candidates[zlib.crc32(key) % len(candidates)]
    else:
        comment = _composed_comment(state, items)
    return {"items": items, "comment": comment}
