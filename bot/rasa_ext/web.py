"""The trainee and instructor pages, served by the Rasa server itself under /app.

Like ApiChannel, an input channel with an absolute url_prefix ("/app") so that Rasa
mounts it beside its own routes; it receives no messages. Files come only from
bot/web/: the requested path is resolved and must stay inside that folder, and only
known file types are served, so nothing else on the machine is reachable.

The pages are gated like the API: the sign-in page, styles and scripts are public
(they hold no data); the trainee page needs a signed-in user (401 otherwise, with a
link to the sign-in page), the instructor page the instructor role (403 for a trainee).
"""

from __future__ import annotations

import html
import mimetypes
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.accounts.registry import INSTRUCTOR
from bot.config import WEB_DIR
from bot.rasa_ext.auth import gate

# Only what the pages are made of; anything else in the folder is not published.
CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
}


def resolve_static(relative: str, root: Path = WEB_DIR) -> Path | None:
    """The file under `root` that `relative` names, or None if it is not servable.

    Rejects anything that leaves `root` after decoding and resolving (`..`, absolute
    paths, symlinks pointing out), hidden files and unknown file types.
    """
    relative = unquote(relative or "").replace("\\", "/")
    if relative in ("", "/"):
        relative = "index.html"
    parts = [p for p in relative.split("/") if p]
    if any(p.startswith(".") for p in parts) or "\x00" in relative:
        return None
    root = root.resolve()
    try:
        candidate = root.joinpath(*parts).resolve() if parts else root / "index.html"
        if candidate.is_dir():
            candidate = candidate / "index.html"
        candidate.relative_to(root)
        if candidate.suffix.lower() not in CONTENT_TYPES or not candidate.is_file():
            return None
    except (OSError, ValueError):  # outside the folder, a name too long, bad bytes
        return None
    return candidate


# Pages and who may open them: None = anyone signed in; a role = only that role.
GATED_PAGES: dict[str, str | None] = {
    "index.html": None,
    "instructor.html": INSTRUCTOR,
    "drills.html": None,
    "debrief.html": None,
    "progress.html": None,
    "supervision.html": INSTRUCTOR,
    "library.html": INSTRUCTOR,
}

# The pages load scripts and styles only from this server and are never framed.
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # no-cache: pages are edited in place and must not go stale in a browser.
    "Cache-Control": "no-cache",
}


def _not_found(path: str) -> HTTPResponse:
    return response.text(f"Not found: /app/{path}", status=404, headers=SECURITY_HEADERS)


def _gate_page(request: Request, found: Path) -> HTTPResponse | None:
    """401/403 pages for a gated page the caller may not open, else None."""
    name = found.name if found.parent == WEB_DIR.resolve() else ""
    if name not in GATED_PAGES:
        return None
    who = gate().identify(request)
    target = "/app/" if name == "index.html" else f"/app/{name}"
    if who is None:
        return response.html(
            _message_page("Please sign in", "Please sign in to use the rehearsal pages.",
                          f"/app/signin.html?next={target}", "Sign in", refresh=True),
            status=401, headers=SECURITY_HEADERS)
    role = GATED_PAGES[name]
    if role is not None and who.account.role != role:
        return response.html(
            _message_page("Not for this account",
                          f"This page is for the {role} role; you are signed in as "
                          f"{html.escape(who.account.name)} ({who.account.role}).",
                          "/app/", "Go to the rehearsal page"),
            status=403, headers=SECURITY_HEADERS)
    return None


def _message_page(title: str, text: str, href: str, link: str, refresh: bool = False) -> str:
    meta = f'<meta http-equiv="refresh" content="0; url={href}">' if refresh else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'{meta}<title>{title}</title><link rel="stylesheet" href="/app/style.css"></head>'
        f'<body><main class="wrap"><h1 class="page-title">{title}</h1><p>{text}</p>'
        f'<p><a href="{href}">{link}</a></p></main></body></html>'
    )


class WebChannel(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "web"

    def url_prefix(self) -> str:
        return "/app"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        bp = Blueprint("rehearsal_web", __name__)

        async def serve(request: Request, path: str) -> HTTPResponse:
            found = resolve_static(path)
            if found is None:
                return _not_found(path)
            refused = _gate_page(request, found)
            if refused is not None:
                return refused
            kind = CONTENT_TYPES.get(found.suffix.lower()) or (
                mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            )
            return response.raw(found.read_bytes(), content_type=kind, headers=SECURITY_HEADERS)

        @bp.route("/", methods=["GET"], strict_slashes=True)
        async def index(request: Request) -> HTTPResponse:
            return await serve(request, "index.html")

        @bp.route("", methods=["GET"], strict_slashes=True)
        async def bare(request: Request) -> HTTPResponse:
            # "/app" without the slash: send the browser to "/app/" so relative links work.
            return response.redirect("/app/")

        @bp.route("/<path:path>", methods=["GET"])
        async def static(request: Request, path: str) -> HTTPResponse:
            return await serve(request, path)

        return bp
