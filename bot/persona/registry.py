"""Loading personas: one file (`load_persona`) or a live directory (`PersonaRegistry`).

A file is read once, validated, and built only when it has no problem, so a broken or
hostile file never reaches the engine. The registry re-reads files that changed and keeps
the last good version of a persona whose file is broken: an instructor's typo must not
end a rehearsal that is running.
"""

from __future__ import annotations

import logging
from pathlib import Path

import yaml

from bot.persona.model import Persona, build_persona
from bot.persona.problems import Problem
from bot.persona.validate import check_file

log = logging.getLogger(__name__)


class PersonaError(Exception):
    """A persona file could not be loaded; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def load_persona(path: str | Path) -> Persona:
    """Validate and load one persona file; raise PersonaError listing every problem."""
    checked = check_file(path)
    if checked.problems or checked.text is None:
        raise PersonaError(checked.problems)
    try:
        return build_persona(yaml.safe_load(checked.text), str(path))
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        # The validator should have caught this; never let it crash a server.
        raise PersonaError([Problem(str(path), 1, f"cannot build persona: {exc}")]) from exc


class PersonaRegistry:
    """Every persona in a directory, reloaded on change, keeping the last good version."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self._personas: dict[str, Persona] = {}
        self._mtimes: dict[Path, tuple[int, int]] = {}
        self._ids_by_path: dict[Path, str] = {}
        self._problems_by_path: dict[Path, list[Problem]] = {}
        self.reload()

    @property
    def problems(self) -> list[Problem]:
        return [p for path in sorted(self._problems_by_path) for p in self._problems_by_path[path]]

    def _files(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.glob("*.yml") if not p.name.startswith("_"))

    def reload(self) -> list[Problem]:
        """Re-read new or changed files; return the problems of this pass."""
        found = self._files()
        found_set = set(found)
        problems: list[Problem] = []
        for path in list(self._mtimes):
            if path not in found_set:  # a deleted file takes its persona with it
                self._mtimes.pop(path, None)
                self._problems_by_path.pop(path, None)
                pid = self._ids_by_path.pop(path, None)
                if pid is not None:
                    self._personas.pop(pid, None)
        for path in found:
            try:
                st = path.stat()
            except OSError:
                continue
            # Size too: two saves within the clock's resolution must still count as a change.
            mtime = (st.st_mtime_ns, st.st_size)
            if self._mtimes.get(path) == mtime:
                continue
            self._mtimes[path] = mtime
            try:
                persona = load_persona(path)
            except PersonaError as exc:
                # Keep whatever version loaded last: a typo must not end a live rehearsal.
                self._problems_by_path[path] = exc.problems
                problems.extend(exc.problems)
                log.warning("persona file %s rejected:\n%s", path, exc)
                continue
            self._problems_by_path.pop(path, None)
            self._personas[persona.id] = persona
            self._ids_by_path[path] = persona.id
        return problems

    def get(self, persona_id: str) -> Persona | None:
        return self._personas.get(persona_id)

    def ids(self) -> list[str]:
        return sorted(self._personas)

    def __contains__(self, persona_id: object) -> bool:
        return persona_id in self._personas
