#!/usr/bin/env bash
# lamin run: a command as a tracked run, its transform versioned by the script's text, its log
# kept as the report, `lamin save`/`lamin load` inside recorded as outputs/inputs, the command's
# exit code and signals passed through; checked in the database behind the command line.
# usage: run_test.sh PATH/TO/lamin
set -u
LAMIN=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
DB=$WORK/data/.lamindb/lamin.db
sql() { python3 -c 'import sqlite3,sys; print("\n".join("|".join("" if v is None else str(v) for v in r) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))' "$DB" "$1"; }

run init --storage "$WORK/data" --name runs; check "init" 0 $?
printf 'alpha\nbeta\n' > in.txt
run save in.txt --key inputs/in.txt; check "save the input outside a run" 0 $?
cat > step.sh <<EOS
#!/bin/bash
p=\$("$LAMIN" load --key inputs/in.txt) || exit 9
tr a-z A-Z < "\$p" > out.txt
"$LAMIN" save out.txt --key outputs/out.txt >/dev/null || exit 9
echo "to stdout \$1"; echo "to stderr" >&2
exit \${2:-0}
EOS
chmod +x step.sh

run run --params '{"n":3,"mode":"fast"}' -- ./step.sh hello; check "a run that succeeds" 0 $?
contains out "to stdout hello"; check "the command's stdout passes through" 0 $?
contains err "to stderr"; check "and its stderr" 0 $?

[ "$(sql "SELECT key || ' ' || kind || ' ' || length(hash) FROM lamindb_transform")" = "step.sh script 22" ]
check "the script is a transform named by its file, hashed" 0 $?
python3 - "$DB" "$WORK/step.sh" <<'EOP'; check "its source is the script's text" 0 $?
import sqlite3, sys
src = sqlite3.connect(sys.argv[1]).execute("SELECT source_code FROM lamindb_transform").fetchone()[0]
sys.exit(0 if src == open(sys.argv[2]).read() else 1)
EOP
[ "$(sql "SELECT _status_code || ' ' || params || ' ' || cli_args || ' ' || (finished_at IS NOT NULL) FROM lamindb_run")" = '0 {"n": 3, "mode": "fast"} hello 1' ]
check "the run: completed, params as json.dumps writes them, the arguments" 0 $?
[ "$(sql "SELECT count(*) FROM lamindb_artifact a JOIN lamindb_run r ON a.run_id = r.id WHERE a.key = 'outputs/out.txt'")" = 1 ]
check "the saved file is the run's output" 0 $?
[ "$(sql "SELECT count(*) FROM lamindb_artifact_input_of_runs i JOIN lamindb_artifact a ON a.id = i.artifact_id WHERE a.key = 'inputs/in.txt'")" = 1 ]
check "the loaded file is its input" 0 $?
log=$(sql "SELECT a.id FROM lamindb_artifact a JOIN lamindb_run r ON r.report_id = a.id WHERE a.kind = '__lamindb_run__' AND a.description = 'log streams of run ' || r.uid AND a.suffix = '.txt'")
[ -n "$log" ]; check "the log is the run's report" 0 $?
logkey=$(sql "SELECT uid FROM lamindb_artifact WHERE id = $log")
grep -q "to stdout hello" "$WORK/data/.lamindb/$logkey.txt" && grep -q "to stderr" "$WORK/data/.lamindb/$logkey.txt"
check "the log holds stdout and stderr" 0 $?

run describe --key outputs/out.txt; check "describe an output" 0 $?
run_uid=$(sql "SELECT uid FROM lamindb_run ORDER BY id LIMIT 1")
contains out "run:  *$run_uid (completed"; check "describe names the run that made it" 0 $?
contains out "transform:  *step.sh (script"; check "and its transform" 0 $?
run describe --key inputs/in.txt; contains out "read by:  *$run_uid"; check "describe names the runs that read an input" 0 $?
run list run; contains out "$run_uid  completed"; check "list run shows each run's state" 0 $?
run list artifact --filter run__transform__key=step.sh; contains out outputs/out.txt; check "outputs found by their transform" 0 $?

run run -- ./step.sh again 3; check "the command's exit code is lamin's" 3 $?
[ "$(sql "SELECT _status_code FROM lamindb_run ORDER BY id DESC LIMIT 1")" = 1 ]; check "a failed command's run errored" 0 $?
[ "$(sql "SELECT count(*) FROM lamindb_transform")" = 1 ]; check "the unchanged script is the same transform" 0 $?
[ "$(sql "SELECT count(*) FROM lamindb_artifact_recreating_runs")" = 1 ]; check "the same output again: a recreating run" 0 $?

