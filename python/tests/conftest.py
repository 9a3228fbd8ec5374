"""Each test gets a fresh instance on SQLite and local storage, with its own settings and cache
folders (LAMIN_SETTINGS_DIR, LAMIN_CACHE_DIR), in a scratch folder that is also the current one.
With LAMIN_TEST_BACKEND=postgres (scripts/with_postgres.sh), the metadata goes to a fresh
database of that server instead."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

import lamin as ln


def _postgres_database() -> str:
    base = os.environ["LAMIN_TEST_POSTGRES"]
    name = "lamin_py_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", base, "-q", "-c", f"CREATE DATABASE {name}"], check=True)
    return base.rsplit("/", 1)[0] + "/" + name


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty scratch folder, the current one, with settings and cache beside it."""
    monkeypatch.setenv("LAMIN_SETTINGS_DIR", str(tmp_path / "settings"))
    monkeypatch.setenv("LAMIN_CACHE_DIR", str(tmp_path / "cache"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    yield work
    ln._instance._set(None)


ON_S3 = os.environ.get("LAMIN_TEST_STORAGE") == "s3"


@pytest.fixture
def instance(folder: Path) -> Path:
    """A new current instance with storage at <tmp>/data; returns the scratch folder. With
    LAMIN_TEST_STORAGE=s3 (beside scripts/with_s3.sh), saves go to a fresh prefix of its bucket,
    a second location of the instance."""
    db = _postgres_database() if os.environ.get("LAMIN_TEST_BACKEND") == "postgres" else None
    ln.setup.init(storage=folder.parent / "data", db=db)
    assert ln.settings.instance.db.startswith("postgresql" if db else "sqlite")
    if ON_S3:
        endpoint, bucket = os.environ["LAMIN_TEST_S3_ENDPOINT"], os.environ["LAMIN_TEST_S3_BUCKET"]
        ln.setup.add_storage(f"s3://{bucket}/py-{uuid.uuid4().hex[:10]}?endpoint_url={endpoint}")
        ln.settings.storage = [s["root"] for s in ln._instance.handle().storages()
                               if s["root"].startswith("s3://")][0]
    return folder


local_storage_only = pytest.mark.skipif(ON_S3, reason="looks at the local storage folder")


def write(path: str | Path, text: str) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def run_python(code_or_file: str | Path, *args: str, env: dict | None = None,
               check: bool = True) -> subprocess.CompletedProcess:
    """Runs a Python script (a file, or code) with the lamin package importable."""
    cmd = [sys.executable, str(code_or_file), *args] if isinstance(code_or_file, Path) else \
        [sys.executable, "-c", code_or_file, *args]
    full_env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **(env or {})}
    result = subprocess.run(cmd, capture_output=True, text=True, env=full_env)
    if check and result.returncode != 0:
        raise AssertionError(f"{cmd} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result
