"""SQLRecord: one row of a registry, its fields as attributes, as LaminDB's records are; and the
label, feature and schema registries."""

from __future__ import annotations

import datetime as _dt
from typing import Any, ClassVar

from . import errors
from ._instance import handle
from ._query import QuerySet, RecordList, to_filters

# Fields a record shows first in its repr (the rest follow in the table's order).
_REPR_FIRST = ("uid", "name", "key", "description", "version_tag", "is_latest")
_REPR_SKIP = ("id", "_aux", "source_code")


class SQLRecord:
    """A row of a registry. Records read from the instance have every column as an attribute;
    new ones (``ULabel(name=...)``) are written by ``.save()``."""

    _registry: ClassVar[str] = ""
    _columns: ClassVar[tuple[str, ...]] = ()
    DoesNotExist = errors.DoesNotExist
    MultipleResultsFound = errors.MultipleResultsFound

    _fields: dict[str, Any]

    # -- reading ---------------------------------------------------------------------------
    @classmethod
    def _from_row(cls, row: dict[str, Any]) -> Any:
        record = cls.__new__(cls)
        if cls._columns:  # the library's JSON form comes sorted by name: LaminDB's order
            row = {**{c: row[c] for c in cls._columns if c in row}, **row}
        record._fields = row
        return record

    @classmethod
    def _query(cls, filters: list, order_by: list, limit: int | None, offset: int | None) -> list:
        return handle().records(cls._registry, filters, order_by, limit, offset)

    @classmethod
    def filter(cls, *queries: Any, **lookups: Any) -> QuerySet:
        """Records matching Django-style lookups, e.g. ``name__startswith="T"``."""
        if queries:
            raise TypeError("filter() takes keyword lookups only (Q objects are not supported)")
        return QuerySet(cls, to_filters(lookups))

    @classmethod
    def all(cls) -> QuerySet:
        return QuerySet(cls)

    @classmethod
    def get(cls, idlike: int | str | None = None, **lookups: Any) -> Any:
        """The one record with this id or uid, or matching the lookups; else DoesNotExist."""
        if idlike is not None:
            if isinstance(idlike, bool) or not isinstance(idlike, (int, str)):
                raise TypeError(f"get() takes an id (int) or a uid (str), not {type(idlike).__name__}")
            lookups["id" if isinstance(idlike, int) else "uid"] = idlike
        if not lookups:
            raise TypeError("get() needs an id, a uid or lookups")
        return cls.filter(**lookups).one()

    @classmethod
    def search(cls, string: str, *, limit: int = 20, include_hidden: bool = False) -> RecordList:
        """LaminDB's ranked search over the registry's text fields, best first."""
        if not isinstance(string, str):
            raise TypeError(f"search() takes a str, not {type(string).__name__}")
        hits = handle().search(cls._registry, string, limit, include_hidden)
        return RecordList(cls, [cls._from_row(row) for row, _rank in hits])

    @classmethod
    def to_dataframe(cls, limit: int = 100) -> Any:
        return QuerySet(cls, limit=limit).to_dataframe()

    df = to_dataframe

    def __getattr__(self, name: str) -> Any:
        fields = self.__dict__.get("_fields")
        if fields is not None and name in fields:
            return fields[name]
        raise AttributeError(f"{type(self).__name__} has no field '{name}'")

    def __eq__(self, other: object) -> bool:
        return (type(self) is type(other) and "_fields" in self.__dict__
                and "_fields" in other.__dict__ and self.id == other.id)  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((self._registry, self.__dict__.get("_fields", {}).get("id")))

    def __repr__(self) -> str:
        fields = self.__dict__.get("_fields")
        if fields is None:
            return f"{type(self).__name__}(unsaved)"
        names = [n for n in _REPR_FIRST if n in fields]
        names += [n for n in fields if n not in names and n not in _REPR_SKIP]
        return f"{type(self).__name__}({', '.join(f'{n}={fields[n]!r}' for n in names)})"

    # -- writing ---------------------------------------------------------------------------
    def _saved(self) -> bool:
        return "_fields" in self.__dict__

    def save(self) -> Any:
        """Records read from the instance are saved already; registries that can be created
        from Python (ULabel, Feature, Schema, Artifact, Collection, ...) override this."""
        if not self._saved():
            raise TypeError(f"{type(self).__name__} records are made by lamin, not from Python")
        return self

    def delete(self, permanent: bool | None = None) -> None:
        """Deletes the record for good; refused while anything refers to it."""
        handle().delete_record(self._registry, self.uid)


