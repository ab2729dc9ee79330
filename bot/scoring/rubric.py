"""Score a rehearsal transcript on the nine dimensions of docs/rubric.md.

Pure and deterministic: the same turns always give the same score. Each dimension is one
small function that walks a checklist of observed behaviours and returns a score 0-6 (even
numbers are the rubric's anchors, odd numbers sit between two anchors), the turns that earned
it and what would lift it to the next anchor. Facts only the client knows (a barrier it
disclosed, a counter-offer it made, what it learned) come from the engine's events and the
per-turn client_state, never from guessing at the trainee's text.

These are this project's estimates, not validated instrument scores.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.language.quantities import minutes as duration_minutes
from bot.moves import PLAN_ENTITIES
from bot.scoring.transcript import (
    Transcript,
    Turn,
    adjustments_after_feedback,
    dropped_at_first_reluctance,
    homework_sensitive,
    persona_get,
    quote,
    read_turns,
    unaddressed_barriers,
    unique_turns,
    unrepaired_rupture,
)

SCORER_VERSION = "rubric-1.0"
LABEL = "This project's estimates, not validated instrument scores"
DIMENSION_NAMES: dict[str, str] = {
    "D1": "Review of the previous plan",
    "D2": "Collaborative design tied to goals",
    "D3": "Link to the session",
    "D4": "Rationale",
    "D5": "Specificity",
    "D6": "Obstacles",
    "D7": "Written summary",
    "D8": "Feedback and responsiveness",
    "D9": "Socratic style and language",
}

# Plan categories of the rubric's D5: what / when / where / how long / how often / with whom.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "what": ("activity",),
    "when": ("day", "time_of_day"),
    "where": ("place",),
    "how long": ("duration",),
    "how often": ("frequency",),
    "with whom": ("person",),
}

BLAME_RE = re.compile(
    r"\bwhy (didn't|did not|couldn't|wouldn't|haven't) you\b|\byou (should|could) have\b|"
    r"\byou didn't even\b|\bno excuse|\bnot good enough\b|\bdisappoint",
    re.IGNORECASE,
)
EXPERIMENT_RE = re.compile(
    r"\bexperiment|\btest (out|the|that|whether|it)|\bfind out\b|\bsee what happens\b|"
    r"\bnotic(e|ing)\b|\bcheck (out )?whether\b",
    re.IGNORECASE,
)
BACKUP_RE = re.compile(
    r"\bback-?up\b|\bplan b\b|\bif (that|it) (doesn't|does not|didn't|isn't)|\bif .{0,60}\b"
    r"(instead|then)\b|\bfallback\b|\botherwise\b",
    re.IGNORECASE,
)
CONFIDENCE_RE = re.compile(
    r"\bconfiden|\bscale\b|\b0 to 10\b|\bzero to ten\b|\bhow likely\b|\brealistic\b",
    re.IGNORECASE,
)
REASON_RE = re.compile(r"\bbecause\b|\bso that\b|\bwhy\b|\breason\b|\bthe point\b", re.IGNORECASE)
GOAL_WORDS_RE = re.compile(r"\bgoal|\byou said\b|\byou want|\bmatters to you\b|\bimportant to you",
                           re.IGNORECASE)

@dataclass
class Result:
    score: int
    evidence: list[Turn] = field(default_factory=list)
    missing: str = ""
    caps: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# The nine dimensions


def d1_review(tx: Transcript) -> Result:
    """D1 Review of the previous plan.

    0 no review; 2 only "did you do it?" or blame; 4 completion asked plus what got in the
    way or what was learned, effort affirmed; 6 the client states what they learned, no blame,
    and the result shapes the new plan.
    """
    review = tx.review_turns()
    asked = [t for t in review if t.intent == "review_plan"]
    learning_q = [t for t in tx.turns if t.intent == "explore_learning"]
    barriers_q = [t for t in review if t.intent == "explore_barriers"]
    affirmed = [t for t in review if t.intent in ("affirm", "reflect")]
    blame = [t for t in review if BLAME_RE.search(t.text)]
    learned = tx.with_event("learning_shared")
    if not (asked or learning_q or barriers_q):
        return Result(0, missing="Ask how last week's action plan went, and what the client "
                                 "noticed while trying it (or not trying it).")
    checklist = {
        "completion": bool(asked),
        "deeper": bool(learning_q or barriers_q),
        "affirmed": bool(affirmed),
        "learned": bool(learned),
        "no_blame": not blame,
    }
    learned_at = min((t.n for t in learned), default=10**9)
    shaped = [t for t in tx.turns if t.n > learned_at and t.intent in
              ("link_to_goals", "elicit_ideas", "propose_task")
              and (t.intent == "link_to_goals" or t.cue("collaborative") or t.cue("tentative"))]
    evidence = asked + learning_q + barriers_q + affirmed[:1]
    if blame:
        return Result(2, unique_turns(evidence + blame),
                      "Treat what did not happen as useful information: ask what got in the "
                      "way with curiosity rather than asking why it was not done.",
                      caps=["Blame in the review keeps D1 at 2"])
    if not checklist["deeper"]:
        return Result(2 if checklist["completion"] else 1, unique_turns(evidence),
                      "Go beyond whether it was done: ask what got in the way, or what the "
                      "client noticed, and acknowledge the effort.")
    if not checklist["completion"] and not learned:
        return Result(3, unique_turns(evidence),
                      "Also ask how much of the plan was done, and acknowledge the effort.")
    if learned and checklist["affirmed"] and shaped:
        return Result(6, unique_turns(evidence + shaped[:1]))
    if learned and (checklist["affirmed"] or shaped):
        return Result(5, unique_turns(evidence + shaped[:1]),
                      "Build the new plan explicitly on what the client learned last week."
                      if not shaped else "Acknowledge the effort the client made last week.")
    if checklist["affirmed"]:
        return Result(4, unique_turns(evidence),
                      "Invite the client to put into words what they learned ('What did you "
                      "notice?'), then build the new plan on it.")
    return Result(3, unique_turns(evidence),
                  "Acknowledge the effort the client made, whatever the outcome, and invite "
                  "them to say what they learned.")


def d2_collaboration(tx: Transcript) -> Result:
    """D2 Collaborative design tied to goals.

    0 task imposed or no task; 2 prescribed, agreement assumed; 4 the client's ideas asked or
    options offered, a goal named, agreement sought; 6 the client co-authors the task and
    links it to their own goal.
    """
    if not tx.has_task():
        return Result(0, missing="Invite the client to think with you about one small thing "
                                 "to try before next session.")
    proposals = tx.with_intent("propose_task")
    ideas_asked = tx.with_intent("elicit_ideas")
    soft = [t for t in proposals if (t.cue("tentative") or t.cue("collaborative"))
            and not t.cue("directive")]
    goals = tx.with_intent("link_to_goals")
    # Pressing for a yes ("Can you commit to that?") is not seeking agreement.
    sought = [t for t in tx.with_intent("elicit_feedback", "check_understanding")
              if not t.has_event("sensitivity", "pressure")]
    co_authored = bool(ideas_asked) and (
        bool(tx.with_event("idea_offered")) or bool(tx.final.get("client_shaped")))
    directive_only = proposals and all(t.cue("directive") for t in proposals) and not (
        ideas_asked or soft)
    collaborative = bool(ideas_asked or soft)
    caps: list[str] = []
    if directive_only and not sought:
        # A task handed over as an instruction, with no room to answer, is "imposed".
        return Result(0, missing="Offer the idea tentatively ('One idea might be...') and ask "
                                 "what the client makes of it.")
    if not collaborative:
        score, ev = 2, proposals + sought
        missing = ("Ask for the client's own ideas or offer options, name the goal it serves "
                   "and ask whether it suits them.")
        if sought and goals:
            score, ev = 3, ev + goals
    else:
        ticks = [bool(goals), bool(sought)]
        ev = ideas_asked + soft + goals + sought
        if co_authored and all(ticks):
            score, missing = 6, ""
        elif co_authored and any(ticks):
            score = 5
            missing = ("Connect the client's idea to a goal in their own words."
                       if not goals else "Ask how the plan sounds to the client.")
        elif all(ticks):
            score, missing = 4, ("Let the client shape the task themselves: ask what they "
                                 "would like to try and build on their idea.")
        else:
            score = 3
            missing = ("Name the goal this task serves ('You said you wanted...')."
                       if not goals else "Ask the client whether the plan suits them.")
    dropped = dropped_at_first_reluctance(tx)
    if dropped is not None:
        # Caps are reported whenever their condition holds, so the trainee sees why.
        caps.append("Plan dropped at the first sign of reluctance: D2 capped at 2")
    if dropped is not None and score > 2:
        score = 2
        missing = ("When the client hesitates, explore the hesitation together before letting "
                   "the plan go.")
    if dropped is not None:
        ev = ev + [dropped]
    return Result(score, unique_turns(ev), missing, caps)


def d3_session_link(tx: Transcript) -> Result:
    """D3 Link to the session.

    0 unrelated task; 2 generic task; 4 task relevant to what was discussed; 6 task
    custom-built to test a belief or practise a skill from this session.
    """
    if not tx.has_task():
        return Result(0, missing="Agree a task that grows out of what you talked about today.")
    task_turns = tx.with_intent("propose_task", "elicit_ideas", "specify_plan") or [
        t for t in tx.turns if t.has_event("idea_offered")]
    first_task = min(t.n for t in task_turns) if task_turns else 10**9
    linked = tx.with_intent("link_to_goals") + [
        t for t in tx.with_intent("give_rationale") if GOAL_WORDS_RE.search(t.text)]
    learned_first = [t for t in tx.with_intent("explore_learning") if t.has_event(
        "learning_shared") and t.n <= first_task]
    relevant = linked + learned_first
    custom = [t for t in tx.design_turns() if EXPERIMENT_RE.search(t.text)
              and t.intent in ("propose_task", "link_to_goals", "give_rationale",
                               "elicit_ideas", "specify_plan", "written_summary",
                               "problem_solve")]
    custom += tx.with_event("belief_softened")
    ev = unique_turns(relevant + custom) or task_turns[:1]
    if not ev:
        ev = unique_turns(t for t in tx.turns if t.entity_names())[:1]
    if linked and learned_first and custom:
        return Result(6, ev)
    if relevant and custom:
        return Result(5, ev, "Tie the experiment both to today's discussion and to what the "
                             "client learned last week.")
    if relevant:
        return Result(4, ev, "Shape the task as an experiment that tests a belief or practises "
                             "a skill from this session.")
    if custom:
        return Result(3, ev, "Say how the task connects to what you discussed today or to the "
                             "client's goal.")
    return Result(2 if ev else 0, ev, "Connect the task to something from this session: what "
                                      "the client learned or the goal they named.")


def d4_rationale(tx: Transcript) -> Result:
    """D4 Rationale.

    0 none; 2 generic ("it helps"); 4 specific and tied to the client's goal; 6 drawn out with
    questions and restated by the client.
    """
    given = tx.with_intent("give_rationale")
    checks = tx.with_intent("check_understanding")
    goals = tx.with_intent("link_to_goals")
    # Tied to the client's goal: named in the rationale, or a goal link elsewhere; an
    # instruction dressed as a reason ("you need to...") is not tied to anything of theirs.
    tied = [t for t in given if not t.cue("directive")
            and (GOAL_WORDS_RE.search(t.text) or goals)]
    drawn = [t for t in given if t.question == "open"] + [
        t for t in tx.with_intent("explore_learning") if t.has_event("learning_shared")] + [
        t for t in goals if t.question == "open"]
    understanding = float(tx.final.get("understanding") or 0.0)
    restated = [t for t in checks if understanding >= 0.5]
    if not given:
        # No explicit rationale: a reason may still be drawn out by questions and restated.
        if restated:
            return Result(5 if drawn else 3, unique_turns(drawn + restated),
                          "Make the reason explicit too, and tie it to the client's goal.")
        if goals:
            return Result(2, goals, "Say why the task could help, linked to the goal the "
                                    "client named, and ask them to put it in their own words.")
        if checks:
            return Result(1, checks, "Explain why this task could help, in terms of the "
                                     "client's own goal.")
        return Result(0, missing="Share briefly why this kind of practice helps, linked to "
                                 "what the client wants.")
    if not tied:
        return Result(3 if restated else 2, unique_turns(given + restated),
                      "Make the reason specific to this client: connect it to the goal they "
                      "named.")
    if restated and drawn:
        return Result(6, unique_turns(tied + drawn + restated))
    if restated or drawn:
        return Result(5, unique_turns(tied + drawn + restated),
                      "Ask the client to put the reason in their own words."
                      if not restated else "Draw the reason out with a question before "
                                           "explaining it.")
    return Result(4, unique_turns(tied), "Invite the client to say in their own words why the plan "
                                    "might help.")


def _sized_to_client(tx: Transcript) -> bool:
    """No counter-offer left unheeded, and inside the persona's limits when they are known."""
    plan = tx.final.get("plan") or {}
    for t in tx.turns:
        for detail in t.event_details("plan_countered"):
            entity, _, value = detail.partition("=")
            if plan.get(entity) and str(plan.get(entity)) != value:
                return False
            if not plan.get(entity) and not any((entity, value) in u.entities
                                                for u in tx.after(t.n)):
                return False
    limit = persona_get(tx.persona, "task_limits", "max_duration_minutes")
    minutes = duration_minutes(str(plan.get("duration") or ""))
    return not (limit and minutes and minutes > float(limit))


