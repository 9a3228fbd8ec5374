#!/usr/bin/env bash
# Runs the browser test (browser_test.mjs) with Debian's Chromium; playwright-core is installed
# once into tests/web/node_modules (it brings no browser of its own).
# usage: browser_test.sh PATH/TO/lamin SCREENSHOT_DIR
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
command -v chromium >/dev/null || { echo "browser_test: no chromium (apt-get install chromium)" >&2; exit 1; }
if [ ! -d "$HERE/node_modules/playwright-core" ]; then
  (cd "$HERE" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi
exec node "$HERE/browser_test.mjs" "$(realpath "$1")" "$2"
