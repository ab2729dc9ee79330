#!/usr/bin/env bash
# Multi-instance mode (`make run-cluster`): PostgreSQL for Rasa's tracker store and the
# transcripts, Redis as Rasa's lock store, RASA_REPLICAS Rasa servers and ACTION_REPLICAS
# action servers, nginx in front of each group. All on 127.0.0.1, all from Debian's
# packages, all data and configuration under $CLUSTER_DIR (default var/cluster/).
# The code is the embedded mode's; only the endpoints and the database URL differ.
# Ctrl-C (or TERM) stops everything.
#
#   CLUSTER_PORT=5005     nginx in front of the Rasa servers (REST channel, /api, /app)
#   RASA_REPLICAS=2 ACTION_REPLICAS=2
#   CLUSTER_DIR=var/cluster
#
# When everything answers, $CLUSTER_DIR/ready holds JSON with the URL, each replica's
# URL and each process id (used by bench/load.py and tests/test_cluster.py).
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$(dirname "$0")/services.sh"
cd "$ROOT"
[ -n "${CLUSTER_SKIP_SETUP:-}" ] || bash scripts/setup.sh

CLUSTER_PORT=${CLUSTER_PORT:-5005}
RASA_REPLICAS=${RASA_REPLICAS:-2}
ACTION_REPLICAS=${ACTION_REPLICAS:-2}
CLUSTER_DIR=$(mkdir -p "${CLUSTER_DIR:-var/cluster}" && cd "${CLUSTER_DIR:-var/cluster}" && pwd)
LOG="$CLUSTER_DIR/log"
mkdir -p "$LOG"
rm -f "$CLUSTER_DIR/ready"

if ! ensure_services; then
    echo "error: the cluster needs PostgreSQL, Redis and nginx (see above)" >&2
    exit 1
fi
PG_BIN=$(pg_bindir)
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
secret() { "$PY" -c 'import secrets; print(secrets.token_hex(24))'; }

# Passwords are made on first start and kept (mode 600) with the data they protect.
umask 077
[ -f "$CLUSTER_DIR/pg-password" ] || secret >"$CLUSTER_DIR/pg-password"
[ -f "$CLUSTER_DIR/redis-password" ] || secret >"$CLUSTER_DIR/redis-password"
umask 022
PG_PASSWORD=$(cat "$CLUSTER_DIR/pg-password")
REDIS_PASSWORD=$(cat "$CLUSTER_DIR/redis-password")
PG_USER=rehearsal
PG_PORT=$(free_port); REDIS_PORT=$(free_port); ACTION_LB_PORT=$(free_port)

pids=()
stop() {
    trap - INT TERM EXIT
    echo; echo "==> stopping the cluster"
    rm -f "$CLUSTER_DIR/ready"
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    as_pg "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/pg" -m fast -w stop >/dev/null 2>&1 || true
}
trap 'stop; echo "==> stopped"; exit 0' INT TERM
trap stop EXIT

# initdb and the server refuse to run as root: run them as Debian's postgres user then.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# -- PostgreSQL ------------------------------------------------------------------------
if [ ! -f "$CLUSTER_DIR/pg/PG_VERSION" ]; then
    echo "==> creating the PostgreSQL cluster in $CLUSTER_DIR/pg"
    mkdir -p "$CLUSTER_DIR/pg"
    install -m 600 "$CLUSTER_DIR/pg-password" "$CLUSTER_DIR/pg-pwfile"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$CLUSTER_DIR/pg" "$CLUSTER_DIR/pg-pwfile"; fi
    chmod 700 "$CLUSTER_DIR/pg"
    as_pg "$PG_BIN/initdb" -D "$CLUSTER_DIR/pg" -U "$PG_USER" --pwfile="$CLUSTER_DIR/pg-pwfile" \
        -A scram-sha-256 -E UTF8 --no-sync >"$LOG/initdb.log" 2>&1
    rm -f "$CLUSTER_DIR/pg-pwfile"
fi
if [ "$(id -u)" -eq 0 ]; then chown postgres "$LOG"; fi
echo "==> starting PostgreSQL on 127.0.0.1:$PG_PORT"
as_pg "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/pg" -w -l "$LOG/postgresql.log" \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k '' -c max_connections=200" start >/dev/null
export PGPASSWORD="$PG_PASSWORD"
for db in rasa rehearsals; do
    if ! "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
            "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
        "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$db"
    fi
