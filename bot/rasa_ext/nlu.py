"""`CueAnnotator`: Rasa NLU component that adds `cues` and tidies plan entities.

Placed after DIETClassifier in config.yml as `bot.rasa_ext.nlu.CueAnnotator`. It
- sets `cues` (bot.cues) on the message with `add_to_output=True`, so the parse result,
  `/model/parse` and `tracker.latest_message` carry it. Cues are computed on the original
  text (SpacyNLP's stored doc is lower-cased);
- normalises entity values with bot.entities (keeping the said text in `text`),
  expands compound spans ("every morning" -> frequency + time_of_day), and removes
  duplicates: for the ruler's closed classes the SpacyEntityExtractor entity wins over
  DIET's, for `activity` DIET's wins; one entity per (entity, value).

Importing this module also registers the spaCy `cue_detector` factory, which the saved
pipeline needs when SpacyNLP calls `spacy.load(path)`.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.cues import detect_cues
from bot.entities import RULER_LABELS, expand
from bot.moves import empty_cues

CUES_KEY = "cues"
RULER_EXTRACTOR = "SpacyEntityExtractor"


def _rank(ent: dict[str, Any]) -> int:
    """Lower is better: which extractor to believe for this entity type."""
    from_ruler = ent.get("extractor") == RULER_EXTRACTOR
    if ent.get("entity") in RULER_LABELS:
        return 0 if from_ruler else 1
    return 0 if not from_ruler else 1


def _overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if None in (a.get("start"), a.get("end"), b.get("start"), b.get("end")):
        return False
    return a["start"] < b["end"] and b["start"] < a["end"]


def tidy_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Normalise, expand and de-duplicate a message's entities (pure)."""
    ranked = sorted(enumerate(entities), key=lambda p: (_rank(p[1]), p[0]))
    kept: list[dict[str, Any]] = []
    order: dict[int, tuple[int, int]] = {}  # id(entity) -> (original index, part)
    for idx, ent in ranked:
        name = ent.get("entity")
        raw = ent.get("value")
        if not isinstance(name, str) or not isinstance(raw, str):
            order[id(ent)] = (idx, 0)
            kept.append(ent)
            continue
        # Same type over the same characters, found twice: keep the better extractor's.
        if any(k.get("entity") == name and _overlaps(k, ent) for k in kept):
            continue
        for i, (sub_name, value) in enumerate(expand(name, raw)):
            if not value or any(
                k.get("entity") == sub_name and k.get("value") == value for k in kept
            ):
                continue
            new = dict(ent)
            new["entity"] = sub_name
            new["value"] = value
            new["text"] = ent.get("text", raw)
            if i > 0:
                new["derived_from"] = name
            order[id(new)] = (idx, i)
            kept.append(new)
    kept.sort(
        key=lambda e: (e.get("start") if e.get("start") is not None else 1 << 30, *order[id(e)])
    )
    return kept


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class CueAnnotator(GraphComponent):
    """Adds linguistic cues and canonical plan-entity values to each parsed message."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"normalize_entities": True}

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = {**self.get_default_config(), **config}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CueAnnotator:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self.annotate(message)
        return messages

    def annotate(self, message: Message) -> Message:
        text = message.get(TEXT)
        cues = detect_cues(text) if isinstance(text, str) and text else empty_cues()
        message.set(CUES_KEY, cues, add_to_output=True)
        if self._config.get("normalize_entities", True):
            entities = message.get(ENTITIES) or []
            if entities:
                message.set(ENTITIES, tidy_entities(entities), add_to_output=True)
        return message
