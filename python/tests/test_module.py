"""The module's shape: the stubs name what the extension has, the package imports without
pandas, and a script written for LaminDB's artifact API runs on `import lamin as ln`."""

from __future__ import annotations

import ast
import inspect
import sys
from pathlib import Path

import lamin as ln
from conftest import run_python, write


def _stub_names() -> tuple[set[str], set[str]]:
    stub = Path(ln._lamin.__file__).with_name("_lamin.pyi")
    tree = ast.parse(stub.read_text())
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    (instance,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Instance"]
    methods = {n.name for n in instance.body if isinstance(n, ast.FunctionDef)}
    return functions, methods


def test_the_stubs_match_the_extension():
    functions, methods = _stub_names()
    native = {n for n, v in vars(ln._lamin).items() if callable(v) and not n.startswith("_")
              and not inspect.isclass(v)}
    native_methods = {n for n in dir(ln._lamin.Instance) if not n.startswith("_")}
    assert functions == native
    assert methods == native_methods


def test_every_public_name_has_a_docstring():
    for name in ln.__all__:
        obj = getattr(ln, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert obj.__doc__, name


def test_import_does_not_load_pandas():
    result = run_python("import sys, lamin; print('pandas' in sys.modules)")
    assert result.stdout.strip() == "False"


LAMINDB_SCRIPT = '''
import lamindb as ln

ln.track()
open("iris.csv", "w").write("sepal_length,species\\n5.1,setosa\\n7.0,versicolor\\n")
artifact = ln.Artifact("iris.csv", key="datasets/iris.csv", description="Iris").save()
ln.Feature(name="n_rows", dtype=int).save()
ln.ULabel(name="flowers").save()
artifact.features.add_values({"n_rows": 2})
artifact.ulabels.add(ln.ULabel.get(name="flowers"))
df = ln.Artifact.filter(key__startswith="datasets/").order_by("-created_at").to_dataframe()
assert "datasets/iris.csv" in df["key"].tolist()
artifact = ln.Artifact.get(key="datasets/iris.csv")
frame = artifact.load()
assert frame.shape == (2, 2)
open("iris.csv", "a").write("6.3,virginica\\n")
v2 = ln.Artifact("iris.csv", key="datasets/iris.csv").save()
assert v2.versions.count() == 2
assert ln.Artifact.filter(ulabels__name="flowers").one().uid == artifact.uid
assert ln.Artifact.filter(n_rows=2).one().uid == artifact.uid
hits = ln.Artifact.search("Iris")
assert hits.first().uid == artifact.uid
collection = ln.Collection([artifact], key="iris-collection").save()
assert collection.ordered_artifacts.first().uid == artifact.uid
artifact.describe()
v2.delete()
v2.restore()
ln.finish()
print("OK")
'''


def test_a_lamindb_script_runs_unchanged(instance, tmp_path):
    # The script says `import lamindb as ln`; a shim module of that name is `lamin`, as a user
    # would alias it, so that the script's text stays LaminDB's.
    shim = tmp_path / "shim"
    write(shim / "lamindb.py", "from lamin import *\nfrom lamin import errors, context\n")
    script = write("notebook_style.py", LAMINDB_SCRIPT)
    result = run_python(script, env={"PYTHONPATH": f"{shim}:{':'.join(sys.path)}"})
    assert result.stdout.strip().endswith("OK"), result.stdout + result.stderr
    run = ln.Artifact.get(key="datasets/iris.csv").run
    assert run.status == "completed" and run.transform.key == "notebook_style.py"
