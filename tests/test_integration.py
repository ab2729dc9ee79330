"""Real servers over HTTP: a rehearsal held through Rasa's REST channel."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from bench.servers import Servers
from tests.helpers.rest import get, say, start

pytestmark = pytest.mark.integration


SKILFUL = [
    "Hi Maya, it's good to see you again.",
    "How did the walking plan from last week go?",
    "What did you notice on the days you did manage to walk?",
    "It sounds like you were really hard on yourself about the days you missed.",
    "The reason small steps matter is that activity can lift mood before motivation comes back.",
    "What do you think might be worth trying this week?",
    "Maybe a ten-minute walk after breakfast on Monday, Wednesday and Friday?",
    "What might get in the way of that?",
    "How does that sound to you, on a scale of 0 to 10 how confident are you?",
    "So to recap: a ten minute walk after breakfast on Monday, Wednesday and Friday.",
    "I'll write this on a card for you, with the reason we picked it.",
]

UNSKILFUL = [
    "Right, homework.",
    "Did you do the walks?",
    "You need to walk for an hour every day this week.",
    "You have to do it, it's your homework.",
    "Make sure you do it every day.",
]


def test_personas_route_lists_the_shipped_clients(servers: Servers) -> None:
    status, personas = get(servers, "/api/personas")
    assert status == 200
    ids = {p["id"] for p in personas}
    assert "maya" in ids
    assert all(p["briefing"] and p["name"] and p["difficulty"] for p in personas)


def test_unknown_persona_names_the_known_ones_and_creates_nothing(servers: Servers) -> None:
    replies = say(servers, "int-unknown", start("nobody"))
    assert "nobody" in replies[0] and "maya" in replies[0]
    status, _ = get(servers, "/api/sessions/int-unknown")
    assert status == 404


def test_a_whole_rehearsal_over_rest_is_stored_and_scored(servers: Servers) -> None:
    sender = "int-skilful"
    opening = say(servers, sender, start("maya"))
    assert opening and opening[0]
    replies = [say(servers, sender, text) for text in SKILFUL]
    assert all(r and r[0] for r in replies), replies
    closing = say(servers, sender, "/end_rehearsal")
    assert closing

    status, session = get(servers, f"/api/sessions/{sender}")
    assert status == 200
    assert session["persona"] == "maya" and session["trainee"] == "t01"
    assert [t["n"] for t in session["turns"]] == list(range(1, len(SKILFUL) + 1))
    assert [t["trainee"] for t in session["turns"]] == SKILFUL
    assert [t["client"] for t in session["turns"]] == [r[0] for r in replies]
    first = session["turns"][0]
    assert set(first["cues"]) == {"question", "directive", "homework_term", "collaborative",
                                  "tentative"}
    assert session["ended_at"] is not None
    assert session["score"] is not None and set(session["score"]["dimensions"]) == {
        f"D{i}" for i in range(1, 10)
    }
    assert session["client_ratings"]["comment"]

    # A finished session id is never reused silently.
    again = say(servers, sender, "How are you?")
    assert "ended" in again[0].lower()
    restart = say(servers, sender, start("maya"))
    assert "already been used" in restart[0]
    _, after = get(servers, f"/api/sessions/{sender}")
    assert len(after["turns"]) == len(SKILFUL)


def test_skilful_practice_scores_higher_than_unskilful(servers: Servers) -> None:
    totals = {}
    for name, script in (("int-good", SKILFUL), ("int-poor", UNSKILFUL)):
        say(servers, name, start("maya"))
        for text in script:
            say(servers, name, text)
        say(servers, name, "/end_rehearsal")
        _, session = get(servers, f"/api/sessions/{name}")
        dims = session["score"]["dimensions"]
        totals[name] = sum(d["score"] for d in dims.values())
        for dim in dims.values():
            for item in dim["evidence"]:
                turn = session["turns"][item["turn"] - 1]
                assert item["quote"].rstrip(".…") in turn["trainee"]
    assert totals["int-good"] > totals["int-poor"]


def test_bad_input_gets_a_reply_and_the_rehearsal_goes_on(servers: Servers) -> None:
    sender = "int-bad-input"
    say(servers, sender, start("maya"))
    for text in ["", "   ", "asdfghjkl qwerty", "x" * 5000, "😀😀😀"]:
        replies = say(servers, sender, text)
        assert isinstance(replies, list)
    # Commands other than start and end are refused with a reason, not sent to the bot.
    status, body = servers.post("/webhooks/rest/webhook",
                                {"sender": sender, "message": "/greet{not json"})
    assert status == 400 and "/greet" in body["error"]
    assert say(servers, sender, "How did last week go?")[0]
    _, session = get(servers, f"/api/sessions/{sender}")
    assert session["turns"][-1]["trainee"] == "How did last week go?"


@pytest.mark.parametrize(
    "body",
    [b"[1, 2]", b"not json", b'{"sender": "x"}', b'{"sender": "x", "message": 5}',
     b'{"sender": {"a": 1}, "message": "hi"}',
     ('{"sender": "x", "message": "' + "y" * 6000 + '"}').encode()],
)
def test_malformed_requests_get_a_clear_400(servers: Servers, body: bytes) -> None:
    request = urllib.request.Request(
        f"{servers.url}/webhooks/rest/webhook", data=body,
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=30)
    assert error.value.code == 400
    assert json.load(error.value)["error"]
