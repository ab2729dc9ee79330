#!/usr/bin/env bash
# Set up if needed, then serve: the action server and the Rasa server together.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
bash scripts/setup.sh

RASA_PORT=${RASA_PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
mkdir -p var/log

port_free() {
    "$PY" - "$1" <<'PYEOF'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
PYEOF
}
for port in "$RASA_PORT" "$ACTION_PORT"; do
    if ! port_free "$port"; then
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
"$VENV/bin/rasa" run actions --port "$ACTION_PORT" --actions actions >var/log/actions.log 2>&1 &
pids+=($!)
"$VENV/bin/rasa" run --port "$RASA_PORT" --model "$MODEL" --credentials credentials.yml \
    --endpoints "$endpoints" --cors "*" >var/log/rasa.log 2>&1 &
pids+=($!)

echo "==> starting servers (logs in var/log/); Rasa takes 20-40 s"
ready() { "$PY" -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$1" 2>/dev/null; }
for _ in $(seq 1 180); do
    for pid in "${pids[@]}"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "error: a server stopped during start-up; last lines of its log:" >&2
            tail -20 var/log/actions.log var/log/rasa.log >&2
            exit 1
        fi
    done
    if ready "http://localhost:$ACTION_PORT/health" && ready "http://localhost:$RASA_PORT/"; then
        cat <<MSG
==> ready: http://localhost:$RASA_PORT
    Personas:  curl http://localhost:$RASA_PORT/api/personas
    Start:     curl -s localhost:$RASA_PORT/webhooks/rest/webhook -d '{"sender": "s1", "message": "/start_rehearsal{\"persona\": \"maya\", \"trainee\": \"t01\"}"}'
    Talk:      curl -s localhost:$RASA_PORT/webhooks/rest/webhook -d '{"sender": "s1", "message": "Hi Maya, how was your week?"}'
    End:       curl -s localhost:$RASA_PORT/webhooks/rest/webhook -d '{"sender": "s1", "message": "/end_rehearsal"}'
    Scorecard: curl http://localhost:$RASA_PORT/api/sessions/s1
    Press Ctrl-C to stop.
MSG
        wait -n "${pids[@]}" || true
        echo "error: a server stopped; see var/log/" >&2
        exit 1
    fi
    sleep 1
done
echo "error: servers did not become ready in 180 s; see var/log/" >&2
exit 1
