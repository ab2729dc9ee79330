"""Rasa's REST channel, guarded: who may speak in which conversation, and bad requests.

Same name ("rest"), same URL (/webhooks/rest/webhook), same replies as the stock
channel, with four checks in front of the bot:

1. The body: a malformed request (a JSON list, a missing sender, a message that is not
   text, thousands of characters) gets a clear 400 instead of a 500.
2. The caller: a signed-in cookie (plus the page's CSRF token) or
   `Authorization: Bearer <token>`; otherwise 401.
3. The conversation belongs to the caller. A sender id is claimed by the
   `/start_rehearsal` that creates its session: the session is stored under the
   caller's account (a `trainee` in the payload is replaced by the account name), and
   every later message to that sender id from another account gets 403. Commands
   other than `/start_rehearsal{...}` and `/end_rehearsal` are refused (400), so the
   NLU and the stored transcript see only trainee speech.
4. Idempotency: a turn sent with `metadata.idempotency_key` is answered once; the same
   key again (a browser resending after a time-out) gets the stored reply and the turn
   is not stored twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.rasa_ext.auth import Identity, forbidden, gate

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 5000
MAX_SENDER_CHARS = 200
MAX_KEY_CHARS = 200
# How long a resent turn waits for the first copy's reply before being told to retry.
IDEMPOTENT_WAIT_S = 30.0

# Control characters (other than tab and line breaks) carry no speech, upset terminals
# and exports, and PostgreSQL refuses NUL in text: they are dropped from messages and
# refused in sender ids.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

START = "start_rehearsal"
END = "end_rehearsal"
COMMAND = re.compile(r"^/\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)")
START_EXAMPLE = '/start_rehearsal{"persona": "maya"}'


def request_problem(body: Any) -> str | None:
    """What is wrong with a webhook body, or None when Rasa can take it."""
    if not isinstance(body, dict):
        return 'the body must be a JSON object: {"sender": "<session id>", "message": "<text>"}'
    sender = body.get("sender")
    if not isinstance(sender, (str, int)) or isinstance(sender, bool) or str(sender) == "":
        return '"sender" must be a text (the session id)'
    if len(str(sender)) > MAX_SENDER_CHARS:
        return f'"sender" is too long (at most {MAX_SENDER_CHARS} characters)'
    if CONTROL_CHARS.search(str(sender)):
        return '"sender" must not contain control characters'
    message = body.get("message")
    if not isinstance(message, str):
        return '"message" must be a text'
    if len(message) > MAX_MESSAGE_CHARS:
        return f'"message" is too long ({len(message)} characters; at most {MAX_MESSAGE_CHARS})'
    if "metadata" in body and not isinstance(body["metadata"], (dict, type(None))):
        return '"metadata" must be a JSON object'
    key = (body.get("metadata") or {}).get("idempotency_key")
    if key is not None and (not isinstance(key, str) or not 0 < len(key) <= MAX_KEY_CHARS):
        return f'"metadata.idempotency_key" must be a text of 1-{MAX_KEY_CHARS} characters'
    return None


def bound_command(message: str, account_name: str) -> tuple[str | None, str | None]:
    """(message to pass on, problem): commands rewritten for the caller's account.

    `/start_rehearsal{...}` keeps its persona (and seed) and always names the caller as
    the trainee; `/end_rehearsal` drops anything after it; ordinary speech is unchanged.
    """
    text = message.strip()
    found = COMMAND.match(text)
    if not text.startswith("/") or found is None:
        if text.startswith("/"):
            return None, f'unknown command; to start, send {START_EXAMPLE}'
        return message, None
    name = found.group("name")
    if name == END:
        return "/" + END, None
    if name != START:
        return None, (f'"/{name}" is not a command here: only {START_EXAMPLE} and '
                      "/end_rehearsal (anything else is sent as speech without a leading /)")
    raw = text[found.end():].strip()
    if raw.startswith("@"):  # Rasa's confidence syntax, /intent@0.9{...}
        raw = re.sub(r"^@[0-9.]*", "", raw).strip()
    payload: Any = {}
    if raw:
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = None
    if not isinstance(payload, dict):
        return None, f"the /start_rehearsal payload must be a JSON object, e.g. {START_EXAMPLE}"
    persona = payload.get("persona")
    if persona is not None and not isinstance(persona, str):
        return None, '"persona" must be a text (a client id from GET /api/personas)'
    entities: dict[str, Any] = {"trainee": account_name}
    if persona:
        entities = {"persona": persona[:100], **entities}
    seed = payload.get("seed")
    if isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0:
        entities["seed"] = str(seed)  # a replayable client, for scripted checks
    return "/" + START + json.dumps(entities), None


class GuardedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        bp = Blueprint("guarded_rest_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:  # noqa: BLE001 - Sanic raises on invalid JSON
                body = None
            problem = request_problem(body)
            if problem is not None:
                return response.json({"error": problem}, status=400)
            who = gate().check(request, changes=True)
            if isinstance(who, HTTPResponse):
                return who
            sender = str(body["sender"])
            message = CONTROL_CHARS.sub("", body["message"])
            text, problem = bound_command(message, who.account.name)
            if problem is not None or text is None:
                return response.json({"error": problem}, status=400)
            refused = _not_theirs(sender, who)
            if refused is not None:
                return refused
            metadata = dict(body.get("metadata") or {})
            metadata.update(account=who.account.name, role=who.account.role)
            key = metadata.get("idempotency_key")
            if key is None:
                return response.json(await self._answer(on_new_message, text, sender, metadata))
            return await self._answer_once(on_new_message, text, sender, metadata, key, who)

        return bp

    async def _answer(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]], text: str,
        sender: str, metadata: dict[str, Any],
    ) -> list[dict[str, Any]]:
        collector = CollectingOutputChannel()
        try:
            await on_new_message(UserMessage(text, collector, sender, input_channel="rest",
                                             metadata=metadata))
        except Exception:  # noqa: BLE001 - as the stock channel: answer what was collected
            log.exception("message handling failed for %s", sender)
        return collector.messages

    async def _answer_once(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]], text: str,
        sender: str, metadata: dict[str, Any], key: str, who: Identity,
    ) -> HTTPResponse:
        accounts = gate().accounts
        if not accounts.claim_turn(sender, key, who.account):
            waited = 0.0
            while waited < IDEMPOTENT_WAIT_S:
                known, reply = accounts.stored_reply(sender, key)
                if not known:
                    break  # the first copy got no reply and was released: answer this one
                if reply is not None:
                    return response.json(reply, headers={"Idempotent-Replayed": "true"})
                await asyncio.sleep(0.1)
                waited += 0.1
            else:
                return response.json({"error": "this turn is still being answered; "
                                      "send it again in a moment"}, status=409)
            if not accounts.claim_turn(sender, key, who.account):
                return response.json({"error": "this turn is being answered right now; "
                                      "send it again in a moment"}, status=409)
        replies = await self._answer(on_new_message, text, sender, metadata)
        if replies:
            accounts.keep_reply(sender, key, replies)
        else:
            accounts.release_turn(sender, key)  # nothing was answered or stored: retry may
        return response.json(replies)


def _not_theirs(sender: str, who: Identity) -> HTTPResponse | None:
    """403 when the sender id names a session that belongs to another account."""
    row = gate().store.get_session_row(sender)
    if row is not None and row["trainee"] != who.account.name:
        return forbidden(f"the conversation {sender!r} belongs to another account")
    return None