class _Versioned(SQLRecord):
    """A registry whose records have versions, named by key or uid (artifacts, collections)."""

    @classmethod
    def _get_row(cls, key: str | None, uid: str | None) -> dict:
        raise NotImplementedError

    @classmethod
    def get(cls, idlike: int | str | None = None, *, key: str | None = None,
            uid: str | None = None, **lookups: Any) -> Any:
        """By uid (16 characters: the family's latest version; 20: that version), by key (its
        latest version), by id, or by lookups. DoesNotExist when none matches."""
        if isinstance(idlike, str) and uid is None and key is None:
            uid, idlike = idlike, None
        if idlike is None and not lookups and (key is None) != (uid is None):
            return cls._from_row(cls._get_row(_text(key, "key"), _text(uid, "uid")))
        if key is not None:
            lookups["key"] = key
        if uid is not None:
            lookups["uid"] = uid
        return super().get(idlike, **lookups)

    @property
    def stem_uid(self) -> str:
        return self.uid[:16]


def _text(value: Any, what: str, optional: bool = True) -> str | None:
    """A text argument, checked: a str that is valid Unicode (keys and names are stored as
    UTF-8; a file name's undecodable bytes are not text)."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise errors.ValidationError(f"{what} {value!r} is not valid text (it holds bytes that "
                                     "are not UTF-8)") from None
    return value


def _name_of(value: Any, what: str) -> str:
    """A label or type given as a record (its uid) or a name."""
    if isinstance(value, SQLRecord):
        if not value._saved():
            raise ValueError(f"{what} {value!r} is not saved: call .save() first")
        return value.uid
    return _text(value, what, optional=False)  # type: ignore[return-value]


class _Label(SQLRecord):
    """ULabel, Project and Record: named labels, optionally typed and nested."""

    def __init__(self, name: str, *, type: Any = None, is_type: bool = False,
                 description: str | None = None, parents: list | None = None) -> None:
        self._spec = dict(name=_text(name, "name", optional=False),
                          type=None if type is None else _name_of(type, "type"),
                          is_type=bool(is_type), description=_text(description, "description"),
                          parents=[_name_of(p, "parent") for p in parents or []])

    def save(self) -> Any:
        if not self._saved():
            created = handle().create_label(self._registry, **self._spec)
            self._fields = created["record"]
        return self


class ULabel(_Label):
    """LaminDB's universal label (``lamindb_ulabel``)."""

    _registry = "ulabel"


class Project(_Label):
    """A project artifacts belong to (``lamindb_project``)."""

    _registry = "project"


class Record(_Label):
    """LaminDB's Record registry (``lamindb_record``)."""

    _registry = "record"


_DTYPES: dict[Any, str] = {
    int: "int", float: "float", str: "str", bool: "bool", dict: "dict",
    _dt.date: "date", _dt.datetime: "datetime",
}


