"""Project NLU components: `IntentEnsemble` (intents) and `CueAnnotator` (cues, entities).

`IntentEnsemble` (config.yml: `bot.rasa_ext.nlu.IntentEnsemble`, after DIETClassifier) trains
a TF-IDF (word 1-2 + char_wb 2-5 grams, sublinear tf) + logistic-regression intent model on
the lower-cased example texts and, at parse time, averages its class probabilities with
DIET's `intent_ranking` (weight `diet_weight`; without a DIET ranking it stands alone). It
sets `intent` and `intent_ranking`. It is persisted as JSON + npz (no pickle).

`CueAnnotator` is placed after DIETClassifier in config.yml as `bot.rasa_ext.nlu.CueAnnotator`. It
- sets `cues` (bot.language.cues) on the message with `add_to_output=True`, so the parse result,
  `/model/parse` and `tracker.latest_message` carry it. Cues are computed on the original
  text (SpacyNLP's stored doc is lower-cased);
- normalises entity values with bot.language.entities (keeping the said text in `text`),
  expands compound spans ("every morning" -> frequency + time_of_day), and removes
  duplicates: for the ruler's closed classes the SpacyEntityExtractor entity wins over
  the learned extractor's (CRFEntityExtractor), for `activity` the learned one wins; one
  entity per (entity, value) (bot/language/tidy.py).

Importing this module also registers the spaCy `cue_detector` factory, which the saved
pipeline needs when SpacyNLP calls `spacy.load(path)`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import numpy as np
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language.cues import detect_cues
from bot.language.parts import PartSpan, split_spans
from bot.language.tidy import tidy_entities
from bot.moves import FALLBACK, empty_cues

logger = logging.getLogger(__name__)

CUES_KEY = "cues"
PARTS_KEY = "parts"
# Set by IntentEnsemble, read by PartsAnnotator; not part of the parse result.
PART_RANKINGS_KEY = "part_intent_rankings"
# How many intents each part carries in its own `intent_ranking`.
PART_RANKING_LENGTH = 3


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
            # Always, also without entities: a name after "with" or a task after its frame
            # ("how about a bike ride?") can be found in the text alone (tidy_entities).
            if entities or isinstance(text, str) and text.strip():
                tidied = tidy_entities(entities, text if isinstance(text, str) else None)
                message.set(ENTITIES, tidied, add_to_output=True)
        return message


# ----------------------------------------------------------------------------- intents


class _Tfidf:
    """TF-IDF over a fixed vocabulary: sublinear tf, smoothed idf, L2-normalised rows.

    The same maths as sklearn's TfidfVectorizer(sublinear_tf=True), but its whole state is a
    vocabulary and an idf vector, so it persists as JSON + npz instead of a pickle.
    """

    def __init__(
        self, analyzer: str, ngram_range: tuple[int, int], vocabulary: dict[str, int],
        idf: np.ndarray,
    ) -> None:  # fmt: skip
        from sklearn.feature_extraction.text import CountVectorizer

        self.analyzer = analyzer
        self.ngram_range = ngram_range
        self.vocabulary = vocabulary
        self.idf = np.asarray(idf, dtype=np.float64)
        self._counter = CountVectorizer(
            analyzer=analyzer, ngram_range=ngram_range, lowercase=True, vocabulary=vocabulary
        )

    @classmethod
    def fit(cls, texts: list[str], analyzer: str, ngram_range: tuple[int, int]) -> _Tfidf:
        from sklearn.feature_extraction.text import CountVectorizer

        counter = CountVectorizer(analyzer=analyzer, ngram_range=ngram_range, lowercase=True)
        counts = counter.fit_transform(texts)
        n_docs = counts.shape[0]
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        idf = np.log((1 + n_docs) / (1 + df)) + 1.0
        vocab = {term: int(i) for term, i in counter.vocabulary_.items()}
        return cls(analyzer, ngram_range, vocab, idf)

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        counts = self._counter.transform(texts).astype(np.float64).tocsr()
        counts.data = 1.0 + np.log(counts.data)
        weighted = counts.multiply(self.idf).tocsr()
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / norms) @ weighted)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class IntentEnsemble(GraphComponent, IntentClassifier):
    """TF-IDF + logistic regression on the raw text, averaged with DIET's intent ranking.

    DIET learns from Rasa's count features with a small transformer; on ~2k short examples
    a linear model over word and character n-grams is at least as accurate and better
    calibrated, and the two make different mistakes, so their average beats either.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Weight of DIET's ranking in the average; the rest goes to the linear model.
            # Ignored (linear model alone) when no earlier component set an intent ranking.
            "diet_weight": 0.2,
            # Inverse regularisation strength of the logistic regression (validation split:
            # 100 gives sharper, still safe probabilities than 10 at the same accuracy).
            "C": 100.0,
            "max_iter": 3000,
            "word_ngram_range": [1, 2],
            "char_ngram_range": [2, 5],
            "ranking_length": 10,
            "random_seed": 42,
            # Also rank the intents of each part of a message with several moves
            # (read by PartsAnnotator, which must come later in the pipeline).
            "classify_parts": True,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        classes: list[str] | None = None,
        vectorizers: list[_Tfidf] | None = None,
        coef: np.ndarray | None = None,
        intercept: np.ndarray | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.classes: list[str] = classes or []
        self.vectorizers: list[_Tfidf] = vectorizers or []
        self.coef = coef
        self.intercept = intercept

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentEnsemble:
        return cls(config, model_storage, resource)

    # -- training

    @staticmethod
    def _text(message: Message) -> str:
        text = message.get(TEXT)
        return text.lower() if isinstance(text, str) else ""

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        examples = [m for m in training_data.intent_examples if m.get(INTENT) and m.get(TEXT)]
        labels = sorted({m.get(INTENT) for m in examples})
        if len(labels) < 2:
            logger.debug("IntentEnsemble: fewer than two intents; nothing to train.")
            return self._resource
        texts = [self._text(m) for m in examples]
        y = [m.get(INTENT) for m in examples]
        self.vectorizers = [
            _Tfidf.fit(texts, "word", tuple(self._config["word_ngram_range"])),
            _Tfidf.fit(texts, "char_wb", tuple(self._config["char_ngram_range"])),
        ]
        clf = LogisticRegression(
            C=float(self._config["C"]),
            max_iter=int(self._config["max_iter"]),
            random_state=int(self._config["random_seed"]),
        )
        clf.fit(self._features(texts), y)
        self.classes = [str(c) for c in clf.classes_]
        self.coef = np.asarray(clf.coef_, dtype=np.float64)
        self.intercept = np.asarray(clf.intercept_, dtype=np.float64)
        self.persist()
        return self._resource

    def _features(self, texts: list[str]) -> sp.csr_matrix:
        return sp.hstack([v.transform(texts) for v in self.vectorizers]).tocsr()

    # -- persistence

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            meta = {
                "classes": self.classes,
                "vectorizers": [
                    {"analyzer": v.analyzer, "ngram_range": list(v.ngram_range),
                     "vocabulary": v.vocabulary}
                    for v in self.vectorizers
                ],
            }  # fmt: skip
            (directory / "intent_ensemble.json").write_text(
                json.dumps(meta, ensure_ascii=False), encoding="utf-8"
            )
            arrays = {f"idf_{i}": v.idf for i, v in enumerate(self.vectorizers)}
            np.savez_compressed(
                directory / "intent_ensemble.npz", coef=self.coef, intercept=self.intercept,
                **arrays,
            )  # fmt: skip

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> IntentEnsemble:
        try:
            with model_storage.read_from(resource) as directory:
                meta = json.loads((directory / "intent_ensemble.json").read_text("utf-8"))
                with np.load(directory / "intent_ensemble.npz", allow_pickle=False) as arrays:
                    vectorizers = [
                        _Tfidf(v["analyzer"], tuple(v["ngram_range"]), v["vocabulary"],
                               arrays[f"idf_{i}"])
                        for i, v in enumerate(meta["vectorizers"])
                    ]  # fmt: skip
                    coef, intercept = arrays["coef"], arrays["intercept"]
        except (ValueError, FileNotFoundError, KeyError):
            logger.warning("IntentEnsemble: no trained model in storage; predicting nothing.")
            return cls.create(config, model_storage, resource, execution_context)
        return cls(config, model_storage, resource, meta["classes"], vectorizers, coef,
                   intercept)  # fmt: skip

    # -- prediction

    def linear_probabilities(self, texts: list[str]) -> np.ndarray:
        """Class probabilities of the linear model, rows aligned with `texts`."""
        scores = self._features(texts) @ self.coef.T + self.intercept
        scores = np.asarray(scores) - np.max(scores, axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def combine(self, linear: np.ndarray, ranking: list[dict[str, Any]] | None) -> np.ndarray:
        """Weighted average of the linear model and DIET's ranking over this model's classes.

        DIET ranks only its top `ranking_length` intents; the others count as 0. The result
        is renormalised so it sums to 1 over the known intents.
        """
        weight = float(self._config["diet_weight"])
        if not ranking or weight <= 0:
            return linear
        index = {c: i for i, c in enumerate(self.classes)}
        diet = np.zeros(len(self.classes))
        for item in ranking:
            i = index.get(item.get(INTENT_NAME_KEY))
            if i is not None:
                diet[i] = float(item.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        if diet.sum() <= 0:
            return linear
        diet = diet / diet.sum()
        mixed = weight * diet + (1.0 - weight) * linear
        return mixed / mixed.sum()

    def process(self, messages: list[Message]) -> list[Message]:
        if not self.classes or self.coef is None:
            return messages
        linear = self.linear_probabilities([self._text(m) for m in messages])
        for message, row in zip(messages, linear, strict=True):
            probs = self.combine(row, message.get(INTENT_RANKING_KEY))
            order = np.argsort(-probs, kind="stable")
            ranking = [
                {INTENT_NAME_KEY: self.classes[i], PREDICTED_CONFIDENCE_KEY: float(probs[i])}
                for i in order
            ]
            length = int(self._config["ranking_length"])
            if length > 0:
                ranking = ranking[:length]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        if self._config["classify_parts"]:
            for message in messages:
                self._classify_parts(message)
        return messages

    def _classify_parts(self, message: Message) -> None:
        """Rank the intents of each part of a message with more than one (bot.language.parts).

        The linear model reads each part on its own (one sparse product for all parts; DIET's
        ranking exists only for the whole text). PartsAnnotator turns the result into `parts`.
        """
        text = message.get(TEXT)
        spans = split_spans(text) if isinstance(text, str) else []
        if len(spans) < 2:
            return
        linear = self.linear_probabilities([s.text.lower() for s in spans])
        rankings = []
        for span, row in zip(spans, linear, strict=True):
            order = np.argsort(-row, kind="stable")[:PART_RANKING_LENGTH]
            rankings.append({
                "start": span.start, "end": span.end, "text": span.text,
                "ranking": [{INTENT_NAME_KEY: self.classes[i],
                             PREDICTED_CONFIDENCE_KEY: float(row[i])} for i in order],
            })  # fmt: skip
        message.set(PART_RANKINGS_KEY, rankings)


# ----------------------------------------------------------------------------- parts


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class PartsAnnotator(GraphComponent):
    """Adds `parts` to the parse: one entry per sentence or clause that carries a move.

    Placed last in config.yml (after FallbackClassifier). Each part is
    `{"text", "start", "end", "intent": {"name", "confidence"}, "intent_ranking",
    "entities", "cues"}`; entity offsets stay relative to the whole text. A message with one
    move has exactly one part, equal to the whole parse (its intent after the fallback).
    With several parts, each part's intent is IntentEnsemble's linear model on that part,
    and a part below `fallback_threshold` is `nlu_fallback`, as FallbackClassifier does for
    the whole message (config.yml keeps the two thresholds equal; tests/test_contract.py
    checks it). The top-level `intent`, `entities` and `cues` are left as they are.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"fallback_threshold": 0.3}

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = {**self.get_default_config(), **config}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PartsAnnotator:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            message.set(PARTS_KEY, self.parts(message), add_to_output=True)
        return messages

    def parts(self, message: Message) -> list[dict[str, Any]]:
        text = message.get(TEXT)
        if not isinstance(text, str) or not text.strip():
            return []
        entities = [e for e in message.get(ENTITIES) or [] if isinstance(e, dict)]
        rankings = message.get(PART_RANKINGS_KEY) or []
        if len(rankings) < 2:
            intent = dict(message.get(INTENT) or {INTENT_NAME_KEY: None,
                                                  PREDICTED_CONFIDENCE_KEY: 0.0})
            return [{
                "text": text, "start": 0, "end": len(text), "intent": intent,
                "intent_ranking": list(message.get(INTENT_RANKING_KEY) or [])[
                    :PART_RANKING_LENGTH],
                "entities": entities,
                "cues": message.get(CUES_KEY) or detect_cues(text),
            }]  # fmt: skip
        threshold = float(self._config["fallback_threshold"])
        spans = [PartSpan(r["start"], r["end"], r["text"]) for r in rankings]
        out = []
        for i, (item, span) in enumerate(zip(rankings, spans, strict=True)):
            top = dict(item["ranking"][0])
            if top[PREDICTED_CONFIDENCE_KEY] < threshold:
                top = {INTENT_NAME_KEY: FALLBACK, PREDICTED_CONFIDENCE_KEY: threshold}
            out.append({
                "text": span.text, "start": span.start, "end": span.end, "intent": top,
                "intent_ranking": [dict(r) for r in item["ranking"]],
                "entities": [e for e in entities if _part_index(e, spans) == i],
                "cues": detect_cues(span.text),
            })  # fmt: skip
        return out


def _part_index(entity: dict[str, Any], spans: list[PartSpan]) -> int:
    """The part that holds an entity: by its offsets, else the first part that contains its
    value, else the first part."""
    start = entity.get("start")
    if isinstance(start, int):
        for i, span in enumerate(spans):
            if span.start <= start < span.end:
                return i
    value = str(entity.get("text") or entity.get("value") or "").lower()
    for i, span in enumerate(spans):
        if value and value in span.text.lower():
            return i
    return 0
