"""One rehearsal, turn by turn: glue between the NLU parse, the engine and the store.

The Rasa actions are thin adapters over this module, so everything here runs
(and is tested) without Rasa. The action server keeps nothing between turns:
the client's state comes in with the Rasa slots and goes back out with them,
and every answered turn is committed to the store before its reply is sent.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from bot import moves
from bot.client import engine
from bot.client.state import ClientState, TurnInput, TurnPart
from bot.client.tuning import TUNING
from bot.config import PERSONA_DIR
from bot.persona.model import Persona
from bot.persona.registry import PersonaRegistry
from bot.scoring.scorecard import Scorecard, score_rehearsal
from bot.store import SessionExists, Store

log = logging.getLogger(__name__)

# Slot names shared with domain.yml (checked by tests/test_contract.py).
SLOT_PERSONA = "persona"
SLOT_TRAINEE = "trainee"
SLOT_SEED = "seed"
SLOT_STATE = "client_state"
SLOT_STATUS = "rehearsal_status"
SLOTS: tuple[str, ...] = (SLOT_PERSONA, SLOT_TRAINEE, SLOT_SEED, SLOT_STATE, SLOT_STATUS)

MAX_TEXT = 2000
PERSONA_RECHECK_S = 1.0


@dataclass
class Outcome:
    """What the action sends back: messages for the trainee and slot updates."""

    messages: list[str]
    slots: dict[str, Any] = field(default_factory=dict)
    ok: bool = True


# Seeds are stored in a 32-bit signed INTEGER column (PostgreSQL refuses larger values).
SEED_LIMIT = 2**31


def seed_for(session_id: str) -> int:
    """A stable seed per session id, so a replayed script gives the same client."""
    return int(hashlib.sha256(session_id.encode("utf-8")).hexdigest()[:8], 16) % SEED_LIMIT


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
    entities = _plan_entities(parse.get("entities"))
    raw_cues = parse.get("cues")
    cues = _cues(raw_cues) if isinstance(raw_cues, dict) else _cues_from_text(text)
    if intent == moves.FALLBACK or confidence < TUNING.nlu_min_confidence:
        intent, confidence = _best_guess(parse) or (moves.FALLBACK, confidence)
    if intent not in moves.ENGINE_INTENTS:
        intent = moves.FALLBACK
    return TurnInput(text=text, intent=intent, confidence=confidence, entities=entities,
                     cues=cues, parts=_parts(parse.get("parts"), text))


def _plan_entities(raw: Any) -> list[dict[str, Any]]:
    return [{"entity": e["entity"], "value": str(e.get("value", ""))}
            for e in raw or [] if isinstance(e, dict) and e.get("entity") in moves.PLAN_ENTITIES]


def _cues(raw: dict[str, Any]) -> dict[str, Any]:
    cues = moves.empty_cues()
    cues.update({k: v for k, v in raw.items() if k in cues})
    return cues


def _best_guess(parse: dict[str, Any]) -> tuple[str, float] | None:
    """The ranking's best in-scope intent behind a fallback (Rasa's FallbackClassifier puts
    `nlu_fallback` first and keeps the classifier's ranking below it), with its confidence.

    The engine decides what to do with an unsure reading: take a half-recognised reflection
    (bot.client.hearing.unsure_but_safe), ask what was meant ("Do you mean ...?"), or, below
    TUNING.clarify_floor, ask to hear it again.
    """
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
        return (name, conf) if name in moves.MOVES else None  # only the top real intent
    return None


def _parts(raw: Any, text: str) -> tuple[TurnPart, ...]:
    """The message's moves in order (parse["parts"], from the NLU's part splitter); a
    message of one move, or a parse without parts, has none (the whole turn is the part)."""
    if not isinstance(raw, list) or len(raw) < 2:
        return ()
    parts: list[TurnPart] = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        intent_data = item.get("intent") if isinstance(item.get("intent"), dict) else {}
        name = str(intent_data.get("name") or moves.FALLBACK)
        try:
            conf = float(intent_data.get("confidence") or 0.0)
        except (TypeError, ValueError):
            conf = 0.0
        part_text = str(item.get("text") or "")[:MAX_TEXT]
        cues = _cues(item["cues"]) if isinstance(item.get("cues"), dict) \
            else _cues_from_text(part_text)
        parts.append(TurnPart(
            text=part_text, intent=name if name in moves.ENGINE_INTENTS else moves.FALLBACK,
            confidence=conf, entities=tuple(_plan_entities(item.get("entities"))), cues=cues))
    return tuple(parts) if len(parts) > 1 else ()


def _cues_from_text(text: str) -> dict[str, Any]:
    # A parse without cues (an old model, a hand-sent event) still gets them.
    try:
        from bot.language.cues import detect_cues

        return detect_cues(text)
    except Exception:  # noqa: BLE001 - cues are helpful, never essential
        log.exception("cue detection failed")
        return moves.empty_cues()


def _id_used(session_id: str) -> Outcome:
    # A finished or running session is never mixed with a new one (docs/api.md).
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
        self._checked_at = time.monotonic()

    # -- personas ---------------------------------------------------------

    def persona(self, persona_id: str) -> Persona | None:
        # Picks up edited files; a file that became invalid keeps its last good version.
        # Checked at most once a second (a glob and a stat per file), not on every turn.
        now = time.monotonic()
        if now - self._checked_at >= PERSONA_RECHECK_S or persona_id not in self.registry:
            self._checked_at = now
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
        seed = seed % SEED_LIMIT if seed is not None else seed_for(session_id)
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
        answered = turn.parts[result.answered] if turn.parts else None
        self.store.add_turn(
            session_id,
            {
                "trainee": turn.text,
                # A turn of several moves is stored as the move the client answered, with
                # every part (each counts for the rubric).
                "intent": answered.intent if answered else turn.intent,
                "confidence": round(answered.confidence if answered else turn.confidence, 4),
                "entities": turn.entities,
                "cues": turn.cues,
                "parts": [p.to_dict() for p in turn.parts],
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
        card = self.score(session_id, persona, public)
        self.store.end_session(
            session_id, score=card.score, client_ratings=card.client_ratings,
            state=final_state, plan=public.get("plan"), scorer_version=card.scorer_version,
            closing=result.reply, closing_events=result.events,
        )
        note = (
            "The rehearsal has ended. Your scorecard (this project's estimates, not validated "
            f"instrument scores) is at /api/sessions/{session_id}."
        )
        return Outcome([result.reply, note], {SLOT_STATE: final_state, SLOT_STATUS: "ended"})

    def score(
        self, session_id: str, persona: Persona, final_state: dict[str, Any]
    ) -> Scorecard:
        """Score from the stored transcript; a scoring fault never loses the rehearsal
        (the scorecard then holds None, and `python -m bot score` scores it later)."""
        stored = self.store.get_session(session_id) or {"turns": []}
        return score_rehearsal(stored["turns"], persona.id, persona, final_state)

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
