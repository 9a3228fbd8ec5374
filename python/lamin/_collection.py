"""Collection: a versioned, ordered set of artifacts."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable

from ._artifact import Artifact, _run_id
from ._instance import handle
from ._query import RecordList
from ._record import _text, _Versioned


def _members(artifacts: Any) -> list[Artifact]:
    if isinstance(artifacts, Artifact):
        artifacts = [artifacts]
    if not isinstance(artifacts, Iterable):
        raise TypeError(f"a collection takes artifacts, not {type(artifacts).__name__}")
    members = list(artifacts)
    for a in members:
        if not isinstance(a, Artifact):
            raise TypeError(f"a collection takes artifacts, not {type(a).__name__}")
        if not a._saved():
            raise ValueError(f"{a!r} is not saved: save it first")
    return members


class Collection(_Versioned):
    """``Collection(artifacts, key=...)``: the same members (in any order) are the collection
    saved before; the same key with other members its next version."""

    _registry = "collection"
    _columns = ("id", "uid", "key", "description", "hash", "meta_artifact_id", "run_id",
                "is_latest", "branch_id", "created_at")

    def __init__(self, artifacts: Any, *, key: str, description: str | None = None,
                 meta: Artifact | None = None, run: Any = None) -> None:
        self._spec = dict(key=_text(key, "key", optional=False),
                          member_uids=[a.uid for a in _members(artifacts)],
                          description=_text(description, "description"),
                          meta_artifact_uid=meta.uid if meta is not None else None)
        self._run_arg = run

    @classmethod
    def _query(cls, filters: list, order_by: list, limit: int | None, offset: int | None) -> list:
        return handle().list_collections(filters, order_by, limit, offset)

    @classmethod
    def _get_row(cls, key: str | None, uid: str | None) -> dict:
        return handle().get_collection(key=key, uid=uid)

    def save(self) -> Collection:
        if not self._saved():
            outcome = handle().create_collection(**self._spec, run_id=_run_id(self._run_arg))
            self._fields = outcome["collection"]
        return self

    @property
    def ordered_artifacts(self) -> RecordList:
        """The members in the collection's order."""
        return RecordList(Artifact, [Artifact._from_row(r)
                                     for r in handle().collection_members(self.uid, False)])

    artifacts = ordered_artifacts

    @property
    def versions(self) -> RecordList:
        return RecordList(Collection, [Collection._from_row(r)
                                       for r in handle().collection_members(self.uid, True)])

    def append(self, artifact: Artifact | list[Artifact], run: Any = None) -> Collection:
        """The next version: these members plus ``artifact``."""
        more = [a.uid for a in _members(artifact)]
        outcome = handle().append_collection(self.uid, more, _run_id(run))
        return Collection._from_row(outcome["collection"])

    def cache(self, is_run_input: Any = None) -> list[Path]:
        """Local paths of the members' data, in order (verified; downloaded if remote)."""
        run_id = _run_id(None) if is_run_input is None else (
            None if is_run_input is False else _run_id(is_run_input))
        return [Path(os.fsdecode(p)) for p in handle().load_collection(self.uid, None, run_id)]

    def load(self, join: str = "outer", is_run_input: Any = None, **kwargs: Any) -> Any:
        """The members' CSV/TSV/Parquet data concatenated into one DataFrame (as LaminDB's
        Collection.load does for dataframes), rows in the members' order."""
        members = self.ordered_artifacts
        suffixes = {a.suffix.lower() for a in members}
        if not suffixes <= {".csv", ".tsv", ".parquet"}:
            raise ValueError(f"load() concatenates CSV, TSV or Parquet members; this collection has "
                             f"{', '.join(sorted(suffixes))}: use cache() for the paths")
        import pandas as pd

        paths = self.cache(is_run_input=is_run_input)
        frames = []
        for artifact, path in zip(members, paths):
            if artifact.suffix.lower() == ".parquet":
                frames.append(pd.read_parquet(path, **kwargs))
            else:
                sep = "\t" if artifact.suffix.lower() == ".tsv" else ","
                frames.append(pd.read_csv(path, sep=sep, **kwargs))
        return pd.concat(frames, join=join, ignore_index=True)

    def delete(self, permanent: bool | None = None) -> None:
        handle().delete_collection(self.uid, bool(permanent))
        self._fields = dict(self._fields, branch_id=-1)

