"""Two hot spots of Rasa 3.6's turn loop, made cheap without changing what they do.

Installed once in the Rasa server process when bot.rasa_ext is imported (the NLU
component and the channels are, at start-up). Measured with bench/profile_turn.py
(CPU per trainee turn, figures in bench/load-report.txt):

1. RemoteAction._validate_action_result calls jsonschema.validate(), which first
   checks the *schema itself* against the JSON Schema meta-schema and builds a
   new validator, on every action call: most of the Rasa server's CPU per turn.
   Here the schema is checked once and its validator kept; every action result
   is still validated against it, and an invalid one raises the same
   ValidationError with Rasa's message.
2. Event.resolve_by_type walks every Event subclass (all_subclasses, with an
   inspect.isabstract call each) for every stored event each time a tracker is
   rebuilt. Here the name -> class map is kept, and rebuilt when a name is not in
   it (a subclass imported later is still found).
3. EndpointConfig.request opens a new aiohttp session, and so a new TCP connection,
   for every call to the action server. Here a request reuses one session (and its
   kept-alive connections) per endpoint and event loop. Idle connections are closed
   by this side after KEEPALIVE_S, before the action server's own keep-alive timeout
   (Sanic's default is 5 s), so a request is never sent on a connection the server
   is closing.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.config import speedups_enabled

_installed = False
KEEPALIVE_S = 2.0


def install() -> None:
    global _installed
    # RASA_SPEEDUPS=off runs Rasa unpatched, to measure the difference (bench/load.py).
    if _installed or not speedups_enabled():
        return
    _installed = True
    _cache_action_result_validator()
    _cache_event_types()
    _keep_endpoint_sessions()


def _cache_action_result_validator() -> None:
    from jsonschema import exceptions, validators
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        error = exceptions.best_match(validator.iter_errors(result))
        if error is not None:
            error.message += (
                ". Failed to validate Action server response from API, "
                "make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise error
        return True

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


def _cache_event_types() -> None:
    import rasa.shared.utils.common
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    by_name: dict[str, type[Event]] = {}

    def _refresh() -> None:
        by_name.clear()
        for cls in rasa.shared.utils.common.all_subclasses(Event):
            by_name.setdefault(cls.type_name, cls)  # first match wins, as in Rasa

    def resolve_by_type(type_name: str, default: type[Event] | None = None
                        ) -> type[Event] | None:
        if type_name not in by_name:
            _refresh()
            if type_name not in by_name:
                return original(type_name, default)  # Rasa's own answer for unknown names
        return by_name[type_name]

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign,assignment]


class _KeptSession:
    """`async with` that hands out a kept session and leaves it open afterwards."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def __aenter__(self) -> Any:
        return self.session

    async def __aexit__(self, *exc: object) -> bool:
        return False


def _keep_endpoint_sessions() -> None:
    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

    original = EndpointConfig.session

    def session(self: EndpointConfig) -> Any:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return original(self)  # outside an event loop: Rasa's own session
        kept = getattr(self, "_kept_session", None)
        if kept is None or kept.closed or getattr(self, "_kept_loop", None) is not loop:
            auth = (aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
                    if self.basic_auth else None)
            kept = aiohttp.ClientSession(
                headers=self.headers, auth=auth,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S),
            )
            self._kept_session, self._kept_loop = kept, loop  # type: ignore[attr-defined]
        return _KeptSession(kept)

    EndpointConfig.session = session  # type: ignore[method-assign]
