"""A demo-like instance full of hostile text, served by `lamin serve` on a free port.

LAMIN_CLI names the lamin binary (tests/CMakeLists.txt sets it)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

LAMIN = os.environ.get("LAMIN_CLI", "lamin")
HOSTILE = "<script>alert(1)</script>"


def lamin(*args: str, cwd: Path, env: dict) -> str:
    result = subprocess.run([LAMIN, *args], cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"lamin {' '.join(args)}: {result.stderr}")
    return result.stdout


class Server:
    def __init__(self, url: str, proc: subprocess.Popen, work: Path, env: dict) -> None:
        self.url, self.proc, self.work, self.env = url, proc, work, env

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def serve(work: Path, env: dict, *args: str) -> Server:
    proc = subprocess.Popen([LAMIN, "serve", "--port", "0", *args], cwd=work, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line.startswith("serving "):
        proc.kill()
        raise AssertionError(f"lamin serve did not start: {line}{proc.stderr.read()}")
    return Server(line.split()[1], proc, work, env)


@pytest.fixture(scope="session")
def instance(tmp_path_factory) -> tuple[Path, dict]:
    work = tmp_path_factory.mktemp("web")
    env = dict(os.environ, LAMIN_SETTINGS_DIR=str(work), LAMIN_CACHE_DIR=str(work / "cache"))
    lamin("init", "--storage", str(work / "data"), "--name", "web", cwd=work, env=env)
    (work / "reads.fasta").write_text(">seq1\nACGT\n")
    (work / "counts.csv").write_text("gene,count\nTP53,12\n")
    (work / "evil.txt").write_text(HOSTILE)
    (work / "plate" / HOSTILE.replace("/", "_")).mkdir(parents=True)
    (work / "plate" / HOSTILE.replace("/", "_") / "well.txt").write_text("w")
    (work / "plate" / "a.csv").write_text("a\n")
    lamin("save", "reads.fasta", "--key", "raw/reads.fasta", "--description", "demo reads",
          cwd=work, env=env)
    lamin("save", "evil.txt", "--key", f"{HOSTILE}/x.txt", "--description", HOSTILE,
          cwd=work, env=env)
    lamin("save", "plate", "--key", "plates/plate", cwd=work, env=env)
    lamin("create", "ulabel", HOSTILE, cwd=work, env=env)
    lamin("create", "feature", "note", "--dtype", "str", cwd=work, env=env)
    lamin("annotate", "--key", f"{HOSTILE}/x.txt", "--ulabel", HOSTILE, "--features",
          f"note={HOSTILE}", cwd=work, env=env)
    script = work / "count.sh"
    script.write_text(f"""#!/bin/bash
# {HOSTILE}
reads=$("{LAMIN}" load --key raw/reads.fasta)
echo "{HOSTILE}"
grep -c '^>' "$reads" > n_reads.txt
"{LAMIN}" save n_reads.txt --key results/n_reads.txt
""")
    script.chmod(0o755)
    lamin("run", "--params", '{"note": "' + HOSTILE.replace('"', '\\"') + '"}', "--", "./count.sh",
          cwd=work, env=env)
    lamin("create", "collection", "shards", "raw/reads.fasta", "results/n_reads.txt", cwd=work,
          env=env)
    return work, env


@pytest.fixture(scope="session")
def server(instance) -> Server:
    work, env = instance
    s = serve(work, env)
    yield s
    s.stop()


def uid_of(key: str, work: Path, env: dict) -> str:
    import json

    return json.loads(lamin("get", "--key", key, "--json", cwd=work, env=env))["uid"]


def wait_closed(proc: subprocess.Popen, seconds: float = 10) -> None:
    end = time.time() + seconds
    while proc.poll() is None and time.time() < end:
        time.sleep(0.05)