NOT_PLANNING_MOVES = frozenset(
    {"greet", "set_agenda", "review_plan", "explore_learning", "goodbye", "off_topic"}
)


def d5_specificity(tx: Transcript) -> Result:
    """D5 Specificity.

    0 no task; 2 vague; 4 at least three of what / when / where / how long / how often / with
    whom; 6 all that apply, sized to the client (small enough to succeed).
    """
    fields = tx.plan_fields()
    if not tx.has_task():
        return Result(0, missing="Agree what the client will try, then when, where and for "
                                 "how long.")
    cats = [c for c, names in CATEGORIES.items() if set(names) & fields]
    # Details mentioned while reviewing last week ("the walking plan") are not the new plan.
    ev = unique_turns([t for t in tx.turns if t.entity_names() & set(PLAN_ENTITIES)
                  and t.intent not in NOT_PLANNING_MOVES]
                 + tx.with_intent("specify_plan") + tx.with_intent("propose_task")[:1])
    # with_whom only applies when someone is involved; the other five always apply.
    core = [c for c in cats if c != "with whom"]
    sized = _sized_to_client(tx)
    if not ev:
        return Result(0, missing="Agree what the client will try, then when, where and for "
                                 "how long.")
    # The advice names only the details still open (it used to list all four, asking
    # for a "when" or "how often" the transcript beside it showed).
    open_details = _open_details(tx, cats)
    if len(core) >= 5 and sized:
        return Result(6, ev)
    if len(cats) >= 4 and sized or len(core) >= 5:
        return Result(5, ev, f"Settle the remaining details ({open_details}) "
                             "and keep the task small enough to succeed."
                      if len(core) < 5 and open_details else "Size the task to what the client "
                                                             "says they can manage.")
    if len(cats) >= 3:
        advice = (f"Fill in the remaining details ({open_details}) and check the size feels "
                  "doable." if open_details else "Check the size feels doable.")
        return Result(4, ev, advice)
    if len(cats) == 2:
        return Result(3, ev, f"Add at least one more detail: {open_details or 'how long'}.")
    return Result(2, ev, f"Make it concrete: {open_details or 'what exactly, when, and where'}.")


WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _open_details(tx: Transcript, cats: list[str]) -> str:
    """The plan details (when, where, how long, how often) not yet settled, in words.

    Two or more named days settle "how often" too: the engine then drops a separate
    frequency from the plan, so it is not missing from what the trainee agreed.
    """
    day = str((tx.final.get("plan") or {}).get("day") or "").lower()
    named_days = sum(1 for d in WEEKDAY_NAMES if d in day) + (2 if "weekend" in day else 0)
    settled = set(cats)
    if named_days >= 2 or "every day" in day or "daily" in day or "weekday" in day:
        settled.add("how often")
    return ", ".join(c for c in ("what", "when", "where", "how long", "how often")
                     if c not in settled)


def d6_obstacles(tx: Transcript) -> Result:
    """D6 Obstacles.

    0 not raised; 2 asked, not followed up; 4 at least one barrier met with a plan; 6 practical
    and belief barriers both covered, a back-up plan, task adjusted when confidence is low.
    """
    asked = tx.with_intent("explore_barriers")
    solved = [t for t in tx.with_intent("problem_solve")
              if any(u.has_event("barrier_disclosed") or u.has_event("belief_activated")
                     or u.has_event("plan_countered") for u in tx.turns if u.n <= t.n)
              or t.has_event("barrier_resolved")]
    resolved = tx.with_event("barrier_resolved")
    confidence = [t for t in tx.with_intent("elicit_feedback") if CONFIDENCE_RE.search(t.text)]
    if not (asked or solved or resolved or confidence):
        return Result(0, missing="Ask what might get in the way of the plan this week.")
    if not (solved or resolved):
        return Result(2, unique_turns(asked + confidence),
                      "Follow up the obstacle the client names: work out together what they "
                      "could do about it.")
    belief_covered = [t for t in tx.turns if t.has_event("belief_softened")]
    kinds = _barrier_kinds(tx)
    if kinds:
        practical = "practical" in kinds
        belief = bool(belief_covered) or bool(kinds & {"belief", "emotional", "task"})
    else:
        # Kinds unknown without the persona: two obstacles handled in different turns.
        handled_turns = {t.n for t in resolved + belief_covered}
        practical = belief = len(handled_turns) >= 2
    backup = [t for t in tx.turns if t.intent in ("problem_solve", "specify_plan",
                                                  "written_summary", "summarize_plan")
              and BACKUP_RE.search(t.text)]
    adjusted_conf = [t for t in confidence if any(
        u.intent in ("specify_plan", "problem_solve", "propose_task") for u in tx.after(t.n))]
    extras = {
        "practical and belief barriers both covered": practical and belief,
        "a back-up plan": bool(backup),
        "confidence checked and the task adjusted": bool(adjusted_conf),
    }
    ev = unique_turns(asked + solved + resolved + backup + adjusted_conf + belief_covered)
    got = sum(extras.values())
    lacking = [k for k, v in extras.items() if not v]
    missing = "Add " + "; ".join(lacking) + "." if lacking else ""
    score = 4 + min(got, 2)
    if not asked and score > 4:
        score -= 1  # obstacles solved only when the client raised them
    caps = []
    unaddressed = unaddressed_barriers(tx)
    if unaddressed:
        caps.append("Disclosed barrier never addressed (" + ", ".join(unaddressed)
                    + "): D6 capped at 2")
    if unaddressed and score > 2:
        score = 2
        missing = "Come back to the obstacle the client named and plan around it together."
    return Result(score, ev, missing if score < 6 else "", caps)


