# Start and stop a throwaway PostgreSQL server in a temporary folder, on a local socket.
# Sourced by .ci/run; sets PG_URL. Uses the Debian binaries initdb and pg_ctl.

find_pg_bin() {
  for dir in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin /usr/local/bin /usr/bin; do
    if [ -x "$dir/pg_ctl" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  done
  echo "initdb/pg_ctl niet gevonden" >&2
  return 1
}

start_postgres() {
  PG_BIN=$(find_pg_bin)
  PG_DIR=$(mktemp -d /tmp/mm-pg.XXXXXX)
  PG_PORT=${PG_PORT:-55432}
  local run_as=()
  if [ "$(id -u)" = "0" ]; then
    # PostgreSQL refuses to run as root: run it as the 'postgres' (or 'nobody') user.
    local user=postgres
    id "$user" >/dev/null 2>&1 || user=nobody
    chown "$user" "$PG_DIR"
    run_as=(runuser -u "$user" --)
  fi
  PG_RUN_AS=("${run_as[@]}")
  "${run_as[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U mm --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${run_as[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-k $PG_DIR -p $PG_PORT -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >/dev/null
  "${run_as[@]}" "$PG_BIN/createdb" -h "$PG_DIR" -p "$PG_PORT" -U mm maatregelmonitor_test
  PG_URL="postgresql+psycopg://mm@127.0.0.1:$PG_PORT/maatregelmonitor_test"
  # For the fault test that stops the server mid-use and starts it again.
  MM_PG_STOP="${run_as[*]} $PG_BIN/pg_ctl -D $PG_DIR/data -m fast -w stop"
  MM_PG_START="${run_as[*]} $PG_BIN/pg_ctl -D $PG_DIR/data -l $PG_DIR/log -w -o '-k $PG_DIR -p $PG_PORT -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off' start"
  export PG_URL PG_DIR PG_BIN PG_PORT MM_PG_STOP MM_PG_START
  echo "PostgreSQL draait op $PG_URL"
}

stop_postgres() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    "${PG_RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null || true
    rm -rf "$PG_DIR"
  fi
}
