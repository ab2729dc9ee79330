"""The embedded mode with two Rasa worker processes (scripts/run.sh's RASA_WORKERS=2).

The workers share the SQLite tracker store and the SQLite lock store
(bot/rasa_ext/lock_store.py); the kernel hands each new connection to either worker,
so a rehearsal's turns land on both. Checked through the real servers: every
answered turn is stored once, in order, with the reply that was sent; the client's
state counts every turn (it carried on whichever worker answered); and a turn sent
twice at the same moment with one idempotency key is stored once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from bench.load import load_scripts, start_message
from bench.servers import Servers, child_pids

pytestmark = pytest.mark.integration

TRAINEES = 4


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    s = Servers(tmp_path_factory.mktemp("workers"), rasa_workers=2)
    s.start("actions")
    s.start("rasa")
    try:
        s.wait_ready()
        yield s
    finally:
        s.stop()


def _scripts() -> list[tuple[str, list[str]]]:
    """The first 12 turns of one scripted rehearsal per persona, for TRAINEES personas."""
    first: dict[str, list[str]] = {}
    for script in load_scripts(min_turns=12, max_turns=12):
        first.setdefault(script.persona, list(script.turns))
    return list(first.items())[:TRAINEES]


@dataclass
class Sent:
    sender: str
    replies: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""


def _rehearse(servers: Servers, out: Sent, persona: str, turns: list[str]) -> None:
    try:
        servers.say(out.sender, start_message(persona, "t01"))
        for text in turns:
            out.replies.append((text, servers.say(out.sender, text)[0]))
        servers.say(out.sender, "/end_rehearsal")
    except Exception as exc:  # noqa: BLE001 - reported by the test
        out.error = repr(exc)


def test_two_workers_serve_and_rehearsals_stay_whole(servers: Servers) -> None:
    assert len(child_pids(servers.procs["rasa"].pid)) >= 2, "Rasa did not start two workers"
    chosen = _scripts()
    assert len(chosen) == TRAINEES
    sent = [Sent(f"workers-{i}") for i in range(TRAINEES)]
    threads = [threading.Thread(target=_rehearse, args=(servers, sent[i], persona, turns))
               for i, (persona, turns) in enumerate(chosen)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a rehearsal hung"
    for s, (_, turns) in zip(sent, chosen, strict=True):
        assert not s.error, f"{s.sender}: {s.error}"
        assert len(s.replies) == len(turns)
        status, session = servers.get(f"/api/sessions/{s.sender}")
        assert status == 200, session
        stored = session["turns"]
        assert [(t["trainee"], t["client"]) for t in stored] == s.replies
        assert [t["client_state"]["turn"] for t in stored] == list(range(1, len(turns) + 1))
        assert session["ended_at"] is not None


def test_one_turn_sent_twice_at_once_is_stored_once(servers: Servers) -> None:
    sender = "workers-twice"
    servers.say(sender, start_message("maya", "t01"))
    replies: list[list[str]] = []
    metadata = {"idempotency_key": "turn-1-of-workers-twice"}

    def send() -> None:
        replies.append(servers.say(sender, "What would you like to get out of this week?",
                                   metadata=metadata))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(replies) == 4 and all(r == replies[0] for r in replies), replies
    status, session = servers.get(f"/api/sessions/{sender}")
    assert status == 200
    assert [t["client"] for t in session["turns"]] == [replies[0][0]]
