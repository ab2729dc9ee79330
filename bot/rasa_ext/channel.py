"""JSON routes served by the Rasa server itself: /api/personas, /api/sessions/<id>.

Rasa mounts an input channel's blueprint at urljoin("/webhooks/", url_prefix()),
so an absolute prefix ("/api") puts these routes beside Rasa's own. The
channel receives no messages; it only reads the store and the persona folder.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.persona import PersonaRegistry
from bot.service import PERSONA_DIR
from bot.store import Store

log = logging.getLogger(__name__)


def persona_summary(persona: Any) -> dict[str, Any]:
    return {
        "id": persona.id,
        "name": persona.name,
        "difficulty": persona.difficulty,
        "approach": persona.approach,
        "briefing": persona.briefing,
    }


class ApiChannel(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "api"

    def url_prefix(self) -> str:
        return "/api"

    def __init__(self) -> None:
        self._store: Store | None = None
        self._registry: PersonaRegistry | None = None

    def store(self) -> Store:
        if self._store is None:
            self._store = Store()
            self._store.upgrade()
        return self._store

    def registry(self) -> PersonaRegistry:
        if self._registry is None:
            self._registry = PersonaRegistry(PERSONA_DIR)
        else:
            self._registry.reload()
        return self._registry

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        bp = Blueprint("rehearsal_api", __name__)

        @bp.route("/personas", methods=["GET"])
        async def personas(request: Request) -> HTTPResponse:
            registry = self.registry()
            return response.json(
                [persona_summary(registry.get(pid)) for pid in sorted(registry.ids())]
            )

        @bp.route("/personas/problems", methods=["GET"])
        async def persona_problems(request: Request) -> HTTPResponse:
            # For instructors: why a file they edited is not (or no longer) live.
            return response.json([str(p) for p in self.registry().problems])

        @bp.route("/sessions/<session_id>", methods=["GET"])
        async def session(request: Request, session_id: str) -> HTTPResponse:
            stored = self.store().get_session(session_id)
            if stored is None:
                return response.json(
                    {"error": f"no session with id '{session_id}'"}, status=404
                )
            return response.json(stored)

        return bp
