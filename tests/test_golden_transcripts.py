"""Every scripted rehearsal gives the transcript, scorecard and client ratings on record.

A refactoring must not change behaviour; a deliberate behaviour change re-records
the file and shows up in review as a diff of tests/golden/rehearsals.json:

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden_transcripts.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from bot.client.scripted import load_scripts, run_script
from bot.persona.registry import load_persona
from bot.scoring.client_ratings import client_ratings
from bot.scoring.rubric import score_transcript

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "rehearsals.json"


def _record() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path in sorted((ROOT / "tests" / "rehearsals").glob("*.yml")):
        sf = load_scripts(path)
        persona = load_persona(ROOT / "data" / "personas" / f"{sf.persona}.yml")
        for script in sf.scripts:
            t = run_script(persona, script)
            d = t.to_dict()
            d["score"] = score_transcript(t.turns, persona.id, persona)
            d["client_ratings"] = client_ratings(persona, t.final_state)
            out[f"{path.stem}:{script.name}"] = d
    # Through JSON, as the store keeps it: tuples become lists.
    return json.loads(json.dumps(out, sort_keys=True, default=str))


def test_transcripts_match_the_record() -> None:
    now = _record()
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(now, indent=1, sort_keys=True))
        pytest.skip("re-recorded tests/golden/rehearsals.json")
    recorded = json.loads(GOLDEN.read_text())
    assert sorted(now) == sorted(recorded), "scripts added or removed: re-record"
    for name in recorded:
        assert now[name] == recorded[name], f"{name} changed"
