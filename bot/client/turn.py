"""One turn of the client, as a pipeline of named stages in the order they run.

    hear            read the message: cues, open/closed question, problem-solving, rationale
    (not understood: "Sorry, say that again?")
    take_in         count the move; phase, the move's effects on the client, flags
    take_plan       the trainee's details into the plan; the client's own when asked
    (goodbye: the closing line)
    react           sensitivities to the wording (a rupture ends the turn; a repair mends it)
    believe         beliefs set off by the move, the wording or the task
    (a reaction that is the whole answer ends the turn)
    answer          the main line: a softened belief, a barrier resolved or disclosed, a
                    counter-offer, agreement or what is still missing, a repeated question
                    noticed, or the move's own line
    compose         at most one reaction before the answer

Every stage reads and writes the TurnContext; nothing outside the returned TurnResult
changes.
"""

from __future__ import annotations

from bot import moves
from bot.client import answers, plan, reactions
from bot.client.agreement import task_features
from bot.client.context import Said, TurnContext
from bot.client.hearing import (
    CHECK_MOVES,
    CLOSED_QUESTION_EXEMPT,
    EXPLORING_MOVES,
    PHASE_OF_MOVE,
    PLAN_MOVES,
    REPEATABLE,
    SCALE_RE,
    asked_before,
    entity_values,
    rationale_talk,
    solving,
    unsure_but_safe,
)
from bot.client.state import ClientState, TurnInput, TurnResult, apply_effects
from bot.client.tuning import CUE_EFFECTS, DEFAULT_EFFECTS, TUNING
from bot.client.voice import say_move
from bot.persona.model import Persona


def step(persona: Persona, state: ClientState, turn: TurnInput) -> TurnResult:
    """The client's reply to one trainee turn, and its new state."""
    ctx = hear(persona, state, turn)
    if not understood(ctx, turn.confidence):
        return not_understood(ctx)
    take_in(ctx)
    take_plan(ctx)
    if ctx.move == "goodbye":
        return goodbye(ctx)
    ctx.reaction = reactions.sensitivity(ctx)
    if ctx.reaction is not None and ctx.reaction.kind == "rupture":
        return rupture(ctx)
    if ctx.move == "repair_rupture" and ctx.state.rupture:
        return repair(ctx)
    ctx.belief_line = reactions.beliefs(ctx)
    if ctx.reaction is not None and ctx.reaction.replace:
        return reaction_only(ctx)
    return compose(ctx, answer(ctx))


# ---------------------------------------------------------------- stages, in order


def hear(persona: Persona, state: ClientState, turn: TurnInput) -> TurnContext:
    """A fresh copy of the state, one turn on, and what the wording of the turn shows."""
    s = state.copy()
    s.turn += 1
    cues = {**moves.empty_cues(), **(turn.cues or {})}
    ctx = TurnContext(persona, s, turn.intent, entity_values(turn), text=turn.text or "",
                      cues=cues, confidence=turn.confidence)
    scale_question = bool(SCALE_RE.search(ctx.text))
    ctx.open_asked = cues.get("question") == "open" or scale_question
    ctx.closed_counts = cues.get("question") == "closed" and not (
        ctx.move in CLOSED_QUESTION_EXEMPT or (ctx.move == "elicit_feedback" and scale_question))
    ctx.solving = solving(s, ctx.move, cues)
    ctx.rationale_talk = rationale_talk(s, ctx.move, cues, ctx.text)
    return ctx


def understood(ctx: TurnContext, confidence: float) -> bool:
    if ctx.move == moves.FALLBACK or ctx.move not in moves.MOVES:
        return False
    return confidence >= TUNING.engine_min_confidence or unsure_but_safe(
        ctx.move, confidence, ctx.text, ctx.cues)


def not_understood(ctx: TurnContext) -> TurnResult:
    ctx.events.append("not_understood")
    said = say_move(ctx, "not_understood")
    return TurnResult(said.text, ctx.state, ctx.events, said.generic)


