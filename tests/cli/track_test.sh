#!/usr/bin/env bash
# lamin track / lamin finish: a shell script's run as lamin-cli records it (its run named in
# current_shell_run.txt of the settings folder), joined by `lamin save` and `lamin load`.
# usage: track_test.sh PATH/TO/lamin
set -u
LAMIN=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
DB=$WORK/data/.lamindb/lamin.db
sql() { python3 -c 'import sqlite3,sys; print("\n".join("|".join("" if v is None else str(v) for v in r) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))' "$DB" "$1"; }
RUNFILE=$LAMIN_SETTINGS_DIR/.lamin/current_shell_run.txt

run init --storage "$WORK/data" --name track; check "init" 0 $?
echo seed > in.txt
run save in.txt --key inputs/in.txt; check "save an input outside a run" 0 $?
cat > pipeline.sh <<EOS
#!/bin/bash
set -e
"$LAMIN" track --params '{"k": 2}'
p=\$("$LAMIN" load --key inputs/in.txt)
cp "\$p" out.txt; echo more >> out.txt
"$LAMIN" save out.txt --key outputs/out.txt >/dev/null
test -f "$RUNFILE"
"$LAMIN" finish
EOS
chmod +x pipeline.sh
./pipeline.sh >"$WORK/out" 2>"$WORK/err"; check "a script that tracks itself" 0 $?
contains err "started tracking shell run"; check "says it started" 0 $?
[ ! -e "$RUNFILE" ]; check "finish removes the run's file" 0 $?
[ "$(sql "SELECT key || ' ' || kind FROM lamindb_transform")" = "pipeline.sh script" ]
check "the calling script is the transform" 0 $?
python3 - "$DB" "$WORK/pipeline.sh" <<'EOP'; check "with its text as source" 0 $?
import sqlite3, sys
src = sqlite3.connect(sys.argv[1]).execute("SELECT source_code FROM lamindb_transform").fetchone()[0]
sys.exit(0 if src == open(sys.argv[2]).read() else 1)
EOP
[ "$(sql "SELECT _status_code || ' ' || params || ' ' || (finished_at IS NOT NULL) || ' ' || coalesce(_is_consecutive, 'NULL') FROM lamindb_run")" = '0 {"k": 2} 1 NULL' ]
check "the run: completed at finish, params, as lamin-cli's Run(transform).save()" 0 $?
[ "$(sql "SELECT count(*) FROM lamindb_artifact a JOIN lamindb_run r ON r.id = a.run_id WHERE a.key = 'outputs/out.txt'")" = 1 ]
check "the save joined the shell run" 0 $?
[ "$(sql "SELECT count(*) FROM lamindb_artifact_input_of_runs")" = 1 ]; check "and the load" 0 $?

# Between track and finish the run is "scheduled", as lamin-cli writes it, and recovery leaves
# it alone: the shell, not a lamin process, carries it.
run track pipeline.sh; check "track naming a script" 0 $?
uid=$(cat "$RUNFILE")
[ "$(sql "SELECT _status_code FROM lamindb_run WHERE uid = '$uid'")" = -3 ]; check "is scheduled" 0 $?
run fsck --repair; check "fsck" 0 $?
[ "$(sql "SELECT _status_code FROM lamindb_run WHERE uid = '$uid'")" = -3 ]; check "which recovery leaves alone" 0 $?
run track pipeline.sh; check "a second track" 0 $?
contains err "was not finished"; check "warns of the unfinished one" 0 $?
run finish; check "finish" 0 $?
run finish; check "finish without a run" 3 $?
contains err "lamin track"; check "says to track first" 0 $?

# lamin save SCRIPT: a transform with its source, as lamin-cli; --registry artifact saves a file.
printf 'print("v1")\n' > analysis.py
run save analysis.py; check "save a script" 0 $?
contains err "saved script as transform"; check "as a transform" 0 $?
v1=$(cat "$WORK/out")
run save analysis.py; check "save it again" 0 $?
[ "$(cat "$WORK/out")" = "$v1" ]; check "is the same transform" 0 $?
contains err "same source already saved"; check "and says so" 0 $?
printf 'print("v2")\n' > analysis.py
run save analysis.py; check "save an edit" 0 $?
v2=$(cat "$WORK/out")
[ "${v2:0:12}" = "${v1:0:12}" ] && [ "${v2:12}" = 0001 ]; check "is its next version" 0 $?
printf '{"cells": []}\n' > explore.ipynb
run save explore.ipynb --json; check "save a notebook" 0 $?
contains out '"kind": "notebook"'; check "as a notebook transform" 0 $?
[ "$(sql "SELECT count(*) FROM lamindb_artifact WHERE key LIKE '%analysis%' OR key LIKE '%explore%'")" = 0 ]
check "neither is an artifact" 0 $?
run save analysis.py --registry artifact; check "--registry artifact" 0 $?
[ "$(sql "SELECT count(*) FROM lamindb_artifact WHERE suffix = '.py'")" = 1 ]; check "saves the file as an artifact" 0 $?
run save analysis.py in.txt --registry transform; check "--registry transform with two paths" 2 $?

# Bad input records nothing.
n=$(sql "SELECT count(*) FROM lamindb_run")
run track no-such.sh; check "a missing script" 3 $?
python3 -c 'import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))' "$LAMIN" track >"$WORK/out" 2>"$WORK/err"
check "no script and no calling shell script" 4 $?
run track pipeline.sh --params '[1]'; check "params that are not an object" 4 $?
[ "$(sql "SELECT count(*) FROM lamindb_run")" = "$n" ]; check "recorded no run" 0 $?
[ ! -e "$RUNFILE" ]; check "and named none" 0 $?
echo nosuchrun0000000 > "$RUNFILE"
run save in.txt --key y.txt; check "a save while the file names a run of another instance" 3 $?
contains err "lamin finish"; check "says what to do" 0 $?
rm "$RUNFILE"

echo "track: $passed passed, $failed failed"
[ "$failed" = 0 ]
