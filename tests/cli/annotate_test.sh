#!/usr/bin/env bash
# lamin create / annotate / save --features / list --filter / describe / delete of labels,
# features and schemas: what a user types, the exit codes of the README's table, and that a
# refused call changes nothing.
# usage: annotate_test.sh PATH/TO/lamin
set -u
LAMIN=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
DB="$WORK/data/.lamindb/lamin.db"
rows() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$DB" "$1"; }
snapshot() { rows "SELECT (SELECT count(*) FROM lamindb_artifact) || '/' || (SELECT count(*) FROM lamindb_jsonvalue) || '/' || (SELECT count(*) FROM lamindb_artifactjsonvalue) || '/' || (SELECT count(*) FROM lamindb_artifactulabel) || '/' || (SELECT count(*) FROM lamindb_ulabel) || '/' || (SELECT count(*) FROM lamindb_feature)"; }

run init --storage "$WORK/data" --name annotate; check "init" 0 $?
run create ulabel CellType --is-type; check "a type" 0 $?
run create ulabel "T cell" --type CellType; check "a label of the type" 0 $?
uid=$(cat out)
run create ulabel "T cell" --type CellType; check "the same name again" 0 $?
[ "$(cat out)" = "$uid" ]; check "returns the existing label" 0 $?
contains err "exists"; check "and says so" 0 $?
run create ulabel "B cell" --type CellType --parent "T cell"; check "with a parent" 0 $?
run create ulabel orphan --parent nonesuch; check "an unknown parent" 4 $?
run create project "Atlas 2026"; check "a project" 0 $?
run create record donor-7; check "a record" 0 $?
run create feature temperature --dtype float --unit degC; check "a float feature" 0 $?
run create feature n_cells --dtype int; check "an int feature" 0 $?
run create feature cell_type --dtype "cat[ULabel[CellType]]"; check "a typed categorical" 0 $?
[ "$(rows "SELECT _dtype_str FROM lamindb_feature WHERE name = 'cell_type'")" = "cat[ULabel[$(rows "SELECT uid FROM lamindb_ulabel WHERE name = 'CellType'")]]" ]
check "stored with the type's uid" 0 $?
run create feature sampled_on --dtype date; check "a date feature" 0 $?
run create feature bad --dtype "cat[Gene]"; check "a dtype lamin does not write" 4 $?
contains err "unknown dtype"; check "names the dtypes" 0 $?
run create feature temperature --dtype int; check "an existing name with another dtype" 4 $?
run create schema cells --features n_cells,cell_type --optional temperature; check "a schema" 0 $?
run create schema cells --features n_cells,cell_type --optional temperature --json; check "again" 0 $?
python3 -c 'import json; assert json.load(open("out"))["existed"] is True'; check "the same schema by hash" 0 $?

echo one > one.txt; echo two > two.txt
run save one.txt --key s/one.txt --ulabel "T cell" --project "Atlas 2026" --features temperature=37.5 n_cells=1000 sampled_on=2026-11-30
check "save with labels and values" 0 $?
run save two.txt --key s/two.txt --features temperature=21 "cell_type=B cell"; check "another" 0 $?
run list artifact --filter temperature__gt=30; check "filter by a value" 0 $?
contains out "s/one.txt" && ! contains out "s/two.txt"; check "numbers compared as numbers" 0 $?
run list artifact --filter "cell_type=B cell"; check "filter by a categorical value" 0 $?
contains out "s/two.txt" && ! contains out "s/one.txt"; check "finds the labelled one" 0 $?
run list artifact --filter "ulabels__name=T cell"; check "filter by label" 0 $?
contains out "s/one.txt"; check "finds it" 0 $?
run list artifact --filter "projects__name=Atlas 2026"; check "filter by project" 0 $?
contains out "s/one.txt"; check "finds it too" 0 $?
run list artifact --filter sampled_on__lt=2026-12-01; check "dates as dates" 0 $?
contains out "s/one.txt"; check "finds the earlier one" 0 $?
run list artifact --filter temperature__gt=hot; check "a filter value not a number" 4 $?
run describe --key s/one.txt; check "describe" 0 $?
contains out "Labels" && contains out "Features" && contains out "temperature *float *37.5"; check "shows labels and features" 0 $?
run describe --key s/one.txt --json; check "describe as JSON" 0 $?
python3 -c 'import json; j=json.load(open("out"))["annotations"]; assert j["features"]["n_cells"] == 1000 and j["features"]["temperature"] == 37.5, j'
check "values as JSON values" 0 $?

