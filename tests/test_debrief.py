"""The debrief of real scripted rehearsals (tests/rehearsals/*.yml through the engine).

A scripted transcript has the stored session's shape (turns with intent, cues, events
and client_state; a closing line and its events), so the debrief is built from exactly
what a stored rehearsal holds.
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from bot.client.scripted import Transcript, load_scripts, run_script
from bot.debrief.chart import state_chart_svg
from bot.debrief.debrief import Debrief, build_debrief
from bot.moves import STATE_KEYS
from bot.persona.model import Persona
from bot.persona.registry import load_persona

ROOT = Path(__file__).resolve().parent.parent
SCRIPT_FILES = sorted((ROOT / "tests" / "rehearsals").glob("*.yml"))


@functools.cache
def _persona(persona_id: str) -> Persona:
    return load_persona(ROOT / "data" / "personas" / f"{persona_id}.yml")


def _session(t: Transcript) -> dict[str, Any]:
    """A transcript in the stored session's JSON shape (bot.store get_session)."""
    return {
        "session_id": f"{t.persona}-{t.script}",
        "persona": t.persona,
        "turns": t.turns,
        "plan": t.final_state.get("plan"),
        "closing": {"client": t.closing, "events": t.closing_events},
    }


@functools.cache
def _rehearsal(persona_id: str, script: str) -> tuple[Transcript, Debrief]:
    scripts = load_scripts(ROOT / "tests" / "rehearsals" / f"{persona_id}.yml")
    chosen = next(s for s in scripts.scripts if s.name == script)
    t = run_script(_persona(persona_id), chosen)
    return t, build_debrief(_session(t), _persona(persona_id))


def _texts(d: Debrief) -> list[tuple[int, str]]:
    return [(t.n, c.text) for t in d.turns for c in t.changes]


def test_skilful_rehearsal_shows_the_hidden_barrier_and_the_agreement() -> None:
    t, d = _rehearsal("maya", "skilful")
    assert d.client_name == "Maya" and d.agreed and t.agreed
    texts = _texts(d)
    disclosed = [n for n, s in texts if s == "A hidden obstacle came out: being wiped out by "
                 "the evenings."]
    solved = [n for n, s in texts if s.startswith("An obstacle was solved: being wiped out")]
    assert disclosed and solved and disclosed[0] < solved[0]
    assert any(s == "Maya agreed to the action plan." for _, s in texts)
    assert any(s.startswith("Maya felt listened to: trust rose (+") for _, s in texts)
    assert any(s.startswith("Added to the plan: ") and "before work" in s for _, s in texts)


def test_unskilful_rehearsal_shows_the_homework_word_and_falling_trust() -> None:
    t, d = _rehearsal("maya", "unskilful")
    assert not d.agreed
    second = d.turns[1]  # "Did you do your homework this week?"
    assert second.heard[0].move == "review_plan"
    assert "used the word 'homework' or 'assignment'" in second.how_said
    assert "a closed (yes/no) question" in second.how_said
    said = [c.text for c in second.changes]
    assert "Maya heard the word 'homework' as a test." in said
    assert any(s.startswith("Maya heard the word 'homework' as a test: trust fell (-")
               for s in said)
    ending = [c.text for c in d.turns[-1].changes] + [c.text for c in d.closing_changes]
    assert "Maya did not agree to an action plan." in ending


def test_rupture_and_its_repair_are_told_in_order() -> None:
    _, d = _rehearsal("maya", "rupture_then_repair")
    texts = _texts(d)
    rupture = [n for n, s in texts if s.startswith("A rupture: Maya pulled back from you.")]
    repair = [n for n, s in texts if s.startswith("The rupture was repaired")]
    assert rupture and repair and rupture[0] < repair[0]


