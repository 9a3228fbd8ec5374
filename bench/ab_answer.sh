#!/usr/bin/env bash
# A/B of two lamin builds on the answers of one instance: `get --key` and `list --order-by
# -created_at --limit 50`, old and new alternating run by run against the same instance of N
# small artifacts (one batch, keyed by --key-prefix), so that both meet the same server, page
# cache and noise; prints min and median per build and new/old. For changes of a few
# milliseconds a command: on a noisy machine single runs vary by more than that.
# With AB_POSTGRES set to a server's maintenance database (as scripts/with_postgres.sh exports
# LAMIN_TEST_POSTGRES) the instance keeps its metadata in a fresh database there.
# usage: [AB_POSTGRES=URL] ab_answer.sh OLD/lamin NEW/lamin [N_ARTIFACTS] [RUNS]
#   bash scripts/with_postgres.sh env AB_POSTGRES=... bash bench/ab_answer.sh /tmp/prev/lamin build/bin/lamin
set -euo pipefail
source "$(dirname "$(realpath "$0")")/lib.sh"
A=$(realpath "$1")
B=$(realpath "$2")
N=${3:-1000}
RUNS=${4:-60}
make_work ab-answer
cd "$WORK"
mkdir files
for i in $(seq "$N"); do echo "artifact $i" > "files/f$i.txt"; done
export LAMIN_SETTINGS_DIR=$WORK/settings
db=()
if [ -n "${AB_POSTGRES:-}" ]; then
  psql "$AB_POSTGRES" -qc "CREATE DATABASE ab_answer_$$"
  db=(--db "${AB_POSTGRES%/*}/ab_answer_$$")
fi
# The older build makes the instance, so that both can read it.
"$A" init --storage "$WORK/data" --name ab-answer "${db[@]}" > /dev/null
"$A" save files/* --key-prefix p > /dev/null 2>&1

# ms COMMAND...: the wall time of one run, in ms.
ms() {
  local t0 t1
  t0=$(now)
  "$@" > /dev/null 2>&1
  t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", (b - a) * 1000 }'
}
# stats FILE: "min median" of the numbers in FILE.
stats() { sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%.1f %.1f\n", v[1], v[int((NR + 1) / 2)] }'; }

printf '%-44s %9s %9s %9s %9s %8s\n' "$RUNS runs each, alternating, ms" "old min" "new min" \
  "old med" "new med" "new/old"
compare() {
  local label=$1
  shift
  : > old.txt
  : > new.txt
  for _ in $(seq "$RUNS"); do
    ms "$A" "$@" >> old.txt
    ms "$B" "$@" >> new.txt
  done
  read -r a_min a_med < <(stats old.txt)
  read -r b_min b_med < <(stats new.txt)
  printf '%-44s %9s %9s %9s %9s %7sx\n' "$label" "$a_min" "$b_min" "$a_med" "$b_med" \
    "$(ratio "$b_med" "$a_med")"
}
compare "get --key" get --key "p/files/f$((N / 2)).txt"
compare "list --order-by -created_at --limit 50" list artifact --order-by -created_at --limit 50
