"""JSON routes served by the Rasa server itself: sign-in, personas, sessions.

Rasa mounts an input channel's blueprint at urljoin("/webhooks/", url_prefix()),
so an absolute prefix ("/api") puts these routes beside Rasa's own. The
channel receives no messages; it reads the store and the persona folder.

Every route checks the caller (bot/rasa_ext/auth.py): without a signed-in cookie or
an API token 401; a trainee sees only their own sessions (403 for anyone else's);
the persona problems list is for instructors.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.accounts.registry import INSTRUCTOR
from bot.config import PERSONA_DIR
from bot.persona.registry import PersonaRegistry
from bot.rasa_ext.auth import (
    Identity,
    clear_session_cookie,
    csrf_problem,
    forbidden,
    gate,
    is_instructor,
    same_origin,
    set_session_cookie,
)
from bot.store import Store, parse_since

log = logging.getLogger(__name__)

MAX_PAGE = 200  # sessions per page at most (the instructor page asks for 25)


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


def _int_arg(request: Request, name: str, default: int, top: int) -> int | None:
    raw = _query_arg(request, name)
    if raw is None:
        return default
    if not raw.isdigit():
        return None
    return min(int(raw), top)


def me_json(who: Identity) -> dict[str, Any]:
    return {"name": who.account.name, "role": who.account.role,
            "csrf_token": who.csrf_token, "via": who.via}


class ApiChannel(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "api"

    def url_prefix(self) -> str:
        return "/api"

    def __init__(self) -> None:
        self._registry: PersonaRegistry | None = None

    def store(self) -> Store:
        return gate().store

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

        # -- signing in and out -------------------------------------------------------

        @bp.route("/signin", methods=["POST"])
        async def signin(request: Request) -> HTTPResponse:
            # JSON only: a cross-site HTML form cannot send it without a CORS preflight,
            # which this server refuses for foreign origins.
            if "application/json" not in (request.content_type or ""):
                return response.json({"error": "send JSON: {\"name\": ..., \"password\": ...}"},
                                     status=415)
            if not same_origin(request):
                return forbidden("cross-site sign-in refused")
            try:
                body = request.json
            except Exception:  # noqa: BLE001 - Sanic raises on invalid JSON
                body = None
            name = body.get("name") if isinstance(body, dict) else None
            password = body.get("password") if isinstance(body, dict) else None
            if not isinstance(name, str) or not isinstance(password, str):
                return response.json({"error": "name and password are needed"}, status=400)
            account = gate().accounts.check_password(name.strip()[:100], password[:1000])
            if account is None:
                return response.json(
                    {"error": "that name and password do not match an active account"},
                    status=401)
            session = gate().accounts.sign_in(account)
            reply = response.json({"name": account.name, "role": account.role,
                                   "csrf_token": session.csrf_token, "via": "cookie"})
            set_session_cookie(reply, session.cookie, request)
            return reply

        @bp.route("/signout", methods=["POST"])
        async def signout(request: Request) -> HTTPResponse:
            who = gate().identify(request)
            if who is not None and who.via == "cookie":
                problem = csrf_problem(request, who.csrf_token)
                if problem:
                    return forbidden(problem)
                gate().accounts.sign_out(request.cookies.get("rehearsal_session"))
            reply = response.json({"signed_out": True})
            clear_session_cookie(reply)
            return reply

        @bp.route("/me", methods=["GET"])
        async def me(request: Request) -> HTTPResponse:
            who = gate().check(request)
            if isinstance(who, HTTPResponse):
                return who
            return response.json(me_json(who), headers={"Cache-Control": "no-store"})

        # -- personas ---------------------------------------------------------------------

        @bp.route("/personas", methods=["GET"])
        async def personas(request: Request) -> HTTPResponse:
            who = gate().check(request)
            if isinstance(who, HTTPResponse):
                return who
            registry = self.registry()
            return response.json(
                [persona_summary(registry.get(pid)) for pid in sorted(registry.ids())]
            )

        @bp.route("/personas/problems", methods=["GET"])
        async def persona_problems(request: Request) -> HTTPResponse:
            # For instructors: why a file they edited is not (or no longer) live.
            who = gate().check(request, role=INSTRUCTOR)
            if isinstance(who, HTTPResponse):
                return who
            return response.json([str(p) for p in self.registry().problems])

        # -- sessions ---------------------------------------------------------------------

        @bp.route("/sessions", methods=["GET"])
        async def session_list(request: Request) -> HTTPResponse:
            """Summaries, oldest first (order=newest for newest first); limit/offset page
            them and X-Total-Count says how many match. A trainee sees only their own."""
            who = gate().check(request)
            if isinstance(who, HTTPResponse):
                return who
            trainee = _query_arg(request, "trainee")
            if not is_instructor(who):
                if trainee is not None and trainee != who.account.name:
                    return forbidden("trainees see only their own sessions")
                trainee = who.account.name
            since_arg = _query_arg(request, "since")
            try:
                since = parse_since(since_arg) if since_arg else None
            except ValueError as exc:
                return response.json({"error": str(exc).replace("--since", "since")}, status=400)
            limit = _int_arg(request, "limit", MAX_PAGE * 1000, MAX_PAGE * 1000)
            offset = _int_arg(request, "offset", 0, 10**9)
            if limit is None or offset is None:
                return response.json({"error": "limit and offset must be whole numbers"},
                                     status=400)
            store = self.store()
            summaries = store.list_sessions(
                trainee=trainee, persona=_query_arg(request, "persona"), since=since)
            if _query_arg(request, "order") == "newest":
                summaries.reverse()
            total = len(summaries)
            page = summaries[offset:offset + limit]
            for summary in page:
                row = store.get_session_row(summary["session_id"]) if summary["scored"] else None
                summary.update(score_summary(row["score"] if row else None))
            return response.json(page, headers={"X-Total-Count": str(total)})

        @bp.route("/sessions/<session_id>", methods=["GET"])
        async def session(request: Request, session_id: str) -> HTTPResponse:
            who = gate().check(request)
            if isinstance(who, HTTPResponse):
                return who
            stored = self.store().get_session(session_id)
            if stored is None:
                return response.json(
                    {"error": f"no session with id '{session_id}'"}, status=404
                )
            if not is_instructor(who) and stored["trainee"] != who.account.name:
                return forbidden("this session belongs to another trainee")
            return response.json(stored)

        return bp
