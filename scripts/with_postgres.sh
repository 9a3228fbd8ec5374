#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server: initdb + pg_ctl on a free loopback port,
# data and socket under /tmp, stopped and removed when the command ends (also on failure).
# The command sees LAMIN_TEST_POSTGRES=postgresql://postgres:PASSWORD@127.0.0.1:PORT/postgres.
# PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user.
# usage: with_postgres.sh COMMAND [ARGS...]
set -euo pipefail
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$PGBIN/initdb" ] || { echo "with_postgres: no PostgreSQL server binaries (apt-get install postgresql)" >&2; exit 1; }

DIR=$(mktemp -d /tmp/lamin-pg-XXXXXX)
chmod 755 "$DIR"
as_pg() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi
}
[ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PASSWORD=lamin-test-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')
as_pg "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
  -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c max_connections=200" \
  start >/dev/null
as_pg "$PGBIN/psql" -h "$DIR" -p "$PORT" -U postgres -q -c "ALTER USER postgres PASSWORD '$PASSWORD'"

export LAMIN_TEST_POSTGRES="postgresql://postgres:$PASSWORD@127.0.0.1:$PORT/postgres"
echo "with_postgres: server on 127.0.0.1:$PORT (data in $DIR)" >&2
"$@"
