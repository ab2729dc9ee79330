"""Thin Rasa SDK adapters over bot.service: all domain logic lives in bot/."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.service import SLOTS, Outcome, RehearsalService

log = logging.getLogger(__name__)

_service: RehearsalService | None = None


def service() -> RehearsalService:
    # Created on first use so importing the actions package never touches the database.
    global _service
    if _service is None:
        _service = RehearsalService()
    return _service


def _slots(tracker: Tracker) -> dict[str, Any]:
    return {name: tracker.get_slot(name) for name in SLOTS}


def _entity(tracker: Tracker, name: str) -> Any:
    return next(tracker.get_latest_entity_values(name), None)


def _send(dispatcher: CollectingDispatcher, outcome: Outcome) -> list[EventType]:
    for text in outcome.messages:
        dispatcher.utter_message(text=text)
    return [SlotSet(name, value) for name, value in outcome.slots.items()]


def _failed(dispatcher: CollectingDispatcher, what: str) -> list[EventType]:
    # The trainee sees a plain message and can simply send the turn again;
    # nothing was stored for it, so nothing is half-recorded.
    log.exception("%s failed", what)
    dispatcher.utter_message(
        text="Sorry, something went wrong on our side and this turn was not saved. "
        "Please send it again."
    )
    return []


class _ServiceAction(Action, ABC):
    """Asks bot.service for an Outcome; a failure becomes a plain message, never a crash."""

    @abstractmethod
    def outcome(self, tracker: Tracker) -> Outcome: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        try:
            outcome = self.outcome(tracker)
        except Exception:  # noqa: BLE001 - never take the conversation down
            return _failed(dispatcher, self.name())
        return _send(dispatcher, outcome)


class ActionStartRehearsal(_ServiceAction):
    def name(self) -> str:
        return "action_start_rehearsal"

    def outcome(self, tracker: Tracker) -> Outcome:
        seed = _entity(tracker, "seed")
        return service().start(
            tracker.sender_id,
            _entity(tracker, "persona"),
            _entity(tracker, "trainee"),
            int(seed) if seed is not None and str(seed).isdigit() else None,
        )


class ActionClientReply(_ServiceAction):
    def name(self) -> str:
        return "action_client_reply"

    def outcome(self, tracker: Tracker) -> Outcome:
        return service().reply(tracker.sender_id, _slots(tracker), tracker.latest_message)


class ActionEndRehearsal(_ServiceAction):
    def name(self) -> str:
        return "action_end_rehearsal"

    def outcome(self, tracker: Tracker) -> Outcome:
        return service().end(tracker.sender_id, _slots(tracker))
