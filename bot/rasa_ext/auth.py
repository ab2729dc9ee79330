"""Who is calling: the signed-in cookie or the API token of a request, and the checks
every route makes (401 without an identity, 403 with the wrong role, CSRF for
cookie-authenticated changes).

Shared by the three input channels (REST, /api, /app); one `Gate` per server process,
created on first use from the same database as the transcripts.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.accounts import Account, Accounts
from bot.accounts.credentials import load_or_create_key, same_secret
from bot.accounts.registry import INSTRUCTOR, WEB_SESSION_HOURS
from bot.config import allowed_origins, secret_file, secure_cookies
from bot.store import Store

COOKIE_NAME = "rehearsal_session"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class Identity:
    account: Account
    via: str  # "cookie" or "token"
    csrf_token: str | None = None  # only for cookie sign-ins


class Gate:
    """The accounts of this server's database and the cookie key."""

    def __init__(self, store: Store | None = None, key: bytes | None = None) -> None:
        self.store = store or Store()
        self.store.upgrade()
        self.accounts = Accounts(self.store, key or load_or_create_key(secret_file()))

    # -- identity -------------------------------------------------------------------------

    def identify(self, request: Request) -> Identity | None:
        """The caller: a Bearer token wins over a cookie; a bad token is no identity."""
        header = request.headers.get("authorization") or ""
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer":
                return None
            account = self.accounts.by_token(token.strip())
            return Identity(account, "token") if account else None
        cookie = request.cookies.get(COOKIE_NAME)
        if not cookie:
            return None
        session = self.accounts.by_cookie(cookie)
        if session is None:
            return None
        return Identity(session.account, "cookie", session.csrf_token)

    def check(
        self, request: Request, *, role: str | None = None, changes: bool = False
    ) -> Identity | HTTPResponse:
        """The caller, or the response to send instead (401, 403).

        `changes`: the request changes state, so a cookie-authenticated call must come
        from the page's own origin and carry the session's CSRF token in a header.
        Token calls are exempt: a browser never attaches a token on its own.
        """
        who = self.identify(request)
        if who is None:
            return unauthenticated(request)
        if role is not None and who.account.role != role:
            return forbidden(f"this needs the {role} role; you are signed in as "
                             f"{who.account.name} ({who.account.role})")
        if changes and who.via == "cookie":
            problem = csrf_problem(request, who.csrf_token)
            if problem:
                return forbidden(problem)
        return who


def unauthenticated(request: Request) -> HTTPResponse:
    bearer = (request.headers.get("authorization") or "").lower().startswith("bearer")
    reason = ("the API token is not valid (unknown, revoked or its account is disabled)"
              if bearer else "please sign in (/app/signin.html) or send "
              "'Authorization: Bearer <token>' (python -m bot users token NAME)")
    return response.json({"error": reason}, status=401,
                         headers={"WWW-Authenticate": 'Bearer realm="rehearsal"'})


def forbidden(reason: str) -> HTTPResponse:
    return response.json({"error": reason}, status=403)


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from a foreign page."""
    origin = request.headers.get("origin")
    if origin is None:
        referer = request.headers.get("referer")
        if not referer:
            return True  # not a browser, or a browser that sends neither: CSRF header decides
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    origin = origin.rstrip("/")
    if origin in allowed_origins():
        return True
    host = request.headers.get("host") or ""
    return urlsplit(origin).netloc == host and bool(host)


def csrf_problem(request: Request, expected: str | None) -> str | None:
    if not same_origin(request):
        return "cross-site request refused (its Origin is not this server)"
    if not same_secret(request.headers.get(CSRF_HEADER), expected):
        return (f"missing or wrong {CSRF_HEADER} header: the page sends the token it got "
                "from GET /api/me")
    return None


def set_session_cookie(reply: HTTPResponse, value: str, request: Request) -> None:
    reply.cookies[COOKIE_NAME] = value
    cookie = reply.cookies[COOKIE_NAME]
    cookie["httponly"] = True
    cookie["samesite"] = "Lax"
    cookie["path"] = "/"
    cookie["max-age"] = WEB_SESSION_HOURS * 3600
    if secure_cookies() or request.scheme == "https":
        cookie["secure"] = True


def clear_session_cookie(reply: HTTPResponse) -> None:
    reply.cookies[COOKIE_NAME] = ""
    cookie = reply.cookies[COOKIE_NAME]
    cookie["httponly"] = True
    cookie["samesite"] = "Lax"
    cookie["path"] = "/"
    cookie["max-age"] = 0


_gate: Gate | None = None


def gate() -> Gate:
    """The process's Gate (the channels are built by Rasa, so they share it here)."""
    global _gate
    if _gate is None:
        _gate = Gate()
    return _gate


def is_instructor(who: Identity) -> bool:
    return who.account.role == INSTRUCTOR
