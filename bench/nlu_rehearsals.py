"""The scripted rehearsals through the real trained NLU instead of hand-given intents.

Run: `.venv/bin/python -m bench.nlu_rehearsals` (loads models/hw.tar.gz in-process).
`--cached` reuses the parses saved by the last run (bench/nlu-rehearsal-parses.json), so
an engine change can be re-checked without loading the model.

Every turn's text of every script in tests/rehearsals/*.yml is parsed by the model and the
parse is turned into the engine's input exactly as the live service does
(`bot.service.parse_to_turn`: intent, confidence, entities, cues, parts). Per persona and
script it reports whether the script's expected outcome (agreed / not agreed) still holds, how many
turns got a different intent than the script gives, and which. Writes
bench/nlu-rehearsals-report.txt.
"""

from __future__ import annotations

import os

# Must be set before TensorFlow / SQLAlchemy / Rasa are imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from bot.client import engine  # noqa: E402
from bot.client.scripted import Script, load_scripts  # noqa: E402
from bot.persona.model import Persona  # noqa: E402
from bot.persona.registry import load_persona  # noqa: E402
from bot.service import parse_to_turn  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "hw.tar.gz"
REHEARSALS = ROOT / "tests" / "rehearsals"
PERSONAS = ROOT / "data" / "personas"
REPORT = ROOT / "bench" / "nlu-rehearsals-report.txt"
PARSES = ROOT / "bench" / "nlu-rehearsal-parses.json"
LOAD_ATTEMPTS = 5
LOAD_WAIT_S = 30


@dataclass
class Mismatch:
    n: int
    text: str
    scripted: str
    parsed: str
    confidence: float


@dataclass
class Outcome:
    persona: str
    script: str
    expect: str
    agreed: bool
    turns: int
    mismatches: list[Mismatch] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return self.agreed == (self.expect == "agreed")


def _stable_copy(path: Path) -> Path:
    """A private copy of the model, taken when its size has stopped changing.

    Another process may be retraining into the same path; loading a half-written archive
    fails, and a copy keeps the run on one version.
    """
    for _ in range(LOAD_ATTEMPTS):
        size = path.stat().st_size
        time.sleep(2)
        if path.stat().st_size == size:
            tmp = Path(tempfile.mkdtemp(prefix="nlu-rehearsals-")) / path.name
            shutil.copy2(path, tmp)
            if tmp.stat().st_size == path.stat().st_size:
                return tmp
        time.sleep(LOAD_WAIT_S)
    raise RuntimeError(f"{path} kept changing; try again later")


async def _parse_all(texts: list[str], model: Path) -> dict[str, dict[str, Any]]:
    from rasa.core.agent import Agent

    last: Exception | None = None
    for _ in range(LOAD_ATTEMPTS):
        copy = _stable_copy(model)
        try:
            agent = Agent.load(str(copy))
            break
        except Exception as exc:  # noqa: BLE001 - a model being rewritten: wait and retry
            last = exc
            time.sleep(LOAD_WAIT_S)
    else:
        raise RuntimeError(f"cannot load {model}: {last}")
    out: dict[str, dict[str, Any]] = {}
    for text in texts:
        if text not in out:
            parse = await agent.parse_message(text)
            out[text] = _json_safe(parse)
    return out


def _json_safe(parse: dict[str, Any]) -> dict[str, Any]:
    keep = ("text", "intent", "entities", "cues", "parts")
    out = {k: parse.get(k) for k in keep}
    # The top of the ranking: parse_to_turn looks behind an nlu_fallback for a reflection.
    out["intent_ranking"] = (parse.get("intent_ranking") or [])[:3]
    return json.loads(json.dumps(out, default=str))


