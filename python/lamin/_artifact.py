"""Artifact: a file or folder in storage with its metadata row, and ln.save for batches."""

from __future__ import annotations

import datetime as _dt
import errno
import os
from pathlib import Path
from typing import Any, Iterable

from . import errors
from ._instance import handle, settings
from ._query import QuerySet, RecordList, to_filters
from ._record import (Project, Record, Run, SQLRecord, Transform, ULabel, _name_of, _text,
                      _Versioned)



def _logger():
    # logging and json are imported when first needed: `import lamin` stays fast.
    import logging

    return logging.getLogger("lamin")

# What the library's save report adds to an artifact's fields.
_OUTCOME_FIELDS = ("path", "existed", "new_version", "restored", "warnings")


def _fspath(data: Any) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, (str, os.PathLike)):
        return os.fsencode(data)
    raise TypeError(f"an artifact's data must be a path (str, bytes or os.PathLike), not "
                    f"{type(data).__name__}")


def _feature_json(value: Any) -> str:
    """A feature value as the JSON the library checks against the feature's dtype."""
    def plain(v: Any) -> Any:
        if isinstance(v, SQLRecord):
            return _name_of(v, "value")
        if isinstance(v, (_dt.datetime, _dt.date)):
            return v.isoformat()
        if isinstance(v, os.PathLike):
            return os.fspath(v)
        if isinstance(v, (list, tuple, set)):
            return [plain(x) for x in v]
        return v
    import json

    try:
        return json.dumps(plain(value))
    except (TypeError, ValueError) as e:
        raise TypeError(f"feature value {value!r} is not a JSON value: {e}") from None


def _feature_pairs(values: dict) -> list[tuple[str, str]]:
    if not isinstance(values, dict):
        raise TypeError(f"feature values must be a dict of name to value, not {type(values).__name__}")
    return [(_text(k, "feature name", optional=False), _feature_json(v)) for k, v in values.items()]


def _label_names(labels: Any) -> list[str]:
    if isinstance(labels, (SQLRecord, str)):
        labels = [labels]
    if not isinstance(labels, Iterable):
        raise TypeError(f"labels must be records or names, not {type(labels).__name__}")
    return [_name_of(label, "label") for label in labels]


def _run_id(run: Any) -> int | None:
    """The run an artifact is saved with: run=, else the tracked one (ln.track); run=False: none."""
    if run is False:
        return None
    if run is None:
        from ._context import context

        return context.run.id if context.run is not None else None
    if isinstance(run, Run):
        return run.id
    raise TypeError(f"run must be a Run, None or False, not {type(run).__name__}")


