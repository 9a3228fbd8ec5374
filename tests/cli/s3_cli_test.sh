#!/usr/bin/env bash
# The team set-up from the command line: an instance whose storage is a bucket and whose
# database is PostgreSQL; saves, register in place, the cache, storage locations, a denied
# upload. Run beside scripts/with_postgres.sh and scripts/with_s3.sh.
# usage: s3_cli_test.sh PATH/TO/lamin
set -u
LAMIN=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
export LAMIN_CACHE_DIR=$WORK/cache
E=$LAMIN_TEST_S3_ENDPOINT
B=$LAMIN_TEST_S3_BUCKET
P=cli-$$
ROOT="s3://$B/$P?endpoint_url=$E"

run init --storage "s3://$B/$P?endpoint_url=$E" --name team; check "init on S3 without --db" 4 $?
contains err "needs a shared database"; check "the error says what to do" 0 $?
run init --storage "$ROOT" --db "$LAMIN_TEST_POSTGRES" --name team; check "init on S3 + PostgreSQL" 0 $?
run info --json; contains out "\"storage_root\": \"$ROOT\""; check "info shows the bucket" 0 $?
run init --storage "$ROOT" --db "$LAMIN_TEST_POSTGRES" --name team2
check "a bucket location belongs to one instance" 4 $?

printf '>seq1\nACGT\n' > reads.fasta
run save reads.fasta --key raw/reads.fasta; check "save into the bucket" 0 $?
uid=$(cat out)
head -c 20000000 /dev/urandom > big.bin
run save big.bin --key big.bin; check "save a multipart file" 0 $?
run load --key raw/reads.fasta; check "load" 0 $?
[ "$(cat out)" = "$LAMIN_CACHE_DIR/$B/$P/.lamindb/$uid.fasta" ]; check "LaminDB's cache path" 0 $?
cmp -s "$(cat out)" reads.fasta; check "load gives the data" 0 $?
run load --key big.bin; cmp -s "$(cat out)" big.bin; check "load of a multipart file" 0 $?
echo tampered > "$(cat out)"
run load --key big.bin; cmp -s "$(cat out)" big.bin; check "a changed cached copy is fetched again" 0 $?

run cache get; [ "$(cat out)" = "$LAMIN_CACHE_DIR" ]; check "cache get" 0 $?
run cache clear; check "cache clear" 0 $?
[ -z "$(ls -A "$LAMIN_CACHE_DIR")" ]; check "the cache is empty" 0 $?
run load --key big.bin; cmp -s "$(cat out)" big.bin; check "load after a cleared cache" 0 $?

run storage add "s3://$B/$P-extra?endpoint_url=$E" --description extra; check "storage add" 0 $?
run storage add "s3://$B/$P-extra?endpoint_url=$E"; check "storage add twice" 4 $?
AWS_ENDPOINT_URL=http://127.0.0.1:1 run storage add "s3://$B/unreachable"
check "an unreachable endpoint" 6 $?
contains err "127.0.0.1:1"; check "the endpoint is named" 0 $?
run storage add "s3:/broken"; check "malformed URL" 4 $?
contains err "s3:/broken"; check "the malformed URL is named" 0 $?
run storage list --json
[ "$(python3 -c 'import json;print(len(json.load(open("out"))))')" = 2 ]; check "storage list" 0 $?
run save reads.fasta --key copy.fasta --storage "s3://$B/$P-extra?endpoint_url=$E"
check "save --storage" 0 $?
run get --key copy.fasta --json; contains out "$P-extra"; check "saved into the other location" 0 $?

# Register in place: an object put by another tool (curl signs with SigV4 itself).
printf 'gene,count\nA,1\n' > counts.csv
curl -sf -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" \
  --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
  -T counts.csv "$E/$B/$P/raw/counts.csv"; check "curl put an object" 0 $?
run save "s3://$B/$P/raw/counts.csv" --json; check "register in place" 0 $?
contains out '"key": "raw/counts.csv"'; check "the artifact has the object's own key" 0 $?
contains out '"_hash_type": "md5"'; check "hashed from the ETag" 0 $?
run load --key raw/counts.csv; cmp -s "$(cat out)" counts.csv; check "load a registered object" 0 $?
run save "s3://$B/$P/.lamindb/$uid.fasta"; check "a managed object cannot be registered" 4 $?
run save "s3://$B/$P/nowhere.csv"; check "register a missing object" 3 $?

# New content (content saved before is returned without an upload, credentials or not).
printf 'never uploaded\n' > denied.bin
AWS_SECRET_ACCESS_KEY=wrong-secret-123 run save denied.bin --key denied.bin; check "denied upload" 6 $?
contains err "wrong-secret-123"; check "the secret is never printed" 1 $?
run get --key denied.bin; check "a denied upload leaves no artifact" 3 $?

no_credentials() {
  (unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY; export AWS_SHARED_CREDENTIALS_FILE=$WORK/none
   run "$@")
}
no_credentials list artifact; check "queries need no S3 credentials" 0 $?
no_credentials save big.bin --key nocreds.bin; check "a save without credentials" 5 $?
contains err "AWS_ACCESS_KEY_ID"; check "the error says which credentials are missing" 0 $?

run delete artifact --key raw/reads.fasta --permanent; check "permanent delete" 0 $?
run fsck --deep; check "fsck after all that" 0 $?
run delete instance team --force --delete-data; check "delete instance" 0 $?
curl -sf -o /dev/null -I --aws-sigv4 "aws:amz:us-east-1:s3" \
  --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
  "$E/$B/$P-extra/.lamindb/storage_uid.txt"
check "delete instance releases the other locations too" 22 $?

echo "s3 cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
