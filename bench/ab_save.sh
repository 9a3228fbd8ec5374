#!/usr/bin/env bash
# A/B of two lamin builds on the small-file workload of save_vs_cp.sh: the same 10,000 files
# saved as one keyed batch, then saved again, by the previous build (A) and by this one (B), in
# alternating order per round, each into a fresh instance; the minimum of the rounds and B/A.
# For a change whose gain is smaller than the day-to-day noise of `cp -r && sync` on this
# machine (0.15-2.5 s within a day): both builds meet the same page cache and writeback.
# Deletes wait for the end (ext4 slows file creation after mass deletes).
# With AB_POSTGRES set to a server's maintenance database (postgresql://USER:PW@HOST:PORT/postgres,
# as scripts/with_postgres.sh exports LAMIN_TEST_POSTGRES), each instance keeps its metadata in a
# database of its own there, made fresh for it (left on that throwaway server).
# usage: [AB_POSTGRES=URL] ab_save.sh OLD/lamin NEW/lamin [N_SMALL] [ROUNDS]
#   git worktree add /tmp/prev HEAD~1 && cmake -S /tmp/prev -B /tmp/prev/build \
#     -DLAMIN_BUILD_TESTS=OFF -DLAMIN_BUILD_BENCH=OFF -DLAMIN_BUILD_PYTHON=OFF &&
#   cmake --build /tmp/prev/build --target lamin_cli && bash bench/ab_save.sh /tmp/prev/build/bin/lamin build/bin/lamin
set -euo pipefail
source "$(dirname "$(realpath "$0")")/lib.sh"
A=$(realpath "$1")
B=$(realpath "$2")
N_SMALL=${3:-10000}
ROUNDS=${4:-5}
make_work ab
cd "$WORK"
make_data "$N_SMALL" 1

# run WHICH BINARY ROUND: a fresh instance, the batch, then the batch again.
run() {
  export LAMIN_SETTINGS_DIR=$WORK/settings-$1-$3
  local db=()
  if [ -n "${AB_POSTGRES:-}" ]; then
    psql "$AB_POSTGRES" -qc "CREATE DATABASE ab_$1_$3_$$"
    db=(--db "${AB_POSTGRES%/*}/ab_$1_$3_$$")
  fi
  "$2" init --storage "$WORK/store-$1-$3" --name "ab-$1-$3" "${db[@]}" > /dev/null 2>&1
  sync
  timed t_save "$2" save --key-prefix bench small/*
  timed t_resave "$2" save --key-prefix bench small/*
}

best_a= best_b= best_ra= best_rb=
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then order="a b"; else order="b a"; fi
  for which in $order; do
    if [ "$which" = a ]; then
      run a "$A" "$r"; best_a=$(min "$t_save" "$best_a"); best_ra=$(min "$t_resave" "$best_ra")
    else
      run b "$B" "$r"; best_b=$(min "$t_save" "$best_b"); best_rb=$(min "$t_resave" "$best_rb")
    fi
    printf 'round %d %s: save %.3fs again %.3fs\n' "$r" "$which" "$t_save" "$t_resave"
  done
done
printf '\nminimum of %d rounds          A (old)   B (new)   B/A\n' "$ROUNDS"
printf '%-30s %7.3fs %8.3fs %6sx\n' "$N_SMALL small files, keyed" "$best_a" "$best_b" \
  "$(ratio "$best_b" "$best_a")"
printf '%-30s %7.3fs %8.3fs %6sx\n' "saved again" "$best_ra" "$best_rb" \
  "$(ratio "$best_rb" "$best_ra")"
