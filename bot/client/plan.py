"""The plan on the table: details the trainee names, details the client gives, and the
client's counter-offer when the plan breaks its limits."""

from __future__ import annotations

from bot import moves
from bot.client.agreement import too_long, too_often, within_limits
from bot.client.context import TurnContext
from bot.client.hearing import PLAN_MOVES, contains_any, same_activity
from bot.language.quantities import days_count, times_per_week


def absorb(ctx: TurnContext) -> bool:
    """Take this turn's plan entities; return whether the plan changed."""
    s = ctx.state
    if ctx.move not in PLAN_MOVES or s.plan.get("agreed") and ctx.move == "written_summary":
        return False
    changed = False
    for ent in moves.PLAN_ENTITIES:
        value = ctx.turn_values.get(ent)
        if ent == "activity" and value:
            value = fuller_own_idea(value, s.client_ideas)
        if value and s.plan.get(ent) != value:
            s.plan[ent] = value
            changed = True
            ctx.events.append(f"plan_detail:{ent}={value}")
            if ent == "activity":
                # The trainee naming the client's own idea back is still the client's idea.
                own = any(same_activity(value, idea) for idea in s.client_ideas)
                s.activity_by = "client" if own else "therapist"
    if ctx.turn_values.get("day") and not ctx.turn_values.get("frequency") \
            and s.plan.get("frequency"):
        days = days_count(s.plan["day"])
        if days and days >= 2 and days != times_per_week(s.plan["frequency"]):
            s.plan["frequency"] = None  # named days replace an older "how often"
    if changed and s.plan.get("agreed"):
        # A changed plan is a new plan: the client has to agree to it again.
        s.plan["agreed"] = False
    return changed


def fuller_own_idea(value: str, ideas: list[str]) -> str:
    """The client's own idea when the trainee names it back in part ("a number" for "a
    number out of ten for my energy"): the plan keeps the client's fuller wording rather
    than the piece of it the NLU cut out."""
    for idea in ideas:
        if same_activity(value, idea) and len(idea) > len(value):
            return idea
    return value


def counter_offer(ctx: TurnContext) -> dict[str, str]:
    """Put the client's values into a plan that breaks its limits; return them."""
    p, s = ctx.persona, ctx.state
    limits = p.task_limits
    countered: dict[str, str] = {}
    if too_long(p, s.plan):
        countered["duration"] = limits.counter_offer.get(
            "duration", f"{int(limits.max_duration_minutes or 0)} minutes")
    if too_often(p, s.plan):
        countered["frequency"] = limits.counter_offer.get(
            "frequency", f"{int(limits.max_times_per_week or 0)} times this week")
        if not s.plan.get("frequency") and s.plan.get("day"):
            s.plan["day"] = None  # too many days: the client's frequency replaces them
    if contains_any(s.plan.get("activity"), limits.disliked_activities):
        alt = next((a for a in limits.preferred_activities
                    if not contains_any(a, limits.disliked_activities)), None)
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


def client_solution(ctx: TurnContext) -> bool:
    """Asked how to get round an obstacle it has named ("What would help with that?"), the
    client offers the detail that would solve it, from its own preferences where they fit
    (else the first detail its file says would solve it); the plan takes it as the
    client's own. Returns whether the plan changed."""
    p, s = ctx.persona, ctx.state
    open_ids = [b for b in s.disclosed if b not in s.resolved]
    if s.barrier_in_play in open_ids:
        open_ids.remove(s.barrier_in_play)
        open_ids.insert(0, s.barrier_in_play)
    for bid in open_ids:
        barrier = p.barrier(bid)
        if barrier is None:
            continue
        for ent, needles in barrier.resolved_by.details.items():
            if not needles or contains_any(s.plan.get(ent), needles):
                continue
            mine = [p.preferences[ent].suggest] if ent in p.preferences else []
            mine += [str(v) for v in (p.task_limits.preferences.get(ent),
                                      p.task_limits.counter_offer.get(ent)) if v]
            value = next((v for v in mine if contains_any(v, needles)), needles[0])
            if not within_limits(p, {**s.plan, ent: value}):
                continue
            s.plan[ent] = value
            ctx.events.append(f"plan_detail:{ent}={value}")
            s.client_shaped = True
            ctx.extra[ent] = value
            return True
    return False
