"""The artifact API as LaminDB code uses it: save, get, filter, versions, load, trash."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import lamin as ln
from conftest import ON_S3, local_storage_only, write


def test_save_then_get_by_key_and_uid(instance):
    write("sample.fasta", ">seq1\nACGT\n")
    artifact = ln.Artifact("sample.fasta", key="raw/sample.fasta", description="run 1").save()
    assert len(artifact.uid) == 20 and artifact.uid.endswith("0000")
    assert artifact.key == "raw/sample.fasta"
    assert artifact.description == "run 1"
    assert artifact.suffix == ".fasta"
    assert artifact.size == 11
    assert artifact.hash == "83rEPcAoBHmYiIuyBYrFKg"  # LaminDB's hash of these bytes (ACID page)
    assert artifact.is_latest and artifact.branch_id == 1
    assert ln.Artifact.get(key="raw/sample.fasta") == artifact
    assert ln.Artifact.get(artifact.uid).key == "raw/sample.fasta"
    assert ln.Artifact.get(uid=artifact.uid[:16]) == artifact
    assert ln.Artifact.get(artifact.id) == artifact
    assert ln.Artifact.get(description="run 1") == artifact


def test_content_saved_before_is_that_artifact(instance):
    write("a.txt", "same")
    first = ln.Artifact("a.txt", key="a.txt").save()
    write("b.txt", "same")
    again = ln.Artifact("b.txt", key="other/b.txt").save()
    assert again.uid == first.uid and again.key == "a.txt"
    assert len(ln.Artifact.filter()) == 1


def test_filter_order_by_first_one_all(instance):
    for i in range(5):
        write(f"f{i}.txt", f"content {i}")
        ln.Artifact(f"f{i}.txt", key=f"raw/f{i}.txt", description=f"d{i % 2}").save()
    write("x.csv", "a,b\n1,2\n")
    ln.Artifact("x.csv", key="tables/x.csv").save()
    raw = ln.Artifact.filter(key__startswith="raw/")
    assert raw.count() == 5 and len(raw) == 5
    assert [a.key for a in raw.order_by("key")] == [f"raw/f{i}.txt" for i in range(5)]
    assert raw.order_by("-key").first().key == "raw/f4.txt"
    assert raw.filter(description="d1").order_by("key").to_list("key") == ["raw/f1.txt", "raw/f3.txt"]
    assert ln.Artifact.filter(suffix=".csv").one().key == "tables/x.csv"
    assert ln.Artifact.filter(size__gt=100).first() is None
    assert list(ln.Artifact.filter(key__in=["raw/f0.txt", "tables/x.csv"]).order_by("key").to_list("key")) \
        == ["raw/f0.txt", "tables/x.csv"]
    assert len(ln.Artifact.filter().all()) == 6
    assert [a.key for a in raw.order_by("key")[1:3]] == ["raw/f1.txt", "raw/f2.txt"]
    assert raw.order_by("key")[4].key == "raw/f4.txt"
    with pytest.raises(ln.errors.MultipleResultsFound):
        raw.one()
    with pytest.raises(ln.errors.DoesNotExist):
        ln.Artifact.filter(key="nope").one()
    with pytest.raises(LookupError):  # the built-in a Python caller catches
        ln.Artifact.get(key="nope")
    with pytest.raises(ln.Artifact.DoesNotExist):
        ln.Artifact.get(key="nope")
    assert ln.Artifact.filter(key="nope").one_or_none() is None
    assert not ln.Artifact.filter(key="nope").exists()


def test_to_dataframe(instance):
    write("a.txt", "1")
    write("b.txt", "22")
    ln.save([ln.Artifact("a.txt", key="a.txt"), ln.Artifact("b.txt", key="b.txt")])
    df = ln.Artifact.filter().order_by("key").to_dataframe()
    assert list(df["key"]) == ["a.txt", "b.txt"]
    assert list(df["size"]) == [1, 2]
    assert df.index.name == "id"
    assert ln.Artifact.filter(key="none").to_dataframe().empty


def test_versions_by_key(instance):
    write("counts.csv", "a\n1\n")
    v1 = ln.Artifact("counts.csv", key="counts.csv").save()
    write("counts.csv", "a\n2\n")
    v2 = ln.Artifact("counts.csv", key="counts.csv").save()
    assert v2.uid[:16] == v1.uid[:16] and v2.uid.endswith("0001")
    assert v2.is_latest
    assert ln.Artifact.get(key="counts.csv") == v2
    assert [a.uid for a in v2.versions] == [v1.uid, v2.uid]
    assert not ln.Artifact.get(v1.uid).is_latest


def test_cache_path_and_load(instance):
    write("t.csv", "x,y\n1,a\n2,b\n")
    write("t.tsv", "x\ty\n3\tc\n")
    write("notes.txt", "hello\n")
    a, b, c = (ln.Artifact(p, key=p) for p in ("t.csv", "t.tsv", "notes.txt"))
    ln.save([a, b, c])
    if ON_S3:
        assert str(a.path).startswith("s3://") and str(a.path).endswith(a.uid + ".csv")
    else:
        assert isinstance(a.path, Path) and a.path.read_text() == "x,y\n1,a\n2,b\n"
        assert a.path.is_relative_to(instance.parent / "data" / ".lamindb")
    assert a.cache().read_text() == "x,y\n1,a\n2,b\n"
    df = a.load()
    assert list(df.columns) == ["x", "y"] and list(df["x"]) == [1, 2]
    assert list(b.load()["y"]) == ["c"]
    assert c.load() == "hello\n"


@local_storage_only
def test_missing_data_is_a_file_not_found_error(instance):
    write("t.txt", "original")
    a = ln.Artifact("t.txt", key="t.txt").save()
    os.remove(a.path)
    with pytest.raises(FileNotFoundError, match="missing"):
        a.load()


def test_delete_to_trash_restore_and_permanent(instance):
    write("a.txt", "v1")
    v1 = ln.Artifact("a.txt", key="a.txt").save()
    write("a.txt", "v2")
    v2 = ln.Artifact("a.txt", key="a.txt").save()
    v2.delete()
    assert v2.branch_id == -1
    assert ln.Artifact.get(key="a.txt") == v1  # the previous version became latest
    assert len(ln.Artifact.filter(key="a.txt")) == 1
    assert ln.Artifact.filter(branch_id=-1).one().uid == v2.uid
    v2.restore()
    assert ln.Artifact.get(key="a.txt").uid == v2.uid
    with pytest.raises(ValueError):
        v2.delete()
        v2.delete()  # in the trash already: needs permanent=True
    path = v2.path
    v2.delete(permanent=True)
    assert not Path(path).exists()
    with pytest.raises(ln.errors.DoesNotExist):
        ln.Artifact.get(v2.uid)


def test_folder_artifact(instance):
    write("d/x.txt", "x")
    write("d/sub/y.txt", "yy")
    a = ln.Artifact("d", key="folders/d").save()
    assert a.n_files == 2 and a.size == 3
    assert sorted(p.name for p in a.cache().rglob("*.txt")) == ["x.txt", "y.txt"]
    with pytest.raises(ValueError):
        a.load()


def test_describe(instance, capsys):
    write("a.txt", "x")
    a = ln.Artifact("a.txt", key="a.txt", description="the a").save()
    assert a.describe() is None
    out = capsys.readouterr().out
    assert out.startswith("Artifact: a.txt") and a.uid in out and "hash:" in out
    assert a.describe(return_str=True) == out.rstrip("\n")


def test_repr_of_saved_and_unsaved(instance):
    write("a.txt", "x")
    a = ln.Artifact("a.txt", key="a.txt")
    assert repr(a).startswith("Artifact(unsaved")
    a.save()
    assert repr(a).startswith(f"Artifact(uid='{a.uid}'")


def test_settings_and_info(instance):
    assert ln.settings.instance.name == "data"
    assert ln.settings.instance.root == str(instance.parent / "data")
    if not ON_S3:
        assert ln.settings.storage == str(instance.parent / "data")
    with pytest.raises(ValueError):
        ln.settings.storage = "/not/registered"


def test_from_dir_keys_each_file_by_its_path(instance):
    write("plates/p1/a.csv", "a\n1\n")
    write("plates/p1/b.csv", "b\n2\n")
    write("plates/c.txt", "c")
    artifacts = ln.Artifact.from_dir("plates")
    assert [a._request["key"] for a in artifacts] == ["plates/c.txt", "plates/p1/a.csv",
                                                     "plates/p1/b.csv"]
    ln.save(artifacts)
    assert ln.Artifact.filter(key__startswith="plates/").count() == 3
    write("plates/p1/a.csv", "a\n9\n")
    again = ln.Artifact.from_dir("plates", key="screen")
    ln.save(again)
    # content saved before is that artifact, under its key; the changed file is new
    assert [a.key for a in again] == ["plates/c.txt", "screen/p1/a.csv", "plates/p1/b.csv"]
    with pytest.raises(FileNotFoundError):
        ln.Artifact.from_dir("no-such-folder")
