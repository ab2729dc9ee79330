"""The line that answers the move: agreement or what is still missing, a counter-offer,
"you asked me that already", the client's own idea, or the move's own lines."""

from __future__ import annotations

from bot.client.agreement import unmet_conditions
from bot.client.context import Said, TurnContext
from bot.client.generic_lines import GENERIC_MOVE_LINES
from bot.client.hearing import contains_any, same_activity
from bot.client.state import ClientState, apply_effects
from bot.client.tuning import TUNING
from bot.client.voice import LineLevel, choose, joined, move_levels, say_list, say_move
from bot.moves import DETAIL_QUESTIONS

# Conditions that only say the trainee has not asked yet: details offered in a question are
# answered, not met with an objection.
ASKING_CONDITIONS = frozenset({"feedback_asked", "understanding_checked", "linked_to_goals",
                               "client_shaped", "rationale_understood", "min_specifics",
                               "first_proposal"})


def counter_line(ctx: TurnContext, countered: set[str]) -> Said:
    """lines.counter_offer, else the persona's "too much" objection (its placeholders now
    hold the client's values), else the built-in lines."""
    p = ctx.persona
    levels = move_levels(p, "counter_offer", ctx.state.band(), ctx.state.phase)
    own = [lv for lv in levels if not lv.generic]
    too_much = p.agreement.not_yet.get("within_task_limits", ())
    if too_much:
        own.append(LineLevel("not_yet.within_task_limits", too_much, False))
    # Lines naming what was countered come first ("What about three times this week?").
    return choose(ctx, own + [lv for lv in levels if lv.generic], countered) \
        or Said("Mm.", True)


def agreement(ctx: TurnContext, pre: ClientState, detail: str | None = None,
              grated: bool = False) -> Said:
    """Agree to the plan on the table, or say the first thing that still stands in the way."""
    p, s = ctx.persona, ctx.state
    unmet = unmet_conditions(p, s)
    if not unmet and grated:
        # "Need to." followed by "OK, I'll do it" in one breath reads false: a client who has
        # just bristled at the wording does not sign up on the same turn.
        return move_line(ctx, detail)
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
        apply_effects(s, {"hope": TUNING.agreed_hope, "willingness": TUNING.agreed_willingness})
        if ctx.move == "check_understanding":
            # Asked to say it back, the client restates the plan it now signs up to.
            own = p.lines.get("check_understanding.agreed", ())
            levels = [LineLevel("check_understanding.agreed", own, False)] if own else []
            levels.append(LineLevel("agree", p.agreement.agree_lines, False))
            chosen = choose(ctx, [lv for lv in levels if lv.variants])
            if chosen is not None:
                return chosen
        return say_list(ctx, "agree", p.agreement.agree_lines, "agree")
    cond = unmet[0]
    if ctx.move == "specify_plan" and cond in ASKING_CONDITIONS:
        # A question about a detail gets an answer about the detail, not a verdict.
        return move_line(ctx, detail)
    s.failed_checks += 1
    if s.failed_checks >= TUNING.refuse_after_failed_checks \
            and s.willingness < TUNING.refuse_below_willingness and not s.refused:
        s.refused = True
        ctx.events.append("plan_refused")
        return say_list(ctx, "refuse", p.agreement.refuse_lines, "refuse")
    if cond == "first_proposal":
        # Nothing is wrong yet; the client just does not sign up on the spot.
        return move_line(ctx)
    ctx.events.append(f"plan_objection:{cond}")
    s.objection_pending = cond
    if cond == "barriers_resolved":
        pending = [b for b in p.barriers if b.id in s.disclosed and b.id not in s.resolved]
        ctx.barrier = pending[0] if pending else None
    objection = say_list(ctx, f"not_yet.{cond}", p.agreement.not_yet.get(cond, ()), cond)
    if ctx.move == "check_understanding":
        # The paraphrase is what was asked for; what is still missing follows it.
        return joined(say_move(ctx, "check_understanding"), objection)
    return objection


def repeat(ctx: TurnContext) -> Said:
    """The client notices a question asked twice."""
    s, p = ctx.state, ctx.persona
    ctx.events.append(f"repeat_noticed:{ctx.move}")
    if s.barrier_in_play:
        ctx.barrier = p.barrier(s.barrier_in_play)
    return say_move(ctx, "repeat")


