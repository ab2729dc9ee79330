#!/usr/bin/env bash
# Set up if needed, then serve: the action server and the Rasa server together.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
bash scripts/setup.sh

RASA_PORT=${RASA_PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
# Closed by default: both servers listen on loopback only, and the browser's cookie
# works only for the page's own origin. For a classroom network, e.g.
#   HOST=0.0.0.0 make run
# (and ALLOWED_ORIGINS="https://other.example" only if another site hosts the page).
HOST=${HOST:-127.0.0.1}
ACTION_HOST=${ACTION_HOST:-127.0.0.1}   # only Rasa talks to the action server
ALLOWED_ORIGINS=${ALLOWED_ORIGINS:-}
export ALLOWED_ORIGINS
# Rasa worker processes: a Rasa server is single-threaded and a turn is mostly CPU, so a
# second worker answers nearly twice the turns on a 2-core machine (docs/scaling.md).
# Each worker holds its own copy of the model (~1.2 GB): RASA_WORKERS=1 on a small machine.
RASA_WORKERS=${RASA_WORKERS:-2}
LOG_DIR=${LOG_DIR:-var/log}
mkdir -p "$LOG_DIR"

port_free() {
    "$PY" - "$1" "$2" <<'PYEOF'
import socket, sys
s = socket.socket()
try:
    s.bind((sys.argv[2], int(sys.argv[1])))
except OSError:
    sys.exit(1)
PYEOF
}
for port_host in "$RASA_PORT:$HOST" "$ACTION_PORT:$ACTION_HOST"; do
    port=${port_host%%:*}
    if ! port_free "$port" "${port_host#*:}"; then
        echo "error: port $port is already in use. Stop what uses it, or choose other ports:" >&2
        echo "       RASA_PORT=5006 ACTION_PORT=5056 make run" >&2
        exit 1
    fi
done

if [ "$ACTION_PORT" != 5055 ]; then
    endpoints=var/endpoints.yml
    sed "s#localhost:5055#localhost:$ACTION_PORT#" endpoints.yml >"$endpoints"
else
    endpoints=endpoints.yml
fi

pids=()
stop() {
    trap - INT TERM EXIT
    echo; echo "==> stopping"
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
# Ctrl-C or a TERM is the normal way to stop: both servers go, and the exit is clean.
trap 'stop; echo "==> stopped"; exit 0' INT TERM
trap stop EXIT

"$PY" -m bot upgrade-db
# First run on an empty database: one instructor, its generated password printed once.
"$PY" -m bot users init
cors=()
if [ -n "$ALLOWED_ORIGINS" ]; then
    # shellcheck disable=SC2206 - a space-separated list of origins, one argument each
    cors=(--cors ${ALLOWED_ORIGINS//,/ })
fi
SANIC_HOST="$ACTION_HOST" "$VENV/bin/rasa" run actions --port "$ACTION_PORT" --actions actions \
    >"$LOG_DIR/actions.log" 2>&1 &
pids+=($!)
SANIC_WORKERS="$RASA_WORKERS" \
    "$VENV/bin/rasa" run --interface "$HOST" --port "$RASA_PORT" --model "$MODEL" \
    --credentials credentials.yml --endpoints "$endpoints" "${cors[@]}" \
    >"$LOG_DIR/rasa.log" 2>&1 &
pids+=($!)

echo "==> starting servers (logs in $LOG_DIR/); Rasa takes 20-40 s"
ready() { "$PY" -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$1" 2>/dev/null; }
for _ in $(seq 1 180); do
    for pid in "${pids[@]}"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "error: a server stopped during start-up; last lines of its log:" >&2
            tail -20 "$LOG_DIR/actions.log" "$LOG_DIR/rasa.log" >&2
            exit 1
        fi
    done
    probe_host=$HOST
    [ "$probe_host" = 0.0.0.0 ] && probe_host=127.0.0.1
    if ready "http://$ACTION_HOST:$ACTION_PORT/health" && ready "http://$probe_host:$RASA_PORT/"; then
        cat <<MSG
==> ready: http://localhost:$RASA_PORT/app/  (listening on $HOST:$RASA_PORT)
    Sign in there; add accounts with: .venv/bin/python -m bot users add NAME --role trainee
    Scripts use an API token:  TOKEN=\$(.venv/bin/python -m bot users token NAME | tail -1)
    Start:     curl -s localhost:$RASA_PORT/webhooks/rest/webhook -H "Authorization: Bearer \$TOKEN" -d '{"sender": "s1", "message": "/start_rehearsal{\"persona\": \"maya\"}"}'
    Talk:      curl -s localhost:$RASA_PORT/webhooks/rest/webhook -H "Authorization: Bearer \$TOKEN" -d '{"sender": "s1", "message": "Hi Maya, how was your week?"}'
    End:       curl -s localhost:$RASA_PORT/webhooks/rest/webhook -H "Authorization: Bearer \$TOKEN" -d '{"sender": "s1", "message": "/end_rehearsal"}'
    Scorecard: curl -s localhost:$RASA_PORT/api/sessions/s1 -H "Authorization: Bearer \$TOKEN"
    Press Ctrl-C to stop.
MSG
        wait -n "${pids[@]}" || true
        echo "error: a server stopped; see $LOG_DIR/" >&2
        exit 1
    fi
    sleep 1
done
echo "error: servers did not become ready in 180 s; see $LOG_DIR/" >&2
exit 1