def _barrier_kinds(tx: Transcript) -> set[str]:
    """Kinds (practical, belief, ...) of the barriers resolved, when the persona is known."""
    barriers = persona_get(tx.persona, "barriers") or []
    by_id: dict[str, str] = {}
    for b in barriers:
        bid = persona_get(b, "id")
        if bid:
            by_id[str(bid)] = str(persona_get(b, "kind") or "")
    resolved = {d for t in tx.turns for d in t.event_details("barrier_resolved")}
    resolved |= set(tx.final.get("resolved") or [])
    return {by_id[b] for b in resolved if b in by_id}


def d7_written(tx: Transcript) -> Result:
    """D7 Written summary.

    0 none; 2 spoken recap only; 4 written summary offered; 6 written summary with what / when
    / where, the reason and the back-up plan, confirmed by the client.
    """
    spoken = tx.with_intent("summarize_plan")
    written = tx.with_intent("written_summary")
    if not (spoken or written):
        return Result(0, missing="Recap the plan together at the end, and offer to write it "
                                 "down.")
    if not written:
        return Result(2, spoken, "Offer a written note of the plan to take home.")
    first_w = min(t.n for t in written)
    fields = tx.plan_fields()
    parts = {
        "what / when / where": {"activity"} <= fields and bool(
            fields & {"day", "time_of_day"}) and "place" in fields,
        "the reason for it": any(REASON_RE.search(t.text) for t in written + spoken)
        or any(t.intent == "give_rationale" for t in tx.turns),
        "the back-up plan": any(BACKUP_RE.search(t.text) for t in written + spoken),
        "the client's confirmation": any(t.has_event("plan_agreed") for t in tx.turns
                                         if t.n >= first_w)
        or any(t.intent in ("elicit_feedback", "check_understanding") for t in tx.after(
            first_w)) or (tx.plan_agreed and first_w >= tx.turns[-1].n - 1),
    }
    got = sum(parts.values())
    lacking = [k for k, v in parts.items() if not v]
    score = 6 if got == 4 else 5 if got >= 2 else 4
    return Result(score, unique_turns(written + spoken),
                  "Make the written note include " + ", ".join(lacking) + "." if lacking else "")


