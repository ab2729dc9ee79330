"""Rule-based linguistic cues of a trainee message (docs/moves.md, "Linguistic cues").

The cues describe *how* something was said, independently of the intent model:
`question` (open | closed | none), `directive`, `homework_term`, `collaborative`, `tentative`.
They are computed from the tokens of spaCy's blank English tokenizer only (no tagger or
parser is available: nothing can be downloaded), so every rule is lexical and positional.
Everything is matched on lower-cased, typo-normalised token texts, so casing never matters
(Rasa's SpacyNLP lower-cases the text it hands to the pipeline).

Question rules, per sentence (split on . ? ! ; and newlines), then over the message:
any open sentence -> "open", else any closed -> "closed", else "none".
- open invitations count as open even without "?": tell me (not "tell me if/whether"),
  describe, walk/talk/take me through, say more, help me understand, I'm curious,
  I wonder what/how/why..., I'd like to hear.
- a clause that starts with a wh-word (after fillers such as "so", "ok", "and") is open when
  the sentence ends in "?" or the wh-word is followed by something other than a subject
  ("what you did was brave" is a statement; "what got in the way" is a question).
  "how about / what about / what if" are treated as open (they invite a view).
  Exclamatives without "?" ("how hard that must have been") are not questions.
- a clause starting with an auxiliary followed by a subject ("did you", "would it") is
  closed; so is any other sentence ending in "?" ("So you walked twice?"). A wh-word later
  in the sentence does not make it open ("Do you know what time it is?").
- spoken reflections are not questions, as in MI coding: a reflective statement ("it sounds
  like", "you feel", "part of you", "I'm hearing" ...) said with a tag ("..., right?",
  "yeah?", "is that right?") or a rising "?" has question "none". A tag on a plain
  statement checks a fact ("Mornings are better, right?": closed), and so does a tag on a
  commitment ("You'll do it this time, yeah?").
"""


from collections.abc import Iterable, Sequence
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

# Typed-speech spellings mapped onto the forms the rules use.
_NORMALISE: dict[str, str] = {
    "wat": "what",
    "wot": "what",
    "wht": "what",
    "whta": "what",
    "hw": "how",
    "u": "you",
    "ya": "you",
    "yu": "you",
    "r": "are",
    "ur": "your",
    "n't": "not",
    "nt": "not",
    "'m": "am",
    "m": "am",
    "'re": "are",
    "re": "are",
    "'ve": "have",
    "ve": "have",
    "'d": "would",
    "'ll": "will",
    "ll": "will",
    "wo": "will",
    "ca": "can",
    "lets": "let's",
    "pls": "please",
    "plz": "please",
    "maybee": "maybe",
    "mabye": "maybe",
    "mayb": "maybe",
    "perhpas": "perhaps",
    "togther": "together",
    "howework": "homework",
    "homwork": "homework",
}

WH_WORDS = frozenset({"what", "how", "why", "when", "where", "who", "which", "whose", "whom"})
AUX = frozenset(
    {
        "do", "does", "did", "are", "is", "was", "were", "am", "have", "has", "had", "can",
        "could", "would", "will", "shall", "should", "may", "might", "must",
    }
)  # fmt: skip
SUBJECTS = frozenset(
    {
        "i", "you", "we", "they", "he", "she", "it", "that", "this", "there", "those", "these",
        "anything", "anyone", "anybody", "something", "someone", "things", "everything",
        "people", "your", "my", "our", "the", "a", "an", "any", "some", "mornings", "evenings",
    }
)  # fmt: skip
# Discourse fillers skipped at the start of a clause before looking for a question word.
FILLERS = frozenset(
    {
        "so", "ok", "okay", "and", "but", "well", "right", "now", "then", "um", "uh", "erm",
        "er", "hmm", "mm", "alright", "yeah", "yes", "also", "oh", "just", "anyway", "hi",
        "hey", "great", "good", "sure", "thanks", "cool", "fine", "please", "again",
    }
)  # fmt: skip
_SENT_END = frozenset({".", "?", "!", ";", "...", "…", "\n"})
_CLAUSE_BREAK = frozenset({",", ":", "-", "--", "—", "–", "(", ")"})

