"""Resistant by default: random trainee behaviour rarely wins a client, orders never do.

A uniformly random trainee (any move, random plan details, random wording cues) is the
negative control of the product: a real client with the persona's difficulty would only now
and then sign up to a plan after a chaotic session. We allow at most 10% of walks (one in ten:
"rarely" for a standardized patient; about the share of sessions in which a chance run of good
moves covers everything the client needs). A walk of nothing but directive proposals is what
the literature calls imposing a task; no persona may agree to it.

The entity pool deliberately contains each persona's own preferred activities, preferences
and the details that resolve its barriers, so the test is hard to pass by luck of wording.
Measured shares (seeds 0-49, at the time of writing): sam 0.08, maya 0.06, priya 0.06,
dan 0.02, jordan 0.02, alex / leo / nora / ruth 0.00.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.client import engine
from bot.client.agreement import unmet_conditions
from bot.client.scripted import random_walk
from bot.persona.model import Persona
from bot.persona.registry import load_persona

ROOT = Path(__file__).resolve().parent.parent
PERSONA_FILES = sorted((ROOT / "data" / "personas").glob("*.yml"))
WALKS = 50
TURNS = 25
MAX_SHARE = 0.10

def _walk(persona: Persona, seed: int, only: str | None = None) -> bool:
    """True when the client agreed to a plan at any point of the walk."""
    return random_walk(persona, seed, TURNS, only).agreed


@pytest.mark.parametrize("path", PERSONA_FILES, ids=[p.stem for p in PERSONA_FILES])
def test_random_trainee_rarely_wins(path: Path) -> None:
    persona = load_persona(path)
    wins = [seed for seed in range(WALKS) if _walk(persona, seed)]
    share = len(wins) / WALKS
    print(f"{persona.id}: random-walk agreement share {share:.2f}")
    assert share <= MAX_SHARE, f"{persona.id} agreed in {share:.0%} of random walks: {wins}"


@pytest.mark.parametrize("path", PERSONA_FILES, ids=[p.stem for p in PERSONA_FILES])
def test_only_directive_proposals_never_win(path: Path) -> None:
    persona = load_persona(path)
    wins = [seed for seed in range(WALKS) if _walk(persona, seed, only="propose_task")]
    assert not wins, f"{persona.id} agreed to an imposed task (seeds {wins})"


def test_walk_can_win_when_the_client_is_easy() -> None:
    # The harness must be able to detect agreement at all, or the tests above prove nothing.
    persona = load_persona(ROOT / "data" / "personas" / "maya.yml")
    persona.agreement.requires.clear()
    assert any(_walk(persona, seed) for seed in range(WALKS))


def test_no_client_agrees_while_guarded_or_unwilling() -> None:
    # Floors apply when a persona names no threshold of its own (priya names none).
    persona = load_persona(ROOT / "data" / "personas" / "priya.yml")
    state = engine.initial_state(persona, 0)
    state.plan["activity"] = "the corner shop"
    state.trust, state.willingness = 0.2, 0.6
    assert "min_trust" in unmet_conditions(persona, state)
    state.trust, state.willingness = 0.6, 0.1
    assert "min_willingness" in unmet_conditions(persona, state)
    state.trust, state.willingness = 0.6, 0.6
    unmet = unmet_conditions(persona, state)
    assert "min_trust" not in unmet and "min_willingness" not in unmet
