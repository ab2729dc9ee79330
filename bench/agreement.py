"""Agreement between the scorer and hand-rated reference transcripts.

`python -m bench.agreement` scores every tests/reference/*.yml, prints per dimension the exact
and within-one agreement with the rater's expected scores, the Spearman correlation of the
totals and every disagreement, and writes bench/agreement-report.txt.

Reference files are compact: a turn lists only the cues that are on and the client_state keys
that changed (`state:`); `load_reference` fills in the rest the way the engine would (cues
default off, state carried forward, plan details / barriers / rupture from the events).
"""

from __future__ import annotations

import copy
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.moves import PLAN_ENTITIES, empty_cues
from bot.scoring.rubric import DIMENSION_NAMES, score_transcript

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = ROOT / "tests" / "reference"
REPORT = Path(__file__).resolve().parent / "agreement-report.txt"
DIMS = tuple(DIMENSION_NAMES)

START_STATE: dict[str, Any] = {
    "trust": 0.4, "hope": 0.3, "understanding": 0.2, "willingness": 0.35,
    "phase": "opening", "rupture": False, "disclosed": [], "resolved": [],
    "beliefs_active": [], "plan": {"agreed": False, **{k: None for k in PLAN_ENTITIES}},
    "client_shaped": False, "rationale_heard": False, "feedback_asked": False,
    "understanding_checked": False, "linked_to_goals": False, "refused": False, "turn": 0,
}


@dataclass
class Reference:
    name: str
    persona: str
    description: str
    turns: list[dict[str, Any]]
    expected: dict[str, int]
    why: dict[str, str]


def _apply_events(state: dict[str, Any], events: list[str]) -> None:
    """The engine's bookkeeping for the events a reference turn lists."""
    for ev in events:
        kind, _, detail = ev.partition(":")
        if kind in ("plan_detail", "plan_countered"):
            entity, _, value = detail.partition("=")
            state["plan"][entity] = value
        elif kind == "barrier_disclosed" and detail not in state["disclosed"]:
            state["disclosed"].append(detail)
        elif kind == "barrier_resolved" and detail not in state["resolved"]:
            state["resolved"].append(detail)
        elif kind == "belief_activated" and detail not in state["beliefs_active"]:
            state["beliefs_active"].append(detail)
        elif kind == "belief_softened" and detail in state["beliefs_active"]:
            state["beliefs_active"].remove(detail)
        elif kind == "rupture":
            state["rupture"] = True
        elif kind == "repair":
            state["rupture"] = False
        elif kind == "plan_agreed":
            state["plan"]["agreed"] = True
        elif kind == "plan_refused":
            state["refused"] = True
        elif kind == "phase":
            state["phase"] = detail


def load_reference(path: Path) -> Reference:
    """Read one reference file and expand it into stored-turn dicts (docs/api.md's turn shape)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    state = copy.deepcopy(START_STATE)
    turns = []
    for i, raw in enumerate(data["turns"], start=1):
        cues = empty_cues()
        cues.update(raw.get("cues") or {})
        entities = [dict(e) for e in raw.get("entities") or []]
        for e in entities:
            if e["entity"] in PLAN_ENTITIES:
                state["plan"][e["entity"]] = e["value"]
        events = list(raw.get("events") or [])
        _apply_events(state, events)
        changes = dict(raw.get("state") or {})
        plan_changes = changes.pop("plan", None) or {}
        state.update(changes)
        state["plan"].update(plan_changes)
        state["turn"] = i
        turns.append({
            "n": i,
            "trainee": raw["trainee"],
            "intent": raw["intent"],
            "confidence": float(raw.get("confidence", 0.9)),
            "entities": entities,
            "cues": cues,
            "client": raw.get("client", ""),
            "client_state": copy.deepcopy(state),
            "events": events,
        })
    expected = {d: int(v["score"]) for d, v in data["expected"].items()}
    why = {d: str(v.get("why", "")) for d, v in data["expected"].items()}
    return Reference(path.stem, data["persona"], data.get("description", ""), turns,
                     expected, why)


def load_all(directory: Path = REFERENCE_DIR) -> list[Reference]:
    return [load_reference(p) for p in sorted(directory.glob("*.yml"))]


def _ranks(values: list[float]) -> list[float]:
    """Average ranks (ties share the mean rank), 1-based."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(xs: list[float], ys: list[float]) -> float:
    """Spearman's rho as the Pearson correlation of average ranks (handles ties)."""
    if len(xs) != len(ys) or len(xs) < 2:
        return float("nan")
    rx, ry = _ranks(xs), _ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    return cov / (vx * vy) ** 0.5 if vx and vy else float("nan")


@dataclass
class Agreement:
    exact: dict[str, float]
    within_one: dict[str, float]
    rho: float
    rows: list[tuple[str, dict[str, int], dict[str, int]]]  # name, expected, scored
    references: list[Reference]


def compute(references: list[Reference] | None = None) -> Agreement:
    refs = load_all() if references is None else references
    rows = []
    for ref in refs:
        result = score_transcript(ref.turns, ref.persona)
        scored = {d: result["dimensions"][d]["score"] for d in DIMS}
        rows.append((ref.name, ref.expected, scored))
    n = len(rows) or 1
    exact = {d: sum(e[d] == s[d] for _, e, s in rows) / n for d in DIMS}
    within = {d: sum(abs(e[d] - s[d]) <= 1 for _, e, s in rows) / n for d in DIMS}
    rho = spearman([sum(e.values()) for _, e, _ in rows], [sum(s.values()) for _, _, s in rows])
    return Agreement(exact, within, rho, rows, refs)


def report(agreement: Agreement) -> str:
    a = agreement
    lines = [
        f"Scorer vs. hand-rated reference transcripts ({len(a.rows)} transcripts)",
        "This project's estimates, not validated instrument scores.",
        "",
        f"{'dim':<4} {'name':<38} {'exact':>6} {'within1':>8}",
    ]
    for d in DIMS:
        lines.append(f"{d:<4} {DIMENSION_NAMES[d]:<38} {a.exact[d]:>6.0%} {a.within_one[d]:>8.0%}")
    lines += [
        "",
        f"overall exact {sum(a.exact.values()) / len(DIMS):.0%}, "
        f"within one {sum(a.within_one.values()) / len(DIMS):.0%}",
        f"Spearman rho of totals: {a.rho:.3f}",
        "",
        "Per transcript (expected total / scorer total; disagreements as dim expected->scored):",
    ]
    why = {r.name: r.why for r in a.references}
    for name, exp, got in a.rows:
        diffs = [d for d in DIMS if exp[d] != got[d]]
        lines.append(f"  {name}: {sum(exp.values())} / {sum(got.values())}")
        for d in diffs:
            flag = "  " if abs(exp[d] - got[d]) <= 1 else "!!"
            lines.append(f"    {flag} {d} {exp[d]}->{got[d]}  (rater: {why[name].get(d, '')})")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    text = report(compute())
    sys.stdout.write(text)
    REPORT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