class Artifact(_Versioned):
    """A file or folder kept in storage with its metadata (``lamindb_artifact``).

    ``Artifact(path, key=..., description=...)`` describes one to save; ``.save()`` copies
    the data into storage and writes the row atomically (a failure leaves neither). Content
    saved before is that artifact again: nothing is written.
    """

    _registry = "artifact"
    _columns = ("id", "uid", "key", "description", "suffix", "kind", "otype", "size", "hash",
                "_hash_type", "n_files", "version_tag", "is_latest", "branch_id", "storage_id",
                "storage_root", "storage_key", "run_id", "created_by", "created_at", "updated_at")

    def __init__(self, data: str | os.PathLike | bytes, *, key: str | None = None,
                 description: str | None = None, kind: str | None = None, run: Any = None,
                 features: dict | None = None, ulabels: Any = None, schema: Any = None) -> None:
        path = _fspath(data)
        if not path.startswith(b"s3://") and not os.path.exists(path):
            raise errors.FileNotFound(errno.ENOENT, "no such file or folder to save", os.fsdecode(path))
        self._request = dict(
            path=path, key=_text(key, "key"), description=_text(description, "description"),
            kind=_text(kind, "kind"),
            features=_feature_pairs(features) if features is not None else [],
            ulabels=_label_names(ulabels) if ulabels is not None else [],
            schema=None if schema is None else _name_of(schema, "schema"))
        self._run_arg = run

    @classmethod
    def from_dir(cls, path: str | os.PathLike, *, key: str | None = None,
                 run: Any = None) -> list[Artifact]:
        """One artifact per file under a folder, keyed as LaminDB's from_dir keys them:
        ``<key or the folder's name>/<path inside the folder>``. Save them with ln.save()."""
        folder = Path(os.fsdecode(_fspath(path)))
        if not folder.is_dir():
            raise errors.FileNotFound(errno.ENOENT, "no such folder", str(folder))
        prefix = _text(key, "key") or folder.resolve().name
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        return [cls(p, key=f"{prefix}/{p.relative_to(folder).as_posix()}", run=run) for p in files]

    # -- reading ---------------------------------------------------------------------------
    @classmethod
    def _query(cls, filters: list, order_by: list, limit: int | None, offset: int | None) -> list:
        return handle().list(filters, order_by, limit, offset)

    @classmethod
    def _get_row(cls, key: str | None, uid: str | None) -> dict:
        return handle().get(key=key, uid=uid)

    @property
    def version(self) -> str | None:
        return self.version_tag

    @property
    def versions(self) -> QuerySet:
        """Every version of this artifact's family, the first first."""
        return QuerySet(Artifact, to_filters({"uid__startswith": self.stem_uid}), ["id"])

    @property
    def path(self) -> Path | str:
        """Where the data lives: a local Path, or the URL of an object in S3."""
        root, key = self.storage_root, self.storage_key
        return f"{root.rstrip('/')}/{key}" if root.startswith("s3://") else Path(root) / key

    @property
    def run(self) -> Run | None:
        return Run.get(self.run_id) if self.run_id is not None else None

    @property
    def transform(self) -> Transform | None:
        run = self.run
        return run.transform if run is not None else None

    @property
    def features(self) -> FeatureManager:
        return FeatureManager(self)

    @property
    def ulabels(self) -> LabelManager:
        return LabelManager(self, ULabel)

    @property
    def projects(self) -> LabelManager:
        return LabelManager(self, Project)

    @property
    def records(self) -> LabelManager:
        return LabelManager(self, Record)

    def cache(self, is_run_input: Any = None) -> Path:
        """A local path of the data, verified against its hash (downloaded if remote). Inside a
        tracked run, the artifact becomes the run's input (``is_run_input=False``: not)."""
        run_uid = None
        if is_run_input is not False:
            from ._context import context

            run = is_run_input if isinstance(is_run_input, Run) else context.run
            run_uid = run.uid if run is not None else None
        return Path(os.fsdecode(handle().load(self.uid, run_uid)))

    def load(self, is_run_input: Any = None, **kwargs: Any) -> Any:
        """The data in memory: CSV/TSV as a pandas DataFrame, Parquet too, JSON as its value,
        other files as text. A folder has no in-memory form: use cache()."""
        path = self.cache(is_run_input=is_run_input)
        if path.is_dir():
            raise ValueError(f"artifact {self.uid} is a folder: use .cache() for its path")
        suffix = self.suffix.lower()
        if suffix in (".csv", ".tsv", ".parquet"):
            import pandas as pd

            if suffix == ".parquet":
                return pd.read_parquet(path, **kwargs)
            return pd.read_csv(path, **({"sep": "\t"} if suffix == ".tsv" else {}), **kwargs)
        if suffix == ".json":
            import json

            with open(path, encoding="utf-8") as f:
                return json.load(f)
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            return f.read()

    def lineage(self, direction: str = "both", depth: int = 0) -> dict:
        """The lineage graph around the artifact: nodes (artifacts, runs) and edges."""
        return handle().lineage_graph(self.uid, direction, depth)

    # -- writing ---------------------------------------------------------------------------
    def save(self) -> Artifact:
        """Stores the data and writes the row, atomically. Returns the artifact (the existing
        one for content saved before)."""
        if self._saved():
            return self
        (outcome,) = _save_batch([self], keep_successful=False)
        return self._take(outcome)

    def _take(self, outcome: dict) -> Artifact:
        if outcome.get("existed"):
            _logger().info("returning existing artifact with same hash: %s", outcome["uid"])
        for w in outcome.get("warnings", []):
            _logger().warning(w)
        self._fields = {k: v for k, v in outcome.items() if k not in _OUTCOME_FIELDS}
        return self

    def delete(self, permanent: bool | None = None) -> None:
        """Moves the artifact to the trash; ``permanent=True`` removes row and data for good."""
        if not self._saved():
            raise ValueError("the artifact is not saved")
        if permanent is None and self.branch_id == -1:
            raise ValueError(f"artifact {self.uid} is in the trash already: delete(permanent=True) "
                             "removes it for good")
        handle().delete(self.uid, bool(permanent))
        self._fields = dict(self._fields, branch_id=-1)

    def restore(self) -> Artifact:
        self._fields = handle().restore(self.uid)
        return self

    def describe(self, return_str: bool = False) -> str | None:
        """A summary: fields, storage, lineage, labels and features."""
        lines = [f"Artifact: {self.key or self.description or self.uid} "
                 f"({self.version_tag or self.uid[16:]})"]
        rows = [("uid", self.uid), ("hash", self.hash), ("size", self.size),
                ("suffix", self.suffix), ("kind", self.kind), ("is_latest", self.is_latest),
                ("branch", {1: "main", 0: "archive", -1: "trash"}.get(self.branch_id)),
                ("path", str(self.path)), ("created_by", self.created_by),
                ("created_at", self.created_at)]
        lineage = handle().artifact_lineage(self.uid)
        if lineage["transform"]:
            rows.append(("transform", f"{lineage['transform']['key']} ({lineage['transform']['uid']})"))
        if lineage["run"]:
            rows.append(("run", f"{lineage['run']['uid']} ({lineage['run']['status']})"))
        annotations = handle().annotations_of(self.uid)
        for label in annotations["labels"]:
            via = f" via {label['feature']}" if label["feature"] else ""
            rows.append((label["registry"], f"{label['name']}{via}"))
        for name, value in annotations["features"].items():
            rows.append((f"feature {name}", value))
        lines += [f"{'└──' if i == len(rows) - 1 else '├──'} {k}: {v}" for i, (k, v) in enumerate(rows)]
        text = "\n".join(lines)
        if return_str:
            return text
        print(text)
        return None

    def __repr__(self) -> str:
        if not self._saved():
            return f"Artifact(unsaved, path={os.fsdecode(self._request['path'])!r})"
        return super().__repr__()