def move_line(ctx: TurnContext, detail: str | None = None) -> Said:
    """The move's own answer, with what the persona knows about it (report, learning)."""
    p, s, move = ctx.persona, ctx.state, ctx.move
    if move == "explore_barriers":
        # Memory: every barrier already named and not solved is referred back to.
        pending = [b for b in p.barriers if b.id in s.disclosed and b.id not in s.resolved]
        if pending:
            ctx.barrier = pending[0]
            with_barrier = tuple(ln for ln in p.lines.get("repeat", ()) if "{barrier}" in ln)
            if with_barrier:
                return say_list(ctx, "recall", with_barrier, "repeat")
            generic = tuple(ln for ln in GENERIC_MOVE_LINES["repeat"] if "{barrier}" in ln)
            chosen = choose(ctx, [LineLevel("recall", generic, True)])
            if chosen:
                return chosen
    if move == "review_plan":
        report = p.last_week.report
        s.report_given = True
        return say_move(ctx, move, [LineLevel("report", report, False)] if report else None)
    if move == "explore_learning":
        learning = p.last_week.learning
        if learning and s.band() not in ("guarded", "ruptured"):
            if not s.learning_shared:
                s.learning_shared = True
                ctx.events.append("learning_shared")
            return say_move(ctx, move, [LineLevel("learning", learning, False)])
        return say_move(ctx, move)
    if move == "elicit_ideas":
        return idea(ctx) or say_move(ctx, "elicit_ideas")
    if move == "specify_plan" and detail is not None:
        # `specify_plan.when` answers "when?"; lines naming the asked detail come first.
        key = f"specify_plan.{detail}"
        own = [LineLevel(key, p.lines[key], False)] if p.lines.get(key) else None
        return say_move(ctx, move, own,
                        prefer=set(DETAIL_QUESTIONS[detail]) | set(ctx.turn_values))
    said = say_move(ctx, move, prefer=set(ctx.turn_values))
    # Initiative: once trust is warm the client volunteers what last week taught it.
    if move in ("affirm", "reflect") and s.phase == "review" and s.band() == "warm" \
            and not s.learning_shared and p.last_week.learning:
        s.learning_shared = True
        ctx.events.append("learning_shared")
        extra = say_list(ctx, "learning", p.last_week.learning, "learning").text
        said = Said(f"{said.text} {extra}", said.generic)
    return said


def idea(ctx: TurnContext, only_if_offered: bool = False) -> Said | None:
    """The client's own idea into the plan and its line; None when it has none to offer.

    only_if_offered: another line already answers the turn, so say the idea only if it
    can be voiced (a variant with {activity}); the plan takes it either way.
    """
    p, s = ctx.persona, ctx.state
    limits = p.task_limits
    own = p.preferences.get("activity")
    # The client's own ideas: its preference first (preferences.activity), then the
    # activities it likes; a second ask brings the next one.
    ideas: list[str] = []
    for a in ([own.suggest] if own else []) + list(limits.preferred_activities):
        if not contains_any(a, limits.disliked_activities) \
                and not any(same_activity(a, b) for b in ideas):
            ideas.append(a)
    if s.band() in ("guarded", "ruptured") or not ideas:
        return None
    chosen_idea = ideas[(s.move_counts.get("elicit_ideas", 1) - 1) % len(ideas)]
    if not s.plan.get("activity"):
        s.plan["activity"] = chosen_idea
        s.activity_by = "client"
        ctx.events.append(f"plan_detail:activity={chosen_idea}")
    if chosen_idea not in s.client_ideas:
        s.client_ideas.append(chosen_idea)
    ctx.events.append(f"idea_offered:{chosen_idea}")
    ctx.extra["activity"] = chosen_idea
    # Prefer the variants that voice the idea, so the plan and the words agree: its own
    # lines for its preferred idea, then the elicit_ideas lines that name {activity}.
    levels = [LineLevel(lv.key, tuple(v for v in lv.variants if "{activity}" in v), lv.generic)
              for lv in move_levels(p, "elicit_ideas", s.band(), s.phase)]
    if own is not None and chosen_idea == own.suggest and own.lines:
        levels.insert(0, LineLevel("preferences.activity", own.lines, False))
    if only_if_offered:  # the built-in idea lines would read as a second answer
        levels = [lv for lv in levels if not lv.generic]
    chosen = choose(ctx, [lv for lv in levels if lv.variants])
    if chosen is None and only_if_offered:
        return None
    return chosen or say_move(ctx, "elicit_ideas")
