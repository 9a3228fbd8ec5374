#!/usr/bin/env bash
# Whole-workload benchmark of uploads to S3: `lamin save --storage s3://...` against `curl`
# uploading the same data sequentially (one process, connection reused, SigV4 signed by curl
# with an unsigned payload), in one run, against the loopback S3 server of scripts/with_s3.sh.
#   workload 1: one file of BIG_MIB MiB (lamin: parallel multipart, hashed in the reading pass)
#   workload 2: N_SMALL small files (1-4 KiB) as one batch (lamin: 16 uploads at once)
# lamin also signs every payload's SHA-256, computes LaminDB's content hash and commits the
# metadata; curl does none of that. Ratios below 1 mean lamin is faster.
# usage: bash scripts/with_s3.sh bash bench/s3_upload.sh PATH/TO/lamin [N_SMALL] [BIG_MIB]
set -euo pipefail
source "$(dirname "$(realpath "$0")")/lib.sh"
LAMIN=$(realpath "$1")
N_SMALL=${2:-2000}
BIG_MIB=${3:-1024}
: "${LAMIN_TEST_S3_ENDPOINT:?run me through scripts/with_s3.sh}"
E=$LAMIN_TEST_S3_ENDPOINT
B=$LAMIN_TEST_S3_BUCKET
make_work s3bench
export LAMIN_SETTINGS_DIR=$WORK/settings LAMIN_CACHE_DIR=$WORK/cache
cd "$WORK"

CURL=(curl -sf -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3"
      --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")

make_data "$N_SMALL" "$BIG_MIB"

"$LAMIN" init --storage "$WORK/home" --name bench 2>/dev/null
ROOT="s3://$B/bench-$$?endpoint_url=$E"
"$LAMIN" storage add "$ROOT" >/dev/null 2>&1

# One big file: curl as one PUT, and curl as the same multipart upload lamin makes (16 MiB
# parts, one after another, then CompleteMultipartUpload), so that both pay the server's work
# of assembling parts.
mkdir parts && split -b 16M -d -a 4 big.bin parts/p && sync
t0=$(now); "${CURL[@]}" -T big.bin "$E/$B/curl-$$/big.bin"; t1=$(now)
curl_big=$(elapsed "$t0" "$t1")
t0=$(now)
url="$E/$B/curl-$$/big-multipart.bin"
id=$(curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
       -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -X POST "$url?uploads=" |
     sed -n 's|.*<UploadId>\(.*\)</UploadId>.*|\1|p')
xml="<CompleteMultipartUpload>"
n=0
for part in parts/p*; do
  n=$((n + 1))
  etag=$(curl -sf -D - -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" \
           --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
           -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -T "$part" \
           "$url?partNumber=$n&uploadId=$id" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: *//p')
  xml="$xml<Part><PartNumber>$n</PartNumber><ETag>$etag</ETag></Part>"
done
xml="$xml</CompleteMultipartUpload>"
curl -sf -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
  -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -X POST --data-binary "$xml" "$url?uploadId=$id"
t1=$(now)
curl_multi=$(elapsed "$t0" "$t1")
t0=$(now); "$LAMIN" save big.bin --key big.bin --storage "$ROOT" > /dev/null 2>&1; t1=$(now)
lamin_big=$(elapsed "$t0" "$t1")

# Small files: one curl process uploads them one after another over one connection.
for f in small/*; do printf 'upload-file = "%s"\nurl = "%s/%s/curl-%s/%s"\n' \
  "$f" "$E" "$B" "$$" "$f"; done > curl.cfg
t0=$(now); "${CURL[@]}" -K curl.cfg; t1=$(now)
curl_small=$(elapsed "$t0" "$t1")
t0=$(now); "$LAMIN" save small/* --storage "$ROOT" > /dev/null 2>&1; t1=$(now)
lamin_small=$(elapsed "$t0" "$t1")
n=$("$LAMIN" list artifact --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n" = $((N_SMALL + 1)) ] || { echo "expected $((N_SMALL + 1)) artifacts, found $n" >&2; exit 1; }

# Loading the big file: parallel ranged GETs into the cache, then the hash check.
t0=$(now); "${CURL[@]}" -o curl_big.bin "$E/$B/curl-$$/big.bin"; t1=$(now)
curl_get=$(elapsed "$t0" "$t1")
t0=$(now); "$LAMIN" load --key big.bin > /dev/null; t1=$(now)
lamin_get=$(elapsed "$t0" "$t1")

printf "%-44s %9s %9s %7s\n" workload "lamin s" "curl s" ratio
printf "%-44s %9.2f %9.2f %7s\n" "upload $BIG_MIB MiB, curl: multipart" "$lamin_big" "$curl_multi" "$(ratio "$lamin_big" "$curl_multi")"
printf "%-44s %9.2f %9.2f %7s\n" "upload $BIG_MIB MiB, curl: one PUT" "$lamin_big" "$curl_big" "$(ratio "$lamin_big" "$curl_big")"
printf "%-44s %9.2f %9.2f %7s\n" "upload $N_SMALL small files" "$lamin_small" "$curl_small" "$(ratio "$lamin_small" "$curl_small")"
printf "%-44s %9.2f %9.2f %7s\n" "download $BIG_MIB MiB (load, verified)" "$lamin_get" "$curl_get" "$(ratio "$lamin_get" "$curl_get")"
