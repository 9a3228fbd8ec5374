#!/usr/bin/env bash
# Whole-workload benchmark, each run on a file system of its own: `small` saves 10,000 small
# files by `lamin save --key-prefix` against `cp -r && sync` of the same files; `big` saves one
# large file by `lamin save --key` against `cp && sync` of it.
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
# usage: fresh_fs.sh small PATH/TO/lamin [N_SMALL] [ROUNDS] [OLD/lamin]   (N_SMALL 10000)
#        fresh_fs.sh big PATH/TO/lamin [BIG_MIB] [ROUNDS] [OLD/lamin]     (BIG_MIB 1024)
set -euo pipefail
source "$(dirname "$(realpath "$0")")/lib.sh"
WORKLOAD=${1:-}
case "$WORKLOAD" in
  small) SIZE=${3:-10000} ;;
  big) SIZE=${3:-1024} ;;
  *) echo "usage: fresh_fs.sh small|big PATH/TO/lamin [N_SMALL|BIG_MIB] [ROUNDS] [OLD/lamin]" >&2
     exit 2 ;;
esac
LAMIN=$(realpath "$2")
ROUNDS=${4:-5}
OLD=${5:+$(realpath "$5")}
if [ "$(id -u)" != 0 ]; then
  echo "fresh_fs.sh: needs root (it makes and mounts a file system per run)" >&2
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
if [ "$WORKLOAD" = small ]; then
  make_data "$SIZE" 0 > /dev/null
  rm -f big.bin
else
  make_data 0 "$SIZE" > /dev/null
fi
FS_SIZE=$((SIZE / 1024 * 2 + 2))G  # twice a big file, and room for the small ones

# fresh_fs: an empty ext4 mounted at $MNT, on the disk, nothing else pending on it.
fresh_fs() {
  cd /
  mountpoint -q "$MNT" && umount "$MNT"
  truncate -s 0 "$IMG"
  truncate -s "$FS_SIZE" "$IMG"
  mkfs.ext4 -q -F "$IMG"
  mount -o loop "$IMG" "$MNT"
  sync
  cd "$SRC"
}
run_cp() {
  fresh_fs
  if [ "$WORKLOAD" = small ]; then
    timed "$1" bash -c "cp -r small '$MNT/copy' && sync"
  else
    timed "$1" bash -c "cp big.bin '$MNT/copy.bin' && sync"
  fi
}
# run_lamin VAR [BINARY]
run_lamin() {
  local bin=${2:-$LAMIN} n
  fresh_fs
  export LAMIN_SETTINGS_DIR=$MNT/settings
  "$bin" init --storage "$MNT/store" --name bench > /dev/null 2>&1
  sync
  if [ "$WORKLOAD" = small ]; then
    timed "$1" "$bin" save --key-prefix bench small/*
    n=$("$bin" list artifact --filter key__startswith=bench/small/ --limit 100000 2>/dev/null |
      grep -c . || true)
    [ "$n" = "$SIZE" ] || { echo "lamin saved $n artifacts, not $SIZE" >&2; exit 1; }
  else
    timed "$1" "$bin" save big.bin --key bench/big.bin
    "$bin" get --key bench/big.bin > /dev/null 2>&1 || { echo "lamin saved no big.bin" >&2; exit 1; }
  fi
}

if [ "$WORKLOAD" = small ]; then
  CP="cp -r && sync" GOAL=1.3x TITLE="$SIZE small files (1-4 KiB), one keyed batch"
else
  CP="cp && sync" GOAL=1.0x TITLE="one file of $SIZE MiB"
fi
cps=() saves=() olds=()
for r in $(seq 1 "$ROUNDS"); do
  t_old=0
  if [ $((r % 2)) = 1 ]; then
    run_cp t_cp; run_lamin t_save; [ -z "$OLD" ] || run_lamin t_old "$OLD"
  else
    [ -z "$OLD" ] || run_lamin t_old "$OLD"; run_lamin t_save; run_cp t_cp
  fi
  printf 'round %d: %s %.3fs, lamin save %.3fs' "$r" "$CP" "$t_cp" "$t_save"
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
printf '\n%s, a fresh ext4 per run, %d rounds\n' "$TITLE" "$ROUNDS"
printf '%-8s %-14s %-12s %7s %6s\n' "" "$CP" "lamin save" "ratio" "goal"
printf '%-8s %12.3fs %11.3fs %6sx %6s\n' "minimum" "$cp_min" "$save_min" \
  "$(ratio "$save_min" "$cp_min")" "$GOAL"
printf '%-8s %12.3fs %11.3fs %6sx %6s\n' "median" "$cp_med" "$save_med" \
  "$(ratio "$save_med" "$cp_med")" "$GOAL"
if [ -n "$OLD" ]; then
  old_min=$(lowest "${olds[@]}") old_med=$(median "${olds[@]}")
  printf 'previous build: minimum %.3fs (%sx cp), median %.3fs (%sx cp); new/previous %sx, %sx\n' \
    "$old_min" "$(ratio "$old_min" "$cp_min")" "$old_med" "$(ratio "$old_med" "$cp_med")" \
    "$(ratio "$save_min" "$old_min")" "$(ratio "$save_med" "$old_med")"
fi
