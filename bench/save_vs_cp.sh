#!/usr/bin/env bash
# Whole-workload benchmark: `lamin save` against `cp` plus `md5sum` of the same data, in one run.
#   workload 1: 10,000 small files (1-4 KiB) saved as one batch
#   workload 2: one 1 GiB file
# lamin copies, hashes in the same pass, fsyncs (durability cp does not give) and commits the
# metadata; the baseline copies and then hashes. Ratios below 1 mean lamin is faster.
# usage: save_vs_cp.sh PATH/TO/lamin [N_SMALL] [BIG_MIB]
set -euo pipefail
source "$(dirname "$(realpath "$0")")/lib.sh"
LAMIN=$(realpath "$1")
N_SMALL=${2:-10000}
BIG_MIB=${3:-1024}
WORK=$(mktemp -d /tmp/lamin-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export LAMIN_SETTINGS_DIR=$WORK/settings
cd "$WORK"


make_data "$N_SMALL" "$BIG_MIB"

"$LAMIN" init --storage "$WORK/store" --name bench 2>/dev/null

# Small files.
t0=$(now); cp -r small copy_small; (cd copy_small && md5sum -- * > /dev/null); t1=$(now)
base_small=$(elapsed "$t0" "$t1")
t0=$(now); "$LAMIN" save small/* > /dev/null 2>&1; t1=$(now)
lamin_small=$(elapsed "$t0" "$t1")

# One big file.
t0=$(now); cp big.bin copy_big.bin; md5sum copy_big.bin > /dev/null; t1=$(now)
base_big=$(elapsed "$t0" "$t1")
t0=$(now); "$LAMIN" save big.bin > /dev/null 2>&1; t1=$(now)
lamin_big=$(elapsed "$t0" "$t1")

# Saving content that exists already: each file read and hashed once, one lookup, nothing
# written (the managed folder's mtime and entries must not change); against md5sum alone.
t0=$(now); md5sum small/* > /dev/null; t1=$(now)
base_hash=$(elapsed "$t0" "$t1")
# The objects by inode (a temporary copy created and removed, or an object replaced, would show);
# the database files change by design.
objects() { ls -i store/.lamindb | grep -v ' lamin\.db' | sort; }
entries_before=$(objects | md5sum)
t0=$(now); "$LAMIN" save small/* > /dev/null 2>&1; t1=$(now)
lamin_again=$(elapsed "$t0" "$t1")
entries_after=$(objects | md5sum)
[ "$entries_before" = "$entries_after" ] && untouched="yes" || untouched="NO"

printf '\n%-34s %10s %10s %8s\n' "workload" "cp+md5sum" "lamin" "ratio"
printf '%-34s %9.2fs %9.2fs %7sx\n' "$N_SMALL small files, one batch" "$base_small" "$lamin_small" "$(ratio "$lamin_small" "$base_small")"
printf '%-34s %9.2fs %9.2fs %7sx\n' "one $BIG_MIB MiB file" "$base_big" "$lamin_big" "$(ratio "$lamin_big" "$base_big")"
printf '%-34s %9.2fs %9.2fs %7sx  (baseline: md5sum alone; .lamindb/ untouched: %s)\n' "$N_SMALL small files, saved again" "$base_hash" "$lamin_again" "$(ratio "$lamin_again" "$base_hash")" "$untouched"
