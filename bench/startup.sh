#!/usr/bin/env bash
# Start-up: what a `lamin` process costs before and around its work, against the process floor
# measured in the same run (`/bin/true`: fork, exec, exit). Mean wall time of N runs each:
#   lamin --version                 loader, libraries, static initialisers, CLI set-up
#   lamin get --key K               + settings, opening the SQLite instance (its schema), a query
# and the shared objects each maps (LD_DEBUG=files), which is what start-up mostly is. With a
# PostgreSQL server ($LAMIN_TEST_POSTGRES), also get --key on an instance there, against `psql`
# running one query (its connection, password authentication and a round trip: the floor of any
# client that opens a connection per command).
# usage: startup.sh PATH/TO/lamin [N]
#        bash scripts/with_postgres.sh bash bench/startup.sh build/bin/lamin
set -euo pipefail
source "$(dirname "$(realpath "$0")")/lib.sh"
LAMIN=$(realpath "$1")
N=${2:-200}
make_work startup
cd "$WORK"
export LAMIN_SETTINGS_DIR=$WORK/settings
"$LAMIN" init --storage "$WORK/data" --name startup > /dev/null 2>&1
echo "one artifact" > one.txt
"$LAMIN" save one.txt --key one.txt > /dev/null 2>&1

# mean_ms COMMAND...: mean wall time of N runs, in ms.
mean_ms() {
  local t0 t1
  t0=$(now)
  for _ in $(seq "$N"); do "$@" > /dev/null 2>&1; done
  t1=$(now)
  awk -v a="$t0" -v b="$t1" -v n="$N" 'BEGIN { printf "%.2f", (b - a) * 1000 / n }'
}
mapped() { LD_DEBUG=files "$@" 2>&1 >/dev/null | grep -c "generating link map" || true; }

floor=$(mean_ms /bin/true)
version=$(mean_ms "$LAMIN" --version)
get=$(mean_ms "$LAMIN" get --key one.txt)
printf 'mean of %d runs                 ms    x /bin/true   shared objects mapped\n' "$N"
printf '%-28s %7s %10s\n' "/bin/true" "$floor" "1.00x"
printf '%-28s %7s %9sx %6s\n' "lamin --version" "$version" "$(ratio "$version" "$floor")" \
  "$(mapped "$LAMIN" --version)"
printf '%-28s %7s %9sx %6s\n' "lamin get --key (1 artifact)" "$get" "$(ratio "$get" "$floor")" \
  "$(mapped "$LAMIN" get --key one.txt)"

[ -n "${LAMIN_TEST_POSTGRES:-}" ] || exit 0
export LAMIN_SETTINGS_DIR=$WORK/settings-pg
"$LAMIN" init --storage "$WORK/data-pg" --db "$LAMIN_TEST_POSTGRES" --name startup-pg > /dev/null 2>&1
"$LAMIN" save one.txt --key one.txt > /dev/null 2>&1
psql=$(mean_ms psql "$LAMIN_TEST_POSTGRES" -qAtc "SELECT 1")
get_pg=$(mean_ms "$LAMIN" get --key one.txt)
printf '%-28s %7s %9sx\n' "psql -c 'SELECT 1'" "$psql" "$(ratio "$psql" "$floor")"
printf '%-28s %7s %9sx %6s   %sx psql\n' "lamin get --key (PostgreSQL)" "$get_pg" \
  "$(ratio "$get_pg" "$floor")" "$(mapped "$LAMIN" get --key one.txt)" "$(ratio "$get_pg" "$psql")"
