"""The training tables on a real SQLite database: attempts and mastery, assignments, flags
and their NLU export, comments; the migration chain up to them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.cli import main as cli_main
from bot.store import Store
from bot.training.store import TrainingError, TrainingStore, flags_nlu_yaml


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    s = Store(f"sqlite:///{tmp_path / 'training.db'}")
    s.upgrade()
    s.create_session("s1", "maya", "tina", 7, {"trust": 0.5})
    return s


def test_attempts_give_mastery_after_three_good_in_a_row(store: Store) -> None:
    t = TrainingStore(store)
    for met in (False, True, True):
        t.add_attempt("tina", "maya_no_point", "answer", "give_rationale", met, {"met": met})
    assert not t.mastery_by_drill("tina")["maya_no_point"].mastered
    t.add_attempt("tina", "maya_no_point", "answer", "give_rationale", True, {})
    m = t.mastery_by_drill("tina")["maya_no_point"]
    assert m.mastered and m.attempts == 4
    # Another trainee's history is separate.
    assert t.mastery_by_drill("tom") == {}
    assert [a["met"] for a in t.attempts("tina", "maya_no_point")] == [False, True, True, True]


def test_assignments_are_kept_once(store: Store) -> None:
    t = TrainingStore(store)
    t.assign("tina", "sam_the_rota", "ines")
    t.assign("tina", "sam_the_rota", "ines")
    assert [(a["drill"], a["assigned_by"]) for a in t.assignments("tina")] == [
        ("sam_the_rota", "ines")]
    assert t.assignments("tom") == []


def test_flags_are_reviewed_and_exported_as_nlu_data(store: Store) -> None:
    t = TrainingStore(store)
    a = t.add_flag("s1", 3, "tina", "What might get   in the way?", "propose_task",
                   "explore_barriers")
    b = t.add_flag("s1", 4, "tina", "How did it go?", "greet", "review_plan")
    with pytest.raises(TrainingError):
        t.add_flag("s1", 5, "tina", "x", "greet", "not_a_move")
    assert [f["status"] for f in t.flags(session_id="s1")] == ["open", "open"]
    assert t.review_flag(a, "accepted", "ines")
    assert t.review_flag(b, "rejected", "ines")
    assert not t.review_flag(999, "accepted", "ines")
    accepted = t.flags(status="accepted")
    data = yaml.safe_load(flags_nlu_yaml(accepted))
    assert data["version"] == "3.1"
    assert data["nlu"] == [{"intent": "explore_barriers",
                            "examples": "- What might get in the way?\n"}]


def test_comments_belong_to_a_session(store: Store) -> None:
    t = TrainingStore(store)
    t.add_comment("s1", 2, "ines", "Lovely open question here.")
    with pytest.raises(TrainingError):
        t.add_comment("s1", 2, "ines", "   ")
    assert [(c["n"], c["author"]) for c in t.comments("s1")] == [(2, "ines")]
    assert t.comments("other") == []


def test_flags_export_command(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    t = TrainingStore(store)
    t.review_flag(t.add_flag("s1", 1, "tina", "Where would you go?", "greet", "specify_plan"),
                  "accepted", "ines")
    monkeypatch.setenv("REHEARSAL_DB_URL", store.url)
    out = tmp_path / "flags.yml"
    assert cli_main(["flags", "export", "--out", str(out)]) == 0
    assert yaml.safe_load(out.read_text())["nlu"][0]["intent"] == "specify_plan"
    assert cli_main(["flags", "export"]) == 0
    assert "Where would you go?" in capsys.readouterr().out