# Verbs that open an imperative sentence in this domain ("Write it down every day.").
IMPERATIVE_VERBS = frozenset(
    {
        "write", "do", "try", "go", "take", "make", "keep", "fill", "record", "walk", "call",
        "phone", "ring", "text", "read", "practise", "practice", "use", "start", "stop", "put",
        "set", "spend", "note", "complete", "finish", "bring", "get", "remember", "pick",
        "plan", "schedule", "log", "track", "list", "jot", "book", "sit", "breathe", "eat",
        "drink", "sleep", "wake", "exercise", "run", "join", "send", "email", "give", "ask",
        "rate", "score", "tick", "aim", "stick", "commit", "avoid", "cut", "push", "force",
        "sign", "meditate", "journal", "monitor", "repeat", "challenge", "stay",
    }
)  # fmt: skip
# Verb + next word pairs that are not instructions about the task.
_NOT_DIRECTIVE_PAIRS = frozenset(
    {
        ("take", "care"), ("take", "your"), ("go", "on"), ("go", "ahead"), ("keep", "going"),
        ("keep", "it"), ("get", "home"), ("sit", "with"), ("try", "and"), ("ask", "me"),
        ("give", "me"), ("stay", "safe"), ("get", "well"),
    }
)  # fmt: skip
_DONT_SOFT = frozenset({"worry", "panic", "feel", "stress", "beat", "be", "hesitate", "rush"})
# "you need to" is a reported or hypothetical need after these words, not an instruction.
_NOT_DIRECTIVE_BEFORE_YOU = frozenset(
    {
        "if", "when", "whenever", "unless", "whether", "because", "since", "said", "say",
        "says", "mentioned", "feel", "felt", "think", "thought", "like", "know", "knew",
        "believe", "worry", "worried", "sometimes", "told", "as", "though", "seems",
    }
)  # fmt: skip
# Words between "you" and need/have/must that keep the sentence an order.
_MODAL_SKIP = frozenset(
    {"really", "just", "absolutely", "definitely", "simply", "seriously", "honestly", "still",
     "also", "will", "'ll", "are", "'re", "totally", "literally", "actually", "do"}
)  # fmt: skip
# A verb-like first word followed by these is a noun subject ("Exercise is really good"),
# not an imperative.
_SUBJECT_FOLLOWERS = frozenset(
    {"is", "'s", "are", "'re", "was", "were", "sounds", "seems", "seem", "looks", "look",
     "will", "would", "could", "might", "can", "helps", "help", "has", "had", "makes",
     "tends", "works", "matters", "does"}
)  # fmt: skip
_DIRECTIVE_NEEDS = frozenset({"need", "needs", "have", "has", "must", "should", "ought", "gotta"})

COLLAB_WORDS = frozenset({"we", "us", "our", "ours", "ourselves", "together", "let's"})
TENTATIVE_WORDS = frozenset(
    {"maybe", "perhaps", "might", "possibly", "potentially", "wonder", "wondering",
     "wondered", "mebbe", "perchance"}
)  # fmt: skip
_COULD_SOFT = frozenset(
    {"try", "be", "maybe", "perhaps", "consider", "start", "experiment", "give", "look",
     "think", "explore", "test", "do", "have", "aim", "pick", "go", "begin", "possibly"}
)  # fmt: skip


def normalise_tokens(words: Iterable[str]) -> list[str]:
    """Lower-case and map typed-speech spellings ("wat", "u", "lets") to the rule forms."""
    out: list[str] = []
    for w in words:
        low = w.lower().replace("’", "'")
        out.append(_NORMALISE.get(low, low))
    return out


def _sentences(words: Sequence[str]) -> list[tuple[list[str], bool]]:
    """Split tokens into (tokens, ends_with_question_mark) sentences."""
    sents: list[tuple[list[str], bool]] = []
    cur: list[str] = []
    for w in words:
        if w in _SENT_END or "?" in w or (w and set(w) <= {".", "?", "!"}):
            if "?" in w:
                # "Walk?ok" stays one token in the tokenizer; keep the parts around the mark.
                head, _, tail = w.partition("?")
                if head and head.strip("?"):
                    cur.append(head)
                sents.append((cur, True))
                cur = [tail] if tail.strip("?.!") else []
                continue
            if cur:
                sents.append((cur, False))
            cur = []
        elif w.strip():
            cur.append(w)
    if cur:
        sents.append((cur, False))
    return [s for s in sents if s[0]]