def d8_responsiveness(tx: Transcript) -> Result:
    """D8 Feedback and responsiveness.

    0 objections overridden; 2 "OK?" asked but nothing changes; 4 at least one adjustment after
    client feedback; 6 checks repeatedly, validates ambivalence, matches the task to the
    client's stage of change, repairs any rupture.
    """
    checks = tx.with_intent("elicit_feedback", "check_understanding")
    repairs = tx.with_intent("repair_rupture")
    adjustments = adjustments_after_feedback(tx)
    pressure = tx.with_event("sensitivity", "pressure")
    overridden = pressure and not adjustments
    caps: list[str] = []
    if overridden or not (checks or adjustments or repairs):
        score, ev = 0, []
        missing = ("Ask how the plan sounds to the client ('How does that sound?') and change "
                   "it when they hesitate.")
        if overridden and checks:
            score, ev = 1, checks
    elif not adjustments:
        score, ev = 2, checks + repairs
        missing = "When the client voices a doubt, change the plan with them to fit it."
    else:
        validated = [t for t in tx.turns if t.intent == "reflect" and t.n >= tx.design_start - 1]
        extras = {
            "check in more than once": len(checks) >= 2,
            "validate the client's mixed feelings": bool(validated),
            "keep the task at a size the client can manage": _sized_to_client(tx)
            and not pressure,
        }
        got = sum(extras.values())
        score = 6 if got == 3 else 5 if got == 2 else 4
        ev = adjustments + checks + validated + repairs
        lacking = [k for k, v in extras.items() if not v]
        missing = "Also " + "; ".join(lacking) + "." if lacking else ""
    if unrepaired_rupture(tx):
        caps.append("Alliance rupture never repaired: D8 capped at 2")
    if unrepaired_rupture(tx) and score > 2:
        score = 2
        missing = ("Acknowledge the strain directly ('I think I pushed there; how did that "
                   "land?') and give the client a choice.")
    unaddressed = unaddressed_barriers(tx)
    if unaddressed:
        caps.append("Disclosed barrier never addressed (" + ", ".join(unaddressed)
                    + "): D8 capped at 2")
    if unaddressed and score > 2:
        score = 2
        missing = "Respond to the obstacle the client named by adjusting the plan with them."
    dropped = dropped_at_first_reluctance(tx)
    if dropped is not None:
        if score > 3:
            score = 3
        caps.append("Plan dropped at the first sign of reluctance: D8 capped at 3")
        missing = ("Stay with the hesitation: ask what makes it hard, then shape a smaller "
                   "step together.")
        ev = ev + [dropped]
        score = max(score, 1)
    return Result(score, unique_turns(ev), missing if score < 6 else "", caps)


