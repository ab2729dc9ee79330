#!/usr/bin/env bash
# Set up if needed, then lint and run the whole test suite (unit and integration).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
bash scripts/setup.sh
echo "==> ruff"
"$VENV/bin/ruff" check bot actions tests bench
# The browser tests (tests/test_web.py) drive Debian's Chromium; install it when we can.
# When it cannot be had, those tests fail saying what to install (they never skip).
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "==> installing chromium and chromium-driver for the browser tests"
        if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
                apt-get install -y -qq chromium chromium-driver >/dev/null; }; then
            echo "warning: could not install chromium/chromium-driver; the browser tests will fail" >&2
        fi
    else
        echo "warning: /usr/bin/chromium or /usr/bin/chromedriver is missing and cannot be" \
             "installed here (needs root and apt-get); the browser tests will fail." \
             "Install them with: apt-get install -y chromium chromium-driver" >&2
    fi
fi
# The PostgreSQL store tests and the cluster test (tests/test_cluster.py) need Debian's
# PostgreSQL, Redis and nginx: installed here like Chromium when missing.
source "$(dirname "$0")/services.sh"
ensure_services || true
echo "==> pytest"
"$VENV/bin/pytest" -q -p no:cacheprovider "$@"
