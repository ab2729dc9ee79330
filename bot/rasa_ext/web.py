"""The trainee and instructor pages, served by the Rasa server itself under /app.

Like ApiChannel, an input channel with an absolute url_prefix ("/app") so that Rasa
mounts it beside its own routes; it receives no messages. Files come only from
bot/web/: the requested path is resolved and must stay inside that folder, and only
known file types are served, so nothing else on the machine is reachable.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

WEB_DIR = Path(__file__).resolve().parent.parent / "web"

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
    candidate = root.joinpath(*parts).resolve() if parts else root / "index.html"
    if candidate.is_dir():
        candidate = candidate / "index.html"
    try:
        candidate.relative_to(root)
    except ValueError:
        return None
    if candidate.suffix.lower() not in CONTENT_TYPES or not candidate.is_file():
        return None
    return candidate


def _not_found(path: str) -> HTTPResponse:
    return response.text(f"Not found: /app/{path}", status=404)


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

        async def serve(path: str) -> HTTPResponse:
            found = resolve_static(path)
            if found is None:
                return _not_found(path)
            kind = CONTENT_TYPES.get(found.suffix.lower()) or (
                mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            )
            # no-cache: pages are edited in place and must not go stale in a browser.
            return response.raw(
                found.read_bytes(), content_type=kind, headers={"Cache-Control": "no-cache"}
            )

        @bp.route("/", methods=["GET"], strict_slashes=True)
        async def index(request: Request) -> HTTPResponse:
            return await serve("index.html")

        @bp.route("", methods=["GET"], strict_slashes=True)
        async def bare(request: Request) -> HTTPResponse:
            # "/app" without the slash: send the browser to "/app/" so relative links work.
            return response.redirect("/app/")

        @bp.route("/<path:path>", methods=["GET"])
        async def static(request: Request, path: str) -> HTTPResponse:
            return await serve(path)

        return bp