def d9_style(tx: Transcript) -> Result:
    """D9 Socratic style and language.

    0 lecturing; 2 leading or closed questions dominate; 4 at least one summary and one
    synthesising question, few directives; 6 the client draws the conclusions, open questions
    and reflections outnumber closed questions and directives. Penalties: directive, the word
    "homework" (more with a persona sensitive to it), long lectures, many closed questions.
    """
    open_q = [t for t in tx.turns if t.question == "open"]
    reflections = tx.with_intent("reflect")
    closed = [t for t in tx.turns if t.question == "closed"]
    directives = [t for t in tx.turns if t.cue("directive")]
    lectures = [t for t in tx.turns if t.has_event("sensitivity", "lecture")
                or (len(t.text.split()) > 60 and t.question == "none")]
    summaries = tx.with_intent("summarize_plan", "reflect", "written_summary")
    synthesising = [t for t in tx.with_intent("explore_learning", "check_understanding",
                                              "link_to_goals") if t.question == "open"]
    homework = [t for t in tx.turns if t.cue("homework_term")]
    conclusions = tx.with_event("learning_shared") + [
        t for t in tx.with_intent("check_understanding")
        if float(tx.final.get("understanding") or 0) >= 0.5]
    good = len(open_q) + len(reflections)
    bad = len(closed) + len(directives)
    caps: list[str] = []
    lecturing = len(lectures) + len(directives)
    if good == 0 and not closed and not lecturing:
        return Result(0, missing="Ask one open question ('What did you notice?') and reflect "
                                 "back what the client says.")
    if lecturing and lecturing > good and good <= 1:
        score, ev = (1, open_q + reflections) if good else (0, [])
        missing = ("Swap explaining for asking: one open question ('What do you make of "
                   "that?') and one reflection of what the client said.")
    elif len(closed) >= len(open_q) + len(reflections) or not (summaries and synthesising):
        score = 3 if good > bad and (summaries or synthesising) else 2
        ev = open_q + reflections or closed
        missing = ("Use more open questions than yes/no questions, add a short summary, and "
                   "ask a question that helps the client draw the threads together.")
    elif conclusions and good > bad and len(directives) <= 1:
        score, ev, missing = 6, synthesising + summaries + open_q[:2], ""
    else:
        score = 5 if good > bad and len(directives) <= 1 else 4
        ev = synthesising + summaries + open_q[:2]
        missing = ("Let the client draw the conclusions: ask what they make of it before "
                   "offering your own view.")
    if len(directives) >= 2 and score > 3:
        score = 3
        missing = "Turn instructions ('you need to') into invitations ('would you be open to')."
    if len(lectures) >= 2 and score > 2:
        score -= 1
    if homework:
        sensitive = homework_sensitive(tx)
        if sensitive:
            score = min(max(score - 1, 0), 4)
            caps.append("The word 'homework' with a client sensitive to it counts against D9")
            missing = ("Call it an 'action plan', 'experiment' or 'practice': this client hears "
                       "'homework' as school and being judged.")
        elif score > 5:
            score = 5
            missing = "Prefer 'action plan' or 'experiment' to 'homework'."
        ev = ev if score > 0 else []
    if score > 0 and not ev:
        ev = open_q + reflections
    return Result(score, unique_turns(ev), missing if score < 6 else "", caps)


