"""Client-led rehearsals through the real servers: REST channel, trained NLU, no given intents.

For every persona: the short `client_led` script of tests/rehearsals/<persona>.yml and the
long spoken one of tests/rehearsals_spoken/<persona>.yml (a trainee who asks rather than
proposes and knows only the briefing) reach an agreed plan; the `unskilful` script does not.
Only the texts are sent, so every intent and entity is what the model hears.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.servers import Servers
from bot.client.scripted import load_scripts
from tests.helpers.rest import get, say, start

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
REHEARSALS = ROOT / "tests" / "rehearsals"
SPOKEN = ROOT / "tests" / "rehearsals_spoken"
PERSONAS = sorted(p.stem for p in (ROOT / "data" / "personas").glob("*.yml"))


def scripted_texts(persona: str, name: str) -> list[str]:
    """The trainee's texts of one named script in tests/rehearsals/<persona>.yml."""
    scripts = {s.name: s for s in load_scripts(REHEARSALS / f"{persona}.yml").scripts}
    return [str(turn["text"]) for turn in scripts[name].turns]


def spoken_texts(persona: str) -> list[str]:
    data = yaml.safe_load((SPOKEN / f"{persona}.yml").read_text(encoding="utf-8"))
    assert data["persona"] == persona
    return [str(t) for t in data["turns"]]


def rehearse(servers: Servers, sender: str, persona: str, texts: list[str]) -> dict[str, Any]:
    """Send every text back to back, end the rehearsal, and read the stored session."""
    assert say(servers, sender, start(persona))
    for text in texts:
        assert say(servers, sender, text), text
    say(servers, sender, "/end_rehearsal")
    status, session = get(servers, f"/api/sessions/{sender}")
    assert status == 200
    assert [t["trainee"] for t in session["turns"]] == texts
    return session


def heard(session: dict[str, Any]) -> str:
    """Each turn as the client heard it, for a failure message."""
    lines = [f"{t['n']:>2} {t.get('intent')}: {t['trainee']}\n   -> {t['client']}"
             for t in session["turns"]]
    return "\n".join(lines) + f"\nplan: {session.get('plan')}"


def agreed(session: dict[str, Any]) -> bool:
    return bool((session.get("plan") or {}).get("agreed"))


def test_every_persona_has_a_spoken_script() -> None:
    assert PERSONAS and all((SPOKEN / f"{p}.yml").exists() for p in PERSONAS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_short_client_led_rehearsal_agrees(servers: Servers, persona: str) -> None:
    session = rehearse(servers, f"cl-short-{persona}", persona,
                       scripted_texts(persona, "client_led"))
    assert agreed(session), heard(session)


@pytest.mark.parametrize("persona", PERSONAS)
def test_spoken_client_led_rehearsal_agrees(servers: Servers, persona: str) -> None:
    session = rehearse(servers, f"cl-spoken-{persona}", persona, spoken_texts(persona))
    assert agreed(session), heard(session)


@pytest.mark.parametrize("persona", PERSONAS)
def test_unskilful_rehearsal_does_not_agree(servers: Servers, persona: str) -> None:
    session = rehearse(servers, f"cl-unskilful-{persona}", persona,
                       scripted_texts(persona, "unskilful"))
    assert not agreed(session), heard(session)
