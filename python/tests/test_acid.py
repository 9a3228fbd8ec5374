"""LaminDB's page "Will data & metadata stay in sync?" (docs.lamin.ai/faq/acid) as a test, with
the case it left as "Need a proper test here!": one failed upload in a batch, both all or
nothing (lamin's default) and keeping what succeeded (LaminDB's behaviour).

Faults are injected by wrapping the real storage and database (lamin._lamin._testing, the
wrappers the C++ fault sweeps use); the denied upload is a real S3 server refusing a request
signed with a wrong secret (scripts/with_s3.sh; skipped without it)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

import lamin as ln
from conftest import run_python, write


def objects(instance: Path) -> set[str]:
    """Every file under the storage's .lamindb/ but the database's own."""
    root = instance.parent / "data" / ".lamindb"
    return {str(p.relative_to(root)) for p in root.rglob("*")
            if p.is_file() and not p.name.startswith("lamin.db")}


def with_faults(**faults: str) -> None:
    ln._instance._set(ln._lamin._testing.open_current_with_faults(**faults))


def healthy() -> None:
    ln._instance._set(None)  # the next call opens the instance as it is on disk
    report = ln._instance.handle().fsck()
    assert report["unrepaired"] == 0, report["problems"]


@pytest.fixture
def fasta(instance):
    open("sample.fasta", "w").write(">seq1\nACGT\n")
    return instance


@pytest.mark.skipif("LAMIN_TEST_S3_ENDPOINT" not in os.environ, reason="needs scripts/with_s3.sh")
def test_save_error_due_to_failed_upload(fasta):
    """A save to a storage location that refuses the upload raises PermissionError, and
    nothing gets saved."""
    endpoint = os.environ["LAMIN_TEST_S3_ENDPOINT"]
    bucket = os.environ["LAMIN_TEST_S3_BUCKET"]
    ln.setup.add_storage(f"s3://{bucket}/acid-{uuid.uuid4().hex[:8]}?endpoint_url={endpoint}")
    before = objects(fasta)
    script = """
import lamin as ln
root = [s["root"] for s in ln._instance.handle().storages() if s["root"].startswith("s3://")][0]
ln.settings.storage = root
artifact = ln.Artifact("sample.fasta", key="sample.fasta")
try:
    artifact.save()
except PermissionError as error:
    print("PermissionError:", error)
"""
    result = run_python(script, env={"AWS_SECRET_ACCESS_KEY": "not-the-secret"})
    assert result.stdout.startswith("PermissionError:"), result.stdout + result.stderr
    assert "not-the-secret" not in result.stdout + result.stderr
    assert len(ln.Artifact.filter()) == 0
    assert objects(fasta) == before
    healthy()


def test_save_error_during_bulk_creation(fasta):
    """A batch with something that is not a record raises, and nothing gets saved."""
    artifact = ln.Artifact("sample.fasta", key="sample.fasta")
    before = objects(fasta)
    with pytest.raises(Exception):
        ln.save([artifact, "this is not a record"])
    assert len(ln.Artifact.filter()) == 0
    assert objects(fasta) == before


def test_a_batch_whose_metadata_save_fails_leaves_nothing(fasta):
    write("a.txt", "a")
    write("b.txt", "b")
    before = objects(fasta)
    with_faults(fail_sql="INSERT INTO lamindb_artifact")
    batch = [ln.Artifact(p, key=p) for p in ("a.txt", "b.txt", "sample.fasta")]
    with pytest.raises(RuntimeError) as error:
        ln.save(batch)
    assert str(error.value).startswith("No entries were uploaded or committed to the database.")
    assert isinstance(error.value.__cause__, OSError)
    healthy()
    assert len(ln.Artifact.filter()) == 0
    assert objects(fasta) == before
    assert not any(a._saved() for a in batch)


def test_one_failed_upload_in_a_batch_saves_nothing(fasta):
    """The case LaminDB's page left open, all or nothing: no row and no object of the batch."""
    write("a.txt", "a")
    write("c.txt", "c")
    before = objects(fasta)
    with_faults(fail_upload_suffix=".fasta")
    batch = [ln.Artifact(p, key=p) for p in ("a.txt", "sample.fasta", "c.txt")]
    with pytest.raises(RuntimeError) as error:
        ln.save(batch)
    assert str(error.value).startswith("No entries were uploaded or committed to the database.")
    assert "injected fault" in str(error.value)
    healthy()
    assert len(ln.Artifact.filter()) == 0
    assert objects(fasta) == before


def test_one_failed_upload_in_a_batch_keeps_the_others_when_asked(fasta):
    """LaminDB's behaviour: what was stored stays, and the error lists it."""
    write("a.txt", "a")
    write("c.txt", "c")
    with_faults(fail_upload_suffix=".fasta")
    a, bad, c = batch = [ln.Artifact(p, key=p) for p in ("a.txt", "sample.fasta", "c.txt")]
    with pytest.raises(RuntimeError) as error:
        ln.save(batch, keep_successful=True)
    message = str(error.value)
    assert message.startswith(
        "The following entries have been successfully uploaded and committed to the database:")
    assert a.uid in message and c.uid in message
    assert [x.uid for x in error.value.saved] == [a.uid, c.uid]
    assert [os.path.basename(p) for p, _ in error.value.failed] == ["sample.fasta"]
    assert not bad._saved()
    healthy()
    assert sorted(x.key for x in ln.Artifact.filter()) == ["a.txt", "c.txt"]
    assert ln.Artifact.get(key="a.txt").load() == "a"
    assert ln.Artifact.get(key="c.txt").load() == "c"


def test_a_single_failed_save_raises_its_own_error(fasta):
    with_faults(fail_upload_suffix=".fasta")
    with pytest.raises(OSError) as error:
        ln.Artifact("sample.fasta", key="sample.fasta").save()
    assert error.value.code == "IOError"
    healthy()
    assert len(ln.Artifact.filter()) == 0
