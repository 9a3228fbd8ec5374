"""Whole-workload benchmark of the Python module, side by side with the command line.

  start-up:  a process that runs `import lamin as ln; ln.Artifact.get(key=...)`, against
             `lamin get --key` and against a bare `python3 -c pass` (the interpreter alone);
             also the same three steps timed inside Python (import, connect, get).
  1,000 small files:  `ln.save([ln.Artifact(f, key=f) ...])` in a new process, against
             `lamin save --key-prefix` of the same files, each into a fresh instance; which
             goes first alternates by round.
Start-up figures are medians of 21 runs; saves the minimum of 3 rounds (ratios: below 1, the
Python module is faster).

usage: PYTHONPATH=build/python /usr/bin/python3 bench/python_bench.py build/bin/lamin [N] [ROUNDS]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LAMIN = os.path.realpath(sys.argv[1])
N = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 3
WORK = Path(tempfile.mkdtemp(prefix="lamin-pybench-"))
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "LAMIN_SETTINGS_DIR": str(WORK)}


def wall(cmd: list[str], cwd: Path = WORK) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=ENV, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def median_ms(cmd: list[str], runs: int = 21) -> float:
    wall(cmd)  # warm the page cache
    return statistics.median(wall(cmd) for _ in range(runs)) * 1000


def init(name: str) -> None:
    subprocess.run([LAMIN, "init", "--storage", str(WORK / name)], env=ENV, check=True,
                   capture_output=True)


try:
    # -- start-up --------------------------------------------------------------------------
    init("startup")
    (WORK / "one.txt").write_text("one")
    subprocess.run([LAMIN, "save", "one.txt", "--key", "one.txt"], cwd=WORK, env=ENV, check=True,
                   capture_output=True)
    bare = median_ms([sys.executable, "-c", "pass"])
    py_get = median_ms([sys.executable, "-c",
                        "import lamin as ln; ln.Artifact.get(key='one.txt')"])
    cli_get = median_ms([LAMIN, "get", "--key", "one.txt"])
    inside = subprocess.run([sys.executable, "-c", """
import time
t0 = time.perf_counter(); import lamin as ln
t1 = time.perf_counter(); ln.connect("startup")
t2 = time.perf_counter(); ln.Artifact.get(key="one.txt")
t3 = time.perf_counter(); ln.Artifact.get(key="one.txt")
t4 = time.perf_counter()
print(*(f"{(b - a) * 1000:.2f}" for a, b in [(t0, t1), (t1, t2), (t2, t3), (t3, t4)]))
"""], env=ENV, check=True, capture_output=True, text=True).stdout.split()
    print(f"start-up (median of 21 processes, ms): python3 -c pass {bare:.1f}; "
          f"import lamin + get(key=) {py_get:.1f}; lamin get --key {cli_get:.1f}")
    print(f"  inside Python (ms): import lamin {inside[0]}, connect {inside[1]}, "
          f"first get {inside[2]}, next get {inside[3]}")

    # -- 1,000 small files -----------------------------------------------------------------
    files = WORK / "files"
    for i in range(N):
        p = files / f"d{i % 10}" / f"f{i}.txt"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(os.urandom(1024 + (i * 37) % 3072))
    names = sorted(str(p.relative_to(files)) for p in files.rglob("*.txt"))
    (WORK / "names.txt").write_text("\n".join(names))
    py_save = f"""
import lamin as ln
ln.connect({{name!r}})
names = open({str(WORK / "names.txt")!r}).read().split("\\n")
ln.save([ln.Artifact(n, key="py/" + n) for n in names])
"""
    best_py = best_cli = float("inf")
    for r in range(ROUNDS):
        order = ["py", "cli"] if r % 2 == 0 else ["cli", "py"]
        for who in order:
            name = f"{who}{r}"
            init(name)
            if who == "py":
                t = wall([sys.executable, "-c", py_save.format(name=name)], cwd=files)
                best_py = min(best_py, t)
            else:
                subprocess.run([LAMIN, "connect", name], env=ENV, check=True,
                               capture_output=True)
                t = wall([LAMIN, "save", "--key-prefix", "cli", *names], cwd=files)
                best_cli = min(best_cli, t)
    print(f"{N} small files, one batch (min of {ROUNDS}): ln.save {best_py:.3f} s; "
          f"lamin save --key-prefix {best_cli:.3f} s; ratio {best_py / best_cli:.2f}")
finally:
    shutil.rmtree(WORK, ignore_errors=True)