def _clauses(sent: Sequence[str]) -> list[list[str]]:
    clauses: list[list[str]] = [[]]
    for w in sent:
        if w in _CLAUSE_BREAK:
            if clauses[-1]:
                clauses.append([])
        else:
            clauses[-1].append(w)
    return [c for c in clauses if c]


def _strip_fillers(clause: Sequence[str]) -> list[str]:
    i = 0
    while i < len(clause) and clause[i] in FILLERS:
        i += 1
    return list(clause[i:])


def _contains(words: Sequence[str], phrase: Sequence[str]) -> int:
    """Index of the first occurrence of `phrase` in `words`, or -1."""
    n = len(phrase)
    for i in range(len(words) - n + 1):
        if list(words[i : i + n]) == list(phrase):
            return i
    return -1


_OPEN_INVITATIONS: tuple[tuple[str, ...], ...] = (
    ("walk", "me", "through"),
    ("run", "me", "through"),
    ("talk", "me", "through"),
    ("take", "me", "through"),
    ("walk", "us", "through"),
    ("say", "more"),
    ("say", "a", "bit", "more"),
    ("say", "a", "little", "more"),
    ("help", "me", "understand"),
    ("curious", "about"),
    ("curious", "what"),
    ("curious", "how"),
    ("curious", "to", "hear"),
    ("curious", "to", "know"),
    ("like", "to", "hear"),
    ("love", "to", "hear"),
    ("keen", "to", "hear"),
    ("interested", "to", "hear"),
    ("interested", "in", "hearing"),
    ("share", "more"),
    ("expand", "on"),
    ("elaborate", "on"),
)


def _is_open_invitation(sent: Sequence[str]) -> bool:
    for phrase in _OPEN_INVITATIONS:
        if _contains(sent, phrase) >= 0:
            return True
    for i, w in enumerate(sent):
        nxt = sent[i + 1] if i + 1 < len(sent) else ""
        after = sent[i + 2] if i + 2 < len(sent) else ""
        if w == "tell" and nxt in {"me", "us"} and after not in {"if", "whether"}:
            # "let me tell you" never matches (tell + you); "don't tell me" is not an invitation.
            if i == 0 or sent[i - 1] != "not":
                return True
        if w == "describe" and (i == 0 or sent[i - 1] in {"you", "please", "to", "just", "so"}):
            return True
        if w in {"wonder", "wondering"} and nxt in WH_WORDS:
            return True
    return False


def _wh_question_clause(clause: Sequence[str], has_qmark: bool) -> bool:
    c = _strip_fillers(clause)
    if not c:
        return False
    # "Sam what did you notice?": one unknown word (a name) before the wh-word.
    if c[0] not in WH_WORDS and len(c) > 1 and c[1] in WH_WORDS and has_qmark:
        if c[0] not in AUX and c[0] not in SUBJECTS:
            c = c[1:]
    if c[0] not in WH_WORDS:
        return False
    nxt = c[1] if len(c) > 1 else ""
    if has_qmark:
        return True
    if nxt in {"about", "if", "else"} or nxt in AUX or nxt in {"'s", "'d", "not"}:
        return True
    if nxt in SUBJECTS or nxt in {"a", "an", "i", "am"}:
        return False  # free relative: "what you did was brave", "what a week"
    if c[0] == "how" and len(c) > 2 and c[2] in SUBJECTS:
        return False  # exclamative: "how hard that must have been"
    return bool(nxt)


def _closed_question_clause(clause: Sequence[str]) -> bool:
    c = _strip_fillers(clause)
    if len(c) < 2 or _is_tag(c):
        return False
    first, nxt = c[0], c[1]
    if first in AUX:
        if nxt in SUBJECTS or nxt == "not" and len(c) > 2 and c[2] in SUBJECTS:
            return True
    return False


def question_kind(words: Sequence[str]) -> str:
    """Question type of a normalised token list: "open", "closed" or "none"."""
    kinds: list[str] = []
    for sent, qmark in _sentences(words):
        kinds.append(_sentence_question(sent, qmark))
    if "open" in kinds:
        return "open"
    if "closed" in kinds:
        return "closed"
    return "none"


