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
  DIET's, for `activity` DIET's wins; one entity per (entity, value).

Importing this module also registers the spaCy `cue_detector` factory, which the saved
pipeline needs when SpacyNLP calls `spacy.load(path)`.
"""

from __future__ import annotations

import json
import logging
import re
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
from bot.language.entities import RULER_LABELS, expand, only_function_words, recognised
from bot.moves import empty_cues

logger = logging.getLogger(__name__)

CUES_KEY = "cues"
RULER_EXTRACTOR = "SpacyEntityExtractor"


# Closed classes: the ruler's patterns define them; DIET's guesses at them are mostly
# fragments ("on", "after") or the wrong class ("your days off" as a frequency).
CLOSED_LABELS: tuple[str, ...] = ("day", "time_of_day", "frequency", "duration")
# An activity opening with one of these is a when/where phrase DIET mislabelled
# ("at your days off", "in the park"); "for"/"with" stay ("with the kids" is Sam's task).
_LEADING_PREPOSITIONS = frozenset(
    "at in on after before during around round by near over until every each inside "
    "outside".split()
)
# Filler said before the activity itself: "maybe just a walk" -> "a walk".
_ACTIVITY_FILLER = frozenset({"to", "maybe", "just", "perhaps"})
# Verbs and pronouns that name no task without their object ("how did it go").
_BARE_ACTIVITY = frozenset({"go", "do", "try", "work", "it", "that", "this", "things", "stuff",
                            "something", "anything", "one", "get", "make", "start", "keep",
                            "going", "doing", "done", "went", "did"})
_PLACE_PREPOSITIONS = frozenset(
    "at in on around round to by near along through into inside outside".split()
)
# What a person carries or pushes is not where the plan happens ("in the buggy").
_NOT_PLACES = frozenset({"buggy", "pushchair", "pram", "stroller", "scooter", "bag", "arms",
                         "head", "mind", "diary", "notebook", "phone", "way"})
_WORD = re.compile(r"[^\s]+")
# Names are unknowable to the ruler, but after "with/ask/call/text" a lone capitalised word is
# almost always a person ("guitar with Kofi"); DIET rarely learnt the names the personas use.
_NAMED_PERSON = re.compile(r"\b(?:with|ask|call|text)\s+([A-Z][a-z'-]+)\b(?!\s+[A-Z])")
_NOT_NAMES = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may "
    "june july august september october november december i i'm i'd i'll christmas easter "
    "google whatsapp zoom me you him her them us it my your his their our".split()
)
NAME_EXTRACTOR = "NamedPersonHeuristic"


def _rank(ent: dict[str, Any]) -> int:
    """Lower is better: which extractor to believe for this entity type."""
    from_ruler = ent.get("extractor") == RULER_EXTRACTOR
    if ent.get("entity") in RULER_LABELS:
        return 0 if from_ruler else 1
    return 0 if not from_ruler else 1


def _has_span(e: dict[str, Any]) -> bool:
    return isinstance(e.get("start"), int) and isinstance(e.get("end"), int)


def _overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if not (_has_span(a) and _has_span(b)):
        return False
    return a["start"] < b["end"] and b["start"] < a["end"]


def _inside(inner: dict[str, Any], outer: dict[str, Any]) -> bool:
    return (_has_span(inner) and _has_span(outer) and inner is not outer
            and outer["start"] <= inner["start"] and inner["end"] <= outer["end"])


def _learned(e: dict[str, Any]) -> bool:
    """From a trained extractor (DIET). Entities without an extractor were given explicitly
    (e.g. `/specify_plan{"day": "Monday"}`) and are trusted like the ruler's."""
    return bool(e.get("extractor")) and e.get("extractor") != RULER_EXTRACTOR


def _words(value: str) -> list[str]:
    return [w.strip(".,!?;:\"'").lower() for w in value.split()]


