"""The simulated client: a pure, deterministic state machine over trainee moves.

The public face of bot/client: `start`, `step` and `finish` take a Persona and a
ClientState and return a TurnResult with a new state; nothing is mutated and nothing is
random except through a stable hash of (seed, turn, situation), so a rehearsal replays
identically. No Rasa imports. One turn's stages are in bot/client/turn.py.
"""

from __future__ import annotations

from bot.client.context import TurnContext
from bot.client.state import ClientState, TurnResult
from bot.client.turn import step
from bot.client.voice import say_move
from bot.persona.model import Persona

__all__ = ["finish", "initial_state", "start", "step"]


def initial_state(persona: Persona, seed: int) -> ClientState:
    begin = persona.state.start
    return ClientState(
        trust=float(begin.get("trust", 0.5)),
        hope=float(begin.get("hope", 0.5)),
        understanding=float(begin.get("understanding", 0.5)),
        willingness=float(begin.get("willingness", 0.5)),
        seed=int(seed),
    )


def start(persona: Persona, seed: int) -> TurnResult:
    """The client's first words, and its state before the first turn."""
    state = initial_state(persona, seed)
    ctx = TurnContext(persona, state, "opening", {})
    said = say_move(ctx, "opening")
    return TurnResult(said.text, state, ["phase:opening"], said.generic)


def finish(persona: Persona, state: ClientState) -> TurnResult:
    """The rehearsal ends: a plan not agreed by now is refused; the closing line."""
    s = state.copy()
    events: list[str] = []
    if s.phase != "closing":
        s.phase = "closing"
        events.append("phase:closing")
    if not s.plan.get("agreed") and not s.refused:
        s.refused = True
        events.append("plan_refused")
    ctx = TurnContext(persona, s, "end", {}, events)
    key = "closing.agreed" if s.plan.get("agreed") else "closing.not_agreed"
    said = say_move(ctx, key)
    return TurnResult(said.text, s, events, said.generic)