done
unset PGPASSWORD

# -- Redis -----------------------------------------------------------------------------
echo "==> starting Redis on 127.0.0.1:$REDIS_PORT"
mkdir -p "$CLUSTER_DIR/redis"
# The password goes in a config file, not on the command line where `ps` shows it.
printf 'bind 127.0.0.1\nport %s\nrequirepass %s\nsave ""\nappendonly no\ndir %s\n' \
    "$REDIS_PORT" "$REDIS_PASSWORD" "$CLUSTER_DIR/redis" >"$CLUSTER_DIR/redis.conf"
chmod 600 "$CLUSTER_DIR/redis.conf"
redis-server "$CLUSTER_DIR/redis.conf" >"$LOG/redis.log" 2>&1 &
pids+=($!); REDIS_PID=$!

# -- configuration for the Rasa and action servers ----------------------------------
DB_URL="postgresql+psycopg2://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/rehearsals"
ENDPOINTS="$CLUSTER_DIR/endpoints.yml"
cat >"$ENDPOINTS" <<YAML
# Written by scripts/cluster.sh; the embedded mode's endpoints.yml with shared services.
action_endpoint:
  url: "http://127.0.0.1:$ACTION_LB_PORT/webhook"
tracker_store:
  type: bot.rasa_ext.tracker_store.RehearsalTrackerStore
  dialect: postgresql
  url: 127.0.0.1
  port: $PG_PORT
  db: rasa
  username: $PG_USER
  password: "$PG_PASSWORD"
lock_store:
  type: redis
  url: 127.0.0.1
  port: $REDIS_PORT
  password: "$REDIS_PASSWORD"
  db: 1
YAML
chmod 600 "$ENDPOINTS"
export REHEARSAL_DB_URL="$DB_URL" SANIC_HOST=127.0.0.1
# A conversation's Redis lock held by a replica that died is freed after this many
# seconds (Rasa's default, 60, would stall that rehearsal for a minute); it must stay
# well above the slowest turn, which holds the lock while it runs.
export TICKET_LOCK_LIFETIME=${TICKET_LOCK_LIFETIME:-20}
"$PY" -m bot upgrade-db >"$LOG/upgrade-db.log" 2>&1
# One cookie-signing key for every replica (a cookie from one must be good on the other),
# made here so that the replicas do not race to create it.
export REHEARSAL_SECRET_FILE="$CLUSTER_DIR/session-secret"
"$PY" -c 'import sys, pathlib; from bot.accounts.credentials import load_or_create_key as k; k(pathlib.Path(sys.argv[1]))' \
    "$REHEARSAL_SECRET_FILE"

# -- action servers and Rasa servers ------------------------------------------------
declare -A proc_pids
action_ports=(); rasa_ports=()
for i in $(seq 1 "$ACTION_REPLICAS"); do
    port=$(free_port); action_ports+=("$port")
    "$VENV/bin/rasa" run actions --port "$port" --actions actions >"$LOG/actions-$i.log" 2>&1 &
    pids+=($!); proc_pids["actions-$i"]=$!
done
for i in $(seq 1 "$RASA_REPLICAS"); do
    port=$(free_port); rasa_ports+=("$port")
    "$VENV/bin/rasa" run --interface 127.0.0.1 --port "$port" --model "$MODEL" \
        --credentials credentials.yml --endpoints "$ENDPOINTS" ${CLUSTER_DEBUG:+--debug} \
        >"$LOG/rasa-$i.log" 2>&1 &
    pids+=($!); proc_pids["rasa-$i"]=$!
done

