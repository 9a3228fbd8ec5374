#!/usr/bin/env bash
# Installs the built lamin Python package (BUILD/python/lamin) into an interpreter's
# site-packages: Debian's /usr/bin/python3 by default, or the python of a virtual environment.
# usage: install_python.sh [PYTHON] [BUILD_DIR]
set -euo pipefail
PYTHON=${1:-/usr/bin/python3}
BUILD=${2:-$(cd "$(dirname "$0")/.." && pwd)/build}
[ -f "$BUILD/python/lamin/__init__.py" ] || { echo "install_python: build first (make)" >&2; exit 1; }
ls "$BUILD"/python/lamin/_lamin.*.so >/dev/null 2>&1 || { echo "install_python: no module in $BUILD/python/lamin" >&2; exit 1; }
SITE=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')
mkdir -p "$SITE"
rm -rf "$SITE/lamin.tmp" && cp -r "$BUILD/python/lamin" "$SITE/lamin.tmp"
rm -rf "$SITE/lamin.tmp/__pycache__"
rm -rf "$SITE/lamin" && mv "$SITE/lamin.tmp" "$SITE/lamin"
echo "install_python: lamin -> $SITE/lamin"
