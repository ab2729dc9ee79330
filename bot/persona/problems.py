"""A problem found in a persona file (`file:line: message`) and the wording of messages.

Instructors are clinicians, not programmers: each message says what is wrong, where,
and how to fix it, with a "did you mean" for near misses.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Problem:
    file: str
    line: int
    message: str
    # "warning" marks things that do not break a rehearsal (e.g. unused lines);
    # they are reported like errors, so authors see them, but loaders may accept them.
    severity: str = field(default="error", compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


Path_ = tuple[str | int, ...]
BAD = object()  # a value that failed its structural check; semantic checks skip it


def path_str(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "the top level"


def normal_name(word: str) -> str:
    return re.sub(r"[\s\-]+", "_", word.strip().lower())


def did_you_mean(word: str, known: Iterable[str]) -> str:
    known = list(known)
    match = [k for k in known if k.lower() == normal_name(word)][:1]
    if not match:
        match = difflib.get_close_matches(normal_name(word), known, n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""


def known_list(noun: str, known: tuple[str, ...]) -> str:
    label = f"known {noun}s" if noun else "use one of"
    return f" ({label}: {', '.join(known)})"


def slug(value: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", value.lower()).strip("_") or "name"


def clip(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."
