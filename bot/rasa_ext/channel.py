"""JSON routes served by the Rasa server itself: /api/personas, /api/sessions[/<id>].

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

from bot.persona.model import PersonaRegistry
from bot.service import PERSONA_DIR
from bot.store import Store, parse_since

log = logging.getLogger(__name__)


def persona_summary(persona: Any) -> dict[str, Any]:
    return {
        "id": persona.id,
        "name": persona.name,
        "difficulty": persona.difficulty,
        "approach": persona.approach,
        "briefing": persona.briefing,
    }


def score_summary(score: dict[str, Any] | None) -> dict[str, Any]:
    """The headline figures of a stored score, for lists and progress charts."""
    if not score:
        return {"total": None, "max_total": None, "ctrs_homework": None}
    dims = score.get("dimensions") or {}
    total = score.get("total")
    if total is None:
        total = sum(int(d.get("score") or 0) for d in dims.values())
    return {
        "total": total,
        "max_total": 6 * len(dims) if dims else None,
        "ctrs_homework": (score.get("rollups") or {}).get("ctrs_homework"),
    }


def _query_arg(request: Request, name: str) -> str | None:
    value = (request.args.get(name) or "").strip()
    return value or None


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

        @bp.route("/sessions", methods=["GET"])
        async def session_list(request: Request) -> HTTPResponse:
            # Summaries for the instructor page and progress views; filters are optional.
            since_arg = _query_arg(request, "since")
            try:
                since = parse_since(since_arg) if since_arg else None
            except ValueError as exc:
                return response.json({"error": str(exc).replace("--since", "since")}, status=400)
            store = self.store()
            summaries = store.list_sessions(
                trainee=_query_arg(request, "trainee"),
                persona=_query_arg(request, "persona"),
                since=since,
            )
            for summary in summaries:
                row = store.get_session_row(summary["session_id"]) if summary["scored"] else None
                summary.update(score_summary(row["score"] if row else None))
            return response.json(summaries)

        @bp.route("/sessions/<session_id>", methods=["GET"])
        async def session(request: Request, session_id: str) -> HTTPResponse:
            stored = self.store().get_session(session_id)
            if stored is None:
                return response.json(
                    {"error": f"no session with id '{session_id}'"}, status=404
                )
            return response.json(stored)

        return bp