def take_in(ctx: TurnContext) -> None:
    """Count the move, then its phase, its effects on the client, and the flags it sets."""
    s, move = ctx.state, ctx.move
    ctx.repeated = move not in REPEATABLE and asked_before(s, move, ctx.text)
    prior_count = s.move_counts.get(move, 0)
    s.move_counts[move] = prior_count + 1
    s.last_move = move
    ctx.before = s.copy()  # for "already holds" on a first proposal
    _phase(ctx)
    _effects(ctx, prior_count)
    _flags(ctx)


def _phase(ctx: TurnContext) -> None:
    s = ctx.state
    new = PHASE_OF_MOVE.get(ctx.move)
    if ctx.rationale_talk:
        new = None  # talking about the task's reason is still designing it
    if ctx.move == "explore_barriers" and s.phase == "opening":
        new = "review"
    if ctx.move == "explore_barriers" and s.phase == "review":
        new = None  # "what got in the way last week" stays in the review
    if new and new != s.phase:
        s.phase = new
        ctx.events.append(f"phase:{new}")


def _effects(ctx: TurnContext, prior_count: int) -> None:
    s, cues = ctx.state, ctx.cues
    # Diminishing returns: the third rationale in a row adds little.
    scale = 1.0 if prior_count < TUNING.repeated_move_from else TUNING.repeated_move_scale
    apply_effects(s, DEFAULT_EFFECTS.get(ctx.move, {}), scale)
    apply_effects(s, ctx.persona.state.effects.get(ctx.move, {}), scale)
    if ctx.rationale_talk:
        # It builds understanding as a rationale does (once the reading's own share is paid).
        gain = (DEFAULT_EFFECTS["give_rationale"].get("understanding", 0.0)
                - DEFAULT_EFFECTS.get(ctx.move, {}).get("understanding", 0.0)
                + ctx.persona.state.effects.get("give_rationale", {}).get("understanding", 0.0))
        apply_effects(s, {"understanding": max(gain, 0.0)}, scale)
    if cues.get("question") == "open":
        apply_effects(s, CUE_EFFECTS["open_question"])
    for cue in ("directive", "collaborative", "tentative"):
        if cues.get(cue):
            apply_effects(s, CUE_EFFECTS[cue])


def _flags(ctx: TurnContext) -> None:
    s, move, cues = ctx.state, ctx.move, ctx.cues
    if move == "give_rationale" or ctx.rationale_talk:
        s.rationale_heard = True
    if move == "check_understanding" and s.rationale_heard:
        # Putting it in one's own words consolidates the rationale.
        apply_effects(s, {"understanding": TUNING.said_back_understanding})
    if move == "link_to_goals":
        s.linked_to_goals = True
    if move == "elicit_ideas":
        s.ideas_elicited = True
        s.client_shaped = True
    if move in ("propose_task", "specify_plan", "problem_solve") and (
        cues.get("tentative") or cues.get("collaborative")
    ) and not cues.get("directive"):
        s.client_shaped = True
    # Answering an objection with a rationale counts only if it invites a response.
    if ctx.solving or (move in EXPLORING_MOVES and (
        move not in ("give_rationale", "link_to_goals") or cues.get("question") != "none"
    )):
        s.objection_pending = None
    # A lecture is rationale/proposal after rationale/proposal without asking anything.
    if move in ("give_rationale", "propose_task") and cues.get("question") == "none":
        s.lecture_run += 1
    else:
        s.lecture_run = 0
    if move == "propose_task":
        s.proposals += 1


def take_plan(ctx: TurnContext) -> None:
    """The trainee's details into the plan, then the client's own where it is asked."""
    s, move = ctx.state, ctx.move
    ctx.plan_changed = plan.absorb(ctx)
    if move in ("elicit_feedback", "check_understanding") and s.plan.get("activity"):
        # "How does that sound?" with no task on the table asks for no view of a plan, and
        # there is nothing to put in one's own words yet.
        s.feedback_asked = True
        s.understanding_checked = s.understanding_checked or move == "check_understanding"
    if move == "specify_plan":
        ctx.detail, given = plan.client_details(ctx)
        ctx.plan_changed = ctx.plan_changed or given
    if move in CHECK_MOVES:
        ctx.task_features = task_features(ctx.persona, s, move, ctx.cues, s.plan)


