"""The NLU training data and held-out sets: readable by Rasa, complete, and kept apart.

Reads the files with Rasa's own reader (no training, no TensorFlow model), so it stays fast.
"""

from __future__ import annotations

import re
import string
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.moves import CONTROL_INTENTS, CUES, MOVES, PLAN_ENTITIES, QUESTION_KINDS

ROOT = Path(__file__).resolve().parent.parent
TRAIN_DIR = ROOT / "data" / "nlu"
HELDOUT = ROOT / "tests" / "nlu_heldout.yml"
CUES_HELDOUT = ROOT / "tests" / "cues_heldout.yml"
SPOKEN_HELDOUT = ROOT / "tests" / "nlu_spoken_heldout.yml"

MIN_TRAIN = 60
MIN_HELDOUT = 20
# Two texts whose word sets overlap this much (Jaccard), once names are set aside, count
# as near-duplicates: a held-out sentence that close to a training one tests memory.
NEAR_DUPLICATE_JACCARD = 0.75
# Capitalised words before a comma that are openers, not client names.
NOT_NAMES = {
    "hello", "hi", "hey", "hiya", "morning", "afternoon", "evening", "ok", "okay", "right",
    "so", "well", "honestly", "sorry", "thanks", "yes", "no", "now", "again", "bye",
    "goodbye", "anyway", "alright", "first", "look", "mm", "um", "recap", "then",
}  # fmt: skip


def normalise(text: str) -> str:
    """Case- and punctuation-insensitive form used for duplicate checks."""
    bare = text.lower().translate(str.maketrans("", "", string.punctuation + "’‘“”"))
    # All-punctuation input ("...", "?") is its own example, not the empty string.
    return " ".join(bare.split()) or text.strip()


def content_words(text: str, names: set[str]) -> frozenset[str]:
    return frozenset(w for w in normalise(text).split() if w not in names)


@pytest.fixture(scope="module")
def train() -> TrainingData:
    return load_data(str(TRAIN_DIR))


@pytest.fixture(scope="module")
def heldout() -> TrainingData:
    return load_data(str(HELDOUT))


@pytest.fixture(scope="module")
def client_names(train: TrainingData, heldout: TrainingData) -> set[str]:
    """Capitalised first words before a comma ("Maya, ..."): the client names in the data."""
    names: set[str] = set()
    for msg in train.intent_examples + heldout.intent_examples:
        for m in re.finditer(r"(?:^|[\s,])([A-Z][a-z]+),", msg.get("text")):
            names.add(m.group(1).lower())
    return names - NOT_NAMES


def test_training_files_are_rasa_nlu_yaml() -> None:
    files = sorted(TRAIN_DIR.glob("*.yml"))
    assert files, "no training files in data/nlu"
    for f in files:
        doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        assert str(doc.get("version")) == "3.1", f.name
        assert doc.get("nlu"), f"{f.name}: no nlu section"
        # Each file on its own must load too (a broken file should be named, not hidden).
        assert load_data(str(f)).intent_examples, f.name


def test_every_move_has_enough_training_examples(train: TrainingData) -> None:
    counts = Counter(m.get("intent") for m in train.intent_examples)
    short = {m: counts.get(m, 0) for m in MOVES if counts.get(m, 0) < MIN_TRAIN}
    assert not short, f"intents under {MIN_TRAIN} training examples: {short}"


def test_every_move_has_enough_heldout_examples(heldout: TrainingData) -> None:
    counts = Counter(m.get("intent") for m in heldout.intent_examples)
    short = {m: counts.get(m, 0) for m in MOVES if counts.get(m, 0) < MIN_HELDOUT}
    assert not short, f"intents under {MIN_HELDOUT} held-out examples: {short}"


@pytest.mark.parametrize("which", ["train", "heldout"])
def test_only_contract_intents(which: str, request: pytest.FixtureRequest) -> None:
    data: TrainingData = request.getfixturevalue(which)
    intents = {m.get("intent") for m in data.intent_examples}
    assert intents <= set(MOVES), f"unknown intents: {sorted(intents - set(MOVES))}"
    # Control intents arrive as /intent{...} from scripts; training on them would let free
    # text start or end a rehearsal.
    assert not intents & set(CONTROL_INTENTS)


@pytest.mark.parametrize("which", ["train", "heldout"])
def test_only_plan_entities(which: str, request: pytest.FixtureRequest) -> None:
    data: TrainingData = request.getfixturevalue(which)
    bad = [
        (m.get("text"), e["entity"])
        for m in data.intent_examples
        for e in m.get("entities") or []
        if e["entity"] not in PLAN_ENTITIES
    ]
    assert not bad, f"entities outside bot.moves.PLAN_ENTITIES: {bad[:10]}"


@pytest.mark.parametrize("which", ["train", "heldout"])
def test_entity_spans_match_their_text(which: str, request: pytest.FixtureRequest) -> None:
    data: TrainingData = request.getfixturevalue(which)
    for m in data.intent_examples:
        text = m.get("text")
        for e in m.get("entities") or []:
            span = text[e["start"] : e["end"]]
            assert span == e["value"], (text, e)
            assert span == span.strip() and span, (text, e)


# How the training data marks a task (`activity`), checked so that DIET learns one convention:
# the task starts at its own verb or at its determiner ("[the walk]", "[call your sister]"),
# never at the hedge or the asking around it ("just", "maybe", "try to", "could you"; "try"
# before another verb: "try [going to bed earlier]"), and ends before when/how it fits
# ("this week", "instead"). The obstacle of a problem-solving turn ("If five minutes is too
# long, ...") carries no plan detail (bot.language.tidy.condition_spans).
_ACTIVITY_BAD_START = re.compile(
    r"^(?:just|maybe|perhaps|to|you|could|would|try\s+to|try\s+\w+ing)\b", re.I)