before=$(snapshot)
echo three > three.txt
run save three.txt --features temperature=warm nonesuch=1 "cell_type=NK cell"; check "a bad annotation" 4 $?
contains err "3 problems" && contains err "nonesuch" && contains err "NK cell" && contains err "registered: B cell, T cell"
check "every problem named, with what is allowed" 0 $?
[ "$(snapshot)" = "$before" ]; check "nothing saved" 0 $?
[ "$(ls "$WORK/data/.lamindb" | grep -c '^[0-9A-Za-z]\{20\}')" = 2 ]; check "no object written" 0 $?
run annotate --key s/one.txt --features n_cells=many; check "annotate with a bad value" 4 $?
[ "$(snapshot)" = "$before" ]; check "changes nothing" 0 $?
run annotate --key s/one.txt --ulabel "B cell" --features "cell_type=T cell"; check "annotate" 0 $?
contains out "B cell, T cell"; check "prints what the artifact has now" 0 $?
run annotate --key s/one.txt --remove-ulabel "B cell" --remove-feature temperature; check "remove" 0 $?
run list artifact --filter temperature=37.5; check "the value is gone" 0 $?
! contains out "s/one.txt"; check "from the artifact" 0 $?
[ "$(rows "SELECT count(*) FROM lamindb_jsonvalue WHERE value = '37.5'")" = 1 ]; check "the value row stays" 0 $?
run annotate --key s/one.txt --remove-ulabel "B cell"; check "removing what is not there" 3 $?

printf 'n_cells,cell_type\n3,T cell\nmany,NK cell\n' > bad.csv
run save bad.csv --schema cells; check "a table that breaks its schema" 4 $?
contains err "column 'n_cells' (int)" && contains err "NK cell"; check "names every bad column" 0 $?
printf 'n_cells,cell_type\n3,T cell\n4,B cell\n' > good.csv
run save good.csv --key t/good.csv --schema cells; check "a valid table" 0 $?
run list artifact --filter "schema__name=cells"; check "found by its schema" 0 $?
contains out "t/good.csv"; check "it is" 0 $?

run delete ulabel --name "T cell" --permanent; check "a label in use" 4 $?
contains err "lamindb_artifactulabel"; check "says who uses it" 0 $?
run delete feature --name n_cells --permanent; check "a feature in use" 4 $?
run delete schema --name cells --permanent; check "a schema in use" 4 $?
run delete ulabel --name "T cell"; check "labels need --permanent" 2 $?
run create ulabel unused; check "a label nothing uses" 0 $?
run delete ulabel --name unused --permanent; check "is deleted" 0 $?
run delete artifact --key t/good.csv --permanent; check "delete the table for good" 0 $?
run delete schema --name cells --permanent; check "now the schema goes" 0 $?

run annotate --filter key__startswith=s/ --project "Atlas 2026"; check "annotate every match" 0 $?
[ "$(wc -l < out)" = 2 ]; check "both artifacts under s/" 0 $?
run list artifact --filter "projects__name=Atlas 2026"; check "found by the project" 0 $?
contains out "s/two.txt"; check "the second one too" 0 $?
run annotate --filter key__startswith=s/ --features temperature=cold; check "a bad value for many" 4 $?

run search ulabel "t cell" --json; check "search labels" 0 $?
python3 -c 'import json; j=json.load(open("out")); assert j[0]["name"] == "T cell" and j[0]["rank"] == 423, j'
check "the whole name ranks first, with Python's weight" 0 $?
run search "s/one"; check "search artifacts" 0 $?
contains out "s/one.txt"; check "finds it by key" 0 $?
run search ulabel "   "; check "an empty query" 4 $?

# Hostile names: control characters refused, quotes bound as parameters.
run create ulabel $'evil\nname'; check "a newline in a name" 4 $?
run create ulabel "x' OR '1'='1"; check "quotes are just text" 0 $?
run list artifact --filter "ulabels__name=x' OR '1'='1"; check "and stay text in a filter" 0 $?
! contains out "s/one.txt"; check "matching nothing" 0 $?

echo "annotate_test: $passed passed, $failed failed"
[ "$failed" = 0 ]
