"""Project NLU components: `IntentEnsemble` (intents) and `CueAnnotator` (cues, entities).

`IntentEnsemble` (config.yml: `bot.rasa_ext.nlu.IntentEnsemble`, after DIETClassifier) trains
a TF-IDF (word 1-2 + char_wb 2-5 grams, sublinear tf) + logistic-regression intent model on
the lower-cased example texts and, at parse time, averages its class probabilities with
DIET's `intent_ranking` (weight `diet_weight`; without a DIET ranking it stands alone). It
sets `intent` and `intent_ranking`. It is persisted as JSON + npz (no pickle).

`CueAnnotator` is placed after DIETClassifier in config.yml as `bot.rasa_ext.nlu.CueAnnotator`. It
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

from bot.cues import detect_cues
from bot.entities import RULER_LABELS, expand
from bot.moves import empty_cues

logger = logging.getLogger(__name__)

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
        return messages
