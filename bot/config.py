"""Where things are: the project's paths and the database URL, in one place.

Every module that needs a folder, a file of the project or the database URL
takes it from here. Tuning (the client's reaction sizes and thresholds) is not
a setting of the installation and lives with the engine in bot/client/tuning.py.
Ports and hosts are chosen by the scripts that start the servers
(scripts/run.sh: RASA_PORT, ACTION_PORT); no Python module needs them.
"""

from __future__ import annotations

import os
from pathlib import Path

# The repository's root: bot/ sits directly below it.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The shipped clients (one YAML file each); instructors add files here.
PERSONA_DIR = PROJECT_ROOT / "data" / "personas"

# Runtime data (databases, logs): never committed.
VAR_DIR = PROJECT_ROOT / "var"

# The trained Rasa model that `make run` serves and the integration tests start.
MODEL_PATH = PROJECT_ROOT / "models" / "hw.tar.gz"

# The Alembic migrations of the transcript database.
MIGRATIONS_DIR = PROJECT_ROOT / "bot" / "migrations"

# The trainee and instructor pages (static files served under /app).
WEB_DIR = PROJECT_ROOT / "bot" / "web"

# The transcript database: this environment variable, else SQLite in var/.
DB_URL_ENV = "REHEARSAL_DB_URL"
DEFAULT_DB_URL = f"sqlite:///{VAR_DIR / 'rehearsals.db'}"


def database_url() -> str:
    """`REHEARSAL_DB_URL` if set (read at call time, so tests can change it), else
    var/rehearsals.db under the project root."""
    return os.environ.get(DB_URL_ENV) or DEFAULT_DB_URL
