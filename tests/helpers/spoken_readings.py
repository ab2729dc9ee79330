"""The spoken client-led rehearsals as the trained NLU read them, kept as a fixture.

tests/test_client_led_servers.py sends tests/rehearsals_spoken/<persona>.yml through the
real servers; tests/test_spoken_readings.py replays the same turns through the engine
alone from tests/fixtures/spoken_readings.json, so that an engine change that loses one
of those plans shows in the fast tests. The fixture keeps only what `parse_to_turn` reads.

Regenerate after the spoken scripts or the NLU change (loads models/hw.tar.gz in-process):
`.venv/bin/python -m tests.helpers.spoken_readings`.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SPOKEN = ROOT / "tests" / "rehearsals_spoken"
FIXTURE = ROOT / "tests" / "fixtures" / "spoken_readings.json"


def spoken_scripts() -> dict[str, list[str]]:
    """persona id -> the trainee's texts, in order."""
    out: dict[str, list[str]] = {}
    for path in sorted(SPOKEN.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out[str(data["persona"])] = [str(t) for t in data["turns"]]
    return out


def _intent(raw: Any) -> dict[str, Any]:
    raw = raw if isinstance(raw, dict) else {}
    return {"name": raw.get("name"), "confidence": round(float(raw.get("confidence") or 0), 4)}


def _entities(raw: Any) -> list[dict[str, str]]:
    return [{"entity": str(e["entity"]), "value": str(e.get("value", ""))}
            for e in raw or [] if isinstance(e, dict) and "entity" in e]


def trimmed(parse: dict[str, Any]) -> dict[str, Any]:
    """What bot.service.parse_to_turn reads of a parse, and nothing else."""
    return {
        "text": parse.get("text"),
        "intent": _intent(parse.get("intent")),
        "intent_ranking": [_intent(r) for r in (parse.get("intent_ranking") or [])[:3]],
        "entities": _entities(parse.get("entities")),
        "cues": parse.get("cues"),
        "parts": [{"text": p.get("text"), "intent": _intent(p.get("intent")),
                   "entities": _entities(p.get("entities")), "cues": p.get("cues")}
                  for p in parse.get("parts") or [] if isinstance(p, dict)],
    }


def _one_reading_a_line(readings: dict[str, list[dict[str, Any]]]) -> str:
    """JSON with one turn's reading per line: small, and a changed reading is one line."""
    blocks = []
    for pid, turns in readings.items():
        lines = ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in turns)
        blocks.append(f"{json.dumps(pid)}: [\n{lines}\n]")
    return "{\n" + ",\n".join(blocks) + "\n}\n"


def main() -> int:
    from bench.nlu_rehearsals import MODEL, _parse_all

    scripts = spoken_scripts()
    texts = [t for turns in scripts.values() for t in turns]
    parses = asyncio.run(_parse_all(texts, MODEL))
    readings = {pid: [trimmed(parses[t]) for t in turns] for pid, turns in scripts.items()}
    FIXTURE.write_text(_one_reading_a_line(readings), encoding="utf-8")
    print(f"written {FIXTURE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
