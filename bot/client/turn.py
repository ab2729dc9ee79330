"""One turn of the client, as a pipeline of named stages in the order they run.

    (a message of several parts: every part in order, one reply to the last question,
     after a few words for a reflection or affirmation before it)
    hear            read the message: cues, open/closed question, problem-solving, rationale
    (not understood: "Sorry, say that again?"; half heard: "Do you mean ...?")
    take_in         count the move; phase, the move's effects on the client, flags
    take_plan       the trainee's details into the plan (not fragments, not two details
                    that contradict each other, not an activity unrelated to the client);
                    the client's own values where it is asked for a detail or a solution
    (goodbye: the closing line)
    react           sensitivities to the wording (a rupture ends the turn; a repair mends it)
    believe         beliefs set off by the move, the wording or the task
    (a reaction that is the whole answer ends the turn)
    answer          the main line: a contradiction or unrelated activity questioned; the
                    details asked for; a softened belief, a barrier resolved or disclosed, a
                    counter-offer, agreement or what is still missing, a repeated question
                    noticed, or the move's own line
    compose         at most one reaction before the answer

Every stage reads and writes the TurnContext; nothing outside the returned TurnResult
changes.
"""

from __future__ import annotations

from dataclasses import replace

from bot import moves
from bot.client import answers, checks, details, plan, reactions
from bot.client.acknowledge import (
    acknowledgement,
    leaves_room,
    takes_acknowledgement,
    with_acknowledgement,
)
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
    asked_details,
    asked_entities,
    entity_values,
    goals_talk,
    move_in_substance,
    rationale_talk,
    solving,
    unsure_but_safe,
)
from bot.client.state import ClientState, TurnInput, TurnPart, TurnResult, apply_effects
from bot.client.tuning import CUE_EFFECTS, DEFAULT_EFFECTS, TUNING
from bot.client.voice import say_move
from bot.persona.model import Persona


def step(persona: Persona, state: ClientState, turn: TurnInput) -> TurnResult:
    """The client's reply to one trainee turn, and its new state."""
    if len(turn.parts) > 1:
        return step_parts(persona, state, turn)
    return step_one(persona, state, turn)


def step_one(persona: Persona, state: ClientState, turn: TurnInput) -> TurnResult:
    """One move: the stages in order."""
    ctx = hear(persona, state, turn)
    if not understood(ctx):
        return not_understood(ctx)
    if half_heard(ctx):
        return clarify(ctx)
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
    values = entity_values(turn)
    move = turn.intent
    if move in moves.MOVES:
        move = move_in_substance(move, turn.text or "", s, values)
    ctx = TurnContext(persona, s, move, values, text=turn.text or "", cues=cues,
                      confidence=turn.confidence)
    scale_question = bool(SCALE_RE.search(ctx.text))
    ctx.open_asked = cues.get("question") == "open" or scale_question
    ctx.closed_counts = cues.get("question") == "closed" and not (
        ctx.move in CLOSED_QUESTION_EXEMPT or (ctx.move == "elicit_feedback" and scale_question))
    ctx.solving = solving(s, ctx.move, cues)
    ctx.rationale_talk = rationale_talk(s, ctx.move, cues, ctx.text)
    ctx.goals_talk = goals_talk(turn.intent, ctx.text)
    return ctx


def understood(ctx: TurnContext) -> bool:
    """Whether the message was heard as any move at all (else: "say that again")."""
    if ctx.move == moves.FALLBACK or ctx.move not in moves.MOVES:
        return False
    if ctx.confidence >= TUNING.engine_min_confidence or unsure_but_safe(
            ctx.move, ctx.confidence, ctx.text, ctx.cues):
        return True
    # A half-heard goodbye is still a goodbye; half-heard small talk is nothing to check.
    return ctx.move != "off_topic" and ctx.confidence >= TUNING.clarify_floor