_ACTIVITY_BAD_END = re.compile(r"(?:\b(?:instead|this week|next week)|[.?!,])$", re.I)
_DETERMINER_BEFORE = re.compile(r"\b(?:the|a|an)\s+$", re.I)


def test_activity_annotations_follow_one_convention(train: TrainingData) -> None:
    bad = []
    for m in train.intent_examples:
        text = m.get("text")
        for e in m.get("entities") or []:
            if e["entity"] != "activity":
                continue
            span = text[e["start"]:e["end"]]
            if (_ACTIVITY_BAD_START.match(span) or _ACTIVITY_BAD_END.search(span)
                    or _DETERMINER_BEFORE.search(text[:e["start"]])):
                bad.append((text, span))
    assert not bad, bad[:10]


def test_no_plan_detail_annotated_in_the_obstacle_or_a_goal(train: TrainingData) -> None:
    from bot.language.tidy import condition_spans, goal_spans

    bad = [
        (m.get("text"), e["value"])
        for m in train.intent_examples
        for e in m.get("entities") or []
        for start, end in condition_spans(m.get("text")) + [
            span for span in goal_spans(m.get("text")) if e["entity"] != "activity"]
        if start <= e["start"] and e["end"] <= end
    ]
    assert not bad, bad[:10]


def test_training_entities_cover_every_plan_entity(train: TrainingData) -> None:
    counts = Counter(e["entity"] for m in train.intent_examples for e in m.get("entities") or [])
    assert all(counts[e] >= 10 for e in PLAN_ENTITIES), counts


def test_no_training_example_under_two_intents(train: TrainingData) -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for m in train.intent_examples:
        seen[normalise(m.get("text"))].add(m.get("intent"))
    clashes = {t: sorted(i) for t, i in seen.items() if len(i) > 1}
    assert not clashes, f"examples under several intents: {clashes}"


def test_no_duplicate_training_examples(train: TrainingData) -> None:
    counts = Counter(normalise(m.get("text")) for m in train.intent_examples)
    dups = [t for t, n in counts.items() if n > 1]
    assert not dups, f"repeated training examples: {dups}"


def test_heldout_does_not_duplicate_training(train: TrainingData, heldout: TrainingData) -> None:
    trained = {normalise(m.get("text")) for m in train.intent_examples}
    leaked = [m.get("text") for m in heldout.intent_examples if normalise(m.get("text")) in trained]
    assert not leaked, f"held-out examples also in training data: {leaked}"


def test_heldout_has_no_near_duplicates_of_training(
    train: TrainingData, heldout: TrainingData, client_names: set[str]
) -> None:
    trained = [content_words(m.get("text"), client_names) for m in train.intent_examples]
    near = []
    for m in heldout.intent_examples:
        words = content_words(m.get("text"), client_names)
        if len(words) < 3:
            continue  # "hi", "bye": too short for overlap to mean copying
        for t in trained:
            if len(t) >= 3 and len(words & t) / len(words | t) >= NEAR_DUPLICATE_JACCARD:
                near.append(m.get("text"))
                break
    assert not near, f"held-out examples nearly copying a training example: {near}"


def test_spoken_heldout_has_no_near_duplicates_of_training(
    train: TrainingData, client_names: set[str]
) -> None:
    """tests/nlu_spoken_heldout.yml, whole turns and each part, is kept apart too."""
    from bot.language.parts import split_parts

    doc = yaml.safe_load(SPOKEN_HELDOUT.read_text(encoding="utf-8"))
    trained = [content_words(m.get("text"), client_names) for m in train.intent_examples]
    near = []
    for utt in doc["utterances"]:
        # A short part ("what do you make of that") is a common phrase, not a copy.
        pieces = [utt["text"], *[p for p in split_parts(utt["text"]) if len(p.split()) >= 8]]
        for piece in pieces:
            words = content_words(piece, client_names)
            if len(words) >= 3 and any(
                len(t) >= 3 and len(words & t) / len(words | t) >= NEAR_DUPLICATE_JACCARD
                for t in trained
            ):
                near.append(piece)
    assert not near, f"spoken held-out text nearly copying a training example: {near}"


def test_near_duplicate_check_can_fire(client_names: set[str]) -> None:
    a = content_words("Maya, how did the walks go this week?", client_names)
    b = content_words("Bridget, how did the walks go this week?", client_names | {"bridget"})
    assert len(a & b) / len(a | b) >= NEAR_DUPLICATE_JACCARD


def test_heldout_has_out_of_scope_examples(heldout: TrainingData) -> None:
    off = [m for m in heldout.intent_examples if m.get("intent") == "off_topic"]
    assert len(off) >= 30


def test_cue_set_is_well_formed() -> None:
    doc = yaml.safe_load(CUES_HELDOUT.read_text(encoding="utf-8"))
    items = doc["cues"]
    assert len(items) >= 60
    for item in items:
        assert isinstance(item["text"], str) and item["text"].strip()
        expect = item["expect"]
        assert set(expect) <= set(CUES), item
        if "question" in expect:
            assert expect["question"] in QUESTION_KINDS, item
        for cue in set(expect) - {"question"}:
            assert isinstance(expect[cue], bool), item
    # Every cue is exercised both ways, or its accuracy says nothing.
    for cue in CUES:
        values = {item["expect"][cue] for item in items if cue in item["expect"]}
        wanted = set(QUESTION_KINDS) if cue == "question" else {True, False}
        assert values == wanted, (cue, values)