# Clauses that only tag a statement ("..., right?"): said to check, not to ask. A tag on
# what the client did ("You did it, didn't you?") asks about a fact: still closed.
_TAGS: frozenset[tuple[str, ...]] = frozenset(
    {("right",), ("yeah",), ("yes",), ("no",), ("ok",), ("okay",), ("eh",), ("is", "that", "right"),
     ("is", "that", "fair"), ("would", "that", "be", "fair"), ("am", "i", "right"),
     ("have", "i", "got", "that", "right"), ("did", "i", "get", "that", "right"),
     ("is", "not", "it"), ("does", "not", "it"), ("was", "not", "it"), ("did", "not", "it"),
     ("is", "not", "that", "right"), ("is", "it"), ("does", "it"), ("yeah", "right")}
)  # fmt: skip
# Openings of a reflective statement (MI: reflections may be said with a rising tone).
_REFLECTIVE_STEMS: tuple[tuple[str, ...], ...] = (
    ("it", "sounds"), ("sounds", "like"), ("sounds", "as"), ("it", "seems"), ("seems", "like"),
    ("it", "feels", "like"), ("feels", "like"), ("i", "am", "hearing"),
    ("you", "feel"), ("you", "felt"), ("you", "are", "feeling"), ("you", "sound"),
    ("part", "of", "you"), ("it", "'s", "like"), ("it", "is", "like"), ("it", "'s", "not", "that"),
    ("it", "is", "not", "that"), ("you", "are", "worried"), ("you", "have", "been"),
    ("what", "i", "am", "hearing"), ("what", "i", "am", "getting"),
)  # fmt: skip
# A tag after these still asks for a commitment: "You'll do it this time, yeah?".
_COMMITMENT = frozenset({"will", "going", "gon"})


def _is_tag(clause: Sequence[str]) -> bool:
    return tuple(w for w in clause if w not in {"just", "then"}) in _TAGS


def _reflective(clause: Sequence[str]) -> bool:
    c = _strip_fillers(clause)
    return any(tuple(c[: len(stem)]) == stem for stem in _REFLECTIVE_STEMS)


def _spoken_reflection(sent: Sequence[str], qmark: bool) -> bool:
    """A statement with a tag, or a reflective statement with "?": not a question."""
    clauses = _clauses(sent)
    if not clauses:
        return False
    tagged = len(clauses) > 1 and _is_tag(clauses[-1])
    body = clauses[:-1] if tagged else clauses
    # Only a reflective statement: "Mornings are better, right?" checks a fact (closed).
    if not (_reflective(body[0]) and (tagged or qmark)):
        return False
    if any(_closed_question_clause(c) or _wh_question_clause(c, False) for c in body):
        return False
    if any(w in _COMMITMENT for c in body for w in c[:4]):
        return False
    return True


def _run_on_wh_question(sent: Sequence[str]) -> bool:
    """Spoken run-on without punctuation: "... and that put you off so what would help"."""
    for i in range(1, len(sent) - 2):
        if sent[i] in {"so", "and", "but"} and sent[i + 1] in WH_WORDS and sent[i + 2] in AUX:
            return True
    return False


def _sentence_question(sent: Sequence[str], qmark: bool) -> str:
    if _is_open_invitation(sent):
        return "open"
    if _spoken_reflection(sent, qmark):
        return "none"
    clauses = _clauses(sent)
    for idx, clause in enumerate(clauses):
        last = idx == len(clauses) - 1
        if _wh_question_clause(clause, qmark and last):
            return "open"
    if _run_on_wh_question(sent):
        return "open"
    if qmark:
        return "closed"
    if any(_closed_question_clause(c) for c in clauses):
        return "closed"
    return "none"


def _modal_directive(words: Sequence[str]) -> bool:
    for i, w in enumerate(words):
        if w not in {"you", "ya"}:
            continue
        prev = words[i - 1] if i > 0 else ""
        if prev in AUX or prev in _NOT_DIRECTIVE_BEFORE_YOU:
            continue  # "do you need to", "if you have to", "you said you have to"
        rest = list(words[i + 1 : i + 8])
        # Intensifiers and future forms do not soften an order: "you really need to",
        # "you just have to", "you'll need to", "you're going to need to".
        while rest and rest[0] in _MODAL_SKIP:
            rest = rest[1:]
        if rest[:2] in (["going", "to"], ["gon", "na"]) and rest[2:3] == ["need"]:
            rest = rest[2:]
        if rest[:2] == ["got", "ta"] or rest[:2] == ["got", "to"]:
            return True  # "you gotta" (spaCy splits it), "you got to"
        if not rest:
            continue
        if rest[0] in {"have", "'ve", "has"} and rest[1:3] in (["got", "to"], ["gotta"]):
            return True
        if rest[0] == "'ve" and rest[1:2] == ["got"]:
            return True
        if rest[0] in {"need", "have", "must", "gotta"}:
            if rest[0] in {"need", "have"} and rest[1:2] != ["to"]:
                continue
            return True
        if rest[0] in {"should", "must", "ought"}:
            return True
        if rest[0] == "would" and rest[1:2] == ["better"]:
            return True
        if rest[0] == "had" and rest[1:2] == ["better"]:
            return True
        # Negated need ("you don't need to", "you do not have to") is permission, not an order;
        # "you mustn't" / "you shouldn't" are still orders.
        if rest[0] in {"must", "should"} and rest[1:2] == ["not"]:
            return True
    return False


