#!/usr/bin/env bash
# Whole-workload benchmark of lineage's cost, baselines in the same run:
#   1. `lamin run -- true` (a transform found, a run started, the command supervised, its log
#      saved as the report, the run ended) against running `true` itself: the overhead in ms,
#      the median of 20 rounds each;
#   2. `lamin save` of N small files as one batch inside a run (each an output, in the save's
#      own transaction) against the same save outside a run, on fresh instances, interleaved,
#      min of 3: the ratio.
# usage: run_overhead.sh PATH/TO/lamin [N_SMALL]
set -euo pipefail
source "$(dirname "$(realpath "$0")")/lib.sh"
LAMIN=$(realpath "$1")
N_SMALL=${2:-10000}
make_work bench
export LAMIN_SETTINGS_DIR=$WORK/settings
cd "$WORK"

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
min() { sort -n | head -1; }

"$LAMIN" init --storage "$WORK/store0" --name overhead >/dev/null 2>&1
"$LAMIN" run -- true >/dev/null 2>&1  # the transform exists from here on, as in a pipeline
for _ in $(seq 20); do
  t0=$(now); true; t1=$(now); elapsed "$t0" "$t1" >> bare.txt
  t0=$(now); "$LAMIN" run -- true >/dev/null 2>&1; t1=$(now); elapsed "$t0" "$t1" >> run.txt
done
bare=$(median < bare.txt)
tracked=$(median < run.txt)

make_data "$N_SMALL" 1
for round in 1 2 3; do
  for mode in outside inside; do
    "$LAMIN" init --storage "$WORK/store-$mode-$round" --name "b-$mode-$round" >/dev/null 2>&1
    sync
    if [ "$mode" = outside ]; then
      t0=$(now); "$LAMIN" save small/* >/dev/null 2>&1; t1=$(now)
    else
      t0=$(now); "$LAMIN" run --key batch -- "$LAMIN" save small/* >/dev/null 2>&1; t1=$(now)
    fi
    elapsed "$t0" "$t1" >> "save-$mode.txt"
  done
done
outside=$(min < save-outside.txt)
inside=$(min < save-inside.txt)

printf '\n%-40s %10s %10s %10s\n' "workload" "baseline" "lamin" ""
printf '%-40s %8.1fms %8.1fms %+8.1fms\n' "lamin run -- true (median of 20)" \
  "$(awk -v v="$bare" 'BEGIN { print v * 1000 }')" "$(awk -v v="$tracked" 'BEGIN { print v * 1000 }')" \
  "$(awk -v a="$tracked" -v b="$bare" 'BEGIN { print (a - b) * 1000 }')"
printf '%-40s %9.2fs %9.2fs %9sx\n' "save $N_SMALL small files, in a run (min of 3)" \
  "$outside" "$inside" "$(ratio "$inside" "$outside")"