def half_heard(ctx: TurnContext) -> bool:
    """An in-scope reading too unsure to act on: the client checks what it heard."""
    return ctx.confidence < TUNING.engine_min_confidence and ctx.move != "goodbye" \
        and not unsure_but_safe(ctx.move, ctx.confidence, ctx.text, ctx.cues)


def not_understood(ctx: TurnContext) -> TurnResult:
    ctx.events.append("not_understood")
    said = say_move(ctx, "not_understood")
    return TurnResult(said.text, ctx.state, ctx.events, said.generic)


def clarify(ctx: TurnContext) -> TurnResult:
    """"Do you mean ...?": nothing of the turn is taken in until the trainee says it again."""
    ctx.events.append(f"clarify:{ctx.move}")
    said = checks.clarify(ctx)
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
    if move == "link_to_goals" or ctx.goals_talk:
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
    if move in PLAN_MOVES:
        _set_aside(ctx)
    ctx.plan_changed = plan.absorb(ctx)
    if move in ("elicit_feedback", "check_understanding") and s.plan.get("activity"):
        # "How does that sound?" with no task on the table asks for no view of a plan, and
        # there is nothing to put in one's own words yet.
        s.feedback_asked = True
        s.understanding_checked = s.understanding_checked or move == "check_understanding"
    if move == "specify_plan":
        asked = asked_details(ctx.text, ctx.turn_values)
        ctx.detail = asked[0] if asked else None
    wanted = _details_asked(ctx)
    if wanted and ctx.contradiction is None:
        said, answered = details.answer_all(ctx, wanted) or (None, [])
        ctx.detail_said = said
        ctx.plan_changed = ctx.plan_changed or any(a.kind == "own" for a in answered)
    elif (move == "problem_solve" or ctx.solving) and not any(
            ctx.turn_values.get(e) for e in moves.PLAN_ENTITIES):
        ctx.plan_changed = plan.client_solution(ctx) or ctx.plan_changed
    if move in CHECK_MOVES:
        ctx.task_features = task_features(ctx.persona, s, move, ctx.cues, s.plan)


# Moves that may carry a detail question ("How long would feel doable?" is read as any of
# them); a specify_plan is one by definition.
DETAIL_ASKING = frozenset({"specify_plan", "problem_solve", "elicit_feedback", "propose_task",
                           "ask_permission", "check_understanding"})


def _details_asked(ctx: TurnContext) -> list[str]:
    """The plan details the trainee asks the client for and does not name itself."""
    if ctx.move not in DETAIL_ASKING or ctx.cues.get("directive"):
        return []
    if ctx.move != "specify_plan" and (
            (ctx.cues.get("question") == "none" and "?" not in ctx.text)
            or any(ctx.turn_values.get(e) for e in moves.PLAN_ENTITIES)):
        return []  # a proposal with a question tag is a proposal
    asked = [e for e in asked_entities(ctx.text, ctx.turn_values) if not ctx.turn_values.get(e)]
    if ctx.move != "specify_plan":
        asked = [e for e in asked if e != "activity"]  # "what exactly" is not a question here
    return asked


def _set_aside(ctx: TurnContext) -> None:
    """Details the client does not take: two that contradict each other (it asks which),
    an activity that has nothing to do with it (it says why not)."""
    found = checks.contradiction(ctx.turn_values)
    if found is not None:
        ctx.contradiction = found
        ctx.events.append(f"plan_contradiction:{found[0]}")
        ctx.turn_values = {k: v for k, v in ctx.turn_values.items()
                           if k not in ("frequency", "day")}
    activity = ctx.turn_values.get("activity")
    if activity and ctx.move in ("propose_task", "specify_plan", "problem_solve") \
            and checks.unrelated(ctx, activity):
        ctx.unrelated = activity
        ctx.events.append(f"plan_unrelated:{activity}")
        ctx.turn_values = {k: v for k, v in ctx.turn_values.items() if k != "activity"}


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
    if ctx.contradiction is not None:
        return checks.contradiction_line(ctx, ctx.contradiction[1], ctx.contradiction[2])
    if ctx.unrelated is not None:
        return checks.unrelated_line(ctx, ctx.unrelated)
    if ctx.detail_said is not None:
        # The question asked is answered; a detail that solves an obstacle solves it. Details
        # the trainee offered alongside that break the client's limits get its counter-offer.
        offered = any(ctx.turn_values.get(e) for e in moves.PLAN_ENTITIES)
        countered = plan.counter_offer(ctx) if offered else {}
        if countered:
            return answers.counter_line(ctx, set(countered))
        reactions.resolve_barrier(ctx)
        return ctx.detail_said
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


