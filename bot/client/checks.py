"""The client checks before it goes along: a turn it half heard, two details that cannot
both hold, an activity that has nothing to do with what it wants.

Each check names what the client heard, so the trainee sees how it was understood.
"""

from __future__ import annotations

import re

from bot.client.context import Said, TurnContext
from bot.client.details import voiced
from bot.client.generic_lines import CLARIFY_LINES, CONTRADICTION_LINES, UNRELATED_LINES
from bot.client.hearing import same_activity
from bot.client.voice import LineLevel, choose, move_levels
from bot.language.quantities import days_count, times_per_week

# What each move is about, as the client would put it back ("Do you mean ...?").
GIST: dict[str, str] = {
    "greet": "how I've been",
    "set_agenda": "what we talk about today",
    "review_plan": "how last week went",
    "explore_learning": "what I noticed last week",
    "reflect": "that it's been hard",
    "affirm": "that I did something right",
    "ask_permission": "whether you can suggest something",
    "repair_rupture": "whether something didn't sit right with me",
    "give_rationale": "why it might help",
    "link_to_goals": "how it fits with what I want",
    "elicit_ideas": "what I'd like to try",
    "propose_task": "trying something this week",
    "specify_plan": "the details of it",
    "explore_barriers": "what might get in the way",
    "problem_solve": "doing it differently",
    "elicit_feedback": "what I think of it",
    "check_understanding": "saying it back in my own words",
    "summarize_plan": "the plan as it stands",
    "written_summary": "writing it down",
    "off_topic": "something else",
}
_BARE_TIMES = re.compile(r"^(?:morning|afternoon|evening|night)s?$", re.IGNORECASE)


def _phrase(entity: str, value: str) -> str:
    value = voiced(value)
    low = value.lower()
    if entity == "time_of_day" and _BARE_TIMES.match(low):
        return f"in the {low.rstrip('s')}"
    if entity == "day" and not low.startswith(("on ", "at ", "every ")):
        return f"on {value}"
    if entity == "duration" and not low.startswith("for "):
        return f"for {value}"
    if entity == "person" and not low.startswith(("with ", "on ", "by ", "alone")):
        return f"with {value}"
    return value


def heard(ctx: TurnContext) -> str:
    """The move as the client heard it, with the details it caught."""
    values = ctx.turn_values
    details = [_phrase(e, values[e]) for e in ("time_of_day", "day", "place", "person",
                                                "duration", "frequency") if values.get(e)]
    activity = values.get("activity")
    if activity and len(activity.split()) < 2 and not any(
            same_activity(activity, a) for a in ctx.state.client_ideas):
        activity = None  # a lone word the NLU may have cut out of the sentence ("hearing")
    if ctx.move in ("problem_solve", "propose_task", "specify_plan", "summarize_plan") and (
            details or activity):
        what = voiced(activity) if activity else "it"
        verb = "moving" if ctx.move == "problem_solve" and not activity else "doing"
        return " ".join([verb, what, *details[:2]])
    return GIST.get(ctx.move, "something else")


def clarify(ctx: TurnContext) -> Said:
    """A clarifying question in the persona's voice (its `clarify` lines if it has them)."""
    ctx.extra["heard"] = heard(ctx)
    levels = [lv for lv in move_levels(ctx.persona, "clarify", ctx.state.band(), ctx.state.phase)
              if not lv.generic]
    levels.append(LineLevel("clarify", CLARIFY_LINES, True))
    return choose(ctx, levels) or Said(f"Do you mean {ctx.extra['heard']}?", True)


def contradiction(values: dict[str, str]) -> tuple[str, str, str] | None:
    """(entity, first, second) when a turn's details cannot both hold: two frequencies
    ("every day" and "twice a week"), or a frequency and a number of named days."""
    freq = values.get("frequency")
    if freq and " and " in freq:
        parts = [p.strip() for p in freq.split(" and ") if p.strip()]
        counts = {times_per_week(p) for p in parts} - {None}
        if len(parts) >= 2 and len(counts) >= 2:
            return "frequency", parts[0], parts[1]
    day = values.get("day")
    if freq and day:
        times, days = times_per_week(freq), days_count(day)
        if times is not None and days is not None and days >= 2 and times != days:
            return "frequency", freq, day
    return None