def _strip_filler(ent: dict[str, Any]) -> dict[str, Any]:
    """Drop leading "to"/"maybe"/"just" from an activity, moving `start` with the text."""
    value = ent["value"]
    cut = 0
    for m in _WORD.finditer(value):
        if m.group().lower().strip(",") not in _ACTIVITY_FILLER:
            cut = m.start()
            break
    else:
        cut = len(value)
    if cut == 0:
        return ent
    new = dict(ent, value=value[cut:])
    if _has_span(ent):
        new["start"] = ent["start"] + cut
    return new


def _plausible_activity(ent: dict[str, Any], ruler: list[dict[str, Any]]) -> bool:
    words = _words(ent["value"])
    if not words or only_function_words(ent["value"]):
        return False
    if len(words) == 1 and words[0] in _BARE_ACTIVITY:
        return False
    if words[0] in _LEADING_PREPOSITIONS:
        # A when/where phrase: the ruler found something in it, or it reads as one.
        rest = " ".join(words[1:])
        return not (any(_overlaps(ent, r) for r in ruler)
                    or any(recognised(c, rest) for c in CLOSED_LABELS)
                    or len(words) <= 3)
    return True


def _plausible_place(ent: dict[str, Any]) -> bool:
    words = _words(ent["value"])
    return (len(words) >= 2 and words[0] in _PLACE_PREPOSITIONS
            and not (set(words) & _NOT_PLACES))


def _join_fragments(
    acts: list[dict[str, Any]], ruler: list[dict[str, Any]], text: str | None
) -> list[dict[str, Any]]:
    """Join activity fragments split by a ruler entity: "a" + [ten-minute] + "walk"."""
    spans = sorted((a for a in acts if _has_span(a)), key=lambda a: a["start"])
    out: list[dict[str, Any]] = [a for a in acts if not _has_span(a)]
    cur: dict[str, Any] | None = None
    for a in spans:
        if cur is not None:
            between = [r for r in ruler if cur["end"] <= r["start"] and r["end"] <= a["start"]]
            covered = set()
            for r in between:
                covered.update(range(r["start"], r["end"]))
            gap = range(cur["end"], a["start"])
            if text is not None:
                bridged = bool(between) and all(
                    i in covered or not text[i].strip() for i in gap)
            else:  # without the text only the offsets tell: the gap is the ruler spans
                bridged = bool(between) and all(
                    i in covered or i in {r["start"] - 1 for r in between}
                    or i in {r["end"] for r in between} for i in gap)
            if bridged:
                if text is not None:
                    value = text[cur["start"]:a["end"]]
                else:
                    chars = [" "] * (a["end"] - cur["start"])
                    for e in (cur, *between, a):
                        off = e["start"] - cur["start"]
                        chars[off:off + len(e["value"])] = list(e["value"])
                    value = "".join(chars)
                cur = dict(cur, value=value, end=a["end"])
                continue
            out.append(cur)
        cur = a
    if cur is not None:
        out.append(cur)
    return out


def _vocative(ent: dict[str, Any], text: str | None) -> bool:
    """A lone capitalised word set off by a comma is the client's name ("..., Santiago?")."""
    if text is None or not _has_span(ent) or not re.fullmatch(r"[A-Z][a-z'-]+", ent["value"]):
        return False
    before = text[:ent["start"]].rstrip()
    after = text[ent["end"]:].lstrip()
    return (before == "" or before.endswith(",")) and (after == "" or after[0] in ",?.!")


def _extend_over_object(
    ent: dict[str, Any], ruler: list[dict[str, Any]], text: str | None
) -> dict[str, Any]:
    """DIET stopping inside the object the ruler found ("calling your" + [your aunt])."""
    for r in ruler:
        if r["entity"] in ("person", "place") and _has_span(ent) and _overlaps(ent, r) \
                and ent["start"] < r["start"] and ent["end"] < r["end"]:
            value = (text[ent["start"]:r["end"]] if text is not None
                     else ent["value"][:r["start"] - ent["start"]] + r["value"])
            return dict(ent, value=value, end=r["end"])
    return ent


