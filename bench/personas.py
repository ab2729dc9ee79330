"""How alive each persona feels over its scripted rehearsals.

Run: `.venv/bin/python -m bench.personas`. For every tests/rehearsals/<persona>.yml:
share of distinct client replies within a rehearsal (1.0 = never repeats), share of turns
answered by a built-in generic line (a small failure each), and turns to agreement in the
skilful script. The same figures over seeded 30-turn random-trainee walks show how the
persona holds up off the script (and how often chance alone wins it). Prints a table and
writes bench/personas-report.txt.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from bot.client.scripted import Transcript, load_scripts, random_walk, run_script
from bot.persona.registry import PersonaError, load_persona

ROOT = Path(__file__).resolve().parent.parent
REHEARSALS = ROOT / "tests" / "rehearsals"
PERSONAS = ROOT / "data" / "personas"
REPORT = Path(__file__).resolve().parent / "personas-report.txt"


@dataclass
class Row:
    persona: str
    scripts: int
    distinct: float  # mean over scripts of distinct replies / replies
    generic: float  # generic turns / all turns, over all scripts
    turns_to_agreement: int | None  # skilful script (or first script expected to agree)
    outcomes_ok: int  # scripts whose outcome matches `expect`
    walk_distinct: float = 0.0  # the same over random 30-turn walks
    walk_generic: float = 0.0
    walk_agreed: float = 0.0  # share of random walks the client agreed in
    note: str = ""


WALKS = 30
WALK_TURNS = 30


def distinct_share(t: Transcript) -> float:
    replies = t.replies()
    return len(set(replies)) / len(replies) if replies else 1.0


def turns_to_agreement(t: Transcript) -> int | None:
    return next((turn["n"] for turn in t.turns if "plan_agreed" in turn["events"]), None)


def measure(path: Path) -> Row:
    sf = load_scripts(path)
    try:
        persona = load_persona(PERSONAS / f"{sf.persona}.yml")
    except PersonaError as exc:
        return Row(sf.persona, len(sf.scripts), 0.0, 0.0, None, 0,
                   f"persona does not load: {exc.problems[0]}")
    runs = [(s, run_script(persona, s)) for s in sf.scripts]
    turns = [turn for _, t in runs for turn in t.turns]
    generic = sum(1 for turn in turns if turn["generic"]) / len(turns) if turns else 0.0
    distinct = sum(distinct_share(t) for _, t in runs) / len(runs) if runs else 0.0
    skilful = next((t for s, t in runs if s.name == "skilful"), None) or next(
        (t for s, t in runs if s.expect == "agreed"), None)
    ok = sum(1 for s, t in runs if t.agreed == (s.expect == "agreed"))
    walks = [random_walk(persona, seed, WALK_TURNS) for seed in range(WALKS)]
    walk_turns = sum(len(w.replies) for w in walks)
    return Row(sf.persona, len(runs), distinct, generic,
               turns_to_agreement(skilful) if skilful else None, ok,
               walk_distinct=sum(len(set(w.replies)) / len(w.replies) for w in walks) / WALKS,
               walk_generic=sum(w.generic for w in walks) / walk_turns,
               walk_agreed=sum(w.agreed for w in walks) / WALKS)


def render(rows: list[Row]) -> str:
    head = f"{'persona':<10} {'scripts':>7} {'distinct':>9} {'generic':>8} {'agree@turn':>10} " \
           f"{'outcomes':>9} | {'walk-dist':>9} {'walk-gen':>8} {'walk-won':>8}"
    lines = [
        "Persona rehearsal benchmark (scripted rehearsals in tests/rehearsals/)",
        "distinct = share of distinct client replies within a rehearsal (mean over scripts)",
        "generic  = share of turns answered by a built-in generic line (lower is better)",
        "agree@turn = trainee turn at which the skilful script reached agreement",
        f"walk-*   = the same over {WALKS} seeded {WALK_TURNS}-turn random-trainee walks; "
        "walk-won = share of walks the client agreed in",
        "",
        head,
        "-" * len(head),
    ]
    for r in rows:
        agree = "-" if r.turns_to_agreement is None else str(r.turns_to_agreement)
        lines.append(
            f"{r.persona:<10} {r.scripts:>7} {r.distinct:>9.2f} {r.generic:>8.2f} {agree:>10} "
            f"{r.outcomes_ok:>5}/{r.scripts:<3} | {r.walk_distinct:>9.2f} {r.walk_generic:>8.3f} "
            f"{r.walk_agreed:>8.2f}" + (f"  {r.note}" if r.note else "")
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    rows = [measure(p) for p in sorted(REHEARSALS.glob("*.yml"))]
    text = render(rows)
    sys.stdout.write(text)
    REPORT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
