#!/usr/bin/env bash
# lamin lineage: a two-step shell pipeline run under `lamin run`, drawn upstream and downstream
# as text, Mermaid, DOT, SVG (Graphviz) and JSON; hostile keys escaped in every format.
# usage: lineage_test.sh PATH/TO/lamin
set -u
LAMIN=$(realpath "$1")
source "$(dirname "$0")/lib.sh"

run init --storage "$WORK/data" --name lineage; check "init" 0 $?
echo seed > a.txt
run save a.txt --key in/a.txt; check "save the input" 0 $?
cat > step1.sh <<EOS
#!/bin/bash
p=\$("$LAMIN" load --key in/a.txt); cat "\$p" "\$p" > b.txt
"$LAMIN" save b.txt --key mid/b.txt >/dev/null
EOS
cat > step2.sh <<EOS
#!/bin/bash
p=\$("$LAMIN" load --key mid/b.txt); cat "\$p" "\$p" > c.txt
"$LAMIN" save c.txt --key 'out/<script>x</script>.txt' >/dev/null
EOS
chmod +x step1.sh step2.sh
run run -- ./step1.sh; check "step 1" 0 $?
run run -- ./step2.sh; check "step 2" 0 $?
HOSTILE='out/<script>x</script>.txt'

run lineage --key mid/b.txt; check "lineage as text" 0 $?
contains out "of step1.sh"; check "names the run that made it" 0 $?
contains out "of step2.sh"; check "and the run that read it" 0 $?
contains out "in/a.txt"; check "and what it was made from" 0 $?
contains out "log: "; check "and each run's log" 0 $?
run describe --key mid/b.txt; check "describe" 0 $?
contains out "run's log:"; check "names the log of the run that made it" 0 $?

run lineage --key "$HOSTILE" --upstream --json; check "upstream as JSON" 0 $?
python3 - "$WORK/out" <<'EOP'; check "reaches back to the first input, input -> run -> output" 0 $?
import json, sys
g = json.load(open(sys.argv[1]))
labels = {n["id"]: n["label"] for n in g["nodes"]}
edges = {(labels[e["from"]], labels[e["to"]]) for e in g["edges"]}
want = {("in/a.txt", "step1.sh"), ("step1.sh", "mid/b.txt"), ("mid/b.txt", "step2.sh"),
        ("step2.sh", "out/<script>x</script>.txt")}
sys.exit(0 if edges == want and g["root"].startswith("artifact_") else 1)
EOP
run lineage --key "$HOSTILE" --upstream --depth 1 --json; check "one run deep" 0 $?
python3 -c 'import json,sys; g=json.load(open(sys.argv[1])); sys.exit(0 if len(g["nodes"]) == 3 else 1)' "$WORK/out"
check "holds the root, its run and that run's input" 0 $?
run lineage --key in/a.txt --downstream --json; check "downstream" 0 $?
python3 -c 'import json,sys; g=json.load(open(sys.argv[1])); sys.exit(0 if len(g["nodes"]) == 5 else 1)' "$WORK/out"
check "reaches the last output" 0 $?
run lineage --key in/a.txt --upstream --json; check "upstream of an input made outside runs" 0 $?
python3 -c 'import json,sys; g=json.load(open(sys.argv[1])); sys.exit(0 if len(g["nodes"]) == 1 else 1)' "$WORK/out"
check "is the artifact alone" 0 $?

run lineage --key "$HOSTILE" --format dot; check "as DOT" 0 $?
contains out 'digraph "artifact_'; check "named as Python names it" 0 $?
contains out 'style="rounded,filled"'; check "boxes as Python draws them" 0 $?
contains out 'run at '; check "runs labelled with their start" 0 $?
run lineage --key "$HOSTILE" --format svg; check "as SVG" 0 $?
python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$WORK/out"; check "which is well-formed XML" 0 $?
! contains out '<script>'; check "with the hostile key escaped" 0 $?
contains out 'step2.sh'; check "and the run drawn" 0 $?
run lineage --key "$HOSTILE" --format mermaid; check "as Mermaid" 0 $?
contains out 'flowchart LR'; check "a flowchart" 0 $?
! contains out '<script>'; check "with the hostile key escaped there too" 0 $?

run lineage --key no/such.txt; check "an unknown artifact" 3 $?
run lineage; check "no artifact named" 2 $?
run lineage --key mid/b.txt --format png; check "an unknown format" 2 $?
run lineage --key mid/b.txt --upstream --downstream; check "both directions as flags" 2 $?

echo "lineage: $passed passed, $failed failed"
[ "$failed" = 0 ]
