#!/usr/bin/env bash
# Whole-workload benchmark: `lamin save` against the machine's own tools on the same data.
#   10,000 small files (1-4 KiB), keyed:  lamin save --key-prefix    vs  cp -r && sync
#   the same files saved again:           lamin save (known content) vs  md5sum of them
#   one 1 GiB file:                       lamin save                 vs  cp && sync
# Every round makes fresh folders (a fresh instance and fresh copy targets), runs lamin and its
# baseline one after the other (which goes first alternates by round), and the minimum of the
# rounds is reported with the ratio (below 1: lamin is faster). lamin hashes too, fsyncs what it writes and commits the metadata.
# Deletes are left to the end: on ext4 without a journal, creating files right after mass
# deletes is slower (the allocator skips recently freed inodes), which would tax whichever ran
# second.
# usage: save_vs_cp.sh PATH/TO/lamin [N_SMALL] [BIG_MIB] [ROUNDS]
set -euo pipefail
source "$(dirname "$(realpath "$0")")/lib.sh"
LAMIN=$(realpath "$1")
N_SMALL=${2:-10000}
BIG_MIB=${3:-1024}
ROUNDS=${4:-3}
make_work bench
cd "$WORK"

make_data "$N_SMALL" "$BIG_MIB"

# The objects by inode: a temporary copy created and removed, or an object replaced, would show.
objects() { ls -i "$1/.lamindb" | grep -v ' lamin\.db' | sort; }

best_cp= best_save= best_md5= best_resave= best_cp_big= best_save_big=
untouched=yes
for r in $(seq 1 "$ROUNDS"); do
  export LAMIN_SETTINGS_DIR=$WORK/settings-$r
  "$LAMIN" init --storage "$WORK/store-$r" --name "bench-$r" > /dev/null 2>&1
  # Which goes first alternates by round, so that neither always inherits the other's writeback.
  if [ $((r % 2)) = 1 ]; then
    timed t_cp bash -c "cp -r small copy-$r && sync"
    timed t_save "$LAMIN" save --key-prefix bench small/*
  else
    timed t_save "$LAMIN" save --key-prefix bench small/*
    timed t_cp bash -c "cp -r small copy-$r && sync"
  fi
  timed t_md5 md5sum small/*
  before=$(objects "$WORK/store-$r" | md5sum)
  timed t_resave "$LAMIN" save --key-prefix bench small/*
  [ "$(objects "$WORK/store-$r" | md5sum)" = "$before" ] || untouched=NO
  if [ $((r % 2)) = 1 ]; then
    timed t_cp_big bash -c "cp big.bin big-copy-$r.bin && sync"
    timed t_save_big "$LAMIN" save big.bin --key "big-$r.bin"
  else
    timed t_save_big "$LAMIN" save big.bin --key "big-$r.bin"
    timed t_cp_big bash -c "cp big.bin big-copy-$r.bin && sync"
  fi
  rm -f "big-copy-$r.bin"  # one big file: no mass delete
  printf 'round %d: small cp %.2fs lamin %.2fs | again md5sum %.2fs lamin %.2fs | big cp %.2fs lamin %.2fs\n' \
    "$r" "$t_cp" "$t_save" "$t_md5" "$t_resave" "$t_cp_big" "$t_save_big"
  best_cp=$(min "$t_cp" "$best_cp"); best_save=$(min "$t_save" "$best_save")
  best_md5=$(min "$t_md5" "$best_md5"); best_resave=$(min "$t_resave" "$best_resave")
  best_cp_big=$(min "$t_cp_big" "$best_cp_big"); best_save_big=$(min "$t_save_big" "$best_save_big")
done

n=$("$LAMIN" list artifact --filter key__startswith=bench/small/ --limit 100000 2>/dev/null | grep -c . || true)
printf '\nminimum of %d rounds\n' "$ROUNDS"
printf '%-38s %-14s %9s %9s %7s %6s\n' "workload" "baseline" "baseline" "lamin" "ratio" "goal"
printf '%-38s %-14s %8.2fs %8.2fs %6sx %6s\n' "$N_SMALL small files, one keyed batch" "cp -r && sync" \
  "$best_cp" "$best_save" "$(ratio "$best_save" "$best_cp")" "1.3x"
printf '%-38s %-14s %8.2fs %8.2fs %6sx %6s\n' "the same files saved again" "md5sum" \
  "$best_md5" "$best_resave" "$(ratio "$best_resave" "$best_md5")" "2x"
printf '%-38s %-14s %8.2fs %8.2fs %6sx %6s\n' "one $BIG_MIB MiB file" "cp && sync" \
  "$best_cp_big" "$best_save_big" "$(ratio "$best_save_big" "$best_cp_big")" "1x"
printf 're-save left .lamindb/ untouched: %s; keyed artifacts found by key__startswith: %s\n' \
  "$untouched" "$n"
