#!/usr/bin/env bash
# Runs a command beside a throwaway S3 server on loopback (npm @20minutes/s3rver, which checks
# SigV4 signatures), with bucket "lamin-test". The command sees
# LAMIN_TEST_S3_ENDPOINT=http://127.0.0.1:PORT, LAMIN_TEST_S3_BUCKET and the server's fixed
# credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (S3RVER / S3RVER), region us-east-1.
# The npm package is installed once into scripts/s3rver/node_modules.
# usage: with_s3.sh COMMAND [ARGS...]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# Tests run in parallel (ctest -j): one installs while the others wait on the lock, and the
# marker is written only once the install has finished (the package's folder appears earlier,
# while npm is still extracting, and a test that saw it found no module).
INSTALLED=$HERE/s3rver/node_modules/.lamin-installed
if [ ! -e "$INSTALLED" ]; then
  (
    flock 9
    if [ ! -e "$INSTALLED" ]; then
      (cd "$HERE/s3rver" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
      touch "$INSTALLED"
    fi
  ) 9>"$HERE/s3rver/.install.lock"
fi
DIR=$(mktemp -d /tmp/lamin-s3-XXXXXX)
FIFO=$DIR/port
mkfifo "$FIFO"
node --openssl-legacy-provider "$HERE/s3rver/launch.js" "$DIR/data" lamin-test > "$FIFO" 2>"$DIR/server.log" &
PID=$!
cleanup() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT
read -r PORT < "$FIFO" || { cat "$DIR/server.log" >&2; exit 1; }
export LAMIN_TEST_S3_ENDPOINT="http://127.0.0.1:$PORT"
export LAMIN_TEST_S3_BUCKET=lamin-test
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
echo "with_s3: server on 127.0.0.1:$PORT" >&2
"$@"
