#!/usr/bin/env bash
# lamin create collection / collection append / describe / list / load collection / delete:
# versions, order, the folder of links, run inputs, deletes that keep data safe.
# usage: collection_test.sh PATH/TO/lamin
set -u
LAMIN=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
DB="$WORK/data/.lamindb/lamin.db"
rows() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$DB" "$1"; }

run init --storage "$WORK/data" --name coll; check "init" 0 $?
# The parts of collections.md: x,y / 1,a; 2,b; 3,c.
for i in 1 2 3; do printf 'x,y\n%s,%s\n' $i "$(echo abc | cut -c$i)" > p$i.csv; run save p$i.csv --key parts/p$i.csv; check "save part $i" 0 $?; done
p2=$(rows "SELECT uid FROM lamindb_artifact WHERE key = 'parts/p2.csv'")
run create collection atlas parts/p1.csv "$p2" --description "two shards"; check "create by key and uid" 0 $?
v1=$(cat out)
[ "$(rows "SELECT hash FROM lamindb_collection")" = "2y69FzVoQ8riwh1w0DayIg" ]; check "Python's hash_set" 0 $?
run create collection atlas "$p2" parts/p1.csv; check "the same members again" 0 $?
[ "$(cat out)" = "$v1" ] && contains err "returned it"; check "returns the collection" 0 $?
run collection append atlas parts/p3.csv; check "append" 0 $?
v2=$(cat out)
[ "${v2:0:16}" = "${v1:0:16}" ] && [ "${v2:16}" = 0001 ]; check "the next version" 0 $?
run describe collection --key atlas; check "describe" 0 $?
contains out "members (3)" && contains out "versions (2)" && contains out "$v2  latest"; check "members and versions" 0 $?
[ "$(grep -n 'parts/p' out | cut -d: -f2 | tr -d ' ' | cut -c21- | tr '\n' ' ')" != "" ]; check "lists members" 0 $?
run list collection; check "list" 0 $?
contains out "$v1" && contains out "$v2"; check "both versions listed" 0 $?
run list collection --filter artifacts__key=parts/p3.csv; check "by a member" 0 $?
contains out "$v2" && ! contains out "$v1"; check "the version holding it" 0 $?
run load collection --key atlas; check "load prints paths" 0 $?
[ "$(wc -l < out)" = 3 ]; check "three paths in order" 0 $?
run load collection --key atlas --into "$WORK/shards"; check "load into a folder" 0 $?
[ -L "$WORK/shards/parts/p3.csv" ] && [ "$(cat "$WORK/shards/parts/p1.csv")" = "$(cat p1.csv)" ]; check "links named by key" 0 $?
run load collection --key atlas --into "$WORK/shards"; check "not into a folder that has files" 4 $?
cat > use.sh <<EOS
#!/bin/bash
"$LAMIN" load collection --key atlas >/dev/null
EOS
chmod +x use.sh
run run -- ./use.sh; check "load inside a run" 0 $?
[ "$(rows "SELECT count(*) FROM lamindb_collection_input_of_runs")" = 1 ]; check "the collection is the run's input" 0 $?
[ "$(rows "SELECT count(*) FROM lamindb_artifact_input_of_runs")" = 0 ]; check "its members are not" 0 $?
run delete artifact --key parts/p3.csv --permanent; check "a member is protected" 4 $?
contains err "collection $v2"; check "naming the collection" 0 $?
run delete collection --key atlas; check "trash the latest" 0 $?
run get collection --key atlas; check "the previous version" 0 $?
contains out "$v1"; check "is the latest again" 0 $?
run delete collection --uid "$v2" --permanent; check "delete for good" 0 $?
run get --key parts/p3.csv; check "its artifacts stay" 0 $?
run create collection empty; check "no members" 2 $?
run create collection bad parts/p1.csv nonesuch.csv; check "an unknown member" 3 $?
[ "$(rows "SELECT count(*) FROM lamindb_collection WHERE key = 'bad'")" = 0 ]; check "nothing made" 0 $?
echo "collection_test: $passed passed, $failed failed"
[ "$failed" = 0 ]
