# Shared by the command-line tests: a scratch folder (WORK, the current folder, removed at exit)
# and the check helpers. Needs LAMIN set.
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export LAMIN_SETTINGS_DIR=$WORK/settings
cd "$WORK"
passed=0
failed=0

check() {  # check NAME EXPECTED_RC ACTUAL_RC
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL: $1 (exit $3, expected $2)"; cat "$WORK/err" 2>/dev/null; fi
}
run() { "$LAMIN" "$@" >"$WORK/out" 2>"$WORK/err"; }
is_json() { python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$WORK/out"; }
contains() { grep -q -- "$2" "$WORK/$1"; }