# ---------------------------------------------------------------- several moves in one turn


def step_parts(persona: Persona, state: ClientState, turn: TurnInput) -> TurnResult:
    """Every part reacted to in order (each has its effects on the client), one reply.

    The reply answers the last question of the message (else its last part heard); the
    other parts' lines are not said, but what they did to the client stays. A rupture on
    any part ends the turn with it.
    """
    parts, origin = _detail_question_tails(turn.parts, state)
    if len(parts) < len(turn.parts):
        if len(parts) == 1:
            one = step_one(persona, state, _part_input(parts[0]))
            return TurnResult(one.reply, one.state, one.events, one.generic, origin[0])
        sub = step_parts(persona, state, replace(turn, parts=parts))
        return replace(sub, answered=origin[sub.answered])
    # A part the client cannot place ("I'd really like this to be your plan, not mine."
    # read as fallback, "No need to apologise." as small talk) is left out when the rest of
    # the message was clearly heard: the client answers what it understood instead of
    # saying it did not follow, or checking a side remark.
    heard = [i for i, p in enumerate(turn.parts) if _clearly_heard(persona, state, p)]
    if heard and len(heard) < len(turn.parts):
        kept_parts = tuple(turn.parts[i] for i in heard)
        if len(kept_parts) == 1:
            one = step_one(persona, state, _part_input(kept_parts[0]))
            return TurnResult(one.reply, one.state, one.events, one.generic, heard[0])
        sub = step_parts(persona, state, replace(turn, parts=kept_parts))
        return TurnResult(sub.reply, sub.state, sub.events, sub.generic, heard[sub.answered])
    answered = _part_to_answer(turn.parts)
    s = state
    events: list[str] = []
    kept: TurnResult | None = None
    fallback: tuple[int, TurnResult] | None = None
    results: dict[int, TurnResult] = {}
    for i, part in enumerate(turn.parts):
        if part.intent == "goodbye" and i < len(turn.parts) - 1:
            continue  # "Okay, yeah, I can see that. And what might help?": the talk goes on
        result = step_one(persona, s, _part_input(part))
        results[i] = result
        s = result.state
        events += [e for e in result.events if e not in events or not e.startswith("phase:")]
        if any(e.startswith("rupture:") for e in result.events):
            kept, answered = result, i
            break
        heard = "not_understood" not in result.events
        if i == answered:
            kept = result
        if heard:
            fallback = (i, result)
    if kept is not None and "not_understood" in kept.events and fallback is not None:
        answered, kept = fallback
    assert kept is not None
    said_before = results.get(answered - 1)
    if _asks_about_what_was_said(turn.parts[answered], state) and said_before is not None \
            and not any(e.startswith("rupture:") for e in kept.events) \
            and not any(e.startswith(("clarify:", "not_understood")) for e in said_before.events):
        # "The idea is to find out what helps. How does that sit with you?" with no task on the
        # table asks for the client's view of what was just said: its reaction answers it.
        answered, kept = answered - 1, said_before
    s.turn = state.turn + 1  # one message, one turn
    reply, generic = kept.reply, kept.generic
    ack = _acknowledged(persona, s, turn.parts, results, answered)
    if ack is not None:
        reply = with_acknowledgement(ack, kept.reply)
        generic = kept.generic and ack.generic
    return TurnResult(reply, s, events, generic, answered)


