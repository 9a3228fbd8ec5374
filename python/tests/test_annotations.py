"""Labels and features as LaminDB code writes them: ULabel(...).save(), Feature(...).save(),
artifact.ulabels.add(), artifact.features.add_values(), and queries by them."""

from __future__ import annotations

import pytest

import lamin as ln
from conftest import write


@pytest.fixture
def artifact(instance):
    write("sample.fastq", "@r1\nACGT\n+\nIIII\n")
    return ln.Artifact("sample.fastq", key="raw/sample.fastq").save()


def test_ulabels_add_all_remove(artifact):
    t_cell = ln.ULabel(name="T cell").save()
    again = ln.ULabel(name="T cell").save()
    assert again.uid == t_cell.uid and len(t_cell.uid) == 8
    ln.ULabel(name="B cell").save()
    artifact.ulabels.add(t_cell)
    artifact.ulabels.add("B cell")
    assert artifact.ulabels.to_list("name") == ["B cell", "T cell"]
    assert ln.Artifact.filter(ulabels__name="T cell").one() == artifact
    assert ln.Artifact.filter(ulabels=t_cell).one() == artifact
    artifact.ulabels.remove(t_cell)
    assert artifact.ulabels.to_list("name") == ["B cell"]
    assert ln.ULabel.get(name="T cell") == t_cell
    assert ln.ULabel.filter(name__startswith="T").one() == t_cell


def test_an_unknown_label_changes_nothing(artifact):
    ln.ULabel(name="known").save()
    with pytest.raises(ValueError, match="not-registered"):
        artifact.ulabels.add("known", "not-registered")
    assert artifact.ulabels.to_list() == []


def test_typed_labels(instance):
    kind = ln.ULabel(name="CellType", is_type=True).save()
    t = ln.ULabel(name="T cell", type=kind).save()
    assert t.type_id == kind.id
    assert t.is_type is False and kind.is_type is True


def test_features_add_and_get_values(artifact):
    ln.Feature(name="temperature", dtype=float).save()
    ln.Feature(name="donor", dtype=str).save()
    ln.Feature(name="n_reads", dtype=int).save()
    ln.Feature(name="passed", dtype=bool).save()
    ln.Feature(name="cell_type", dtype=ln.ULabel).save()
    ln.ULabel(name="T cell").save()
    artifact.features.add_values({"temperature": 37.5, "donor": "D-01", "n_reads": 1000,
                                  "passed": True, "cell_type": "T cell"})
    assert artifact.features.get_values() == {"temperature": 37.5, "donor": "D-01",
                                              "n_reads": 1000, "passed": True,
                                              "cell_type": "T cell"}
    assert ln.Artifact.filter(temperature__gt=30).one() == artifact
    assert ln.Artifact.filter(donor="D-01").one() == artifact
    assert not ln.Artifact.filter(temperature__lt=30).exists()
    # the categorical value is also a label link with its feature
    assert artifact.ulabels.to_list("name") == ["T cell"]
    artifact.features.remove_values("donor")
    assert "donor" not in artifact.features.get_values()


def test_a_value_not_of_its_dtype_changes_nothing(artifact):
    ln.Feature(name="temperature", dtype=float).save()
    ln.Feature(name="donor", dtype=str).save()
    with pytest.raises(ValueError, match="temperature"):
        artifact.features.add_values({"donor": "D-01", "temperature": "warm"})
    assert artifact.features.get_values() == {}
    with pytest.raises(ValueError, match="unknown"):
        artifact.features.add_values({"unknown": 1})


def test_feature_dtypes_from_python(instance):
    assert ln.Feature(name="f1", dtype=float).save().dtype == "float"
    assert ln.Feature(name="f2", dtype=list[str]).save().dtype == "list[str]"
    assert ln.Feature(name="f3", dtype="cat[ULabel]").save().dtype == "cat[ULabel]"
    with pytest.raises(TypeError, match="unsupported dtype"):
        ln.Feature(name="f4", dtype=object)
    with pytest.raises(ValueError, match="needs a dtype"):
        ln.Feature(name="f5")


def test_annotations_at_save(instance):
    ln.Feature(name="temperature", dtype=float).save()
    ln.ULabel(name="T cell").save()
    write("a.txt", "a")
    a = ln.Artifact("a.txt", key="a.txt", features={"temperature": 4.0}, ulabels=["T cell"]).save()
    assert a.features.get_values() == {"temperature": 4.0}
    assert a.ulabels.to_list("name") == ["T cell"]
    write("b.txt", "b")
    with pytest.raises(ValueError):
        ln.Artifact("b.txt", key="b.txt", ulabels=["not there"]).save()
    assert not ln.Artifact.filter(key="b.txt").exists()


def test_schema_validates(instance):
    ln.Feature(name="temperature", dtype=float).save()
    ln.Feature(name="donor", dtype=str).save()
    schema = ln.Schema(["temperature", "donor"], name="sample").save()
    assert schema.name == "sample"
    write("a.txt", "a")
    with pytest.raises(ValueError, match="donor"):
        ln.Artifact("a.txt", key="a.txt", features={"temperature": 1.0}, schema=schema).save()
    assert not ln.Artifact.filter(key="a.txt").exists()


def test_delete_a_label_in_use_is_refused(artifact):
    label = ln.ULabel(name="x").save()
    artifact.ulabels.add(label)
    with pytest.raises(ValueError):
        label.delete()
    artifact.ulabels.remove(label)
    label.delete()
    assert not ln.ULabel.filter(name="x").exists()
