"""What moves inside the client: sensitivities to wording, beliefs, and barriers.

Each function looks at the turn (a TurnContext), changes the client's state, records its
events, and returns the line the client says about it, or None.
"""

from __future__ import annotations

from typing import Any

from bot.client.agreement import within_limits
from bot.client.context import Reaction, Said, TurnContext
from bot.client.hearing import (
    LOOSE_SLOTS,
    PLAN_MOVES,
    PRESSURE_MOVES,
    PUSH_MOVES,
    QUESTION_MOVES,
    contains_any,
)
from bot.client.state import apply_effects
from bot.client.tuning import TUNING
from bot.client.voice import say_list
from bot.persona.model import Barrier, Belief, TriggerGroup

# Moves where an obstacle is the topic: exploring, solving, last week's review, and the
# client's own idea (it may come with what is in its way).
OBSTACLE_TALK = frozenset({"explore_barriers", "problem_solve", "review_plan", "elicit_ideas"})
# Reactions that *are* the answer replace it; a word that grates is said before it.
REPLACING_SENSITIVITIES = frozenset({"closed_question", "lecture", "praise", "pressure"})


def sensitivity(ctx: TurnContext) -> Reaction | None:
    """The strongest reaction to how the turn was said; every one that fires costs trust."""
    p, s, move, cues = ctx.persona, ctx.state, ctx.move, ctx.cues
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
            and (not ctx.plan_changed or not within_limits(p, s.plan)):
        fired.append("pressure")
    if s.lecture_run >= 2:  # the lecture is what the client reacts to, not its wording
        fired.append("lecture")
        apply_effects(s, {"understanding": TUNING.lecture_understanding})
    if cues.get("directive"):
        fired.append("directive")
    if cues.get("homework_term"):
        fired.append("homework_term")
    if ctx.closed_counts and move in QUESTION_MOVES:
        fired.append("closed_question")
    if move == "affirm" and s.trust < TUNING.warm_from:
        fired.append("praise")
    chosen: Reaction | None = None
    for kind in fired:
        sens = p.sensitivities.get(kind)
        if sens is None:
            continue
        apply_effects(s, {"trust": -sens.strength, "willingness": -sens.strength / 2})
        ctx.events.append(f"sensitivity:{kind}")
        if chosen is not None:
            continue
        if sens.rupture and not s.rupture:
            s.rupture = True
            ctx.events.append(f"rupture:{kind}")
            said = say_list(ctx, f"sensitivity.{kind}", sens.lines, "no_open_rupture")
            chosen = Reaction("rupture", said, True)
            continue
        if not sens.lines:
            continue
        said = say_list(ctx, f"sensitivity.{kind}", sens.lines, "fallback")
        chosen = Reaction(kind, said, kind in REPLACING_SENSITIVITIES)
    return chosen


def beliefs(ctx: TurnContext) -> str | None:
    """Beliefs this turn sets off; the line of the first, said before the answer."""
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
        feats = ctx.task_features
        hit = (by_move or any(_cue_on(ctx, c) for c in t.cues)
               or any(f in feats for f in t.task)
               or any(_group_holds(ctx, g, softened) for g in t.all))
        if not hit:
            continue
        s.beliefs_active.append(belief.id)
        if belief.id in s.beliefs_softened:
            s.beliefs_softened.remove(belief.id)
        apply_effects(s, belief.effects)
        ctx.events.append(f"belief_activated:{belief.id}")
        if line is None and belief.lines:
            line = say_list(ctx, f"belief.{belief.id}", belief.lines, "fallback").text
    return line


def _group_holds(ctx: TurnContext, g: TriggerGroup, softened: bool) -> bool:
    """Every part of a trigger combination holds (any listed value within a part)."""
    if g.moves and (ctx.move not in g.moves or (softened and not (g.cues or g.task))):
        return False
    if g.cues and not any(_cue_on(ctx, c) for c in g.cues):
        return False
    if g.task and not any(f in ctx.task_features for f in g.task):
        return False
    if g.phase and ctx.state.phase not in g.phase:
        return False
    return bool(g.moves or g.cues or g.task)


def _cue_on(ctx: TurnContext, cue: str) -> bool:
    if cue == "closed_question":
        return ctx.closed_counts
    if cue == "open_question":
        return ctx.cues.get("question") == "open"
    return bool(ctx.cues.get(cue))


