"""lamin: LaminDB's Python API over lamin's native library.

``import lamin as ln`` runs LaminDB-style code for what it covers, on the same instances as
LaminDB 2.x (Python LaminDB opens what it saves, and the other way round)::

    import lamin as ln

    ln.track()                                   # the calling script and a run of it
    artifact = ln.Artifact("counts.csv", key="raw/counts.csv").save()
    artifact.features.add_values({"temperature": 37.5})
    artifact.ulabels.add(ln.ULabel(name="T cell").save())
    ln.Artifact.filter(key__startswith="raw/").order_by("-created_at").to_dataframe()
    df = ln.Artifact.get(key="raw/counts.csv").load()
    ln.finish()

Saves are atomic across data and metadata; calls into the library release the GIL.
"""

from __future__ import annotations

from . import errors
from ._artifact import Artifact, FeatureManager, LabelManager, save
from ._collection import Collection
from ._context import context, finish, track
from ._instance import connect, settings, setup
from ._query import QuerySet, RecordList
from ._record import (Feature, Project, Record, Run, Schema, SQLRecord, Storage, Transform, ULabel,
                      User)

__version__ = "0.1.0"

__all__ = [
    "Artifact", "Collection", "Feature", "FeatureManager", "LabelManager", "Project",
    "QuerySet", "Record", "RecordList", "Run", "Schema", "SQLRecord", "Storage", "Transform",
    "ULabel", "User", "connect", "context", "errors", "finish", "save", "settings", "setup",
    "track",
]
