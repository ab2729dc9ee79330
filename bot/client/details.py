"""The client answers the detail it is asked for, with its own value, in its own voice.

A trainee who asks ("How long would feel manageable?", "Which days, and what time?")
gets, for each detail asked:
- the value already in the plan, restated, when there is one;
- the persona's `preferences.<detail>.not_yet` lines while a barrier listed there has not
  come up yet (saying them brings the barrier into the open);
- else the client's own value (`preferences.<detail>.suggest`, else the older
  `task_limits.preferences` / `counter_offer`, else what solves its own barrier), put into
  the plan as the client's own (client-shaped) and said in one of its lines;
- else an honest, in-character "I don't know".
The value it gives resolves its barriers where it matches their `resolved_by.details`
(the barrier stage does that, from the plan).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.client.agreement import within_limits
from bot.client.context import Said, TurnContext
from bot.client.generic_lines import GENERIC_DETAIL_LINES
from bot.client.hearing import contains_any
from bot.client.voice import LineLevel, choose, joined
from bot.moves import DETAIL_QUESTIONS
from bot.persona.model import Barrier, Persona

# Detail asked -> the `lines` key of the persona that answers that question.
LINE_KEY: dict[str, str] = {e: f"specify_plan.{d}" for d, ents in DETAIL_QUESTIONS.items()
                            for e in ents}


@dataclass(frozen=True)
class DetailAnswer:
    entity: str
    kind: str  # own | restated | not_yet | unknown
    said: Said
    value: str | None = None


_SPOKEN_NUMBERS: dict[str, str] = {
    "1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six", "7": "seven",
    "8": "eight", "9": "nine", "10": "ten", "12": "twelve", "15": "fifteen", "20": "twenty",
    "30": "thirty", "40": "forty", "45": "forty-five", "60": "sixty",
}  # fmt: skip


def voiced(value: str) -> str:
    """A plan value as the client says it: "on your own" -> "on my own", "10 minutes" ->
    "ten minutes", "2 times a week" -> "twice a week"."""
    value = re.sub(r"\byourself\b", "myself", value)
    value = re.sub(r"\byour\b", "my", value)
    value = re.sub(r"\b1 times?\b", "once", value)
    value = re.sub(r"\b2 times\b", "twice", value)
    return re.sub(r"\b(\d+)(?= (?:minutes?|times|days|hours?)\b)",
                  lambda m: _SPOKEN_NUMBERS.get(m[1], m[1]), value)


def own_value(persona: Persona, entity: str, plan: dict[str, object]) -> str | None:
    """What the client suggests itself for a detail, if it can say; never outside its limits."""
    limits = persona.task_limits
    candidates: list[str] = []
    pref = persona.preferences.get(entity)
    if pref is not None:
        candidates.append(pref.suggest)
    if entity == "activity":
        candidates += [a for a in limits.preferred_activities
                       if not contains_any(a, limits.disliked_activities)]
    for source in (limits.preferences, limits.counter_offer):
        if source.get(entity):
            candidates.append(str(source[entity]))
    for barrier in persona.barriers:  # what would solve its own obstacle
        candidates += list(barrier.resolved_by.details.get(entity, ()))
    for value in candidates:
        trial = {**plan, entity: value}
        if entity == "day" and not plan.get("frequency") and "frequency" in persona.preferences:
            # Named days are counted against the limit only when no frequency is said; the
            # client's own "three times" goes with its "weekdays".
            trial["frequency"] = persona.preferences["frequency"].suggest
        if within_limits(persona, trial):
            return value
    return None


def not_yet_barriers(ctx: TurnContext, entity: str) -> list[Barrier]:
    """Barriers that keep the client from naming this detail yet: listed in its
    preference's `not_yet`, not yet come up in the conversation, not solved."""
    pref = ctx.persona.preferences.get(entity)
    if pref is None:
        return []
    s = ctx.state
    ids = [b for b in pref.not_yet_barriers if b not in s.disclosed and b not in s.resolved]
    return [b for b in ctx.persona.barriers if b.id in ids]


def answer(ctx: TurnContext, entity: str) -> DetailAnswer:
    p, s = ctx.persona, ctx.state
    pref = p.preferences.get(entity)
    generic = GENERIC_DETAIL_LINES[entity]
    current = s.plan.get(entity)
    if current:
        ctx.extra[entity] = voiced(str(current))
        said = _say(ctx, entity, pref.lines if pref and current == pref.suggest else (),
                    generic["restated"])
        return DetailAnswer(entity, "restated", said, str(current))
    waiting = not_yet_barriers(ctx, entity)
    if waiting and pref is not None:
        for b in waiting:  # the question touched it: it has come up now
            s.disclosed.append(b.id)
            s.barrier_in_play = b.id
            ctx.events.append(f"barrier_disclosed:{b.id}")
        ctx.barrier = waiting[0]
        said = _say(ctx, entity, pref.not_yet_lines, generic["unknown"])
        return DetailAnswer(entity, "not_yet", said)
    value = own_value(p, entity, s.plan)
    if value is None:
        return DetailAnswer(entity, "unknown", _say(ctx, entity, (), generic["unknown"]))
    s.plan[entity] = value
    ctx.events.append(f"plan_detail:{entity}={value}")
    s.client_shaped = True  # the client's own detail shapes the plan
    if entity == "activity":
        s.activity_by = "client"
        if value not in s.client_ideas:
            s.client_ideas.append(value)
    ctx.extra[entity] = voiced(value)
    said = _say(ctx, entity, pref.lines if pref else (), generic["own"], own_lines=True)
    return DetailAnswer(entity, "own", said, value)


def _say(ctx: TurnContext, entity: str, lines: tuple[str, ...], fallback: tuple[str, ...],
         own_lines: bool = False) -> Said:
    """The persona's lines for this detail, else its `specify_plan.<detail>` /
    `specify_plan` lines that voice the detail, else the built-in ones."""
    levels: list[LineLevel] = []
    if lines:
        levels.append(LineLevel(f"preferences.{entity}", lines, False))
    if own_lines:
        placeholder = "{" + entity + "}"
        for key in (LINE_KEY.get(entity, ""), "specify_plan"):
            voicing = tuple(ln for ln in ctx.persona.lines.get(key, ()) if placeholder in ln)
            if voicing:
                levels.append(LineLevel(key, voicing, False))
    levels.append(LineLevel(f"detail.{entity}", fallback, True))
    return choose(ctx, levels) or Said("Mm.", True)


def answer_all(ctx: TurnContext, entities: list[str]) -> tuple[Said, list[DetailAnswer]] | None:
    """Every detail asked, answered together (at most three, or it reads as a speech)."""
    answers = [answer(ctx, e) for e in entities[:3]]
    if not answers:
        return None
    return joined(*(a.said for a in answers)), answers
