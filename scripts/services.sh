# Sourced by scripts/test.sh and scripts/cluster.sh: Debian's PostgreSQL, Redis and nginx.
# Installs them with apt-get when they are missing and we run as root; otherwise says
# what to install. `ensure_services` returns non-zero when they cannot be had.

pg_bindir() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
    done
    return 1
}

services_present() {
    pg_bindir >/dev/null && command -v redis-server >/dev/null 2>&1 \
        && { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; }
}

ensure_services() {
    services_present && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "==> installing postgresql, redis-server and nginx (Debian packages)"
        # policy-rc.d 101: the packages must not start system-wide services; the
        # project starts its own on loopback ports.
        local policy=/usr/sbin/policy-rc.d created=""
        if [ ! -e "$policy" ]; then
            printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created=1
        fi
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq postgresql redis-server nginx >/dev/null
        local rc=$?
        [ -n "$created" ] && rm -f "$policy"
        [ $rc -eq 0 ] && services_present && return 0
        echo "warning: could not install postgresql, redis-server and nginx" >&2
        return 1
    fi
    echo "warning: PostgreSQL, Redis or nginx is missing and cannot be installed here" \
         "(needs root and apt-get). Install them with:" \
         "apt-get install -y postgresql redis-server nginx" >&2
    return 1
}
