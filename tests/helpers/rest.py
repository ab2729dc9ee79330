"""Driving a rehearsal over real HTTP: the REST channel and the /api routes.

Every request carries an account's API token (bench.servers creates the accounts), so
these helpers follow the servers' sign-in rules wherever they change.
"""

from __future__ import annotations

import json
from typing import Any

from bench.servers import INSTRUCTOR, TRAINEE, Servers


def say(servers: Servers, sender: str, message: str, account: str = TRAINEE) -> list[str]:
    """A message over the REST channel with `account`'s API token; the replies' texts."""
    return servers.say(sender, message, account=account)


def get(servers: Servers, path: str, account: str | None = INSTRUCTOR) -> tuple[int, Any]:
    """A GET with `account`'s API token (an instructor by default): status and JSON."""
    return servers.get(path, account=account)


def start(persona: str, trainee: str = TRAINEE) -> str:
    """The message that starts a rehearsal with `persona` for `trainee`."""
    return "/start_rehearsal" + json.dumps({"persona": persona, "trainee": trainee})
