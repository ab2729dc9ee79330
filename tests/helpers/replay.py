"""A rehearsal through the engine alone: the opening, then one result per given turn."""

from __future__ import annotations

from bot.client import engine
from bot.client.state import TurnInput, TurnResult
from bot.persona.model import Persona


def replay(persona: Persona, turns: list[TurnInput], seed: int) -> list[TurnResult]:
    res = engine.start(persona, seed)
    out = [res]
    for t in turns:
        res = engine.step(persona, res.state, t)
        out.append(res)
    return out
