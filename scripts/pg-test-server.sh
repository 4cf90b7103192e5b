#!/usr/bin/env bash
# Starts or stops a private PostgreSQL 15 on 127.0.0.1 for tests (never a system service).
#
#   bash scripts/pg-test-server.sh start DIR PORT   # prints postgres://postgres@127.0.0.1:PORT/postgres
#   bash scripts/pg-test-server.sh stop  DIR PORT
#
# DIR is the data directory: initialised (trust auth, superuser "postgres", no fsync) when missing or empty, and
# reused otherwise. The Unix socket and the server log (DIR/log) live inside DIR. Both commands are idempotent.
# Needs Debian's `postgresql` package; run as root (the server then runs as the `postgres` user, which owns DIR)
# or as an ordinary user (who then owns DIR).
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

usage() {
  echo "usage: $0 start|stop DIR PORT" >&2
  exit 2
}

[[ $# -eq 3 ]] || usage
action="$1"
port="$3"
[[ "$port" =~ ^[0-9]+$ ]] && ((port >= 1024 && port <= 65535)) || {
  echo "PORT must be a number from 1024 to 65535, got '$port'" >&2
  exit 2
}
# Absolute path: the server is started from another working directory.
dir="$(realpath -m -- "$2")"
# pg_ctl passes the socket folder through a shell-split option string.
[[ "$dir" =~ ^[A-Za-z0-9_./-]+$ ]] || {
  echo "DIR may contain only letters, digits and _ . / -, got '$dir'" >&2
  exit 2
}

if [[ ! -x "$PG_BIN/initdb" || ! -x "$PG_BIN/pg_ctl" ]]; then
  echo "PostgreSQL 15 server binaries not found in $PG_BIN; install them with:" >&2
  echo "apt-get install -y postgresql" >&2
  exit 1
fi

# Runs a command as the user that owns the cluster: `postgres` when we are root (initdb refuses root), else ourselves.
as_owner() {
  if [[ "$(id -u)" -eq 0 ]]; then
    local quoted
    printf -v quoted '%q ' "$@"
    su postgres -s /bin/bash -c "$quoted"
  else
    "$@"
  fi
}

is_running() {
  [[ -f "$dir/PG_VERSION" ]] && as_owner "$PG_BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1
}

url="postgres://postgres@127.0.0.1:$port/postgres"

case "$action" in
  start)
    if [[ ! -d "$dir" ]] || [[ -z "$(ls -A -- "$dir")" ]]; then
      mkdir -p -- "$dir"
      if [[ "$(id -u)" -eq 0 ]]; then
        chown postgres:postgres -- "$dir"
      fi
      chmod 700 -- "$dir"
      if ! as_owner test -w "$dir"; then
        echo "the postgres user cannot write $dir (is a parent folder private to another user?); pick a DIR under /tmp" >&2
        exit 1
      fi
      as_owner "$PG_BIN/initdb" -D "$dir" -A trust -U postgres --no-sync -E UTF8 --locale=C >"$dir.initdb.log" 2>&1 || {
        echo "initdb failed for $dir:" >&2
        cat "$dir.initdb.log" >&2
        exit 1
      }
      rm -f -- "$dir.initdb.log"
    elif [[ ! -f "$dir/PG_VERSION" ]]; then
      echo "$dir is not empty and is not a PostgreSQL data directory; use an empty or missing folder" >&2
      exit 1
    fi
    if ! is_running; then
      as_owner "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/log" -w -t 30 \
        -o "-k $dir -h 127.0.0.1 -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null || {
        echo "PostgreSQL did not start on 127.0.0.1:$port (port in use?); last lines of $dir/log:" >&2
        tail -n 20 -- "$dir/log" >&2 || true
        exit 1
      }
    fi
    # A cluster that is already running may listen on another port than the one asked for.
    running_port="$(sed -n 4p -- "$dir/postmaster.pid" 2>/dev/null || true)"
    if [[ -n "$running_port" && "$running_port" != "$port" ]]; then
      echo "the server for $dir is already running on port $running_port, not $port; stop it first" >&2
      exit 1
    fi
    echo "$url"
    ;;
  stop)
    if is_running; then
      as_owner "$PG_BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
    fi
    ;;
  *)
    usage
    ;;
esac
