"""The persona and drill files as instructors see and edit them in the browser.

The file on disk stays the source of truth: an edit is checked with the same validator as
`python -m bot personas validate` / `drills validate` and written only when it has no
problems (atomically, so a half-written file is never read); a bad edit is refused with
the same `file:line` messages. The running server picks a saved file up on its next read
(the registries reload changed files).
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.drills import validate as drill_validate
from bot.persona import validate as persona_validate

NAME_RE = re.compile(r"^[a-z0-9_]{1,64}$")
KINDS: tuple[str, ...] = ("personas", "drills")
MAX_CHARS = 200_000


@dataclass(frozen=True)
class Library:
    persona_dir: Path
    drill_dir: Path

    def folder(self, kind: str) -> Path:
        return self.persona_dir if kind == "personas" else self.drill_dir

    def path(self, kind: str, name: str) -> Path | None:
        """The file of `name`, or None for an unknown kind or a name that is not an id
        (no paths, no dots: nothing outside the two folders can be named)."""
        if kind not in KINDS or not NAME_RE.match(name or ""):
            return None
        return self.folder(kind) / f"{name}.yml"

    def shown_name(self, kind: str, name: str) -> str:
        """How messages name the file: data/<kind>/<name>.yml, as on the command line."""
        return f"data/{kind}/{name}.yml"

    def check(self, kind: str, name: str, text: str) -> list[str]:
        shown = self.shown_name(kind, name)
        if len(text) > MAX_CHARS:
            return [f"{shown}:1: the text is too large ({len(text) // 1000} KB)"]
        if kind == "personas":
            problems = persona_validate.validate_text(text, shown)
        else:
            problems = drill_validate.validate_text(text, shown, persona_dir=self.persona_dir)
        return [str(p) for p in problems]

    def listing(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for kind in KINDS:
            rows = []
            for f in sorted(self.folder(kind).glob("*.yml")):
                if f.name.startswith("_") or not NAME_RE.match(f.stem):
                    continue
                problems = self.check(kind, f.stem, f.read_text(encoding="utf-8"))
                rows.append({"name": f.stem, "file": self.shown_name(kind, f.stem),
                             "ok": not problems, "problems": problems})
            out[kind] = rows
        return out

    def read(self, kind: str, name: str) -> str | None:
        path = self.path(kind, name)
        if path is None or not path.is_file():
            return None
        return path.read_text(encoding="utf-8")

    def save(self, kind: str, name: str, text: str) -> list[str]:
        """Write the file if the text has no problems; the problems otherwise (not written)."""
        path = self.path(kind, name)
        if path is None:
            return [f"data/{kind}/{name}.yml:1: a file name may only use lowercase letters, "
                    "digits and _"]
        problems = self.check(kind, name, text)
        if problems:
            return problems
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return []
