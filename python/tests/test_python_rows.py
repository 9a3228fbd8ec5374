"""The rows the Python module's ln.track()/ln.finish() write, column by column against the rows
Python LaminDB 2.6 wrote for the same calls (../shared/reference/lamindb-2.6/lineage.db: a
script `pipeline.py` run with `ln.track(params={"n": 3, "mode": "fast"})`, an output saved,
`ln.finish()`). Compared: which columns are NULL, uid shapes, JSON text, status codes,
timestamp formats, and the run's environment and report artifacts. SQLite only (the reference
is SQLite); skipped where the reference is absent."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

import lamin as ln
from conftest import ON_S3, run_python, write

REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "lamindb-2.6" / "lineage.db.gz"
MICROS = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$")

pytestmark = pytest.mark.skipif(
    not REFERENCE.exists() or os.environ.get("LAMIN_TEST_BACKEND") == "postgres" or ON_S3,
    reason="needs the reference database and an instance on SQLite with local storage")


def rows(db: Path, sql: str, *params) -> list[dict]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(sql, params)]
    finally:
        con.close()


def nulls(row: dict) -> set[str]:
    return {k for k, v in row.items() if v is None}


@pytest.fixture
def reference(tmp_path) -> Path:
    out = tmp_path / "lineage.db"
    with gzip.open(REFERENCE) as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return out


def test_track_and_finish_write_rows_as_python_does(instance, reference):
    script = write("pipeline.py", "import lamin as ln\nln.track(params={\"n\": 3, \"mode\": \"fast\"})\n"
                                  "open('out1.txt', 'w').write('x')\n"
                                  "ln.Artifact('out1.txt', key='outputs/out1.txt').save()\nln.finish()\n")
    run_python(script)
    ours = instance.parent / "data" / ".lamindb" / "lamin.db"

    (py_run,) = rows(reference, "SELECT * FROM lamindb_run WHERE id = 1")
    (run,) = rows(ours, "SELECT * FROM lamindb_run")
    assert nulls(run) == nulls(py_run)
    assert len(run["uid"]) == len(py_run["uid"]) == 16
    assert run["params"] == py_run["params"] == '{"n": 3, "mode": "fast"}'
    assert (run["_status_code"], run["_is_consecutive"]) == (py_run["_status_code"], 1)
    assert MICROS.match(run["finished_at"]) and MICROS.match(py_run["finished_at"])

    (py_t,) = rows(reference, "SELECT * FROM lamindb_transform WHERE id = 1")
    (t,) = rows(ours, "SELECT * FROM lamindb_transform")
    assert nulls(t) == nulls(py_t)
    assert (t["key"], t["kind"]) == (py_t["key"], py_t["kind"]) == ("pipeline.py", "script")
    assert len(t["uid"]) == len(py_t["uid"]) == 16 and t["uid"].endswith("0000")
    assert len(t["hash"]) == len(py_t["hash"]) == 22
    assert t["source_code"] == script.read_text()

    for which in ("environment_id", "report_id"):
        (py_a,) = rows(reference, "SELECT * FROM lamindb_artifact WHERE id = ?", py_run[which])
        (a,) = rows(ours, "SELECT * FROM lamindb_artifact WHERE id = ?", run[which])
        assert nulls(a) == nulls(py_a), which
        for column in ("kind", "suffix", "_key_is_virtual", "branch_id"):
            assert a[column] == py_a[column], (which, column)
        assert len(a["uid"]) == 20 and a["uid"].endswith("0000")
        if which == "report_id":
            assert a["description"] == f"log streams of run {run['uid']}"
        else:
            assert a["description"] == py_a["description"] == "requirements.txt"

    (py_out,) = rows(reference, "SELECT * FROM lamindb_artifact WHERE id = 5")  # outputs/out2.txt
    (out,) = rows(ours, "SELECT * FROM lamindb_artifact WHERE key = 'outputs/out1.txt'")
    assert nulls(out) == nulls(py_out)
    assert out["run_id"] == run["id"]
