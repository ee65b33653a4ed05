#!/usr/bin/env bash
# Sourced by .ci/run: unless FUNNELMETRICS_POSTGRES already names a server, starts a throwaway PostgreSQL on 127.0.0.1
# (installed from Debian when missing) with trust authentication, exports FUNNELMETRICS_POSTGRES, and removes the data
# directory on exit. Its default collation is ICU en-US, so the tests see that ids are ordered by a binary collation,
# not the locale's. Needs root (or an installed PostgreSQL and a user who may run it).

pg_dir=
stop_postgres() {
  if [[ -n "$pg_dir" && -d "$pg_dir" ]]; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [[ -z "${FUNNELMETRICS_POSTGRES:-}" ]]; then
  if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
    echo "PostgreSQL is not installed: installing it from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
  fi
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  pg_port=${FUNNELMETRICS_POSTGRES_PORT:-55432}
  pg_dir=$(mktemp -d /tmp/funnelmetrics-postgres.XXXXXX)
  trap stop_postgres EXIT
  if [[ $(id -u) -eq 0 ]]; then chown postgres: "$pg_dir"; fi
  locale_args=(--locale=C.UTF-8 --locale-provider=icu --icu-locale=en-US)
  if ! as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 "${locale_args[@]}" >"$pg_dir/initdb.log" 2>&1; then
    # PostgreSQL before 15 has no ICU default collation.
    rm -rf "$pg_dir/data"
    as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1 \
      || { cat "$pg_dir/initdb.log" >&2; echo "error: initdb failed" >&2; exit 1; }
  fi
  # A throwaway server: durability settings off for speed.
  as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start \
    || { cat "$pg_dir/server.log" >&2; echo "error: PostgreSQL did not start" >&2; exit 1; }
  export FUNNELMETRICS_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
  echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') started on 127.0.0.1:$pg_port"
fi