def goodbye(ctx: TurnContext) -> TurnResult:
    s = ctx.state
    if not s.plan.get("agreed") and not s.refused:
        s.refused = True
        ctx.events.append("plan_refused")
    key = "closing.agreed" if s.plan.get("agreed") else "closing.not_agreed"
    said = say_move(ctx, key)
    return TurnResult(said.text, s, ctx.events, said.generic)


def rupture(ctx: TurnContext) -> TurnResult:
    """A client who has just shut down takes none of this turn's details on board."""
    assert ctx.reaction is not None and ctx.before is not None
    s = ctx.state
    s.plan = dict(ctx.before.plan)
    s.activity_by = ctx.before.activity_by
    ctx.events = [e for e in ctx.events if not e.startswith("plan_detail:")]
    return TurnResult(ctx.reaction.said.text, s, ctx.events, ctx.reaction.said.generic)


def repair(ctx: TurnContext) -> TurnResult:
    """The line answers from inside the rupture (`repair_rupture.ruptured` first)."""
    s = ctx.state
    said = say_move(ctx, "repair_rupture")
    s.rupture = False
    s.refused = False
    s.failed_checks = 0
    s.objection_pending = None
    apply_effects(s, {"trust": TUNING.repair_trust, "willingness": TUNING.repair_willingness})
    ctx.events.append("repair")
    return TurnResult(said.text, s, ctx.events, said.generic)


def reaction_only(ctx: TurnContext) -> TurnResult:
    """The reaction is the whole answer; what the trainee put into the plan stays there (the
    client did not counter it). A short yes/no may carry the belief behind it ("No. I
    know, I should've just done it.")."""
    assert ctx.reaction is not None
    said = ctx.reaction.said
    if ctx.belief_line is not None and ctx.reaction.kind == "closed_question":
        return TurnResult(f"{said.text} {ctx.belief_line}", ctx.state, ctx.events, False)
    return TurnResult(said.text, ctx.state, ctx.events, said.generic)


def answer(ctx: TurnContext) -> Said | None:
    """The main line, by priority; None when a belief's line says it all."""
    s, move, persona = ctx.state, ctx.move, ctx.persona
    main: Said | None = None
    if ctx.belief_line is None:
        main = reactions.softening(ctx)
    if main is None and not s.rupture:
        main = reactions.barriers(ctx)
    countered = plan.counter_offer(ctx) if move in PLAN_MOVES and not s.rupture else {}
    if main is None and countered:
        main = answers.counter_line(ctx, set(countered))
    if main is None and ctx.belief_line is None and move in CHECK_MOVES \
            and s.plan.get("activity") and not s.plan.get("agreed"):
        assert ctx.before is not None
        main = answers.agreement(ctx, ctx.before, ctx.detail, grated=ctx.reaction is not None)
    if main is not None and move == "elicit_ideas":
        # A barrier or a softened belief comes first, but the client's idea still counts.
        idea = answers.idea(ctx, only_if_offered=True)
        if idea is not None:
            main = Said(f"{main.text} {idea.text}", main.generic and idea.generic)
    if main is not None and ctx.disclosed_now and move == "review_plan" \
            and not s.report_given and persona.last_week.report:
        # Last week's report is the answer to the question; the barrier follows it.
        report = answers.move_line(ctx)
        main = Said(f"{report.text} {main.text}", main.generic and report.generic)
    if ctx.belief_line is not None and main is None:
        return None
    if main is None and ctx.repeated:
        main = answers.repeat(ctx)
    if main is None:
        main = answers.move_line(ctx, ctx.detail)
    return main


def compose(ctx: TurnContext, main: Said | None) -> TurnResult:
    """At most one reaction before the answer, or it reads as a speech."""
    prefixes: list[str] = []
    if ctx.reaction is not None:
        prefixes.append(ctx.reaction.said.text)
    if ctx.belief_line is not None:
        prefixes.append(ctx.belief_line)
    if main is None:  # the belief's line is the answer (after any reaction)
        return TurnResult(" ".join(prefixes), ctx.state, ctx.events, False)
    return TurnResult(" ".join(prefixes[-1:] + [main.text]), ctx.state, ctx.events,
                      main.generic)