# -- nginx -----------------------------------------------------------------------------
mkdir -p "$CLUSTER_DIR/nginx"
if [ "$(id -u)" -eq 0 ]; then chown nobody "$CLUSTER_DIR/nginx"; fi
upstream() { local port; for port in "$@"; do printf '        server 127.0.0.1:%s max_fails=1 fail_timeout=5s;\n' "$port"; done; }
cat >"$CLUSTER_DIR/nginx.conf" <<NGINX
# Written by scripts/cluster.sh.
daemon off;
worker_processes 1;
pid $CLUSTER_DIR/nginx.pid;
error_log $LOG/nginx-error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $CLUSTER_DIR/nginx/body;
    proxy_temp_path $CLUSTER_DIR/nginx/proxy;
    fastcgi_temp_path $CLUSTER_DIR/nginx/fastcgi;
    uwsgi_temp_path $CLUSTER_DIR/nginx/uwsgi;
    scgi_temp_path $CLUSTER_DIR/nginx/scgi;
    client_max_body_size 1m;
    client_body_buffer_size 1m;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host \$host;
    proxy_read_timeout 120s;
    # A replica that refuses the connection is skipped; a request already sent is never
    # sent twice (POST is not idempotent: a turn must not be stored twice).
    proxy_next_upstream error timeout;
    # Rasa servers: the REST channel, /api and /app. Any replica may take any turn.
    upstream rasa {
$(upstream "${rasa_ports[@]}")
        keepalive 32;
    }
    # Action servers, called by the Rasa servers.
    upstream actions {
$(upstream "${action_ports[@]}")
        keepalive 32;
    }
    server {
        listen 127.0.0.1:$CLUSTER_PORT;
        location / { proxy_pass http://rasa; }
    }
    server {
        listen 127.0.0.1:$ACTION_LB_PORT;
        location / { proxy_pass http://actions; }
    }
}
NGINX
"$NGINX" -c "$CLUSTER_DIR/nginx.conf" -p "$CLUSTER_DIR" >"$LOG/nginx.log" 2>&1 &
pids+=($!); proc_pids[nginx]=$!

echo "==> starting ${RASA_REPLICAS} Rasa and ${ACTION_REPLICAS} action servers (logs in $LOG); Rasa takes 20-60 s"
ready() { "$PY" -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$1" 2>/dev/null; }
urls=()
for port in "${action_ports[@]}"; do urls+=("http://127.0.0.1:$port/health"); done
for port in "${rasa_ports[@]}"; do urls+=("http://127.0.0.1:$port/"); done
urls+=("http://127.0.0.1:$CLUSTER_PORT/")
deadline=$(( $(date +%s) + ${CLUSTER_START_TIMEOUT:-600} ))
pending=("${urls[@]}")
while [ ${#pending[@]} -gt 0 ]; do
    for name in "${!proc_pids[@]}"; do
        if ! kill -0 "${proc_pids[$name]}" 2>/dev/null; then
            echo "error: $name stopped during start-up; see $LOG/$name.log" >&2
            tail -20 "$LOG/$name.log" >&2 || true
            exit 1
        fi
    done
    if [ "$(date +%s)" -gt "$deadline" ]; then
        echo "error: not ready in time: ${pending[*]}; see $LOG" >&2
        exit 1
    fi
    still=()
    for url in "${pending[@]}"; do ready "$url" || still+=("$url"); done
    pending=("${still[@]+"${still[@]}"}")
    [ ${#pending[@]} -eq 0 ] || sleep 1
done

"$PY" - "$CLUSTER_DIR/ready" <<PYEOF
import json, os, sys
pids = {$(for name in "${!proc_pids[@]}"; do printf '"%s": %s, ' "$name" "${proc_pids[$name]}"; done)}
pids["redis"] = $REDIS_PID
info = {
    "url": "http://127.0.0.1:$CLUSTER_PORT",
    "rasa": [f"http://127.0.0.1:{p}" for p in "${rasa_ports[*]}".split()],
    "actions": [f"http://127.0.0.1:{p}" for p in "${action_ports[*]}".split()],
    "db_url": "$DB_URL",
    "pids": pids,
}
tmp = sys.argv[1] + ".tmp"
with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
    json.dump(info, f, indent=1)
os.replace(tmp, sys.argv[1])
PYEOF
printf '%s\n' "$DB_URL" >"$CLUSTER_DIR/db-url"; chmod 600 "$CLUSTER_DIR/db-url"
cat <<MSG
==> cluster ready: http://127.0.0.1:$CLUSTER_PORT (nginx -> Rasa on ports ${rasa_ports[*]};
    actions on ${action_ports[*]}; PostgreSQL :$PG_PORT; Redis :$REDIS_PORT)
    The same commands as for \`make run\` work against it (see README.md).
    Transcripts: REHEARSAL_DB_URL is in $CLUSTER_DIR/db-url.
    Press Ctrl-C to stop.
MSG
# Keep serving when one replica dies (nginx sends its turns to the others); stop on a signal.
while true; do
    for name in "${!proc_pids[@]}"; do
        pid=${proc_pids[$name]}
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            echo "warning: $name (pid $pid) has stopped; the other replicas go on" >&2
            proc_pids[$name]=""
        fi
    done
    sleep 2
done