echo "# edited" >> step.sh
run run -- ./step.sh edited; check "the edited script runs" 0 $?
[ "$(sql "SELECT group_concat(substr(uid, 13) || ':' || is_latest, ' ') FROM (SELECT * FROM lamindb_transform ORDER BY id)")" = "0000:0 0001:1" ]
check "the edited script is the transform's next version" 0 $?

printf 'echo "from bash"\n' > plain.sh
run run -- bash plain.sh; check "a script run by an interpreter" 0 $?
[ "$(sql "SELECT kind FROM lamindb_transform WHERE key = 'plain.sh'")" = script ]; check "is that script's transform" 0 $?
run run -- true; check "a program" 0 $?
[ "$(sql "SELECT kind FROM lamindb_transform WHERE key = 'true'")" = pipeline ]; check "is a pipeline named by it" 0 $?

# A run inside a run records who started it.
run run --key outer -- "$LAMIN" run --key inner -- true; check "a nested run" 0 $?
[ "$(sql "SELECT o.uid = (SELECT r.uid FROM lamindb_run r WHERE r.id = i.initiated_by_run_id) FROM lamindb_run i JOIN lamindb_transform t ON t.id = i.transform_id, lamindb_run o JOIN lamindb_transform u ON u.id = o.transform_id WHERE t.key = 'inner' AND u.key = 'outer'")" = 1 ]
check "the inner run was initiated by the outer" 0 $?

# An interrupted command: aborted, exit 128 + signal.
printf '#!/bin/bash\nkill -TERM $$\n' > die.sh; chmod +x die.sh
run run -- ./die.sh; check "a killed command's exit" 143 $?
[ "$(sql "SELECT _status_code FROM lamindb_run ORDER BY id DESC LIMIT 1")" = 2 ]; check "its run is aborted" 0 $?

# Deletes as Python rules them: a run's report is protected while the run exists; an input
# deleted for good takes its input links with it.
report=$(sql "SELECT a.uid FROM lamindb_artifact a JOIN lamindb_run r ON r.report_id = a.id ORDER BY r.id LIMIT 1")
run delete artifact --uid "$report" --permanent; check "the permanent delete of a run's report" 4 $?
contains err "lamindb_run"; check "names the run that holds it" 0 $?
[ "$(sql "SELECT count(*) FROM lamindb_artifact WHERE uid = '$report'")" = 1 ]; check "and deleted nothing" 0 $?
run delete artifact --uid "$report"; check "the report can go to the trash" 0 $?
run restore artifact --uid "$report"; check "and back" 0 $?
printf 'x\n' > gone.txt
run save gone.txt --key inputs/gone.txt; check "save an input to delete" 0 $?
run run -- "$LAMIN" load --key inputs/gone.txt; check "a run reads it" 0 $?
run delete artifact --key inputs/gone.txt --permanent; check "delete it for good" 0 $?
[ "$(sql "SELECT count(*) FROM lamindb_artifact_input_of_runs WHERE artifact_id NOT IN (SELECT id FROM lamindb_artifact)")" = 0 ]
check "its input link went with it" 0 $?

# Deleting runs and transforms for good, as Python's collector: a run with outputs is refused;
# a run's links and log go with it, the artifacts it read stay.
maker=$(sql "SELECT r.uid FROM lamindb_run r JOIN lamindb_artifact a ON a.run_id = r.id LIMIT 1")
run delete run --uid "$maker" --permanent; check "deleting a run that made an artifact" 4 $?
contains err "lamindb_artifact"; check "names what it made" 0 $?
run delete run --uid "$maker"; check "without --permanent" 2 $?
run run --key reader -- "$LAMIN" load --key inputs/in.txt; check "a run that reads" 0 $?
reader=$(sql "SELECT r.uid FROM lamindb_run r JOIN lamindb_transform t ON t.id = r.transform_id WHERE t.key = 'reader'")
log=$(sql "SELECT a.uid FROM lamindb_artifact a JOIN lamindb_run r ON r.report_id = a.id WHERE r.uid = '$reader'")
run delete run --uid "$reader" --permanent; check "delete it for good" 0 $?
[ "$(sql "SELECT count(*) FROM lamindb_run WHERE uid = '$reader'")" = 0 ]; check "the run is gone" 0 $?
[ "$(sql "SELECT count(*) FROM lamindb_artifact WHERE uid = '$log'")" = 0 ]; check "and its log" 0 $?
[ "$(sql "SELECT count(*) FROM lamindb_artifact_input_of_runs WHERE run_id NOT IN (SELECT id FROM lamindb_run)")" = 0 ]
check "and its input links" 0 $?
run get --key inputs/in.txt; check "what it read stays" 0 $?
run run --key twice -- true; run run --key twice -- true
run delete transform --key twice --permanent; check "delete a transform with its runs" 0 $?
[ "$(sql "SELECT count(*) FROM lamindb_transform WHERE key = 'twice'") $(sql "SELECT count(*) FROM lamindb_run WHERE transform_id NOT IN (SELECT id FROM lamindb_transform)")" = "0 0" ]
check "transform and runs are gone" 0 $?
maker_t=$(sql "SELECT t.uid FROM lamindb_transform t JOIN lamindb_run r ON r.transform_id = t.id WHERE r.uid = '$maker'")
run delete transform --uid "$maker_t" --permanent; check "a transform whose runs made artifacts" 4 $?
[ "$(sql "SELECT count(*) FROM lamindb_run WHERE uid = '$maker'")" = 1 ]; check "keeps all of it" 0 $?
run fsck; check "fsck after the deletes" 0 $?

