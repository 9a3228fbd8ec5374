#!/usr/bin/env bash
# The Python package as a user installs it: into a fresh virtual environment (with the system's
# packages visible, for pandas), then imported and used from outside the build tree.
# usage: python_install_test.sh PYTHON BUILD_DIR SOURCE_DIR
set -euo pipefail
PYTHON=$1; BUILD=$(realpath "$2"); SRC=$(realpath "$3")
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
"$PYTHON" -m venv --without-pip --system-site-packages "$WORK/venv"
bash "$SRC/scripts/install_python.sh" "$WORK/venv/bin/python" "$BUILD" >/dev/null
cd "$WORK"
echo "installed" > a.txt
out=$(env -u PYTHONPATH LAMIN_SETTINGS_DIR="$WORK" "$WORK/venv/bin/python" -c '
import lamin as ln
assert ln.__file__.startswith("'"$WORK"'/venv"), ln.__file__
ln.setup.init(storage="./data")
print(ln.Artifact("a.txt", key="a.txt").save().load().strip())')
[ "$out" = "installed" ] || { echo "the installed module printed '$out'"; exit 1; }
echo "python install: the package installed into a venv saves and loads"
