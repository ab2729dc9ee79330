"""One rehearsal, turn by turn: glue between the NLU parse, the engine and the store.

The Rasa actions are thin adapters over this module, so everything here runs
(and is tested) without Rasa. The action server keeps nothing between turns:
the client's state comes in with the Rasa slots and goes back out with them,
and every answered turn is committed to the store before its reply is sent.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot import moves
from bot.client import engine
from bot.client.hearing import unsure_but_safe
from bot.client.state import ClientState, TurnInput
from bot.client.tuning import TUNING
from bot.persona.model import Persona, PersonaRegistry
from bot.store import SessionExists, Store

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PERSONA_DIR = PROJECT_ROOT / "data" / "personas"

# Slot names shared with domain.yml (checked by tests/test_contract.py).
SLOT_PERSONA = "persona"
SLOT_TRAINEE = "trainee"
SLOT_SEED = "seed"
SLOT_STATE = "client_state"
SLOT_STATUS = "rehearsal_status"
SLOTS: tuple[str, ...] = (SLOT_PERSONA, SLOT_TRAINEE, SLOT_SEED, SLOT_STATE, SLOT_STATUS)

MAX_TEXT = 2000


@dataclass
class Outcome:
    """What the action sends back: messages for the trainee and slot updates."""

    messages: list[str]
    slots: dict[str, Any] = field(default_factory=dict)
    ok: bool = True


def seed_for(session_id: str) -> int:
    """A stable seed per session id, so a replayed script gives the same client."""
    return int(hashlib.sha256(session_id.encode("utf-8")).hexdigest()[:8], 16)


def parse_to_turn(parse: dict[str, Any]) -> TurnInput:
    """Turn a Rasa parse (tracker.latest_message) into the engine's input.

    Tolerates missing or malformed keys: bad input must never take a
    rehearsal down.
    """
    text = str(parse.get("text") or "")[:MAX_TEXT]
    intent_data = parse.get("intent") or {}
    intent = str(intent_data.get("name") or moves.FALLBACK)
    try:
        confidence = float(intent_data.get("confidence") or 0.0)
    except (TypeError, ValueError):
        confidence = 0.0
    entities = [
        {"entity": e["entity"], "value": str(e.get("value", ""))}
        for e in parse.get("entities") or []
        if isinstance(e, dict) and e.get("entity") in moves.PLAN_ENTITIES
    ]
    cues = moves.empty_cues()
    raw_cues = parse.get("cues")
    if isinstance(raw_cues, dict):
        cues.update({k: v for k, v in raw_cues.items() if k in cues})
    else:
        cues = _cues_from_text(text)
    if intent == moves.FALLBACK or confidence < TUNING.nlu_min_confidence:
        intent, confidence = _safe_reading(parse, text, cues) or (moves.FALLBACK, confidence)
    if intent not in moves.ENGINE_INTENTS:
        intent = moves.FALLBACK
    return TurnInput(
        text=text, intent=intent, confidence=confidence, entities=entities, cues=cues
    )


def _safe_reading(parse: dict[str, Any], text: str, cues: dict[str, Any]
                  ) -> tuple[str, float] | None:
    """The ranking's best real intent behind a fallback, if it is a reflection or an
    affirmation the engine may take at low confidence (bot.client.hearing.unsure_but_safe)."""
    ranking = parse.get("intent_ranking")
    if not isinstance(ranking, list):
        return None
    for item in ranking:
        if not isinstance(item, dict) or item.get("name") == moves.FALLBACK:
            continue
        try:
            name, conf = str(item.get("name")), float(item.get("confidence") or 0.0)
        except (TypeError, ValueError):
            return None
        if unsure_but_safe(name, conf, text, cues):
            return name, conf
        return None  # only the top real intent counts
    return None


def _cues_from_text(text: str) -> dict[str, Any]:
    # A parse without cues (an old model, a hand-sent event) still gets them.
    try:
        from bot.language.cues import detect_cues

        return detect_cues(text)
    except Exception:  # noqa: BLE001 - cues are helpful, never essential
        log.exception("cue detection failed")
        return moves.empty_cues()


def _id_used(session_id: str) -> Outcome:
    # A finished or running session is never mixed with a new one (api.md).
    return Outcome(
        [f"The session id '{session_id}' has already been used for a rehearsal. "
         "Please start a new rehearsal with a new session id."],
        ok=False,
    )


class RehearsalService:
    """Starts, continues and ends rehearsals; one instance per process."""

    def __init__(self, store: Store | None = None, registry: PersonaRegistry | None = None):
        self.store = store or Store()
        self.store.upgrade()
        self.registry = registry or PersonaRegistry(PERSONA_DIR)

    # -- personas ---------------------------------------------------------

    def persona(self, persona_id: str) -> Persona | None:
        # Picks up edited files; a file that became invalid keeps its last good version.
        self.registry.reload()
        return self.registry.get(persona_id)

    def known_personas(self) -> list[str]:
        return sorted(self.registry.ids())

    # -- the three steps of a rehearsal -----------------------------------

    def start(
        self, session_id: str, persona_id: str | None, trainee: str | None, seed: int | None = None
    ) -> Outcome:
        known = ", ".join(self.known_personas())
        if not persona_id:
            return Outcome(
                [f'Please name a client to start, for example /start_rehearsal{{"persona": '
                 f'"maya", "trainee": "t01"}}. Known clients: {known}.'],
                ok=False,
            )
        persona = self.persona(persona_id)
        if persona is None:
            return Outcome(
                [f"There is no client called '{persona_id}'. Known clients: {known}."], ok=False
            )
        if self.store.get_session(session_id) is not None:
            return _id_used(session_id)
        seed = seed if seed is not None else seed_for(session_id)
        result = engine.start(persona, seed)
        state = result.state.to_dict()
        try:
            self.store.create_session(session_id, persona.id, trainee or "anonymous", seed, state,
                                      opening=result.reply)
        except SessionExists:
            return _id_used(session_id)
        return Outcome(
            [result.reply],
            {
                SLOT_PERSONA: persona.id,
                SLOT_TRAINEE: trainee or "anonymous",
                SLOT_SEED: float(seed),
                SLOT_STATE: state,
                SLOT_STATUS: "active",
            },
        )

    def reply(self, session_id: str, slots: dict[str, Any], parse: dict[str, Any]) -> Outcome:
        session = self.store.get_session_row(session_id)
        if session is None:
            return Outcome(
                ["No rehearsal is running in this conversation. Start one with "
                 '/start_rehearsal{"persona": "<id>", "trainee": "<your id>"}. '
                 f"Known clients: {', '.join(self.known_personas())}."],
                ok=False,
            )
        if session["ended_at"] is not None:
            return Outcome(
                ["This rehearsal has ended and its scorecard is saved. "
                 "Please start a new rehearsal with a new session id."],
                ok=False,
            )
        persona = self.persona(session["persona"])
        if persona is None:
            return Outcome(
                [f"The client '{session['persona']}' is not available right now "
                 "(its file could not be loaded). Your turns so far are saved."],
                ok=False,
            )
        state = self._current_state(session, slots)
        turn = parse_to_turn(parse)
        result = engine.step(persona, state, turn)
        new_state = result.state.to_dict()
        public = result.state.public()
        self.store.add_turn(
            session_id,
            {
                "trainee": turn.text,
                "intent": turn.intent,
                "confidence": round(turn.confidence, 4),
                "entities": turn.entities,
                "cues": turn.cues,
                "client": result.reply,
                "client_state": public,
                "events": result.events,
            },
            state=new_state,
            plan=public.get("plan"),
        )
        return Outcome([result.reply], {SLOT_STATE: new_state, SLOT_STATUS: "active"})

    def end(self, session_id: str, slots: dict[str, Any]) -> Outcome:
        session = self.store.get_session_row(session_id)
        if session is None:
            return Outcome(["There is no rehearsal to end in this conversation."], ok=False)
        if session["ended_at"] is not None:
            return Outcome(
                ["This rehearsal has already ended; its scorecard is saved."], ok=False
            )
        persona = self.persona(session["persona"])
        if persona is None:
            return Outcome(
                [f"The client '{session['persona']}' is not available right now, so the "
                 "rehearsal cannot be closed yet. Your turns are saved; please try again."],
                ok=False,
            )
        state = self._current_state(session, slots)
        result = engine.finish(persona, state)
        final_state = result.state.to_dict()
        public = result.state.public()
        score, ratings = self.score(session_id, persona, public)
        self.store.end_session(
            session_id, score=score, client_ratings=ratings, state=final_state,
            plan=public.get("plan"), closing=result.reply, closing_events=result.events,
        )
        note = (
            "The rehearsal has ended. Your scorecard (this project's estimates, not validated "
            f"instrument scores) is at /api/sessions/{session_id}."
        )
        return Outcome([result.reply, note], {SLOT_STATE: final_state, SLOT_STATUS: "ended"})

    def score(
        self, session_id: str, persona: Persona, final_state: dict[str, Any]
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """Score from the stored transcript; a scoring fault never loses the rehearsal."""
        from bot.scoring.client_ratings import client_ratings
        from bot.scoring.rubric import score_transcript

        stored = self.store.get_session(session_id) or {"turns": []}
        try:
            score = score_transcript(stored["turns"], persona.id, persona)
        except Exception:  # noqa: BLE001 - re-run later with `python -m bot score`
            log.exception("scoring failed for %s", session_id)
            score = None
        try:
            ratings = client_ratings(persona, final_state)
        except Exception:  # noqa: BLE001
            log.exception("client ratings failed for %s", session_id)
            ratings = None
        return score, ratings

    # -- state ------------------------------------------------------------

    def _current_state(self, session: dict[str, Any], slots: dict[str, Any]) -> ClientState:
        """The client's state: from the slot, unless the store has seen more turns.

        The store is ahead when the Rasa server died after a turn was stored
        but before its tracker was saved; the stored state then wins, so a
        restarted rehearsal goes on from the last answered turn.
        """
        slot_state = slots.get(SLOT_STATE)
        stored_state = session.get("state") or {}
        slot_turn = slot_state.get("turn", -1) if isinstance(slot_state, dict) else -1
        stored_turn = stored_state.get("turn", -1) if isinstance(stored_state, dict) else -1
        chosen = slot_state if slot_turn >= stored_turn else stored_state
        try:
            return ClientState.from_dict(chosen)
        except Exception:  # noqa: BLE001 - a corrupt slot falls back to the store
            log.exception("bad client_state slot; using the stored state")
            return ClientState.from_dict(stored_state)
