"""Scripted rehearsals: a trainee's turns as data, replayed through the engine.

A script file (tests/rehearsals/<persona>.yml) lists scripts of turns with the move
(intent) each turn stands for, so that the engine can be exercised without an NLU
model. Cues come from `bot.language.cues.detect_cues(text)`; explicit `cues:` in a turn win.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot import moves
from bot.client import engine
from bot.client.state import TurnInput, TurnPart
from bot.language.cues import detect_cues
from bot.persona.model import Persona

DEFAULT_CONFIDENCE = 0.95


@dataclass(frozen=True)
class Script:
    name: str
    seed: int
    expect: str  # agreed | not_agreed
    turns: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class ScriptFile:
    persona: str
    scripts: tuple[Script, ...]
    path: str = ""


@dataclass
class Transcript:
    persona: str
    script: str
    seed: int
    opening: str
    turns: list[dict[str, Any]] = field(default_factory=list)
    closing: str = ""
    closing_events: list[str] = field(default_factory=list)
    final_state: dict[str, Any] = field(default_factory=dict)

    @property
    def agreed(self) -> bool:
        return bool(self.final_state.get("plan", {}).get("agreed"))

    @property
    def events(self) -> list[str]:
        return [e for t in self.turns for e in t["events"]] + list(self.closing_events)

    def replies(self) -> list[str]:
        return [t["client"] for t in self.turns]

    def to_dict(self) -> dict[str, Any]:
        return {
            "persona": self.persona,
            "script": self.script,
            "seed": self.seed,
            "opening": self.opening,
            "turns": self.turns,
            "closing": self.closing,
            "closing_events": self.closing_events,
            "final_state": self.final_state,
        }


def load_scripts(path: str | Path) -> ScriptFile:
    path = Path(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    scripts = tuple(
        Script(
            name=str(s["name"]),
            seed=int(s.get("seed", 0)),
            expect=str(s.get("expect", "agreed")),
            turns=tuple(dict(t) for t in s.get("turns") or []),
        )
        for s in data.get("scripts") or []
    )
    return ScriptFile(persona=str(data.get("persona", path.stem)), scripts=scripts,
                      path=str(path))


def _detect(text: str) -> dict[str, Any]:
    return dict(detect_cues(text))


def _entities(raw: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for name, value in (raw or {}).items():
        for v in value if isinstance(value, list) else [value]:
            out.append({"entity": str(name), "value": str(v)})
    return out


def turn_input(turn: dict[str, Any]) -> TurnInput:
    """A script turn as the engine's input. A turn of several moves lists `parts:` (each
    with text, intent and optional entities/cues); its text is the parts joined, and its
    intent the last part's unless given."""
    raw_parts = [dict(p) for p in turn.get("parts") or []]
    parts = tuple(_part(p) for p in raw_parts) if len(raw_parts) > 1 else ()
    text = str(turn.get("text") or " ".join(p.text for p in parts))
    cues = {**moves.empty_cues(), **_detect(text), **(turn.get("cues") or {})}
    entities = _entities(turn.get("entities")) or [dict(e) for p in parts for e in p.entities]
    return TurnInput(
        text=text,
        intent=str(turn.get("intent") or (parts[-1].intent if parts else "")),
        confidence=float(turn.get("confidence", DEFAULT_CONFIDENCE)),
        entities=entities,
        cues=cues,
        parts=parts,
    )


def _part(raw: dict[str, Any]) -> TurnPart:
    text = str(raw.get("text", ""))
    return TurnPart(text=text, intent=str(raw["intent"]),
                    confidence=float(raw.get("confidence", DEFAULT_CONFIDENCE)),
                    entities=tuple(_entities(raw.get("entities"))),
                    cues={**moves.empty_cues(), **_detect(text), **(raw.get("cues") or {})})


def run_script(persona: Persona, script: Script) -> Transcript:
    result = engine.start(persona, script.seed)
    transcript = Transcript(persona.id, script.name, script.seed, result.reply)
    state = result.state
    for n, raw in enumerate(script.turns, start=1):
        ti = turn_input(raw)
        result = engine.step(persona, state, ti)
        state = result.state
        answered = ti.parts[result.answered] if ti.parts else None
        record = {
            "n": n,
            "trainee": ti.text,
            "intent": answered.intent if answered else ti.intent,
            "confidence": answered.confidence if answered else ti.confidence,
            "entities": ti.entities,
            "cues": ti.cues,
            "client": result.reply,
            "client_state": state.public(),
            "events": list(result.events),
            "generic": result.generic,
        }
        if ti.parts:
            record["parts"] = [p.to_dict() for p in ti.parts]
        transcript.turns.append(record)
    end = engine.finish(persona, state)
    transcript.closing = end.reply
    transcript.closing_events = list(end.events)
    transcript.final_state = end.state.public()
    return transcript


