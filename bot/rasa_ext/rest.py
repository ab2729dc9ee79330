"""Rasa's REST channel with a guard in front: a malformed request gets a clear 400.

Same name ("rest"), same URL (/webhooks/rest/webhook), same replies as the stock
channel; only requests the stock channel would answer with a 500 (a JSON list, a
missing sender, a message that is not text) or that would tie up the NLU (a
message of many thousand characters) are refused with a message saying why.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

MAX_MESSAGE_CHARS = 5000


def request_problem(body: Any) -> str | None:
    """What is wrong with a webhook body, or None when Rasa can take it."""
    if not isinstance(body, dict):
        return 'the body must be a JSON object: {"sender": "<session id>", "message": "<text>"}'
    sender = body.get("sender")
    if sender is not None and not isinstance(sender, (str, int)):
        return '"sender" must be a text (the session id)'
    message = body.get("message")
    if not isinstance(message, str):
        return '"message" must be a text'
    if len(message) > MAX_MESSAGE_CHARS:
        return f'"message" is too long ({len(message)} characters; at most {MAX_MESSAGE_CHARS})'
    if "metadata" in body and not isinstance(body["metadata"], (dict, type(None))):
        return '"metadata" must be a JSON object'
    return None


class GuardedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        bp = super().blueprint(on_new_message)

        @bp.on_request
        async def guard(request: Request) -> HTTPResponse | None:
            if request.method != "POST" or not request.path.endswith("/webhook"):
                return None
            try:
                body = request.json
            except Exception:  # noqa: BLE001 - Sanic raises on invalid JSON
                body = None
            problem = request_problem(body)
            if problem is not None:
                return response.json({"error": problem}, status=400)
            return None

        return bp