_DIRECTIVE_PHRASES: tuple[tuple[str, ...], ...] = (
    ("make", "sure", "you"),
    ("make", "sure", "to"),
    ("make", "sure", "that", "you"),
    ("be", "sure", "to"),
    ("not", "forget", "to"),
    ("it", "is", "important", "that", "you"),
    ("'s", "important", "that", "you"),
    ("it", "'s", "essential", "that", "you"),
    ("i", "expect", "you", "to"),
    ("i", "am", "going", "to", "ask", "you", "to"),
)


def is_directive(words: Sequence[str]) -> bool:
    """True when the message tells the client what they must do."""
    if _modal_directive(words):
        return True
    for phrase in _DIRECTIVE_PHRASES:
        if _contains(words, phrase) >= 0:
            return True
    for i, w in enumerate(words):
        if w in {"want", "need"} and words[i + 1 : i + 3] == ["you", "to"]:
            prev = words[max(0, i - 2) : i]
            if "not" in prev or (prev and prev[-1] in {"do", "you"}):
                continue  # "I don't want you to feel rushed", "do you want to ..."
            if prev and prev[-1] not in {"i", "would", "really", "just", "'d"}:
                continue
            return True
        if w in {"like", "love"} and words[i + 1 : i + 3] == ["you", "to"]:
            if i > 0 and words[i - 1] in {"would", "'d"} and "not" not in words[max(0, i - 3) : i]:
                # "I'd like you to fill in a diary." (but "would you like to" never matches)
                if i > 1 and words[i - 2] == "i":
                    return True
    for sent, qmark in _sentences(words):
        if qmark:
            continue
        for clause in _clauses(sent):
            if _imperative_clause(clause):
                return True
    return False


def _imperative_clause(clause: Sequence[str]) -> bool:
    c = list(clause)
    while c and c[0] in FILLERS | {"always", "definitely", "really", "simply"}:
        c = c[1:]
    if not c:
        return False
    first = c[0]
    nxt = c[1] if len(c) > 1 else ""
    if first == "do" and nxt == "not" and len(c) > 2:
        return c[2] not in _DONT_SOFT and c[2] not in {"you", "we", "i"}
    if first == "never" and nxt in IMPERATIVE_VERBS:
        return True
    if first not in IMPERATIVE_VERBS:
        return False
    if (first, nxt) in _NOT_DIRECTIVE_PAIRS:
        return False
    if nxt in {"you", "we", "i", "they", "he", "she", "me", "us"} and first in AUX | {"do"}:
        return False
    if first == "remember" and nxt not in {"to"}:
        return False
    # Many of these verbs are also nouns: "Exercise is really good", "Plan sounds fine",
    # "Walks are great". An imperative is followed by an object, a particle or a time word,
    # not by a verb.
    if nxt in _SUBJECT_FOLLOWERS:
        return False
    return True


def has_homework_term(words: Sequence[str]) -> bool:
    """True for homework / home work / home-work / assignment(s), not "home" alone."""
    for i, w in enumerate(words):
        if w.startswith("homework") or w in {"assignment", "assignments", "hw"}:
            return True
        if w == "home":
            j = i + 1
            if j < len(words) and words[j] in {"-", "–"}:
                j += 1
            if j < len(words) and words[j] in {"work", "works"}:
                prev = words[i - 1] if i > 0 else ""
                if prev not in {"at", "from", "between", "go", "get", "got", "going", "and"}:
                    return True
    return False