def softening(ctx: TurnContext) -> Said | None:
    """Beliefs this turn softens; the line of the first."""
    s, out = ctx.state, None
    for belief in list(_active_beliefs(ctx)):
        sb = belief.softened_by
        if ctx.move in sb.moves or any(_cue_on(ctx, c) for c in sb.cues):
            s.beliefs_active.remove(belief.id)
            s.beliefs_softened.append(belief.id)
            # Undo the belief's pull and a little more: the client has seen past it.
            apply_effects(s, {k: -v for k, v in belief.effects.items()})
            apply_effects(s, {"hope": TUNING.belief_softened_hope})
            ctx.events.append(f"belief_softened:{belief.id}")
            if out is None:
                out = say_list(ctx, f"softened.{belief.id}", belief.softened_lines,
                               "belief_softened")
    return out


def _active_beliefs(ctx: TurnContext) -> list[Belief]:
    return [b for b in ctx.persona.beliefs if b.id in ctx.state.beliefs_active]


def barriers(ctx: TurnContext) -> Said | None:
    """A named barrier this turn resolves, else one it brings out; the client's line."""
    solved = resolve_barrier(ctx)
    if solved is not None:
        return say_list(ctx, f"resolved.{solved.id}", solved.resolved_lines, "barrier_resolved")
    named = disclose_barrier(ctx)
    if named is not None:
        return say_list(ctx, f"barrier.{named.id}", named.lines, "explore_barriers")
    return None


def resolve_barrier(ctx: TurnContext) -> Barrier | None:
    """The first barrier named on an earlier turn that this turn solves (state and event)."""
    p, s = ctx.persona, ctx.state
    for b in p.barriers:
        if b.id not in s.disclosed or b.id in s.resolved:
            continue
        if resolves(b, ctx.move, s.plan, ctx.solving):
            s.resolved.append(b.id)
            s.barrier_in_play = b.id
            apply_effects(s, {"willingness": TUNING.barrier_resolved_willingness,
                              "hope": TUNING.barrier_resolved_hope})
            ctx.events.append(f"barrier_resolved:{b.id}")
            ctx.barrier = b
            return b
    return None


def disclose_barrier(ctx: TurnContext) -> Barrier | None:
    """The first barrier this turn brings out: asked about, said early, or volunteered.

    A barrier answers a question about obstacles, or comes up when the plan touches it:
    outside exploring (and last week's review, and the client's own idea) it needs a task
    on the table, so that "How does that fit with what you want?" never gets an obstacle.
    """
    p, s, move = ctx.persona, ctx.state, ctx.move
    if ctx.goals_talk or (move not in OBSTACLE_TALK and not s.plan.get("activity")):
        return None
    for b in p.barriers:
        if b.id in s.disclosed:
            continue
        # A doubt kept from a leading question comes out only when asked openly.
        asked = move in b.disclose_on and (ctx.open_asked or not b.disclose_needs_open_question)
        said_early = not b.hidden and move in ("review_plan", "propose_task", "elicit_ideas",
                                               "specify_plan", "explore_barriers")
        # Initiative: a client who trusts the trainee raises the objection unasked.
        unasked = b.hidden and b.volunteers and move in PUSH_MOVES \
            and s.trust >= TUNING.warm_from
        if asked or said_early or unasked:
            s.disclosed.append(b.id)
            s.barrier_in_play = b.id
            apply_effects(s, {"trust": TUNING.barrier_disclosed_trust})
            ctx.events.append(f"barrier_disclosed:{b.id}")
            ctx.barrier = b
            ctx.disclosed_now = True
            return b
    return None


def resolves(b: Barrier, move: str, plan: dict[str, Any], solving: bool = False) -> bool:
    """Whether this move, with this plan, solves the barrier (its `resolved_by`)."""
    by_move = move in b.resolved_by.moves or (solving and "problem_solve" in b.resolved_by.moves)
    details = b.resolved_by.details
    if details:
        matched = any(contains_any(value, vals) for ent, vals in details.items()
                      for value in slot_values(plan, ent))
        return matched and (by_move or move in PLAN_MOVES)
    return by_move


def slot_values(plan: dict[str, Any], ent: str) -> list[Any]:
    """Plan values a barrier's `resolved_by.details` entry is matched against.

    The client hears words, not slots: "in the van" solves "Carol will see" whether the
    NLU labelled it a place or an activity. Among the what/when/where/who slots a detail
    counts in any of them; duration and frequency stay strict, since a number there
    ("five minutes") means something else than a time of day ("five").
    """
    if ent not in LOOSE_SLOTS:
        return [plan.get(ent)]
    return [plan.get(e) for e in LOOSE_SLOTS]
