#!/usr/bin/env bash
# Set up if needed, then lint and run the whole test suite (unit and integration).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
bash scripts/setup.sh
echo "==> ruff"
"$VENV/bin/ruff" check bot actions tests bench
echo "==> pytest"
"$VENV/bin/pytest" -q -p no:cacheprovider "$@"
