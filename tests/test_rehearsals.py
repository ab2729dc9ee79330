"""Every scripted rehearsal in tests/rehearsals/*.yml: outcome, determinism, visible skill.

New persona files are picked up automatically: one test per (file, script).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.persona import load_persona
from bot.rehearsal import Script, ScriptFile, format_transcript, load_scripts, run_script

ROOT = Path(__file__).resolve().parent.parent
REHEARSALS = ROOT / "tests" / "rehearsals"
PERSONAS = ROOT / "data" / "personas"

FILES = sorted(REHEARSALS.glob("*.yml"))
CASES = [
    pytest.param(path, script, id=f"{path.stem}:{script.name}")
    for path in FILES
    for script in load_scripts(path).scripts
]
# Events that show in the transcript that the client pushed back.
RESISTANCE = ("plan_objection:", "sensitivity:", "rupture:", "belief_activated:", "plan_refused",
              "plan_countered:")


def _persona(sf: ScriptFile):  # noqa: ANN202 - Persona
    return load_persona(PERSONAS / f"{sf.persona}.yml")


def test_rehearsal_files_exist() -> None:
    assert any(p.stem == "maya" for p in FILES)


@pytest.mark.parametrize(("path", "script"), CASES)
def test_expectation_holds(path: Path, script: Script) -> None:
    sf = load_scripts(path)
    assert script.expect in ("agreed", "not_agreed")
    t = run_script(_persona(sf), script)
    agreed_events = [e for e in t.events if e == "plan_agreed"]
    assert t.agreed == (script.expect == "agreed"), format_transcript(t)
    if script.expect == "agreed":
        assert agreed_events, format_transcript(t)
    else:
        assert "plan_refused" in t.events, format_transcript(t)
    assert t.closing, "finish() must give a closing line"
    assert all(turn["client"].strip() for turn in t.turns)


@pytest.mark.parametrize(("path", "script"), CASES)
def test_same_script_same_transcript(path: Path, script: Script) -> None:
    sf = load_scripts(path)
    persona = _persona(sf)
    assert run_script(persona, script).to_dict() == run_script(persona, script).to_dict()


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_skill_shows_in_transcript(path: Path) -> None:
    sf = load_scripts(path)
    persona = _persona(sf)
    runs = [run_script(persona, s) for s in sf.scripts]
    good = [t for t, s in zip(runs, sf.scripts, strict=True) if s.expect == "agreed"]
    poor = [t for t, s in zip(runs, sf.scripts, strict=True) if s.expect == "not_agreed"]
    assert good and poor, f"{path.name} needs at least one agreed and one not_agreed script"
    best = good[0]
    for t in poor:
        # Not only the outcome: the poor rehearsal shows the client pushing back...
        pushback = [e for e in t.events if e.startswith(RESISTANCE)]
        assert pushback, format_transcript(t)
        # ...and reads differently from the good one.
        assert set(t.replies()) != set(best.replies())
    # The good rehearsal ends no colder than any poor one and warmer than the worst
    # ("nearly" scripts can be warm throughout and still miss what the client needs).
    assert all(best.final_state["trust"] >= t.final_state["trust"] for t in poor)
    assert best.final_state["trust"] > min(t.final_state["trust"] for t in poor)