_COLLAB_PHRASES: tuple[tuple[str, ...], ...] = (
    ("what", "do", "you", "think"),
    ("what", "would", "you", "think"),
    ("how", "does", "that", "sound"),
    ("how", "does", "this", "sound"),
    ("how", "would", "that", "sound"),
    ("does", "that", "sound"),
    ("does", "this", "sound"),
    ("what", "do", "you", "reckon"),
    ("your", "thoughts"),
    ("what", "are", "your", "thoughts"),
    ("how", "do", "you", "feel", "about"),
    ("let", "us"),
    ("work", "it", "out"),
    ("figure", "it", "out"),
    ("does", "that", "work", "for", "you"),
    ("how", "would", "you", "feel", "about"),
)


def is_collaborative(words: Sequence[str]) -> bool:
    if any(w in COLLAB_WORDS for w in words):
        return True
    for i, w in enumerate(words):
        if w == "let" and i + 1 < len(words) and words[i + 1] == "'s":
            return True
    return any(_contains(words, p) >= 0 for p in _COLLAB_PHRASES)


_TENTATIVE_PHRASES: tuple[tuple[str, ...], ...] = (
    ("one", "idea"),
    ("an", "idea"),
    ("just", "an", "idea"),
    ("one", "option"),
    ("one", "possibility"),
    ("a", "possibility"),
    ("one", "suggestion"),
    ("a", "suggestion"),
    ("one", "thought"),
    ("if", "it", "feels", "right"),
    ("if", "that", "feels", "right"),
    ("if", "it", "feels", "ok"),
    ("if", "that", "feels", "ok"),
    ("if", "you", "feel", "like"),
    ("if", "you", "like"),
    ("if", "you", "want"),
    ("if", "you", "wanted"),
    ("if", "you", "are", "up", "for"),
    ("if", "you", "fancy"),
    ("what", "if"),
    ("not", "sure"),
    ("i", "guess"),
    ("i", "suppose"),
    ("may", "be"),
    ("open", "to"),
    ("how", "would", "you", "feel", "about"),
    ("see", "how", "it", "goes"),
    ("no", "pressure"),
    ("could", "be", "worth"),
    ("might", "be", "worth"),
    ("worth", "a", "try"),
    ("just", "a", "thought"),
    ("how", "about"),
    ("what", "about"),
)


def is_tentative(words: Sequence[str]) -> bool:
    if any(w in TENTATIVE_WORDS for w in words):
        return True
    if any(_contains(words, p) >= 0 for p in _TENTATIVE_PHRASES):
        return True
    for i, w in enumerate(words):
        prev = words[i - 1] if i > 0 else ""
        nxt = words[i + 1] if i + 1 < len(words) else ""
        # "you could try", "we could", "could be": a suggestion; "could you tell me" is a request.
        if w == "could" and (nxt in _COULD_SOFT or prev in {"you", "we", "i", "it", "that"}):
            return True
        if w == "may" and prev in {"you", "we", "it", "this", "that", "they"}:
            return True
    return False


def cues_from_words(words: Iterable[str]) -> dict[str, object]:
    """The five cues of a message given its token texts (any casing)."""
    norm = normalise_tokens(words)
    return {
        "question": question_kind(norm),
        "directive": is_directive(norm),
        "homework_term": has_homework_term(norm),
        "collaborative": is_collaborative(norm),
        "tentative": is_tentative(norm),
    }


def cues_from_doc(doc: Doc) -> dict[str, object]:
    """The five cues of a spaCy Doc (tokens only; no tagger or parser needed)."""
    # Newlines inside the text separate typed sentences; whitespace tokens carry them.
    words = ["\n" if t.is_space and "\n" in t.text else t.text for t in doc]
    return cues_from_words(words)


@lru_cache(maxsize=1)
def _tokenizer() -> Language:
    import spacy

    return spacy.blank("en")


def detect_cues(text: str) -> dict[str, object]:
    """Cues of a raw message, tokenised with a cached blank English pipeline."""
    return cues_from_doc(_tokenizer().make_doc(text or ""))


def register_extension() -> None:
    """Register `Doc._.cues`; safe to call more than once."""
    if not Doc.has_extension("cues"):
        Doc.set_extension("cues", default=None)


register_extension()


class CueDetector:
    """spaCy pipeline component: sets `doc._.cues`."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        doc._.cues = cues_from_doc(doc)
        return doc


if not Language.has_factory("cue_detector"):

    @Language.factory("cue_detector")
    def make_cue_detector(nlp: Language, name: str) -> CueDetector:
        return CueDetector(nlp, name)
