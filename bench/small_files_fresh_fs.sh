#!/usr/bin/env bash
# Whole-workload benchmark: 10,000 small files saved by `lamin save --key-prefix` against
# `cp -r && sync` of the same files, each run on a file system of its own.
#
# save_vs_cp.sh runs in one folder of the machine's disk, where what ran before taxes what runs
# next (on ext4, creating files right after mass deletes is slower; writeback of one run
# overlaps the next). Here every run, lamin's or cp's, gets a freshly made ext4 on a loop
# device (its image on the disk under /var/tmp), the sources sit on tmpfs, so that only the
# writes under test reach the disk, and the file system is unmounted after the run. Which goes
# first alternates by round; the minimum and the median of the rounds are reported with their
# ratios (below 1: lamin is faster). lamin also hashes every file, fsyncs what it writes and
# commits the rows. With OLD, a previous build also runs in every round (its ratio to cp and
# the new build's to it are printed too). Needs root (mkfs, mount) and a free loop device.
# usage: small_files_fresh_fs.sh PATH/TO/lamin [N_SMALL] [ROUNDS] [OLD/lamin]
set -euo pipefail
source "$(dirname "$(realpath "$0")")/lib.sh"
LAMIN=$(realpath "$1")
N_SMALL=${2:-10000}
ROUNDS=${3:-5}
OLD=${4:+$(realpath "$4")}
if [ "$(id -u)" != 0 ]; then
  echo "small_files_fresh_fs.sh: needs root (it makes and mounts a file system per run)" >&2
  exit 2
fi
SRC=$(mktemp -d /dev/shm/lamin-bench-src-XXXXXX)
IMG=$(mktemp /var/tmp/lamin-bench-fs-XXXXXX.img)
MNT=$(mktemp -d /tmp/lamin-bench-mnt-XXXXXX)
cleanup() {
  cd /
  mountpoint -q "$MNT" && umount "$MNT"
  rm -rf "$SRC" "$IMG"
  rmdir "$MNT"
}
trap cleanup EXIT
cd "$SRC"
make_data "$N_SMALL" 0 > /dev/null
rm -f big.bin

# fresh_fs: an empty ext4 mounted at $MNT, on the disk, nothing else pending on it.
fresh_fs() {
  cd /
  mountpoint -q "$MNT" && umount "$MNT"
  truncate -s 0 "$IMG"
  truncate -s 2G "$IMG"
  mkfs.ext4 -q -F "$IMG"
  mount -o loop "$IMG" "$MNT"
  sync
  cd "$SRC"
}
run_cp() {
  fresh_fs
  timed "$1" bash -c "cp -r small '$MNT/copy' && sync"
}
# run_lamin VAR [BINARY]
run_lamin() {
  local bin=${2:-$LAMIN} n
  fresh_fs
  export LAMIN_SETTINGS_DIR=$MNT/settings
  "$bin" init --storage "$MNT/store" --name bench > /dev/null 2>&1
  sync
  timed "$1" "$bin" save --key-prefix bench small/*
  n=$("$bin" list artifact --filter key__startswith=bench/small/ --limit 100000 2>/dev/null |
    grep -c . || true)
  [ "$n" = "$N_SMALL" ] || { echo "lamin saved $n artifacts, not $N_SMALL" >&2; exit 1; }
}

cps=() saves=() olds=()
for r in $(seq 1 "$ROUNDS"); do
  t_old=0
  if [ $((r % 2)) = 1 ]; then
    run_cp t_cp; run_lamin t_save; [ -z "$OLD" ] || run_lamin t_old "$OLD"
  else
    [ -z "$OLD" ] || run_lamin t_old "$OLD"; run_lamin t_save; run_cp t_cp
  fi
  printf 'round %d: cp -r && sync %.3fs, lamin save %.3fs' "$r" "$t_cp" "$t_save"
  [ -z "$OLD" ] && echo || printf ', previous build %.3fs\n' "$t_old"
  cps+=("$t_cp") saves+=("$t_save") olds+=("$t_old")
done
median() {
  printf '%s\n' "$@" | sort -g |
    awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'
}
lowest() { printf '%s\n' "$@" | sort -g | head -1; }
cp_min=$(lowest "${cps[@]}") save_min=$(lowest "${saves[@]}")
cp_med=$(median "${cps[@]}") save_med=$(median "${saves[@]}")
printf '\n%d small files (1-4 KiB), one keyed batch, a fresh ext4 per run, %d rounds\n' \
  "$N_SMALL" "$ROUNDS"
printf '%-8s %-14s %-12s %7s %6s\n' "" "cp -r && sync" "lamin save" "ratio" "goal"
printf '%-8s %12.3fs %11.3fs %6sx %6s\n' "minimum" "$cp_min" "$save_min" \
  "$(ratio "$save_min" "$cp_min")" "1.3x"
printf '%-8s %12.3fs %11.3fs %6sx %6s\n' "median" "$cp_med" "$save_med" \
  "$(ratio "$save_med" "$cp_med")" "1.3x"
if [ -n "$OLD" ]; then
  old_min=$(lowest "${olds[@]}") old_med=$(median "${olds[@]}")
  printf 'previous build: minimum %.3fs (%sx cp), median %.3fs (%sx cp); new/previous %sx, %sx\n' \
    "$old_min" "$(ratio "$old_min" "$cp_min")" "$old_med" "$(ratio "$old_med" "$cp_med")" \
    "$(ratio "$save_min" "$old_min")" "$(ratio "$save_med" "$old_med")"
fi