def contradiction_line(ctx: TurnContext, first: str, second: str) -> Said:
    """"Which is it?" in the persona's voice (its `contradiction` lines if it has them)."""
    ctx.extra.update(first=voiced(first), second=voiced(second))
    levels = [lv for lv in move_levels(ctx.persona, "contradiction", ctx.state.band(),
                                       ctx.state.phase) if not lv.generic]
    levels.append(LineLevel("contradiction", CONTRADICTION_LINES, True))
    return choose(ctx, levels) or Said(f"{first} or {second}?", True)


_WORDS = re.compile(r"[a-z]+")
# Words that say nothing about what an activity is ("something nice", "a bit more").
_VAGUE = frozenset(
    "something anything thing things bit more less nice good small little short quick "
    "week day days time times minutes minute try trying doing make making just really "
    "some one each every this that what your my with about around".split())


# Between-session tasks that fit almost any client of a talking therapy (stemmed): these
# are never "unrelated", whatever the file says.
COMMON_TASKS = frozenset(
    "walk breath breathing exercise record diary journal note notebook write list call phone "
    "text message relax relaxation mindful mindfulness meditat sleep plan schedul activit "
    "thought worry read music stretch yoga notic practi".split())


def _stem(word: str) -> str:
    for suffix in ("ing", "es", "s", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _content_words(text: str) -> list[str]:
    return [_stem(w) for w in _WORDS.findall(text.lower()) if len(w) >= 4 and w not in _VAGUE]


def _content(text: str) -> set[str]:
    return set(_content_words(text))


def unrelated(ctx: TurnContext, activity: str) -> bool:
    """Whether an activity the trainee proposes has nothing to do with this client: none of
    its words appear in what the file says about the client (goals, values, problem,
    briefing, last week, its activities, barriers, life, preferences, lines)."""
    ordered = _content_words(activity)
    # "learning Mandarin": what is done is in the words after the verb; one word is the thing.
    words = set(ordered[1:] if len(ordered) > 1 else ordered)
    if not ctx.persona.goals or any(w.startswith(c) for w in ordered for c in COMMON_TASKS):
        return False  # no goals to judge by, or a between-session task of any therapy
    if not words or any(same_activity(activity, idea) for idea in ctx.state.client_ideas):
        return False
    p = ctx.persona
    limits = p.task_limits
    texts: list[str] = [*p.goals, *p.values, p.presenting_problem, p.briefing,
                        str(p.last_week.plan or ""), *p.last_week.report, *p.last_week.learning,
                        *limits.preferred_activities, *limits.disliked_activities,
                        *limits.frightening_activities, *limits.evaluative_activities,
                        *limits.preferences.values(), *limits.counter_offer.values(),
                        *p.life.energy, *p.life.routine, *p.life.places, *p.life.people]
    for pref in p.preferences.values():
        texts += [pref.suggest, *pref.lines]
    for b in p.barriers:
        texts += [b.summary, *b.lines, *b.resolved_lines]
        texts += [v for vals in b.resolved_by.details.values() for v in vals]
    for variants in p.lines.values():
        texts += list(variants)
    for belief in p.beliefs:
        texts += [belief.text, *belief.lines]
    known: set[str] = set()
    for t in texts:
        known |= _content(t)
    return not ({w[:5] for w in words} & {w[:5] for w in known})


def unrelated_line(ctx: TurnContext, activity: str) -> Said:
    """Why not, in the persona's voice (its `unrelated` lines if it has them)."""
    ctx.extra["offered"] = voiced(activity)
    levels = [lv for lv in move_levels(ctx.persona, "unrelated", ctx.state.band(),
                                       ctx.state.phase) if not lv.generic]
    levels.append(LineLevel("unrelated", UNRELATED_LINES, True))
    return choose(ctx, levels) or Said("I'm not sure how that connects with anything.", True)
