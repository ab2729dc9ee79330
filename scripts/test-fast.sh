#!/usr/bin/env bash
# The inner loop: lint and the tests that need neither servers nor a browser
# (pytest markers `integration` and `browser` are left out). Needs only the
# installed dependencies: no model training, no Chromium.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
bash scripts/setup.sh --deps-only
echo "==> ruff"
"$VENV/bin/ruff" check bot actions tests bench
echo "==> pytest (no servers, no browser)"
"$VENV/bin/pytest" -q -p no:cacheprovider -m "not integration and not browser" "$@"