# A lamin run killed with SIGKILL: fsck names the run, a repair marks it aborted; the next
# write's recovery does the same for another one.
killed_run() {  # starts `lamin run -- sleep`, kills it with SIGKILL once its run is recorded
  n=$(sql "SELECT count(*) FROM lamindb_run")
  "$LAMIN" run --key "$1" -- sleep 60 >/dev/null 2>&1 & lpid=$!
  for _ in $(seq 100); do [ "$(sql "SELECT count(*) FROM lamindb_run")" -gt "$n" ] && break; sleep 0.05; done
  kill -KILL $lpid; wait $lpid 2>/dev/null; pkill -f "^sleep 60$"
}
killed_run sleeper
[ "$(sql "SELECT r._status_code FROM lamindb_run r JOIN lamindb_transform t ON t.id = r.transform_id WHERE t.key = 'sleeper'")" = -1 ]
check "a run killed with SIGKILL still says started" 0 $?
run fsck; check "fsck finds damage" 8 $?
contains out "dead_run"; check "names the dead run" 0 $?
run fsck --repair; check "fsck --repair" 0 $?
[ "$(sql "SELECT r._status_code || ' ' || (r.finished_at IS NOT NULL) FROM lamindb_run r JOIN lamindb_transform t ON t.id = r.transform_id WHERE t.key = 'sleeper'")" = "2 1" ]
check "the repair marked it aborted, with finished_at" 0 $?
[ "$(sql "SELECT count(*) FROM lamin_intent")" = 0 ]; check "and removed its lease" 0 $?
killed_run sleeper2
run save in.txt --key again/in.txt; check "the next write" 0 $?
[ "$(sql "SELECT r._status_code FROM lamindb_run r JOIN lamindb_transform t ON t.id = r.transform_id WHERE t.key = 'sleeper2'")" = 2 ]
check "recovered the killed run as aborted" 0 $?
run fsck; check "fsck is clean after" 0 $?

# The run's environment: a file saved as its environment artifact, the same one for the same text.
printf 'numpy==2.1.0\n' > requirements.txt
run run --environment requirements.txt -- true; check "a run with its environment" 0 $?
run run --environment requirements.txt -- true; check "another with the same" 0 $?
[ "$(sql "SELECT count(DISTINCT r.environment_id) || ' ' || count(*) || ' ' || a.description || ' ' || a.kind || ' ' || coalesce(a.key, 'NULL') || ' ' || coalesce(a.run_id, 'NULL') FROM lamindb_run r JOIN lamindb_artifact a ON a.id = r.environment_id")" = "1 2 requirements.txt __lamindb_run__ NULL NULL" ]
check "is one environment artifact as Python writes its pip freeze" 0 $?
run run --environment no-such.txt -- true; check "a missing environment file" 3 $?

# Bad input records nothing.
before=$(sql "SELECT count(*) FROM lamindb_run")
run run -- ./no-such-script.sh; check "a missing command" 3 $?
contains err "nothing was recorded"; check "says nothing was recorded" 0 $?
run run --params '[1,2]' -- true; check "params that are not an object" 4 $?
run run --kind spreadsheet -- true; check "an unknown kind" 4 $?
[ "$(sql "SELECT count(*) FROM lamindb_run")" = "$before" ]; check "no run was recorded for them" 0 $?
LAMIN_RUN_UID=nosuchrun0000000 run save in.txt --key x.txt; check "a save naming a run the instance lacks" 3 $?
contains err "LAMIN_RUN_UID"; check "names the variable" 0 $?
run list artifact --filter key=x.txt; ! contains out x.txt; check "and saved nothing" 0 $?

echo "run: $passed passed, $failed failed"
[ "$failed" = 0 ]
