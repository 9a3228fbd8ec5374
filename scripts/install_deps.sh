#!/usr/bin/env bash
# Installs the Debian packages lamin needs to build and test, if any is missing.
set -euo pipefail

packages=(
  g++ cmake make pkg-config
  libsqlite3-dev libssl-dev zlib1g-dev libpq-dev postgresql
  libcurl4-openssl-dev libpugixml-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libgraphviz-dev libcpp-httplib-dev libmimalloc-dev
  python3 curl strace
  pybind11-dev python3-dev python3-pytest python3-pandas
  chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "install_deps: need root or sudo for: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "install_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
