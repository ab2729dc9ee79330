"""The REST guard's judgement of request bodies (the servers test it over HTTP too)."""

from __future__ import annotations

import pytest

from bot.rasa_ext.rest import MAX_MESSAGE_CHARS, request_problem


@pytest.mark.parametrize(
    "body",
    [{"sender": "s1", "message": "Hi"}, {"sender": 7, "message": ""},
     {"sender": "s1", "message": "x" * MAX_MESSAGE_CHARS, "metadata": {"a": 1}}],
)
def test_good_bodies_pass(body: object) -> None:
    assert request_problem(body) is None


@pytest.mark.parametrize(
    ("body", "fragment"),
    [([1, 2], "JSON object"), (None, "JSON object"), ({"sender": "s"}, "message"),
     ({"message": "Hi"}, "sender"), ({"sender": "s" * 201, "message": "Hi"}, "sender"),
     ({"sender": "s", "message": "hi", "metadata": {"idempotency_key": 5}}, "idempotency"),
     ({"sender": ["s"], "message": "hi"}, "sender"),
     ({"sender": "s", "message": "x" * (MAX_MESSAGE_CHARS + 1)}, "too long"),
     ({"sender": "s", "message": "hi", "metadata": [1]}, "metadata")],
)
def test_bad_bodies_are_explained(body: object, fragment: str) -> None:
    problem = request_problem(body)
    assert problem is not None and fragment in problem
