"""A stored rehearsal, turn by turn: the move heard, the cues, and the client's side.

The input is a session as the store returns it (bot.store `get_session`, the
`/api/sessions/<id>` JSON): turns with `intent`, `cues`, `events` and the public
`client_state` after the turn, and optionally `parts` (several moves in one message).
The persona, when given, supplies the client's name, the wording of its beliefs and
obstacles, and its starting state (so the first turn's change can be shown too).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.debrief.explain import Change, ClientFacts, event_changes, turn_changes
from bot.debrief.words import cue_notes, move_words
from bot.moves import STATE_KEYS

# The two lines of the debrief chart: the relationship and the readiness to act.
CHART_KEYS: tuple[str, ...] = ("trust", "willingness")


@dataclass(frozen=True)
class HeardMove:
    move: str
    words: str  # "a reflection"
    text: str  # the part of the message it was heard in (the whole message if one move)

    def to_dict(self) -> dict[str, Any]:
        return {"move": self.move, "words": self.words, "text": self.text}


@dataclass(frozen=True)
class TurnDebrief:
    n: int
    trainee: str
    heard: tuple[HeardMove, ...]  # in order; the last is the one the client answered
    confidence: float | None
    cues: dict[str, Any]
    how_said: tuple[str, ...]  # cues in words
    client: str
    changes: tuple[Change, ...]
    state: dict[str, float]  # the inner state after this turn (STATE_KEYS)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "trainee": self.trainee,
            "heard": [h.to_dict() for h in self.heard],
            "confidence": self.confidence,
            "cues": dict(self.cues),
            "how_said": list(self.how_said),
            "client": self.client,
            "changes": [c.to_dict() for c in self.changes],
            "state": dict(self.state),
        }


@dataclass(frozen=True)
class SeriesPoint:
    n: int  # 0 = before the first turn
    values: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, **self.values}


@dataclass(frozen=True)
class Debrief:
    session_id: str
    persona: str
    client_name: str
    turns: tuple[TurnDebrief, ...]
    series: tuple[SeriesPoint, ...]  # trust and willingness over the turns, for the chart
    closing: str | None
    closing_changes: tuple[Change, ...]
    agreed: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "persona": self.persona,
            "client_name": self.client_name,
            "turns": [t.to_dict() for t in self.turns],
            "series": [p.to_dict() for p in self.series],
            "chart_keys": list(CHART_KEYS),
            "closing": self.closing,
            "closing_changes": [c.to_dict() for c in self.closing_changes],
            "agreed": self.agreed,
        }


def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def _state_values(state: dict[str, Any] | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for key in STATE_KEYS:
        try:
            out[key] = round(float((state or {})[key]), 3)
        except (KeyError, TypeError, ValueError):
            continue
    return out


def _heard(turn: dict[str, Any]) -> tuple[HeardMove, ...]:
    parts = turn.get("parts")
    if isinstance(parts, list) and len(parts) > 1:
        out = []
        for p in parts:
            if not isinstance(p, dict):
                continue
            intent = p.get("intent")
            move = str(intent.get("name") if isinstance(intent, dict) else intent or "")
            if move:
                out.append(HeardMove(move, move_words(move), str(p.get("text") or "")))
        if out:
            return tuple(out)
    move = str(turn.get("intent") or "")
    return (HeardMove(move, move_words(move), str(turn.get("trainee") or "")),)


def _start_state(persona: Any | None) -> dict[str, Any] | None:
    if persona is None:
        return None
    start = dict(persona.state.start)
    return {k: float(start.get(k, 0.5)) for k in STATE_KEYS}


def build_debrief(session: dict[str, Any], persona: Any | None = None) -> Debrief:
    """The debrief of one stored session; tolerant of missing keys (an old transcript)."""
    persona_id = str(session.get("persona") or "")
    facts = ClientFacts.of(persona, persona_id.capitalize() or "The client")
    before = _start_state(persona)
    series: list[SeriesPoint] = []
    if before is not None:
        series.append(SeriesPoint(0, {k: round(before[k], 3) for k in CHART_KEYS}))
    turns: list[TurnDebrief] = []
    for raw in session.get("turns") or []:
        if not isinstance(raw, dict):
            continue
        after = _mapping(raw.get("client_state"))
        heard = _heard(raw)
        cues = _mapping(raw.get("cues"))
        raw_events = raw.get("events")
        events = [str(e) for e in raw_events] if isinstance(raw_events, list) else []
        changes = turn_changes(before, after, heard[-1].move, cues, events, facts)
        values = _state_values(after)
        n = raw["n"] if isinstance(raw.get("n"), int) else len(turns) + 1
        turns.append(TurnDebrief(
            n=n,
            trainee=str(raw.get("trainee") or ""),
            heard=heard,
            confidence=raw.get("confidence") if isinstance(raw.get("confidence"), float) else None,
            cues=cues,
            how_said=tuple(cue_notes(cues)),
            client=str(raw.get("client") or ""),
            changes=tuple(changes),
            state=values,
        ))
        if all(k in values for k in CHART_KEYS):
            series.append(SeriesPoint(n, {k: values[k] for k in CHART_KEYS}))
        if values:
            before = after
    closing = session.get("closing") or None
    closing_text = None
    closing_changes: tuple[Change, ...] = ()
    if isinstance(closing, dict):
        closing_text = str(closing.get("client") or "") or None
        events = closing.get("events")
        closing_changes = tuple(event_changes([str(e) for e in events], facts)
                                if isinstance(events, list) else ())
    plan = _mapping(session.get("plan")) or _mapping((before or {}).get("plan"))
    return Debrief(
        session_id=str(session.get("session_id") or ""),
        persona=persona_id,
        client_name=facts.name,
        turns=tuple(turns),
        series=tuple(series),
        closing=closing_text,
        closing_changes=closing_changes,
        agreed=bool(isinstance(plan, dict) and plan.get("agreed")),
    )