def _filter(entities: list[dict[str, Any]], text: str | None) -> list[dict[str, Any]]:
    """Drop DIET's implausible entities and repair its activity spans (see tidy_entities)."""
    named = [e for e in entities
             if isinstance(e.get("entity"), str) and isinstance(e.get("value"), str)]
    trusted = [e for e in named if not _learned(e)]
    ruler_classes = {sub for e in trusted for sub, _ in expand(e["entity"], e["value"])}
    ruler_spans = [e for e in trusted if _has_span(e)]
    kept: list[dict[str, Any]] = []
    acts: list[dict[str, Any]] = []
    for e in entities:
        if e not in named or not _learned(e):
            if e not in named or not only_function_words(e["value"]):
                kept.append(e)
            continue
        name = e["entity"]
        if name == "activity":
            acts.append(_strip_filler(e))
            continue
        if only_function_words(e["value"]):
            continue
        if any(_overlaps(e, r) and r["entity"] != name for r in ruler_spans):
            continue  # the ruler has read these words as something else
        if name in CLOSED_LABELS and (name in ruler_classes or not recognised(name, e["value"])):
            continue
        if name == "place" and not any(r["entity"] == "place" for r in ruler_spans) \
                and not _plausible_place(e):
            continue
        kept.append(e)
    # Join before judging: "a" alone is junk, "a" [ten-minute] "walk" is the activity.
    acts = _join_fragments([a for a in acts if a["value"].strip()], ruler_spans, text)
    acts = [_extend_over_object(a, ruler_spans, text) for a in acts
            if not _vocative(a, text)]
    acts = [a for a in acts if _plausible_activity(a, ruler_spans)]
    others = kept + acts
    acts = [a for a in acts if not any(_inside(a, o) for o in others if o is not a)]
    return kept + acts


def _named_people(entities: list[dict[str, Any]], text: str | None) -> list[dict[str, Any]]:
    """Persons named after "with/ask/call/text" that no entity already covers (see
    _NAMED_PERSON); a word another entity claims (a day, a place) is left to that entity."""
    if not text:
        return []
    found: list[dict[str, Any]] = []
    for m in _NAMED_PERSON.finditer(text):
        name = m.group(1)
        if name.lower() in _NOT_NAMES:
            continue
        ent = {"entity": "person", "value": name, "start": m.start(1), "end": m.end(1),
               "extractor": NAME_EXTRACTOR}
        if any(_overlaps(ent, e) and e.get("entity") != "activity" for e in entities):
            continue
        found.append(ent)
    return found


def tidy_entities(
    entities: list[dict[str, Any]], text: str | None = None
) -> list[dict[str, Any]]:
    """Filter, normalise, expand and de-duplicate a message's entities (pure).

    Filtering (entities from a trained extractor only; ruler and explicit ones are kept):
    - closed classes (day, time_of_day, frequency, duration) only when the ruler found none
      of that class and the value normalises to a canonical one; nothing that is only
      function words ("on", "the", "go") of any class;
    - a DIET entity over words the ruler labelled as another class is dropped;
    - place only from the ruler, or "<place preposition> ..." of two words or more that is
      not something carried ("in the buggy");
    - activity: leading "to"/"maybe"/"just" stripped; bare verbs/pronouns ("go", "it") and
      when/where phrases ("at your days off", "in the park") dropped; fragments split only
      by ruler entities joined ("a" [ten-minute] "walk"); an activity inside another
      entity's span dropped.
    `text` (the message text) gives joined fragments their exact wording, and a capitalised
    name after "with/ask/call/text" becomes a person (see _named_people).
    """
    entities = _filter(entities, text)
    entities = entities + _named_people(entities, text)
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
            # A name keeps its capital: the client says "Kofi", not "kofi".
            new["value"] = raw if ent.get("extractor") == NAME_EXTRACTOR else value
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
            if entities or isinstance(text, str) and _NAMED_PERSON.search(text):
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