def dtype_name(dtype: Any) -> str:
    """LaminDB's dtype string for a Python type, a registry, a type record or a string."""
    if isinstance(dtype, str):
        return dtype
    if dtype in _DTYPES:
        return _DTYPES[dtype]
    if isinstance(dtype, type) and issubclass(dtype, _Label):
        return f"cat[{dtype.__name__}]"
    if isinstance(dtype, _Label):
        return f"cat[{type(dtype).__name__}[{_name_of(dtype, 'dtype')}]]"
    import typing

    if typing.get_origin(dtype) is list:
        (item,) = typing.get_args(dtype) or (None,)
        if item is not None:
            inner = dtype_name(item)
            return f"list[{inner}]"
    raise TypeError(f"unsupported dtype {dtype!r}: use int, float, str, bool, dict, date, "
                    f"datetime, list[...], ln.ULabel, a ULabel type, or LaminDB's dtype string")


class Feature(SQLRecord):
    """A feature (``lamindb_feature``): a name and a dtype."""

    _registry = "feature"

    def __init__(self, name: str, dtype: Any = None, *, unit: str | None = None,
                 description: str | None = None, type: Any = None, is_type: bool = False) -> None:
        if dtype is None and not is_type:
            raise ValueError(f"feature '{name}' needs a dtype (e.g. float, str, ln.ULabel)")
        self._spec = dict(name=_text(name, "name", optional=False),
                          dtype="" if dtype is None else dtype_name(dtype),
                          unit=_text(unit, "unit"), description=_text(description, "description"),
                          type=None if type is None else _name_of(type, "type"), is_type=bool(is_type))

    def save(self) -> Feature:
        if not self._saved():
            self._fields = handle().create_feature(**self._spec)["record"]
        return self

    @property
    def dtype(self) -> str:
        """LaminDB's dtype string (stored in ``_dtype_str``)."""
        return self._dtype_str


class Schema(SQLRecord):
    """A set of features an artifact's annotations are validated against."""

    _registry = "schema"

    def __init__(self, features: list | None = None, *, name: str, optional_features: list | None = None,
                 maximal_set: bool = False, ordered_set: bool = False,
                 description: str | None = None) -> None:
        self._spec = dict(name=_text(name, "name", optional=False),
                          features=[_name_of(f, "feature") for f in features or []],
                          optional_features=[_name_of(f, "feature") for f in optional_features or []],
                          maximal=bool(maximal_set), ordered=bool(ordered_set),
                          description=_text(description, "description"))

    def save(self) -> Schema:
        if not self._saved():
            self._fields = handle().create_schema(**self._spec)["record"]
        return self


class Storage(SQLRecord):
    """A storage location of the instance (``lamindb_storage``)."""

    _registry = "storage"


class User(SQLRecord):
    """A user who wrote records (``lamindb_user``)."""

    _registry = "user"


class Transform(SQLRecord):
    """The code of a run: a script, notebook, pipeline or function (``ln.track`` makes them)."""

    _registry = "transform"

    @property
    def runs(self) -> QuerySet:
        return Run.filter(transform=self)

    def delete(self, permanent: bool | None = None) -> None:
        """Deletes the transform for good, with its runs (refused while their outputs exist);
        the newest other version becomes the latest."""
        handle().delete_transform(self.uid)


class Run(SQLRecord):
    """One execution of a transform."""

    _registry = "run"

    @property
    def status(self) -> str:
        return {-3: "scheduled", -2: "restarted", -1: "started", 0: "completed",
                1: "errored", 2: "aborted"}.get(self._status_code, str(self._status_code))

    @property
    def transform(self) -> Transform:
        return Transform.get(self.transform_id)

    @property
    def output_artifacts(self) -> RecordList:
        from ._artifact import Artifact

        return RecordList(Artifact, [Artifact._from_row(r)
                                     for r in handle().run_artifacts(self.uid, True)])

    @property
    def input_artifacts(self) -> RecordList:
        from ._artifact import Artifact

        return RecordList(Artifact, [Artifact._from_row(r)
                                     for r in handle().run_artifacts(self.uid, False)])

    def delete(self, permanent: bool | None = None) -> None:
        """Deletes the run for good with its links and log; refused while an artifact it made
        refers to it."""
        handle().delete_run(self.uid)