class FeatureManager:
    """``artifact.features``: feature values of a saved artifact."""

    def __init__(self, artifact: Artifact) -> None:
        if not artifact._saved():
            raise ValueError("save the artifact before annotating it")
        self._artifact = artifact

    def add_values(self, values: dict) -> None:
        """Adds values ({feature name: value}); checked against each feature's dtype, all or
        none."""
        handle().annotate(self._artifact.uid, features=_feature_pairs(values))

    def get_values(self) -> dict:
        """{feature name: value}; several values of one feature as a list."""
        return handle().annotations_of(self._artifact.uid)["features"]

    def remove_values(self, feature: Any, *, value: Any = None) -> None:
        name = feature.name if isinstance(feature, SQLRecord) else _text(feature, "feature", False)
        if value is None:
            handle().annotate(self._artifact.uid, remove_features=[name])
        else:
            handle().annotate(self._artifact.uid, remove_values=[(name, _feature_json(value))])

    def __repr__(self) -> str:
        return f"Features({self.get_values()!r})"


class LabelManager:
    """``artifact.ulabels`` (and ``.projects``, ``.records``): labels linked to an artifact."""

    _PARAM = {"ulabel": "ulabels", "project": "projects", "record": "records"}

    def __init__(self, artifact: Artifact, model: type[SQLRecord]) -> None:
        if not artifact._saved():
            raise ValueError("save the artifact before labeling it")
        self._artifact = artifact
        self._model = model

    def add(self, *labels: Any) -> None:
        """Links labels (records or names that exist), all or none."""
        names = [n for label in labels for n in _label_names(label)]
        handle().annotate(self._artifact.uid, **{self._PARAM[self._model._registry]: names})

    def remove(self, *labels: Any) -> None:
        names = [n for label in labels for n in _label_names(label)]
        handle().annotate(self._artifact.uid,
                          **{"remove_" + self._PARAM[self._model._registry]: names})

    def all(self) -> QuerySet | RecordList:
        """The linked labels, by name (with or without a feature, each once)."""
        uids = sorted({label["uid"] for label in handle().annotations_of(self._artifact.uid)["labels"]
                       if label["registry"] == self._model._registry})
        if not uids:
            return RecordList(self._model)
        return self._model.filter(uid__in=uids).order_by("name")

    def to_list(self, field: str | None = None) -> list:
        return self.all().to_list(field)

    def __repr__(self) -> str:
        return repr(self.all())


def _save_batch(artifacts: list[Artifact], keep_successful: bool) -> list[dict]:
    """One atomic batch through the library; raises with LaminDB's message shapes."""
    runs = {_run_id(a._run_arg) for a in artifacts}
    if len(runs) > 1:
        raise ValueError("one batch saves artifacts of one run: save each run's artifacts apart")
    run_id = runs.pop() if runs else None
    try:
        report = handle().save([a._request for a in artifacts], keep_successful, settings._storage,
                               run_id)
    except errors.LaminError as error:
        if len(artifacts) == 1:
            raise
        raise errors.SaveError("No entries were uploaded or committed to the database. See error "
                               f"message:\n\n{error}", failed=[(a, error) for a in artifacts]) from error
    if report["failed"]:
        failed = [(os.fsdecode(p), errors._from_status(code, message, "path"))
                  for p, code, message in report["failed"]]
        by_path = {os.fsdecode(o["path"]): o for o in report["saved"]}
        saved = [a._take(by_path[os.fsdecode(a._request["path"])]) for a in artifacts
                 if os.fsdecode(a._request["path"]) in by_path]
        head = ("The following entries have been successfully uploaded and committed to the "
                "database:\n" + "".join(f"- {a!r}\n" for a in saved) if saved else
                "No entries were uploaded or committed to the database.")
        message = head + "\nSee error message:\n\n" + "\n".join(f"{p}: {e}" for p, e in failed)
        error = errors.SaveError(message, saved=saved, failed=failed)
        raise error from failed[0][1]
    return report["saved"]


def save(records: Iterable[SQLRecord], *, keep_successful: bool = False) -> None:
    """Saves records; the artifacts among them as one batch, all or nothing (with
    ``keep_successful=True``, LaminDB's behaviour: what was stored stays and the error lists
    it). Anything that is not a record fails the call before anything is written."""
    if isinstance(records, (SQLRecord, str, bytes)) or not isinstance(records, Iterable):
        raise TypeError("ln.save() takes a list of records")
    records = list(records)
    for r in records:
        if not isinstance(r, SQLRecord):
            raise TypeError(f"{r!r} is not a record; nothing was saved")
    for r in records:
        if not isinstance(r, Artifact) and not r._saved():
            r.save()
    pending = [a for a in records if isinstance(a, Artifact) and not a._saved()]
    if not pending:
        return
    outcomes = _save_batch(pending, keep_successful)
    for artifact, outcome in zip(pending, outcomes):
        artifact._take(outcome)
