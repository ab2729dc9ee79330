"""Does the client answer the detail it is asked about?

Run: `.venv/bin/python -m bench.detail_questions`. For every persona in data/personas/:
after a skilful, client-led lead-in (the trainee asks; it proposes nothing), each detail
question below is put to the client from the same point, read as the NLU reads such
questions (`specify_plan`, cues from the text). A reply counts when it contains a detail
of the asked kind: the project's own entity ruler (bot/language/pipeline.py) finds a span
of that kind in the reply, or the client put a value of that kind into the plan on this
turn and the reply says it. Prints a table and writes bench/detail-questions-report.txt.

The phrasings are generic (no persona's words), at least five per kind.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.client import engine
from bot.client.details import voiced
from bot.client.scripted import turn_input
from bot.client.state import ClientState
from bot.language.entities import FUNCTION_WORDS
from bot.language.quantities import minutes, times_per_week
from bot.persona.model import Persona
from bot.persona.registry import load_persona

ROOT = Path(__file__).resolve().parent.parent
PERSONAS = ROOT / "data" / "personas"
REPORT = Path(__file__).resolve().parent / "detail-questions-report.txt"
TARGET = 0.9
SOLO = re.compile(r"\b(?:on my own|by myself|just me|alone|myself|no one|nobody)\b", re.I)

# What a skilful trainee says before asking for details: it asks, it proposes nothing.
LEAD_IN: tuple[tuple[str, str], ...] = (
    ("Hi, good to see you. How have you been?", "greet"),
    ("I thought we could look back at last week, then plan a next step together. "
     "How does that sound?", "set_agenda"),
    ("How did last week's plan go?", "review_plan"),
    ("It sounds like it was a hard week, and you still kept at it in places.", "reflect"),
    ("What did you notice about the times it did happen?", "explore_learning"),
    ("The idea of a small step between sessions is to find out what helps, not to pass a "
     "test. Whatever happens tells us something. What do you make of that?", "give_rationale"),
    ("How might a small step fit with what you want from our work together?", "link_to_goals"),
    ("What would you like to try this week?", "elicit_ideas"),
    ("What might get in the way?", "explore_barriers"),
)

# Detail questions by kind -> the plan entity that answers them.
KINDS: dict[str, str] = {"duration": "duration", "frequency": "frequency", "day": "day",
                         "time": "time_of_day", "place": "place", "person": "person"}
QUESTIONS: dict[str, tuple[str, ...]] = {
    "duration": (
        "How long would feel manageable?",
        "How long would you do it for?",
        "How much time could you give it?",
        "How many minutes feels realistic?",
        "And how long, roughly?",
        "How long would feel doable, honestly?",
    ),
    "frequency": (
        "How often would you like to do it?",
        "How many times this week feels doable?",
        "How frequently could you manage it?",
        "How many days this week?",
        "How often, do you think?",
        "How regularly would you want to do that?",
    ),
    "day": (
        "Which days would suit you?",
        "What days would work best?",
        "Which day of the week would be best?",
        "On which days could you fit it in?",
        "What day would you start?",
    ),
    "time": (
        "What time of day would work?",
        "When in the day would be best for you?",
        "What time would suit you?",
        "At what point in your day could it happen?",
        "What time of day do you have the most energy for it?",
    ),
    "place": (
        "Where would you do it?",
        "Where would you go?",
        "Where would feel comfortable?",
        "Which place would work for that?",
        "Where could you do that?",
    ),
    "person": (
        "Who else, if anyone?",
        "Would you do it with anyone?",
        "Who could join you?",
        "Would you do it on your own or with someone?",
        "Is there anyone who could do it with you?",
    ),
}


@dataclass
class Row:
    persona: str
    asked: int = 0
    answered: int = 0
    by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.answered / self.asked if self.asked else 0.0


@lru_cache(maxsize=1)
def _nlp() -> Any:
    from bot.language.pipeline import build_pipeline

    return build_pipeline()


def reply_has(entity: str, reply: str, given: str | None) -> bool:
    """A detail of kind `entity` in the reply: found by the entity ruler, or the value the
    client put into the plan on this turn is said in it."""
    low = reply.lower()
    if given:
        said = voiced(given).lower()
        words = [w for w in re.findall(r"[a-z0-9']+", said) if w not in FUNCTION_WORDS]
        if said in low or (words and all(re.search(rf"\b{re.escape(w)}", low) for w in words)):
            return True
    if entity == "person" and SOLO.search(reply):
        return True  # "Just me." answers "with whom?"
    if given and entity == "duration" and minutes(given) is not None:
        return minutes(given) == minutes(reply)  # "Ten minutes." says "10 minutes"
    if given and entity == "frequency" and times_per_week(given) is not None:
        return times_per_week(given) == times_per_week(reply)  # "Two, I think." says "twice"
    return any(ent.label_ == entity for ent in _nlp()(reply).ents)


def lead_in(persona: Persona, seed: int = 1) -> ClientState:
    state = engine.start(persona, seed).state
    for text, intent in LEAD_IN:
        state = engine.step(persona, state, turn_input({"text": text, "intent": intent})).state
    return state


def measure(persona: Persona) -> Row:
    row = Row(persona.id)
    before = lead_in(persona)
    for kind, questions in QUESTIONS.items():
        entity = KINDS[kind]
        hits = 0
        for text in questions:
            result = engine.step(persona, before,
                                 turn_input({"text": text, "intent": "specify_plan"}))
            given = result.state.plan.get(entity) if result.state.plan.get(entity) != \
                before.plan.get(entity) else None
            ok = reply_has(entity, result.reply, given or before.plan.get(entity))
            hits += ok
            if not ok:
                row.misses.append(f"{persona.id} [{kind}] {text} -> {result.reply}")
        row.by_kind[kind] = (hits, len(questions))
        row.asked += len(questions)
        row.answered += hits
    return row


def run_all() -> list[Row]:
    return [measure(load_persona(path)) for path in sorted(PERSONAS.glob("*.yml"))]


def overall(rows: list[Row]) -> float:
    asked = sum(r.asked for r in rows)
    return sum(r.answered for r in rows) / asked if asked else 0.0


def report(rows: list[Row]) -> str:
    kinds = list(QUESTIONS)
    lines = ["Detail questions after a skilful lead-in: share of replies that contain a detail "
             "of the asked kind", "",
             f"{'persona':<8} " + " ".join(f"{k:>9}" for k in kinds) + f" {'all':>6}"]
    for r in rows:
        cells = " ".join(f"{r.by_kind[k][0]:>4}/{r.by_kind[k][1]:<4}" for k in kinds)
        lines.append(f"{r.persona:<8} {cells} {r.share:>6.0%}")
    total = overall(rows)
    lines += ["", f"overall: {sum(r.answered for r in rows)}/{sum(r.asked for r in rows)} "
              f"= {total:.0%} (target {TARGET:.0%})", "", "Replies without the asked detail:"]
    lines += [f"  {m}" for r in rows for m in r.misses] or ["  (none)"]
    return "\n".join(lines) + "\n"


def main() -> int:
    rows = run_all()
    text = report(rows)
    print(text)
    REPORT.write_text(text, encoding="utf-8")
    return 0 if overall(rows) >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