def _acknowledged(persona: Persona, state: ClientState, parts: tuple[TurnPart, ...],
                  results: dict[int, TurnResult], answered: int) -> Said | None:
    """A few words for the last reflection or affirmation before the answered part (the
    answer is what the message asked for; see bot/client/acknowledge.py)."""
    if not leaves_room(results[answered]):
        return None
    for i in range(answered - 1, -1, -1):
        result = results.get(i)
        if result is not None and takes_acknowledgement(parts[i].intent, parts[i].confidence,
                                                        result):
            return acknowledgement(TurnContext(persona, state, parts[i].intent, {}),
                                   parts[i].intent)
    return None


# Readings of the tail of a detail question ("thinking about how long you'd do it for, |
# what would feel manageable to you?") that would otherwise get a new idea or a verdict.
DETAIL_QUESTION_TAILS = frozenset({"elicit_ideas", "elicit_feedback"})


def _detail_question_tails(parts: tuple[TurnPart, ...], before: ClientState
                           ) -> tuple[tuple[TurnPart, ...], list[int]]:
    """The parts with a detail question's tail joined to it, and where each came from.

    Once a task is on the table, a question that follows a detail question and asks nothing
    of its own is the same question, said again: it is answered with the detail.
    """
    if not before.plan.get("activity"):
        return parts, list(range(len(parts)))
    out: list[TurnPart] = []
    origin: list[int] = []
    for i, part in enumerate(parts):
        if out and out[-1].intent == "specify_plan" and part.intent in DETAIL_QUESTION_TAILS \
                and _asks_nothing_new(part):
            head = out[-1]
            cues = {k: head.cues.get(k) or part.cues.get(k) for k in {*head.cues, *part.cues}}
            asked = [c.get("question") for c in (part.cues, head.cues)
                     if c.get("question") in ("open", "closed")]
            cues["question"] = asked[0] if asked else "none"
            out[-1] = TurnPart(f"{head.text} {part.text}", "specify_plan", head.confidence,
                               head.entities + part.entities, cues)
            continue
        out.append(part)
        origin.append(i)
    return tuple(out), origin


def _asks_nothing_new(part: TurnPart) -> bool:
    """A question that names no plan detail and asks for none by its words."""
    asks = "?" in part.text or part.cues.get("question") in ("open", "closed")
    names = any(e.get("entity") in moves.PLAN_ENTITIES for e in part.entities)
    return asks and not names and not [e for e in asked_entities(part.text, {})
                                       if e != "activity"]


def _asks_about_what_was_said(part: TurnPart, before: ClientState) -> bool:
    """A request for feedback while no task is on the table ("How does that sit with you?"
    after a rationale) asks about the part said before it, not about a plan."""
    return part.intent == "elicit_feedback" and not before.plan.get("activity") \
        and not before.plan.get("agreed")


def _clearly_heard(persona: Persona, state: ClientState, part: TurnPart) -> bool:
    """A part heard as a move of the session, sure enough to act on (hear() copies the
    state, so asking changes nothing)."""
    ctx = hear(persona, state, _part_input(part))
    return understood(ctx) and not half_heard(ctx) and ctx.move != "off_topic"


def _part_to_answer(parts: tuple[TurnPart, ...]) -> int:
    """The last part that asks something, else the last part."""
    for i in range(len(parts) - 1, -1, -1):
        p = parts[i]
        if p.intent == "goodbye" and i < len(parts) - 1:
            continue  # not reacted to (see step_parts)
        if p.cues.get("question") in ("open", "closed") or p.text.rstrip().endswith("?"):
            return i
    return len(parts) - 1


def _part_input(part: TurnPart) -> TurnInput:
    return TurnInput(text=part.text, intent=part.intent, confidence=part.confidence,
                     entities=[dict(e) for e in part.entities], cues=dict(part.cues))