DIMENSIONS: dict[str, Callable[[Transcript], Result]] = {
    "D1": d1_review,
    "D2": d2_collaboration,
    "D3": d3_session_link,
    "D4": d4_rationale,
    "D5": d5_specificity,
    "D6": d6_obstacles,
    "D7": d7_written,
    "D8": d8_responsiveness,
    "D9": d9_style,
}


def _cap_no_plan(dim: str, result: Result, tx: Transcript) -> Result:
    """With no agreed plan at the end, D5 and D7 are capped at 2."""
    if dim in ("D5", "D7") and not tx.plan_agreed and tx.turns:
        result.caps.append(f"No agreed action plan at the end: {dim} capped at 2")
    if dim in ("D5", "D7") and not tx.plan_agreed and result.score > 2:
        result.score = 2
        result.missing = "Reach an action plan the client agrees to; the details count once " \
                         "the client has said yes."
    return result


def _mean(values: Iterable[int]) -> float:
    vals = list(values)
    return round(sum(vals) / len(vals), 1) if vals else 0.0


def score_transcript(
    turns: list[dict], persona_id: str, persona: object | None = None
) -> dict[str, Any]:
    """Score a stored transcript; see docs/rubric.md. Pure and deterministic."""
    tx = Transcript(read_turns(turns or []), persona)
    dims: dict[str, dict[str, Any]] = {}
    caps: list[str] = []
    scores: dict[str, int] = {}
    for dim, fn in DIMENSIONS.items():
        result = _cap_no_plan(dim, fn(tx), tx)
        score = max(0, min(6, int(result.score)))
        evidence = [{"turn": t.n, "quote": quote(t.text)} for t in result.evidence
                    if t.text.strip()] if score > 0 else []
        dims[dim] = {
            "name": DIMENSION_NAMES[dim],
            "score": score,
            "evidence": evidence,
            "missing": result.missing,
        }
        scores[dim] = score
        caps.extend(c for c in result.caps if c not in caps)
    s = scores
    rollups = {
        "review": float(s["D1"]),
        "design": _mean([s["D2"], s["D3"], s["D4"], s["D5"]]),
        "planning": _mean([s["D6"], s["D7"], s["D8"]]),
        "specificity": _mean([s["D5"], s["D7"]]),
        "motivation": _mean([s["D2"], s["D4"], s["D8"]]),
        "problem_solving": float(s["D6"]),
        "ctrs_homework": _mean([s[f"D{i}"] for i in range(1, 9)]),
    }
    return {
        "persona": persona_id,
        "dimensions": dims,
        "rollups": rollups,
        "caps": caps,
        "plan_agreed": tx.plan_agreed,
        "total": sum(scores.values()),
        "label": LABEL,
        "version": SCORER_VERSION,
    }
