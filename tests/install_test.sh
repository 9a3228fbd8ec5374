#!/usr/bin/env bash
# The library as others use it: cmake --install into a scratch prefix, then a project outside
# the tree (examples/consumer) found through find_package(lamin), built and run.
# usage: install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$(realpath "$1"); SRC=$(realpath "$2")
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
cmake --install "$BUILD" --prefix "$WORK/prefix" >/dev/null
test -f "$WORK/prefix/include/lamin/lamin.h" && test -x "$WORK/prefix/bin/lamin"
cmake -S "$SRC/examples/consumer" -B "$WORK/build" -DCMAKE_PREFIX_PATH="$WORK/prefix" \
      -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$WORK/build" -j2 >/dev/null
out=$("$WORK/build/consumer" "$WORK/run")
[ "$out" = "hello.txt" ] || { echo "consumer printed '$out'"; exit 1; }
echo "install: the installed package builds and runs a consumer"