def format_transcript(t: Transcript) -> str:
    """Readable text, for debugging scripts and for the benchmark report."""
    lines = [f"[{t.persona} / {t.script} / seed {t.seed}]", f"CLIENT: {t.opening}"]
    for turn in t.turns:
        lines.append(f"{turn['n']:>2} T ({turn['intent']}): {turn['trainee']}")
        mark = " [generic]" if turn["generic"] else ""
        lines.append(f"   C: {turn['client']}{mark}")
        if turn["events"]:
            lines.append(f"      events: {', '.join(turn['events'])}")
    lines.append(f"CLIENT (end): {t.closing}  {t.closing_events}")
    lines.append(f"agreed: {t.agreed}; plan: {t.final_state.get('plan')}")
    return "\n".join(lines)


# ---------------------------------------------------------------- random trainee

GENERIC_VALUES: dict[str, list[str]] = {
    "activity": ["a walk", "a thought record", "a diary", "a breathing exercise",
                 "calling a friend", "reading", "a to-do list"],
    "day": ["Monday", "weekdays", "at the weekend", "Tuesday and Thursday", "every day"],
    "time_of_day": ["in the morning", "after work", "before bed", "at lunchtime",
                    "in the evening"],
    "frequency": ["every day", "twice", "three times this week", "once"],
    "duration": ["ten minutes", "half an hour", "five minutes", "an hour", "two minutes"],
    "place": ["at home", "in the park", "at work", "in the kitchen"],
    "person": ["a friend", "your partner", "your sister"],
}
TEXTS = ("", "How confident are you, on a scale of 0 to 10?", "When would suit you?",
         "Where would you do it?", "How long for?", "How often?")
RANDOM_MOVES = tuple(m for m in moves.MOVES if m != "goodbye")  # goodbye ends the session


def _value_pool(persona: Persona) -> dict[str, list[str]]:
    pool = {k: list(v) for k, v in GENERIC_VALUES.items()}
    limits = persona.task_limits
    pool["activity"] += list(limits.preferred_activities)
    for ent, value in {**limits.counter_offer, **limits.preferences}.items():
        pool.setdefault(ent, []).append(str(value))
    for barrier in persona.barriers:
        for ent, values in barrier.resolved_by.details.items():
            pool.setdefault(ent, []).extend(values)
    return pool


@dataclass
class Walk:
    """A random trainee's session: whether the client agreed, and what it said."""

    agreed: bool
    replies: list[str]
    generic: int


def random_walk(persona: Persona, seed: int, turns: int = 25, only: str | None = None) -> Walk:
    """A seeded session of random moves, details and cues: the negative control.

    The entity pool includes the persona's own preferred activities and the details that
    resolve its barriers, so a random trainee is given every chance of luck.
    With `only`, every turn is that move said as an order (directive, no question).
    """
    rng = random.Random(seed)
    pool = _value_pool(persona)
    state = engine.start(persona, seed).state
    replies: list[str] = []
    generic = 0
    for _ in range(turns):
        move = only or rng.choice(RANDOM_MOVES)
        entities: list[dict[str, Any]] = []
        for _ in range(rng.choice((0, 0, 1, 2, 3))):
            ent = rng.choice(sorted(pool))
            entities.append({"entity": ent, "value": rng.choice(pool[ent])})
        cues = {"question": rng.choice(moves.QUESTION_KINDS),
                "directive": rng.random() < 0.3, "homework_term": rng.random() < 0.15,
                "collaborative": rng.random() < 0.3, "tentative": rng.random() < 0.3}
        if only:
            cues.update(directive=True, collaborative=False, tentative=False, question="none")
        turn = TurnInput(text=rng.choice(TEXTS), intent=move, entities=entities,
                                cues=cues)
        result = engine.step(persona, state, turn)
        state = result.state
        replies.append(result.reply)
        generic += result.generic
        if "plan_agreed" in result.events:
            return Walk(True, replies, generic)
    return Walk(False, replies, generic)
