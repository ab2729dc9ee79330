"""Where things are: the project's paths and the database URL, in one place.

Every module that needs a folder, a file of the project, the database URL or a
setting read from the environment takes it from here (environment variables are
read when asked, so a test can change them). Tuning (the client's reaction sizes
and thresholds) is not a setting of the installation and lives with the engine in
bot/client/tuning.py. Ports and hosts are chosen by the scripts that start the
servers (scripts/run.sh: RASA_PORT, ACTION_PORT); no Python module needs them.
"""

from __future__ import annotations

import os
from pathlib import Path

# The repository's root: bot/ sits directly below it.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The shipped clients (one YAML file each); instructors add files here.
PERSONA_DIR = PROJECT_ROOT / "data" / "personas"

# The deliberate-practice drills (one YAML file each).
DRILL_DIR = PROJECT_ROOT / "data" / "drills"

# Runtime data (databases, logs): never committed.
VAR_DIR = PROJECT_ROOT / "var"

# The trained Rasa model that `make run` serves and the integration tests start.
MODEL_PATH = PROJECT_ROOT / "models" / "hw.tar.gz"

# The Alembic migrations of the transcript database.
MIGRATIONS_DIR = PROJECT_ROOT / "bot" / "migrations"

# The trainee and instructor pages (static files served under /app).
WEB_DIR = PROJECT_ROOT / "bot" / "web"

# The key that signs the pages' session cookies: generated on the first run and readable
# only by its owner; this environment variable, else a file in var/.
SECRET_FILE_ENV = "REHEARSAL_SECRET_FILE"
DEFAULT_SECRET_FILE = VAR_DIR / "session-secret"

# Origins other than the page's own that may call with the browser's cookie (space- or
# comma-separated); empty by default: same origin only. scripts/run.sh passes it to Rasa's
# --cors as well.
ALLOWED_ORIGINS_ENV = "ALLOWED_ORIGINS"

# Set to 1 when the server is reached over HTTPS (behind a proxy): cookies get `Secure`.
SECURE_COOKIE_ENV = "COOKIE_SECURE"

# RASA_SPEEDUPS=off runs Rasa without the project's start-up patches
# (bot/rasa_ext/speedups.py), to measure the difference (bench/load.py).
SPEEDUPS_ENV = "RASA_SPEEDUPS"

# The transcript database: this environment variable, else SQLite in var/.
DB_URL_ENV = "REHEARSAL_DB_URL"
DEFAULT_DB_URL = f"sqlite:///{VAR_DIR / 'rehearsals.db'}"


def database_url() -> str:
    """`REHEARSAL_DB_URL` if set (read at call time, so tests can change it), else
    var/rehearsals.db under the project root."""
    return os.environ.get(DB_URL_ENV) or DEFAULT_DB_URL


def secret_file() -> Path:
    """Where the cookie-signing key is kept (`REHEARSAL_SECRET_FILE`, else var/)."""
    return Path(os.environ.get(SECRET_FILE_ENV) or DEFAULT_SECRET_FILE)


def allowed_origins() -> set[str]:
    """Other origins allowed to call with the browser's cookie (`ALLOWED_ORIGINS`)."""
    raw = os.environ.get(ALLOWED_ORIGINS_ENV, "")
    return {o.strip().rstrip("/") for o in raw.replace(",", " ").split() if o.strip()}


def secure_cookies() -> bool:
    """`COOKIE_SECURE=1`: the server is reached over HTTPS, so cookies get `Secure`."""
    return os.environ.get(SECURE_COOKIE_ENV) == "1"


def speedups_enabled() -> bool:
    """False when `RASA_SPEEDUPS=off` asks for Rasa unpatched."""
    return os.environ.get(SPEEDUPS_ENV, "on").lower() != "off"
