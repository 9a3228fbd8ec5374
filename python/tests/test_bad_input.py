"""Bad input from Python gets a clear exception, never a crash, and loses nothing saved."""

from __future__ import annotations

import os
import threading
import time

import pytest

import lamin as ln
from conftest import write


def test_missing_path(instance):
    with pytest.raises(FileNotFoundError) as error:
        ln.Artifact("no/such/file.csv", key="x.csv")
    assert error.value.filename == "no/such/file.csv"


def test_a_path_that_vanishes_before_save(instance):
    a = ln.Artifact(write("gone.txt", "x"), key="gone.txt")
    os.remove("gone.txt")
    with pytest.raises(FileNotFoundError):
        a.save()
    assert not ln.Artifact.filter().exists()


def test_wrong_types(instance):
    with pytest.raises(TypeError, match="path"):
        ln.Artifact(42)
    with pytest.raises(TypeError, match="path"):
        ln.Artifact(None)
    write("a.txt", "a")
    with pytest.raises(TypeError, match="key"):
        ln.Artifact("a.txt", key=5)
    with pytest.raises(TypeError):
        ln.Artifact.filter(key=object()).first()
    with pytest.raises(TypeError):
        ln.save("a.txt")
    with pytest.raises(TypeError):
        ln.Artifact.get(3.5)
    with pytest.raises(TypeError):
        ln.ULabel(name=None)
    with pytest.raises(TypeError):
        ln.Artifact.search(None)


def test_bad_keys_and_fields(instance):
    write("a.csv", "a")
    with pytest.raises(ValueError, match="suffix"):
        ln.Artifact("a.csv", key="a.txt").save()
    with pytest.raises(ValueError):
        ln.Artifact("a.csv", key="../escape.csv").save()
    with pytest.raises(ValueError, match="nosuchfield"):
        ln.Artifact.filter(nosuchfield="x").first()
    with pytest.raises(ValueError):
        ln.Artifact.filter().order_by("nosuchfield").first()
    assert not ln.Artifact.filter().exists()


def test_hostile_values_are_data(instance):
    hostile = "x' OR '1'='1"
    write("a.txt", "a")
    ln.Artifact("a.txt", key="a.txt", description=hostile).save()
    assert ln.Artifact.filter(description=hostile).one().key == "a.txt"
    assert not ln.Artifact.filter(key=hostile).exists()
    assert ln.Artifact.filter(description__contains="%").first() is None
    assert ln.ULabel(name="<script>alert(1)</script>").save().name == "<script>alert(1)</script>"


def test_non_utf8_paths(instance):
    name = os.fsdecode(b"caf\xe9.txt")  # not UTF-8: a surrogate in Python
    with open(name, "w") as f:
        f.write("latin-1 name")
    a = ln.Artifact(name, description="non-UTF-8 file name").save()
    assert a.load() == "latin-1 name"
    assert ln.Artifact.filter(description="non-UTF-8 file name").one() == a
    with pytest.raises(ValueError):  # a key must be text
        ln.Artifact(name, key=name + "x").save()


def test_no_current_instance(folder):
    with pytest.raises(RuntimeError, match="instance"):
        ln.Artifact.filter().first()


def test_unknown_instance(folder):
    with pytest.raises(LookupError):
        ln.connect("nobody/nothing")


def test_the_gil_is_released_while_the_library_works(instance):
    """A Python thread keeps running while another saves 300 files."""
    for i in range(300):
        write(f"many/{i}.txt", str(i) * 100)
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    t = threading.Thread(target=tick)
    t.start()
    start = time.perf_counter()
    ln.save([ln.Artifact(f"many/{i}.txt", key=f"many/{i}.txt") for i in range(300)])
    end = time.perf_counter()
    done.set()
    t.join()
    during = [x for x in ticks if start < x < end]
    # With the GIL held through the save, the ticker would not run at all in between.
    assert len(during) >= max(3, (end - start) / 0.001 / 10), (len(during), end - start)
    assert ln.Artifact.filter(key__startswith="many/").count() == 300


def test_threads_share_the_instance(instance):
    for i in range(40):
        write(f"t/{i}.txt", f"thread file {i}")
    errors = []

    def work(part):
        try:
            for i in range(part, 40, 4):
                ln.Artifact(f"t/{i}.txt", key=f"t/{i}.txt").save()
                ln.Artifact.filter(key__startswith="t/").count()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(p,)) for p in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert ln.Artifact.filter(key__startswith="t/").count() == 40
