"""Collections (versioned sets of artifacts) and LaminDB's ranked search."""

from __future__ import annotations

import pytest

import lamin as ln
from conftest import write


@pytest.fixture
def shards(instance):
    arts = [ln.Artifact(write(f"s{i}.csv", f"x,y\n{i},{i * 10}\n"), key=f"shards/s{i}.csv")
            for i in range(3)]
    ln.save(arts)
    return arts


def test_collection_save_members_versions_load(shards):
    c = ln.Collection(shards[:2], key="atlas", description="two shards").save()
    assert len(c.uid) == 20 and c.key == "atlas"
    assert [a.key for a in c.ordered_artifacts] == ["shards/s0.csv", "shards/s1.csv"]
    assert ln.Collection(list(reversed(shards[:2])), key="atlas").save().uid == c.uid  # same set
    c2 = c.append(shards[2])
    assert c2.uid[:16] == c.uid[:16] and c2.uid.endswith("0001") and c2.is_latest
    assert ln.Collection.get(key="atlas") == c2
    assert [v.uid for v in c2.versions] == [c.uid, c2.uid]
    assert [p.read_text() for p in c2.cache()] == [f"x,y\n{i},{i * 10}\n" for i in range(3)]
    df = c2.load()
    assert list(df["x"]) == [0, 1, 2] and list(df["y"]) == [0, 10, 20]
    assert ln.Collection.filter(key="atlas", is_latest=True).one() == c2


def test_collection_of_unsaved_artifact_is_refused(instance):
    unsaved = ln.Artifact(write("a.txt", "a"), key="a.txt")
    with pytest.raises(ValueError, match="not saved"):
        ln.Collection([unsaved], key="c")
    with pytest.raises(TypeError):
        ln.Collection(["a.txt"], key="c")


def test_collection_holds_its_members(shards):
    ln.Collection(shards, key="all").save()
    with pytest.raises(ValueError):
        shards[0].delete(permanent=True)
    assert ln.Artifact.get(shards[0].uid).load() is not None


def test_search_ranks_as_lamindb(instance):
    for key, description in [("a.txt", "T cell atlas"), ("b.txt", "cells of type T"),
                             ("c.txt", "unrelated")]:
        ln.Artifact(write(key, key), key=key, description=description).save()
    hits = ln.Artifact.search("T cell")
    assert [a.key for a in hits] == ["a.txt"]
    ln.ULabel(name="T cell").save()
    ln.ULabel(name="T cells activated").save()
    assert ln.ULabel.search("T cell").to_list("name") == ["T cell", "T cells activated"]
    assert ln.ULabel.search("nothing like it").to_list() == []
    assert list(ln.ULabel.search("T cell").to_dataframe()["name"]) == ["T cell", "T cells activated"]
