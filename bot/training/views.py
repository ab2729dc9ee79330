"""What the training pages show, as JSON-ready dicts, from stored rows and the domain.

Kept apart from the web routes (bot/rasa_ext/training.py) so that each view can be tested
without a server: the drill list with mastery, a drill to try, the debrief with its chart,
a trainee's progress per rubric dimension, and an instructor's cohort figures.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from bot.debrief.chart import lines_chart_svg, state_chart_svg
from bot.debrief.debrief import SeriesPoint, build_debrief
from bot.debrief.words import move_words
from bot.drills.mastery import Mastery, mastery
from bot.drills.model import Drill
from bot.scoring.rubric import DIMENSION_NAMES


def drill_summary(drill: Drill, persona: Any | None, progress: Mastery | None,
                  assigned: bool) -> dict[str, Any]:
    return {
        "id": drill.id,
        "title": drill.title,
        "persona": drill.persona,
        "persona_name": persona.name if persona is not None else drill.persona.capitalize(),
        "skill": drill.skill,
        "skill_name": DIMENSION_NAMES.get(drill.skill, drill.skill),
        "difficulty": drill.difficulty,
        "level": drill.level,
        "assigned": assigned,
        "mastery": (progress or mastery([])).to_dict(),
    }


def drill_to_try(drill: Drill, persona: Any | None) -> dict[str, Any]:
    """What the trainee reads before answering (the model answers come with the feedback)."""
    return {
        **drill_summary(drill, persona, None, False),
        "situation": drill.situation,
        "before": [{"therapist": e.therapist, "client": e.client} for e in drill.before],
        "client_says": drill.client_says,
    }


def debrief_view(session: dict[str, Any], persona: Any | None,
                 comments: list[dict[str, Any]], flags: list[dict[str, Any]]) -> dict[str, Any]:
    d = build_debrief(session, persona)
    out = d.to_dict()
    out["chart_svg"] = state_chart_svg(d.series, title=f"{d.client_name}'s trust and "
                                       "willingness over the turns")
    by_turn: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for c in comments:
        by_turn[int(c["n"])].append(c)
    flagged: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for f in flags:
        flagged[int(f["n"])].append({**f, "meant_words": move_words(f["meant"])})
    for turn in out["turns"]:
        turn["comments"] = by_turn.get(turn["n"], [])
        turn["flags"] = flagged.get(turn["n"], [])
    out["trainee"] = session.get("trainee")
    out["started_at"] = session.get("started_at")
    out["ended_at"] = session.get("ended_at")
    return out


def _dimension_scores(score: dict[str, Any] | None) -> dict[str, float]:
    dims = (score or {}).get("dimensions") or {}
    out: dict[str, float] = {}
    for dim in DIMENSION_NAMES:
        value = (dims.get(dim) or {}).get("score")
        if isinstance(value, int | float):
            out[dim] = float(value)
    return out


def progress_view(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """A trainee's scored rehearsals in order, with one small chart per rubric dimension."""
    rehearsals = []
    series: list[SeriesPoint] = []
    dates: dict[int, str] = {}
    for i, row in enumerate(rows, start=1):
        scores = _dimension_scores(row.get("score"))
        rehearsals.append({"session_id": row["session_id"], "persona": row["persona"],
                           "started_at": row.get("started_at"), "scores": scores,
                           "agreed": bool((row.get("plan") or {}).get("agreed"))})
        if scores:
            series.append(SeriesPoint(i, scores))
            dates[i] = str(row.get("started_at") or "")[:10]
    charts = {dim: lines_chart_svg(series, [dim], f"{dim} {name} over your rehearsals (0-6)",
                                   y_max=6.0, x_label="rehearsal", names={dim: dim})
              for dim, name in DIMENSION_NAMES.items()} if series else {}
    return {"rehearsals": rehearsals, "charts": charts,
            "dimension_names": dict(DIMENSION_NAMES)}


def cohort_view(rows: Iterable[dict[str, Any]], flags: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean score per dimension per persona, how often a plan was agreed per persona, and
    the most common misheard turns (what was heard instead of what was meant)."""
    totals: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    agreed: dict[str, list[bool]] = defaultdict(list)
    for row in rows:
        if not row.get("ended_at"):
            continue
        persona = str(row["persona"])
        agreed[persona].append(bool((row.get("plan") or {}).get("agreed")))
        for dim, value in _dimension_scores(row.get("score")).items():
            totals[persona][dim].append(value)
    personas = []
    for persona in sorted(agreed):
        means = {dim: round(sum(v) / len(v), 2) for dim, v in totals[persona].items() if v}
        personas.append({"persona": persona, "sessions": len(agreed[persona]),
                         "agreement_rate": round(sum(agreed[persona]) / len(agreed[persona]), 2),
                         "means": means})
    pairs = Counter((f["heard"], f["meant"]) for f in flags)
    common = [{"heard": h, "meant": m, "heard_words": move_words(h), "meant_words": move_words(m),
               "count": c, "examples": [f["text"] for f in flags
                                        if (f["heard"], f["meant"]) == (h, m)][:3]}
              for (h, m), c in pairs.most_common(10)]
    return {"personas": personas, "flagged": common, "dimension_names": dict(DIMENSION_NAMES)}