@pytest.mark.parametrize("path", SCRIPT_FILES, ids=lambda p: p.stem)
def test_every_state_change_is_told_with_its_direction(path: Path) -> None:
    """For every scripted rehearsal: the chart series is the stored state, and every rise or
    fall of trust and willingness of 0.01 or more is told, with its sign."""
    persona = _persona(path.stem)
    for script in load_scripts(path).scripts:
        t, d = _rehearsal(persona.id, script.name)
        assert len(d.turns) == len(t.turns)
        assert len(d.series) == len(t.turns) + 1
        start = persona.state.start
        assert d.series[0].values == {"trust": round(start["trust"], 3),
                                      "willingness": round(start["willingness"], 3)}
        before = {k: float(start[k]) for k in STATE_KEYS}
        for turn, raw, point in zip(d.turns, t.turns, d.series[1:], strict=True):
            after = raw["client_state"]
            assert point.n == raw["n"]
            assert point.values["trust"] == pytest.approx(after["trust"], abs=1e-3)
            told = " ".join(c.text for c in turn.changes if c.kind == "state")
            for key in ("trust", "willingness"):
                delta = after[key] - before[key]
                if delta >= 0.01:
                    assert f"{key} rose (+{delta:.2f})" in told, (script.name, turn.n, told)
                elif delta <= -0.01:
                    assert f"{key} fell ({delta:.2f})" in told, (script.name, turn.n, told)
                else:
                    assert f"{key} rose" not in told and f"{key} fell" not in told
            before = after


def test_every_event_of_a_rehearsal_is_said_in_plain_words() -> None:
    _, d = _rehearsal("sam", "skilful")
    for turn in d.turns:
        for change in turn.changes:
            assert ":" not in change.text.split(" ")[0]  # no raw "kind:detail" names
            assert "_" not in change.text, change.text


def test_debrief_without_the_persona_still_reads() -> None:
    t, _ = _rehearsal("alex", "skilful")
    d = build_debrief(_session(t), None)
    assert d.client_name == "Alex"
    assert d.turns and not [c for c in d.turns[0].changes if c.kind == "state"]
    assert len(d.series) == len(t.turns)  # no starting point without the persona
    json_like = d.to_dict()
    assert json_like["chart_keys"] == ["trust", "willingness"]
    assert json_like["turns"][0]["heard"][0]["words"]


def test_a_turn_with_several_moves_lists_each_move_heard() -> None:
    session = {"persona": "maya", "turns": [{
        "n": 1, "trainee": "It sounds exhausting. What might help?", "intent": "elicit_ideas",
        "cues": {"question": "open"}, "events": [], "client": "Maybe a walk.",
        "client_state": {"trust": 0.5, "hope": 0.3, "understanding": 0.25, "willingness": 0.4},
        "parts": [{"text": "It sounds exhausting.", "intent": {"name": "reflect"}},
                  {"text": "What might help?", "intent": {"name": "elicit_ideas"}}]}]}
    d = build_debrief(session, _persona("maya"))
    assert [h.move for h in d.turns[0].heard] == ["reflect", "elicit_ideas"]
    assert [h.words for h in d.turns[0].heard] == ["a reflection", "asking for their own ideas"]


def test_bad_input_does_not_break_the_debrief() -> None:
    d = build_debrief({"persona": "maya", "turns": [{"intent": None, "client_state": "x"},
                                                   {}]}, _persona("maya"))
    assert len(d.turns) == 2


def test_chart_is_inline_svg_with_one_line_per_state() -> None:
    _, d = _rehearsal("maya", "skilful")
    svg = state_chart_svg(d.series)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    lines = root.findall(f"{ns}polyline")
    assert [ln.get("class") for ln in lines] == ["line-trust", "line-willingness"]
    for line in lines:
        assert len((line.get("points") or "").split()) == len(d.series)
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # nothing fetched
    # Higher trust is drawn higher (smaller y).
    ys = [float(p.split(",")[1]) for p in (lines[0].get("points") or "").split()]
    vals = [p.values["trust"] for p in d.series]
    first, last = vals.index(min(vals)), vals.index(max(vals))
    assert ys[last] < ys[first]
