"""`parts` in /model/parse of the real Rasa server (Rasa's HTTP API, token-protected)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from bench.servers import Servers

pytestmark = pytest.mark.integration


def parse(servers: Servers, text: str) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{servers.url}/model/parse?token={servers.api_token}",
        data=json.dumps({"text": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as reply:
        return json.load(reply)


def test_a_reflection_then_a_question_is_two_parts(servers: Servers) -> None:
    text = "It sounds like you're completely drained by the evening. What if we tried mornings?"
    result = parse(servers, text)
    parts = result["parts"]
    assert [p["intent"]["name"] for p in parts] == ["reflect", "problem_solve"]
    assert [p["text"] for p in parts] == [text[p["start"]:p["end"]] for p in parts]
    assert parts[0]["cues"]["question"] == "none"
    assert parts[1]["cues"]["question"] == "open"
    # Entities keep offsets into the whole text and sit in the part that holds them.
    [morning] = [e for e in parts[1]["entities"] if e["entity"] == "time_of_day"]
    assert text[morning["start"]:morning["end"]].lower() == "mornings"
    # The top level still reads the whole message.
    assert result["intent"]["name"] and result["cues"]["question"] == "open"


def test_an_affirmation_then_a_rationale_is_two_parts(servers: Servers) -> None:
    text = ("Well done for sticking with it on the hard days. The reason small steps help is "
            "that action often comes before motivation.")
    parts = parse(servers, text)["parts"]
    assert [p["intent"]["name"] for p in parts] == ["affirm", "give_rationale"]


def test_one_move_is_one_part_with_the_top_level_reading(servers: Servers) -> None:
    text = "How long would feel manageable, do you think?"
    result = parse(servers, text)
    [part] = result["parts"]
    assert part["text"] == text
    assert part["intent"] == result["intent"]
    assert part["entities"] == result["entities"]


def test_exact_place_in_a_recap_with_a_question(servers: Servers) -> None:
    text = ("So, ten minutes, Tuesday and Thursday mornings before work, just around the park. "
            "Does that sound right?")
    result = parse(servers, text)
    places = [e["value"] for e in result["entities"] if e["entity"] == "place"]
    assert places == ["around the park"]
    assert len(result["parts"]) == 2
