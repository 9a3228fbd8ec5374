#!/usr/bin/env bash
# The lamin command line as a user meets it: exit codes, stdout/stderr, --json.
# usage: cli_test.sh PATH/TO/lamin
set -u
LAMIN=$(realpath "$1")
source "$(dirname "$0")/lib.sh"

run info; check "info without an instance" 5 $?
contains err "lamin init"; check "the error says what to do" 0 $?

run init --storage "$WORK/data" --name cli; check "init" 0 $?
printf '>seq1\nACGT\n' > reads.fasta
run save reads.fasta --key raw/reads.fasta --description "the reads"; check "save" 0 $?
uid=$(cat "$WORK/out")
[ ${#uid} = 20 ]; check "save prints a 20-char uid" 0 $?
run save reads.fasta --key raw/reads.fasta; check "save again" 0 $?
contains err "already saved"; check "save again says the content existed" 0 $?
printf '>seq1\nACGTT\n' > reads.fasta
run save reads.fasta --key raw/reads.fasta; check "new version" 0 $?
[ "$(cat "$WORK/out")" = "${uid:0:16}0001" ]; check "the new version's uid ends in 0001" 0 $?

# A command that touches neither PostgreSQL, S3 nor an SVG loads none of their libraries
# (src/util/lazy_library.h): the dynamic loader names every object it maps.
LD_DEBUG=files "$LAMIN" get --key raw/reads.fasta > /dev/null 2> "$WORK/loaded"
grep -q "file=libsqlite3" "$WORK/loaded"; check "LD_DEBUG shows the libraries a get maps" 0 $?
grep -E "file=(libpq|libcurl|libgvc|libcgraph)[.]" "$WORK/loaded"
check "a get on SQLite maps no libpq, libcurl or Graphviz" 1 $?
# malloc is mimalloc's for every object of the process (CMakeLists.txt says why), unless the
# build kept libc's (the sanitizers' builds).
LD_DEBUG=bindings "$LAMIN" --version 2>&1 >/dev/null | grep "normal symbol .malloc'" > "$WORK/malloc"
if [ "${LAMIN_EXPECT_ALLOCATOR:-mimalloc}" = mimalloc ]; then
  grep -q "binding file .*libsqlite3.* to .*libmimalloc" "$WORK/malloc"
  check "SQLite's malloc is mimalloc's" 0 $?
  grep -v "to .*libmimalloc" "$WORK/malloc"; check "no object allocates with another malloc" 1 $?
fi
# Nor does it start OpenSSL (its configuration read, its providers loaded: 1-3 ms): a get
# computes no digest. strace is in scripts/install_deps.sh; a machine without it skips this.
if command -v strace > /dev/null; then
  strace -f -e trace=openat -o "$WORK/opened" "$LAMIN" get --key raw/reads.fasta > /dev/null 2>&1
  grep -q "ld.so.cache" "$WORK/opened"; check "strace shows the files a get opens" 0 $?
  grep "openssl.*[.]cnf" "$WORK/opened"; check "a get reads no OpenSSL configuration" 1 $?
fi

run get --key raw/reads.fasta --json; check "get --json" 0 $?
is_json; check "get --json prints JSON" 0 $?
contains out '"is_latest": true'; check "get returns the latest" 0 $?
run get --uid "$uid" --json; contains out '"is_latest": false'; check "get by full uid" 0 $?
run describe --uid "${uid:0:16}"; check "describe by stem" 0 $?
contains out "${uid:0:16}0001"; check "a stem names the latest" 0 $?

run list artifact --filter key__startswith=raw/ --json; check "list --json" 0 $?
is_json; check "list prints JSON" 0 $?
[ "$(python3 -c 'import json;print(len(json.load(open("out"))))')" = 2 ]; check "list finds both versions" 0 $?
run list artifact --filter bogus__exact=1; check "unknown field" 4 $?
contains err "valid fields"; check "unknown field lists valid fields" 0 $?
run list artifact --filter key__near=x; check "unknown lookup" 4 $?
run list artifact --filter "key=x' OR 1=1 --"; check "hostile value" 0 $?
[ ! -s "$WORK/out" ]; check "hostile value matches nothing" 0 $?

run load --key raw/reads.fasta; check "load" 0 $?
cmp -s "$(cat "$WORK/out")" reads.fasta; check "load gives the data" 0 $?

run save missing.txt; check "missing path" 3 $?
contains err "missing.txt"; check "missing path is named" 0 $?
run save reads.fasta --key ../escape; check "key with .." 4 $?
run save reads.fasta --key .lamindb/x; check "key in .lamindb" 4 $?
run get --key nope; check "get unknown key" 3 $?
run get; check "get without key or uid is a usage error" 2 $?
run frobnicate; check "unknown command" 2 $?

echo one > one.txt; echo two > two.txt
run save one.txt two.txt; check "batch save" 0 $?
[ "$(wc -l < "$WORK/out")" = 2 ]; check "batch prints one uid per path" 0 $?
echo three > three.txt
run save three.txt nothere.txt --keep-successful; check "keep-successful partial" 7 $?
contains err "kept the 1 others"; check "keep-successful lists what it kept" 0 $?
run save four.txt nothere.txt; check "all-or-nothing batch" 3 $?

# --key-prefix: each path keyed by its path from here, so a batch is findable and versioned.
mkdir -p plate/wells && echo a1 > plate/wells/a1.csv && echo a2 > plate/a2.csv
run save --key-prefix screen/ plate/wells/a1.csv ./plate/a2.csv; check "save --key-prefix" 0 $?
run get --key screen/plate/wells/a1.csv; check "--key-prefix keys a file by its path" 0 $?
run list artifact --filter key__startswith=screen/plate/; check "list the prefixed batch" 0 $?
[ "$(grep -c screen/plate/ "$WORK/out")" = 2 ]; check "both prefixed files listed" 0 $?
echo a2-new > plate/a2.csv
run save --key-prefix screen plate/a2.csv; check "save a changed file with --key-prefix" 0 $?
contains err "(new version)"; check "--key-prefix makes a new version of the same key" 0 $?
run save --key-prefix screen /etc/hostname; check "--key-prefix refuses a path outside" 2 $?
contains err "not below the current folder"; check "--key-prefix says why" 0 $?
run save --key-prefix screen --key x.csv plate/a2.csv; check "--key-prefix excludes --key" 2 $?
# --each-file: a folder's files, each an artifact keyed as LaminDB's Artifact.from_dir keys them.
mkdir -p run7/lane1 && echo r1 > run7/lane1/r1.fastq && echo r2 > run7/r2.fastq && echo s > run7/s.csv
run save --each-file run7; check "save --each-file" 0 $?
[ "$(wc -l < "$WORK/out")" = 3 ]; check "--each-file saves one artifact a file" 0 $?
run get --key run7/lane1/r1.fastq; check "--each-file keys a file by the folder name and its path" 0 $?
echo r2-new > run7/r2.fastq
run save --each-file run7; check "save the folder again" 0 $?
contains err "run7/r2.fastq: saved as .*(new version)"; check "a changed file is a new version" 0 $?
[ "$(grep -c 'same content already saved' "$WORK/err")" = 2 ]; check "unchanged files are found" 0 $?
echo r2-third > run7/r2.fastq
run save --each-file --key-prefix flowcell/ "$PWD/run7"; check "save --each-file --key-prefix" 0 $?
run get --key flowcell/r2.fastq; check "--key-prefix replaces the folder's name" 0 $?
run save --each-file run7/s.csv; check "--each-file refuses a file" 2 $?
contains err "is not a folder"; check "--each-file says why" 0 $?
mkdir -p empty-run; run save --each-file empty-run; check "--each-file of an empty folder" 2 $?

run delete artifact --key raw/reads.fasta; check "trash" 0 $?
run get --key raw/reads.fasta --json; contains out "\"uid\": \"${uid}\""; check "previous version is latest" 0 $?
run restore artifact --uid "${uid:0:16}0001"; check "restore" 0 $?
run delete artifact --key raw/reads.fasta --permanent; check "permanent delete" 0 $?
[ ! -e "$WORK/data/.lamindb/${uid:0:16}0001.fasta" ]; check "permanent delete removes the object" 0 $?

run fsck; check "fsck of a clean instance" 0 $?
echo junk > "$WORK/data/.lamindb/QQQQQQQQQQQQQQQQ0000.bin"
echo mine > "$WORK/data/.lamindb/stray.bin"
run fsck --json; check "fsck finds an orphan" 8 $?
is_json; check "fsck --json prints JSON" 0 $?
contains out orphan_object; check "fsck names the orphan" 0 $?
contains out foreign_entry; check "fsck names a file that is not lamin's" 0 $?
run fsck --repair; check "fsck --repair" 0 $?
[ ! -e "$WORK/data/.lamindb/QQQQQQQQQQQQQQQQ0000.bin" ]; check "fsck --repair removes the orphan" 0 $?
[ -e "$WORK/data/.lamindb/stray.bin" ]; check "fsck --repair keeps what is not lamin's" 0 $?

run info --json; check "info --json" 0 $?
is_json; check "info prints JSON" 0 $?
run disconnect; check "disconnect" 0 $?
run info; check "info after disconnect" 5 $?
run connect cli; check "connect" 0 $?
run delete instance cli; check "delete instance needs --force (usage)" 2 $?
run delete instance cli --force; check "delete instance" 0 $?
[ ! -e "$WORK/data/.lamindb/lamin.db" ]; check "delete instance removes the database" 0 $?

echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
