#!/usr/bin/env bash
# Idempotent setup: Python 3.10 venv, locked dependencies, the project's spaCy
# pipeline, and the Rasa model (trained only when its inputs changed).
# `setup.sh --deps-only` stops after the dependencies (enough for `make test-fast`).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

is_py310() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }

find_python() {
    local candidate
    if candidate=$(command -v python3.10 2>/dev/null) && is_py310 "$candidate"; then
        echo "$candidate"; return 0
    fi
    local pyenv_root=""
    if command -v pyenv >/dev/null 2>&1; then pyenv_root=$(pyenv root 2>/dev/null || true); fi
    for candidate in "${pyenv_root:-$HOME/.pyenv}"/versions/3.10*/bin/python; do
        if [ -x "$candidate" ] && is_py310 "$candidate"; then echo "$candidate"; return 0; fi
    done
    return 1
}

sha() { cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1; }

step() { printf '==> %s\n' "$*"; }

if [ ! -x "$PY" ] || ! is_py310 "$PY"; then
    if ! PYTHON=$(find_python); then
        echo "error: Python 3.10 is needed (Rasa 3.6 supports Python < 3.11)." >&2
        echo "       Install it, e.g. 'pyenv install 3.10' or your system's python3.10 package," >&2
        echo "       so that 'python3.10' is on PATH or under \$(pyenv root)/versions/3.10*." >&2
        exit 1
    fi
    step "creating .venv with $PYTHON"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
fi

lock_sha=$(sha requirements.lock)
if [ "$(cat "$VENV/.lock-sha" 2>/dev/null)" != "$lock_sha" ]; then
    step "installing locked dependencies (a few minutes the first time)"
    log="$VENV/install.log"
    start=$(date +%s)
    if ! "$PY" -m pip install -q -r requirements.lock >"$log" 2>&1; then
        grep -v "is ignored: it is neither a file nor a directory" "$log" | tail -30 >&2
        echo "error: dependency installation failed; full log in $log" >&2
        exit 1
    fi
    echo "$lock_sha" >"$VENV/.lock-sha"
    step "dependencies installed in $(( $(date +%s) - start )) s"
fi

if [ "${1:-}" = "--deps-only" ]; then
    exit 0
fi

step "building the project's spaCy pipeline"
"$PY" -m bot.language.pipeline build

# Everything the trained model depends on; persona files are not among them:
# adding or editing a client never needs retraining.
inputs=(config.yml domain.yml data/rules.yml data/nlu/*.yml bot/moves.py bot/language/*.py
        bot/rasa_ext/nlu.py requirements.lock)
model_sha=$(sha "${inputs[@]}")
if [ ! -f "$MODEL" ] || [ "$(cat models/.inputs-sha 2>/dev/null)" != "$model_sha" ]; then
    step "training the Rasa model (about a minute)"
    start=$(date +%s)
    mkdir -p models var/log
    # --force: Rasa's cache keys the spaCy model by its path, not its content.
    if ! "$VENV/bin/rasa" train --force --fixed-model-name hw --out models \
            --config config.yml --domain domain.yml --data data/nlu data/rules.yml \
            >var/log/train.log 2>&1; then
        tail -40 var/log/train.log >&2
        echo "error: training failed; full log in var/log/train.log" >&2
        exit 1
    fi
    echo "$model_sha" >models/.inputs-sha
    step "model trained in $(( $(date +%s) - start )) s"
else
    step "model is up to date"
fi
