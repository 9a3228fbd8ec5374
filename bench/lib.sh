# Shared by the whole-workload benchmarks: timing, ratios and the generated data.
# make_work NAME: a fresh folder /tmp/lamin-NAME-XXXXXX in $WORK, removed when the script exits.
make_work() {
  WORK=$(mktemp -d "/tmp/lamin-$1-XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { print b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# min A B: the smaller of two times; B may be empty (the first round).
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a < b) ? a : b }'; }
# timed VAR COMMAND...: runs the command, stores its wall time in seconds in VAR.
timed() {
  local var=$1 t0 t1
  shift
  t0=$(now)
  "$@" > /dev/null 2>&1
  t1=$(now)
  printf -v "$var" '%s' "$(elapsed "$t0" "$t1")"
}

# make_data N_SMALL BIG_MIB: small/f00000.txt ... (1-4 KiB of random bytes, the same sizes every
# run) and big.bin, in the current folder.
make_data() {
  echo "generating $1 small files and one $2 MiB file in $PWD"
  mkdir -p small
  python3 - "$1" <<'PY'
import os, random, sys
random.seed(7)
for i in range(int(sys.argv[1])):
    with open(f"small/f{i:05d}.txt", "wb") as f:
        f.write(os.urandom(random.randint(1024, 4096)))
PY
  head -c $(($2 * 1024 * 1024)) /dev/urandom > big.bin
  sync
}
