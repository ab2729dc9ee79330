"""The scorecard of a rehearsal: computing it (the one place that does) and its text form.

`score_rehearsal` is called when a rehearsal ends (bot.service) and when the command line
re-scores an ended session whose score is missing (`python -m bot score`), so both give
the same scorecard for the same transcript. The store only keeps what this returns.

Scores are this project's estimates, not validated instrument scores.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.client.state import ClientState
from bot.scoring.client_ratings import client_ratings
from bot.scoring.rubric import DIMENSION_NAMES, score_transcript

log = logging.getLogger(__name__)

ROLLUP_NAMES: dict[str, str] = {
    "review": "Review (HAACS-like)",
    "design": "Design (HAACS-like)",
    "planning": "Planning (HAACS-like)",
    "specificity": "Specificity (HSTBS-like)",
    "motivation": "Motivation (HSTBS-like)",
    "problem_solving": "Problem-solving (HSTBS-like)",
    "ctrs_homework": "CTRS-11-like estimate",
}

ESTIMATE_LABEL = "this project's estimate, not a validated instrument score"


@dataclass(frozen=True)
class Scorecard:
    """What is stored with an ended session. None where computing it failed: a scoring
    fault never loses the rehearsal, and `python -m bot score` can try again later."""

    score: dict[str, Any] | None
    client_ratings: dict[str, Any] | None
    scorer_version: str | None


def score_rehearsal(
    turns: Sequence[Mapping[str, Any]],
    persona_id: str,
    persona: Any,
    final_state: Mapping[str, Any],
) -> Scorecard:
    """Score a transcript (stored turns) and the client's view of it.

    `final_state` is the engine's public view of the client at the end (what each stored
    turn keeps as client_state). `persona` may be None when its file cannot be loaded; the
    scorer then works from the transcript alone.
    """
    try:
        score: dict[str, Any] | None = score_transcript(list(turns), persona_id, persona)
    except Exception:  # noqa: BLE001 - re-run later with `python -m bot score`
        log.exception("scoring failed for a %s rehearsal", persona_id)
        score = None
    try:
        ratings: dict[str, Any] | None = client_ratings(persona, dict(final_state))
    except Exception:  # noqa: BLE001
        log.exception("client ratings failed for a %s rehearsal", persona_id)
        ratings = None
    version = None if score is None else score.get("version")
    return Scorecard(score=score, client_ratings=ratings, scorer_version=version)


def final_state_of(resume_state: Mapping[str, Any] | None,
                   turns: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The client's public state at the end of a stored session, for re-scoring it.

    From the stored resume state when there is one; a state written by an older engine
    that no longer reads falls back to the last turn's stored client_state.
    """
    if resume_state:
        try:
            return ClientState.from_dict(dict(resume_state)).public()
        except Exception:  # noqa: BLE001 - an older state shape: use what the turns kept
            log.warning("stored client state not readable; using the last turn's view")
    if turns:
        return dict(turns[-1].get("client_state") or {})
    return {}


def format_score(session: Mapping[str, Any]) -> str:
    """A clinician-readable report of a scored session (docs/api.md's session JSON)."""
    score = session["score"] or {}
    lines = [
        f"Rehearsal {session['session_id']}: persona {session['persona']}, "
        f"trainee {session['trainee']}",
        f"Started {session['started_at']}, ended {session['ended_at']}",
        "",
        "Dimensions (0-6):",
    ]
    for key, dim in sorted((score.get("dimensions") or {}).items()):
        name = dim.get("name") or DIMENSION_NAMES.get(key, key)
        lines.append(f"  {key} {name}: {dim.get('score')}/6")
        for ev in dim.get("evidence") or []:
            lines.append(f"      turn {ev.get('turn')}: \"{ev.get('quote', '')}\"")
        if not dim.get("evidence"):
            lines.append("      (no evidence in the transcript)")
        if dim.get("missing"):
            lines.append(f"      To raise it: {dim['missing']}")
    caps = score.get("caps") or []
    lines += ["", "Caps applied:" if caps else "Caps applied: none"]
    lines += [f"  - {c}" for c in caps]
    rollups = score.get("rollups") or {}
    if rollups:
        lines += ["", f"Roll-ups ({ESTIMATE_LABEL}):"]
        for key, value in rollups.items():
            shown = f"{value:.1f}" if isinstance(value, float) else str(value)
            lines.append(f"  {ROLLUP_NAMES.get(key, key.replace('_', ' '))}: {shown}")
    agreed = score.get("plan_agreed")
    if agreed is None:
        agreed = bool((session.get("plan") or {}).get("agreed"))
    lines += ["", f"Action plan agreed: {'yes' if agreed else 'no'}"]
    plan = session.get("plan") or {}
    if agreed:
        details = [
            f"{k.replace('_', ' ')}: {v}" for k, v in plan.items() if k != "agreed" and v
        ]
        if details:
            lines.append("  " + "; ".join(details))
    ratings = session.get("client_ratings")
    lines += ["", "The client's view (0-4):"]
    if ratings:
        for key, value in (ratings.get("items") or {}).items():
            lines.append(f"  {key.replace('_', ' ')}: {value}")
        if ratings.get("comment"):
            lines.append(f"  In their words: \"{ratings['comment']}\"")
    else:
        lines.append("  (not available)")
    return "\n".join(lines)
