#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for vigie's tests: created in a temporary
# folder, on a free port of 127.0.0.1, stopped and deleted on exit.
#
#   scripts/pg.sh go test ./store ./pipeline     # runs the command with VIGIE_TEST_POSTGRES set
#   scripts/pg.sh                                # prints the DSN and keeps the cluster until Ctrl-C
#
# The cluster trusts local connections (no password), runs with fsync off
# (its data is thrown away) and accepts many connections (tests run in
# parallel, each on its own database). When initdb and pg_ctl are not
# installed and this runs as root (CI on Debian), the distribution's
# postgresql package is installed first. Any failure to start the cluster
# exits non-zero: a test run must never believe it ran on PostgreSQL when it
# did not.
set -euo pipefail

find_bin() {
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return 0
  fi
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

bin=$(find_bin || true)
if [ -z "$bin" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "pg.sh: initdb and pg_ctl not found: install PostgreSQL (apt-get install postgresql) or run as root to have it installed" >&2
    exit 1
  fi
  echo "pg.sh: installing PostgreSQL from the distribution's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bin=$(find_bin || true)
  if [ -z "$bin" ]; then
    echo "pg.sh: PostgreSQL installed but initdb/pg_ctl not found under /usr/lib/postgresql/*/bin" >&2
    exit 1
  fi
fi

# As root, the server must run as another user: postgres when it exists.
as=()
if [ "$(id -u)" -eq 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home postgres
  fi
  if command -v runuser >/dev/null 2>&1; then
    as=(runuser -u postgres --)
  else
    as=(su postgres -s /bin/sh -c)
  fi
fi
run_as() {
  if [ ${#as[@]} -eq 0 ]; then
    "$@"
  elif [ "${as[0]}" = runuser ]; then
    "${as[@]}" "$@"
  else
    "${as[@]}" "$(printf '%q ' "$@")"
  fi
}

dir=$(mktemp -d "${TMPDIR:-/tmp}/vigie-pg.XXXXXX")
[ ${#as[@]} -gt 0 ] && chown postgres "$dir"
chmod 700 "$dir"
data="$dir/data"
started=0
sleeper=""
cleanup() {
  [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null
  if [ "$started" = 1 ]; then
    run_as "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

run_as "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
  run_as "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 || {
  echo "pg.sh: initdb failed:" >&2; cat "$dir/initdb.log" >&2; exit 1
}

# port_free says whether nothing listens on 127.0.0.1:$1.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port=""
for _ in $(seq 1 20); do
  p=$((20000 + RANDOM % 40000))
  port_free "$p" || continue
  if run_as "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $p -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=${PG_MAX_CONNECTIONS:-400} -c shared_buffers=64MB" \
    start >/dev/null 2>&1; then
    port=$p
    started=1
    break
  fi
done
if [ -z "$port" ]; then
  echo "pg.sh: PostgreSQL did not start:" >&2
  tail -n 20 "$dir/server.log" >&2 || true
  exit 1
fi

export VIGIE_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
export VIGIE_TEST_PGDATA="$data" # the server's folder: bench/stores.sh reads its CPU time from postmaster.pid
echo "pg.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') at $VIGIE_TEST_POSTGRES (VIGIE_TEST_POSTGRES)" >&2

if [ $# -eq 0 ]; then
  echo "$VIGIE_TEST_POSTGRES"
  echo "pg.sh: Ctrl-C stops and deletes the cluster" >&2
  while :; do
    sleep 3600 &
    sleeper=$!
    wait "$sleeper" # returns at once on Ctrl-C or SIGTERM, so the trap runs
  done
fi
"$@"
