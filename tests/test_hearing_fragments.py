"""Plan details the NLU cut out of a question never enter the plan (bot.client.hearing)."""

from __future__ import annotations

import pytest

from bot.client.hearing import plausible_value


@pytest.mark.parametrize("value", ["someone", "anyone", "somebody", "anybody else",
                                   "Someone else", "no one"])
def test_an_indefinite_person_is_not_a_plan_detail(value: str) -> None:
    assert plausible_value("person", value) is None


@pytest.mark.parametrize("value", ["Dev", "my sister", "the kids", "on my own", "Kofi"])
def test_a_named_person_is_kept(value: str) -> None:
    assert plausible_value("person", value) == value


@pytest.mark.parametrize("value", ["a small", "getting", "a little bit", "something",
                                   "a small step", "doing"])
def test_a_size_or_light_verb_alone_is_not_an_activity(value: str) -> None:
    assert plausible_value("activity", value) is None


@pytest.mark.parametrize("value", ["a short walk", "walking", "swimming", "playing guitar",
                                   "going into the corner shop for one thing",
                                   "a little gardening"])
def test_an_activity_with_its_own_content_word_is_kept(value: str) -> None:
    assert plausible_value("activity", value) == value
