"""Killing either server mid-rehearsal loses no answered turn, and the rehearsal goes on."""

from __future__ import annotations

import pytest

from bench.servers import Servers
from tests.helpers.rest import get, say, start

pytestmark = pytest.mark.integration


def answered(servers: Servers, sender: str, text: str, log: list[tuple[str, str]]) -> None:
    replies = [r for r in say(servers, sender, text) if r]
    if replies:
        log.append((text, replies[0]))


def test_killing_servers_loses_no_answered_turn(servers: Servers) -> None:
    sender = "int-restart"
    assert say(servers, sender, start("sam"))[0]  # the client's opening line
    got: list[tuple[str, str]] = []
    answered(servers, sender, "Hi Sam, good to see you.", got)
    answered(servers, sender, "How did last week's plan go?", got)

    servers.kill("actions")
    # With the action server gone the turn cannot be answered; it must not be stored.
    answered(servers, sender, "What got in the way?", got)
    servers.start("actions")
    servers.wait_ready()
    answered(servers, sender, "What got in the way last week?", got)

    servers.kill("rasa")
    servers.start("rasa")
    servers.wait_ready()
    answered(servers, sender, "What might make it hard to find time this week?", got)
    answered(servers, sender, "Could mornings after the school run work instead?", got)

    # Every turn sent while both servers ran was answered, and only the one sent while
    # the action server was down went unanswered (an empty log would not pass).
    assert [text for text, _ in got] == [
        "Hi Sam, good to see you.",
        "How did last week's plan go?",
        "What got in the way last week?",
        "What might make it hard to find time this week?",
        "Could mornings after the school run work instead?",
    ]
    status, session = get(servers, f"/api/sessions/{sender}")
    assert status == 200
    stored = [(t["trainee"], t["client"]) for t in session["turns"]]
    assert stored == got
    assert [t["n"] for t in session["turns"]] == list(range(1, len(got) + 1))
    # The client's state went on from where it was: the turn counter never went back.
    turns = [t["client_state"]["turn"] for t in session["turns"]]
    assert turns == sorted(turns) and len(set(turns)) == len(turns)
