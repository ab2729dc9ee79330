"""The client answers the detail it is asked for (bench/detail_questions.py), on every persona."""

from __future__ import annotations

from bench.detail_questions import QUESTIONS, TARGET, overall, reply_has, run_all


def test_phrasings_are_generic_and_several_per_kind() -> None:
    assert set(QUESTIONS) == {"duration", "frequency", "day", "time", "place", "person"}
    assert all(len(set(qs)) >= 5 for qs in QUESTIONS.values())


def test_judge_needs_the_asked_kind() -> None:
    assert reply_has("duration", "Ten minutes. Short enough.", "10 minutes")
    assert reply_has("person", "Just me, I think.", None)
    assert not reply_has("duration", "I don't know. Something about it doesn't feel doable.",
                         None)
    assert not reply_has("day", "It's the same problem as before, the evenings.", None)


def test_detail_questions_are_answered_on_at_least_nine_in_ten() -> None:
    rows = run_all()
    assert len(rows) >= 9
    share = overall(rows)
    assert share >= TARGET, [m for r in rows for m in r.misses]