def run_with_parses(persona: Persona, script: Script,
                    parses: dict[str, dict[str, Any]]) -> Outcome:
    """Replay a script with the model's reading of each turn instead of the script's."""
    result = engine.start(persona, script.seed)
    state = result.state
    out = Outcome(persona.id, script.name, script.expect, False, len(script.turns))
    for n, raw in enumerate(script.turns, start=1):
        text = str(raw.get("text", ""))
        ti = parse_to_turn(parses[text])
        scripted = str(raw["intent"])
        if ti.intent != scripted:
            out.mismatches.append(Mismatch(n, text, scripted, ti.intent, ti.confidence))
        result = engine.step(persona, state, ti)
        state = result.state
        ents = ", ".join(f"{e['entity']}={e['value']}" for e in ti.entities)
        out.transcript.append(f"{n:>2} T ({ti.intent} {ti.confidence:.2f}"
                              f"{'; ' + ents if ents else ''}): {text}")
        out.transcript.append(f"   C: {result.reply}")
        if result.events:
            out.transcript.append(f"      events: {', '.join(result.events)}")
    end = engine.finish(persona, state)
    out.agreed = bool(end.state.plan.get("agreed"))
    return out


def report(outcomes: list[Outcome], verbose: bool) -> str:
    lines = ["Scripted rehearsals through the trained NLU (models/hw.tar.gz)",
             "holds = the script's expected outcome (agreed / not agreed) still comes out when",
             "every turn is read by the model instead of the script's hand-given intent.", ""]
    by_persona: dict[str, list[Outcome]] = {}
    for o in outcomes:
        by_persona.setdefault(o.persona, []).append(o)
    lines.append(f"{'persona':<8} {'scripts':>7} {'hold':>5} {'turns':>6} {'intent!=':>8}"
                 f"  {'skilful (agreed) hold':>22}")
    for pid, outs in by_persona.items():
        good = [o for o in outs if o.expect == "agreed"]
        lines.append(
            f"{pid:<8} {len(outs):>7} {sum(o.holds for o in outs):>5} "
            f"{sum(o.turns for o in outs):>6} {sum(len(o.mismatches) for o in outs):>8}"
            f"  {sum(o.holds for o in good):>18}/{len(good)}")
    total_turns = sum(o.turns for o in outcomes)
    total_mis = sum(len(o.mismatches) for o in outcomes)
    lines.append(f"{'all':<8} {len(outcomes):>7} {sum(o.holds for o in outcomes):>5} "
                 f"{total_turns:>6} {total_mis:>8}  "
                 f"({100 * total_mis / max(1, total_turns):.1f}% of turns read differently)")
    lines.append("")
    for o in outcomes:
        mark = "holds" if o.holds else "FAILS"
        lines.append(f"[{o.persona} / {o.script}] expect {o.expect}: {mark}; "
                     f"{len(o.mismatches)}/{o.turns} turns with another intent")
        for m in o.mismatches:
            lines.append(f"   turn {m.n:>2}: script {m.scripted} -> NLU {m.parsed} "
                         f"({m.confidence:.2f}): {m.text}")
        if verbose or not o.holds:
            lines.extend("      " + t for t in o.transcript)
        lines.append("")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(MODEL))
    ap.add_argument("--cached", action="store_true", help="reuse the saved parses")
    ap.add_argument("--verbose", action="store_true", help="transcripts of every script")
    ap.add_argument("--out", default=str(REPORT))
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    warnings.filterwarnings("ignore")

    files = sorted(REHEARSALS.glob("*.yml"))
    script_files = [load_scripts(p) for p in files]
    texts = [str(t.get("text", "")) for sf in script_files for s in sf.scripts for t in s.turns]
    if args.cached and PARSES.exists():
        parses = json.loads(PARSES.read_text(encoding="utf-8"))
        missing = [t for t in texts if t not in parses]
        if missing:
            parses.update(asyncio.run(_parse_all(missing, Path(args.model))))
    else:
        parses = asyncio.run(_parse_all(texts, Path(args.model)))
    PARSES.write_text(json.dumps(parses, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    outcomes: list[Outcome] = []
    for sf in script_files:
        persona = load_persona(PERSONAS / f"{sf.persona}.yml")
        for script in sf.scripts:
            outcomes.append(run_with_parses(persona, script, parses))
    text = report(outcomes, args.verbose)
    Path(args.out).write_text(text, encoding="utf-8")
    print(text.split("\n\n")[1] if "\n\n" in text else text)
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
