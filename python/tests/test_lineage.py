"""ln.track() / ln.finish() in a real script: transform, run, outputs, inputs, report, status."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import pytest

import lamin as ln
from conftest import run_python, write


SCRIPT = """
import sys
import lamin as ln
ln.track(params={"n": 3, "skip": None})
print("computing")
inp = ln.Artifact.get(key="input.txt")
text = inp.load()
open("output.txt", "w").write(text.upper())
ln.Artifact("output.txt", key="output.txt").save()
ln.finish()
"""


def test_track_records_the_script_its_inputs_outputs_and_report(instance):
    ln.save([ln.Artifact(write("input.txt", "abc"), key="input.txt")])
    script = write("pipeline.py", SCRIPT)
    result = run_python(script, "--fast")
    assert "computing" in result.stdout
    out = ln.Artifact.get(key="output.txt")
    assert out.load() == "ABC"
    run = out.run
    assert run.status == "completed" and run.finished_at
    assert run.params == {"n": 3}
    assert run.cli_args == "--fast"
    assert run.transform.key == "pipeline.py" and run.transform.kind == "script"
    assert run.transform.source_code == SCRIPT
    assert [a.key for a in run.input_artifacts] == ["input.txt"]
    assert [a.key for a in run.output_artifacts] == ["output.txt"]
    report = ln.Artifact.get(run.report_id)
    assert report.description == f"log streams of run {run.uid}"
    assert report.kind == "__lamindb_run__"
    assert "computing" in report.load()
    env = ln.Artifact.get(run.environment_id)
    assert env.description == "requirements.txt" and env.kind == "__lamindb_run__"
    assert env.key is None and env.run_id is None and "==" in env.load()
    graph = out.lineage()
    assert {n["label"] for n in graph["nodes"]} >= {"input.txt", "output.txt", "pipeline.py"}


def test_same_script_is_the_same_transform_a_changed_one_its_next_version(instance):
    script = write("s.py", "import lamin as ln\nln.track()\nln.finish()\n")
    run_python(script)
    run_python(script)
    assert len(ln.Transform.filter(key="s.py")) == 1
    assert len(ln.Run.filter()) == 2
    assert len({r.environment_id for r in ln.Run.filter()}) == 1  # the same environment artifact
    write("s.py", "import lamin as ln\nln.track()\nprint(1)\nln.finish()\n")
    run_python(script)
    versions = ln.Transform.filter(key="s.py").order_by("uid")
    assert [t.uid[-4:] for t in versions] == ["0000", "0001"]


def test_an_uncaught_exception_marks_the_run_errored(instance):
    script = write("fails.py", "import lamin as ln\nln.track()\nraise SystemError('boom')\n")
    result = run_python(script, check=False)
    assert result.returncode != 0 and "boom" in result.stderr
    (run,) = ln.Run.filter()
    assert run.status == "errored" and run.finished_at


def test_a_killed_script_leaves_a_run_that_recovery_aborts(instance):
    script = write("hangs.py", "import lamin as ln, time\nln.track()\nprint('ready', flush=True)\n"
                               "time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    while proc.stdout.readline().strip() != "ready":
        pass
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    (run,) = ln.Run.filter()
    assert run.status == "started"
    ln._instance.handle().fsck(repair=True)
    assert ln.Run.get(run.id).status == "aborted"


def test_saves_and_loads_outside_a_run_record_no_lineage(instance):
    a = ln.Artifact(write("a.txt", "a"), key="a.txt").save()
    assert a.run is None
    a.load()
    assert ln.Run.filter().count() == 0


def test_delete_a_run_and_a_transform(instance):
    script = write("s.py", "import lamin as ln\nln.track()\nln.finish()\n")
    run_python(script)
    (run,) = ln.Run.filter()
    transform = run.transform
    run.delete()
    assert not ln.Run.filter().exists()
    transform.delete()
    assert not ln.Transform.filter(key="s.py").exists()


def test_a_run_with_outputs_cannot_be_deleted(instance):
    ln.save([ln.Artifact(write("input.txt", "abc"), key="input.txt")])
    run_python(write("pipeline.py", SCRIPT))
    run = ln.Artifact.get(key="output.txt").run
    with pytest.raises(ValueError):
        run.delete()
    assert ln.Run.get(run.id).status == "completed"
