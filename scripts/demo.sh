#!/usr/bin/env bash
# The main job, end to end, in a scratch folder: init an instance on embedded SQLite and a local
# folder, save a FASTA, a CSV and a folder, save a new version, annotate with labels and feature
# values (a CSV validated against a schema), track a script's run (its input, output and log),
# query by label and by value, load, delete; then the same instance from Python and in the web interface.
# usage: demo.sh PATH/TO/lamin
set -euo pipefail
LAMIN=$(realpath "$1")
DEMO=$(mktemp -d /tmp/lamin-demo-XXXXXX)
export LAMIN_SETTINGS_DIR=$DEMO/settings   # keep the demo out of ~/.lamin
cd "$DEMO"
step() { printf '\n\033[1m$ lamin %s\033[0m\n' "$*"; "$LAMIN" "$@"; }

echo "scratch folder: $DEMO"
mkdir -p inputs/sample_dir
printf '>seq1 demo\nACGTACGTTAGC\n>seq2 demo\nGGCCTTAA\n' > inputs/reads.fasta
printf 'gene,count\nTP53,12\nBRCA1,7\n' > inputs/counts.csv
printf 'gene,count\nTP53,31\nEGFR,4\n' > inputs/gene_counts.csv
printf 'sample,condition\nS1,ctrl\nS2,treated\n' > inputs/sample_dir/meta.csv
printf 'raw bytes\n' > inputs/sample_dir/readme.txt

step init --storage "$DEMO/mydata" --name demo
step save inputs/reads.fasta --key raw/reads.fasta --description "demo reads"
step save inputs/counts.csv inputs/sample_dir
step save inputs/reads.fasta --key raw/reads.fasta          # same content: returns the artifact
printf '>seq3 demo\nTTTT\n' >> inputs/reads.fasta
step save inputs/reads.fasta --key raw/reads.fasta          # new content: version 0001
step create ulabel Assay --is-type
step create ulabel RNA-seq --type Assay
step create feature assay --dtype "cat[ULabel[Assay]]"
step create feature temperature --dtype float --unit degC
step create feature gene --dtype str
step create feature count --dtype int
step create schema gene-counts --features gene,count
step annotate --key raw/reads.fasta --features assay=RNA-seq temperature=37
step save inputs/gene_counts.csv --key tables/gene_counts.csv --schema gene-counts --features temperature=21.5
step list artifact --filter temperature__gt=30 --filter assay=RNA-seq
step list artifact --filter schema__name=gene-counts
cat > count_reads.sh <<EOS
#!/bin/bash
# A pipeline step: reads the FASTA, writes the read count (lamin run records both).
reads=\$("$LAMIN" load --key raw/reads.fasta)
grep -c '^>' "\$reads" > n_reads.txt
"$LAMIN" save n_reads.txt --key results/n_reads.txt --description "reads counted"
EOS
chmod +x count_reads.sh
step run --params '{"min_length": 4}' -- ./count_reads.sh
step list run
step list artifact --filter run__transform__key=count_reads.sh
step list artifact
step list artifact --filter key__startswith=raw/ --filter is_latest=true
step describe --key raw/reads.fasta
step lineage --key results/n_reads.txt                      # input -> run -> output
"$LAMIN" lineage --key results/n_reads.txt --format svg > lineage.svg
printf '\n(the same graph drawn by Graphviz: %s)\n' "$PWD/lineage.svg"
path=$("$LAMIN" load --key raw/reads.fasta)
printf '\n\033[1m$ lamin load --key raw/reads.fasta\033[0m\n%s\n' "$path"
head -2 "$path"
step delete artifact --key raw/reads.fasta                  # to the trash; 0000 is latest again
step get --key raw/reads.fasta
step restore artifact --key raw/reads.fasta
step delete artifact --key raw/reads.fasta --permanent

# The same instance from Python (the lamin module, built beside the command).
PYMOD=$(dirname "$LAMIN")/../python
if [ -f "$PYMOD/lamin/__init__.py" ]; then
  cat > explore.py <<'EOS'
import lamin as ln

ln.track()                                    # this script and a run of it
counts = ln.Artifact.get(key="tables/gene_counts.csv")
print(counts.load())                          # a pandas DataFrame
print(ln.Artifact.filter(temperature__gt=20).to_dataframe()[["key", "size"]])
open("summary.txt", "w").write(f"{len(ln.Artifact.filter())} artifacts\n")
ln.Artifact("summary.txt", key="results/summary.txt").save()
ln.finish()
EOS
  printf '\n\033[1m$ python3 explore.py\033[0m  (import lamin as ln)\n'
  PYTHONPATH=$(realpath "$PYMOD") /usr/bin/python3 explore.py
  step list artifact --filter run__transform__key=explore.py
fi

# The web interface on the same instance: started on a free port, one page fetched, stopped.
printf '\n\033[1m$ lamin serve --port 0\033[0m  (then: curl the artifact list)\n'
"$LAMIN" serve --port 0 > serve.out 2>&1 &
SERVE=$!
for _ in $(seq 50); do grep -q '^serving ' serve.out && break; sleep 0.1; done
URL=$(awk '/^serving /{print $2}' serve.out)
echo "serving $URL"
curl -s "${URL}artifacts" | grep -o '<a href="/artifact/[^"]*">[^<]*</a>' | sed 's/<[^>]*>//g; s/^/  /'
kill "$SERVE"; wait "$SERVE" 2>/dev/null || true
step info
printf '\ndemo finished; the instance is in %s\n' "$DEMO/mydata"
