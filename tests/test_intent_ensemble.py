"""IntentEnsemble (bot.rasa_ext.nlu): trained, persisted and loaded without Rasa training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_ext.nlu import IntentEnsemble

EXAMPLES = {
    "greet": ["hi there", "hello sam", "good morning", "hey, nice to see you", "hiya"],
    "goodbye": ["bye for now", "see you next week", "take care, goodbye", "until next time",
                "bye bye"],
    "review_plan": ["how did the walks go", "did you manage the diary", "how was the plan",
                    "did you do the walking this week", "how did the diary go"],
}  # fmt: skip


def _training_data() -> TrainingData:
    return TrainingData(
        [Message(data={TEXT: t, INTENT: i}) for i, texts in EXAMPLES.items() for t in texts]
    )


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), node_name="intent_ensemble")


@pytest.fixture()
def trained(tmp_path: Path) -> tuple[LocalModelStorage, Resource, dict]:
    (tmp_path / "storage").mkdir()
    storage = LocalModelStorage(tmp_path / "storage")
    resource = Resource("intent_ensemble")
    config = {"diet_weight": 0.5}
    component = IntentEnsemble.create(
        {**IntentEnsemble.get_default_config(), **config}, storage, resource, _context()
    )
    component.train(_training_data())
    return storage, resource, config


def _load(trained: tuple[LocalModelStorage, Resource, dict], **config: object) -> IntentEnsemble:
    storage, resource, base = trained
    merged = {**IntentEnsemble.get_default_config(), **base, **config}
    return IntentEnsemble.load(merged, storage, resource, _context())


def _ranking_sum(message: Message) -> float:
    return sum(r["confidence"] for r in message.get(INTENT_RANKING_KEY))


def test_persists_without_pickle(trained) -> None:
    storage, resource, _ = trained
    with storage.read_from(resource) as directory:
        names = sorted(p.name for p in directory.iterdir())
        assert names == ["intent_ensemble.json", "intent_ensemble.npz"]
        with np.load(directory / "intent_ensemble.npz", allow_pickle=False) as arrays:
            assert arrays["coef"].shape[0] == len(EXAMPLES)


def test_loaded_model_classifies_alone(trained) -> None:
    component = _load(trained)
    messages = [Message(data={TEXT: "Hello Sam!"}), Message(data={TEXT: "How did the walks go?"})]
    component.process(messages)
    assert messages[0].get(INTENT)["name"] == "greet"
    assert messages[1].get(INTENT)["name"] == "review_plan"
    for m in messages:
        ranking = m.get(INTENT_RANKING_KEY)
        assert {r["name"] for r in ranking} == set(EXAMPLES)
        assert _ranking_sum(m) == pytest.approx(1.0)
        assert m.get(INTENT) == ranking[0]
        assert ranking == sorted(ranking, key=lambda r: -r["confidence"])
        assert INTENT in m.as_dict(only_output_properties=True)


def test_combines_with_diet_ranking(trained) -> None:
    text = "see you next week"
    alone = Message(data={TEXT: text})
    _load(trained).process([alone])
    linear_goodbye = alone.get(INTENT)["confidence"]
    assert alone.get(INTENT)["name"] == "goodbye"

    # DIET strongly disagrees; with weight 0.5 the average moves towards it.
    fake_diet = [{"name": "greet", "confidence": 0.9}, {"name": "goodbye", "confidence": 0.1}]
    mixed = Message(data={TEXT: text, INTENT_RANKING_KEY: fake_diet})
    _load(trained).process([mixed])
    by_name = {r["name"]: r["confidence"] for r in mixed.get(INTENT_RANKING_KEY)}
    assert by_name["greet"] > 0.45
    assert by_name["goodbye"] == pytest.approx(0.5 * 0.1 + 0.5 * linear_goodbye)
    assert _ranking_sum(mixed) == pytest.approx(1.0)

    # Weight 1: DIET decides; unknown intent names in DIET's ranking are ignored.
    odd = [{"name": "greet", "confidence": 0.7}, {"name": "not_an_intent", "confidence": 0.3}]
    message = Message(data={TEXT: text, INTENT_RANKING_KEY: odd})
    _load(trained, diet_weight=1.0).process([message])
    assert message.get(INTENT)["name"] == "greet"
    assert message.get(INTENT)["confidence"] == pytest.approx(1.0)


@pytest.mark.parametrize("text", ["", "   ", "ÿ¿¤ ☃☃ 漢字 \u200b", "?!"])
def test_empty_and_unknown_text(trained, text: str) -> None:
    message = Message(data={TEXT: text})
    _load(trained).process([message])
    intent = message.get(INTENT)
    assert intent["name"] in EXAMPLES
    # Nothing known in the text: the model falls back on its priors, so no class is sure.
    assert intent["confidence"] < 0.7
    assert _ranking_sum(message) == pytest.approx(1.0)


def test_ranking_length_truncates(trained) -> None:
    message = Message(data={TEXT: "hello"})
    _load(trained, ranking_length=2).process([message])
    assert len(message.get(INTENT_RANKING_KEY)) == 2


def test_untrained_storage_leaves_message_alone(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    storage = LocalModelStorage(tmp_path / "empty")
    component = IntentEnsemble.load(
        IntentEnsemble.get_default_config(), storage, Resource("missing"), _context()
    )
    message = Message(data={TEXT: "hello"})
    component.process([message])
    assert message.get(INTENT) is None
